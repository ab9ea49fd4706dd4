"""Wagtail's moderation e-mails, told only to the people who may act on them.

Wagtail e-mails every member of a group approval task's groups when a page is submitted to
it. For ``StructureApprovalTask`` that would tell the managers of every structure about a
page only its own structure's managers (and the network's) may approve: its task states
have their own class, which Wagtail's notifier (connected for ``TaskState`` senders) does
not hear, and this notifier sends Wagtail's e-mail to the people who may approve.
"""

from wagtail.admin.mail import GroupApprovalTaskStateSubmissionEmailNotifier

from .workflow import StructureApprovalTaskState


class StructureApprovalSubmissionEmailNotifier(GroupApprovalTaskStateSubmissionEmailNotifier):
    """« Submitted for moderation »: Wagtail's e-mail and templates, to the members of the
    task's groups (and superusers) who may approve this page."""

    def __init__(self):
        super().__init__()
        self.valid_classes = (StructureApprovalTaskState,)

    def get_template_base_prefix(self, instance, **kwargs):
        return "task_state_"  # Wagtail's own templates

    def get_recipient_users(self, task_state, **kwargs):
        recipients = super().get_recipient_users(task_state, **kwargs)
        page = task_state.workflow_state.content_object
        task = task_state.task.specific
        return {user for user in recipients if task.may_moderate(page, user)}


task_submission_email_notifier = StructureApprovalSubmissionEmailNotifier()
