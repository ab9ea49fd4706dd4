"""The content workflow: editors submit, the managers of the page's structure approve.

One task, ``StructureApprovalTask``: Wagtail's group approval (the Manager group), narrowed
to the structure that owns the page (``pathways.ownership.may_approve``). A manager of
structure A neither sees in their « awaiting your review » list, nor approves, nor sends
back a page of structure B; the network's managers and superusers moderate every page; a
page without a structure is moderated by any manager, as before structures.

Created by migrations ``pathways.0009`` (the workflow) and ``pathways.0011`` (this task in
place of the plain group approval) on every install, and kept in step by the demo seed.
The models are imported by ``pathways.models``.
"""

from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from wagtail.models import (
    AbstractGroupApprovalTask,
    Page,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from lms.accounts.roles import Role

from .ownership import approvable_task_states, may_approve

WORKFLOW_NAME = "Validation des contenus"
WORKFLOW_TASK_NAME = "Validation par la structure du contenu"
WAGTAIL_DEFAULT_WORKFLOW_NAME = "Moderators approval"


class StructureApprovalTaskState(TaskState):
    """A page waiting for its structure's managers. A class of its own so that Wagtail's
    « submitted » e-mail to every member of the task's groups is not sent for it; ours,
    to the people who may approve the page, is (``pathways.mail``)."""

    class Meta:
        verbose_name = _("état de validation par la structure du contenu")
        verbose_name_plural = _("états de validation par la structure du contenu")


class StructureApprovalTask(AbstractGroupApprovalTask):
    """Members of the task's groups approve a page if its structure lets them publish it.

    Wagtail asks the task for the edit view's actions and lock, the workflow action and
    preview views (``get_actions``: a refusal there is Wagtail's ``PermissionDenied``) and
    the dashboard's list (``get_task_states_user_can_moderate``)."""

    task_state_class = StructureApprovalTaskState

    def may_moderate(self, obj, user) -> bool:
        return (user.is_superuser or self._user_in_groups(user)) and may_approve(user, obj)

    def user_can_access_editor(self, obj, user):
        return self.may_moderate(obj, user)

    def locked_for_user(self, obj, user):
        return not self.may_moderate(obj, user)

    def user_can_lock(self, obj, user):
        return super().user_can_lock(obj, user) and may_approve(user, obj)

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        return actions if actions and may_approve(user, obj) else []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if not (user.is_superuser or self._user_in_groups(user)):
            return states  # none
        return approvable_task_states(states, user)

    @classmethod
    def get_description(cls):
        return _(
            "Un contenu est validé par les membres des groupes choisis qui sont responsables "
            "de sa structure autrice ou de la tête de réseau ; un contenu sans structure, par "
            "tous les membres des groupes choisis."
        )

    class Meta:
        verbose_name = _("validation par la structure du contenu")
        verbose_name_plural = _("validations par la structure du contenu")


def ensure_content_workflow() -> Workflow:
    """Editors submit, managers approve: the workflow on the root page has one task, a
    structure approval by the Manager group. Idempotent.

    Wagtail's default workflow ("Moderators approval", on the root page) is reused and
    renamed; tasks it had are detached but left in place. Pages waiting on a detached task
    move on to this one, as when a task is disabled in the admin: Wagtail cancels their
    task state and starts the workflow's task on the same revision.
    """
    managers, _ = Group.objects.get_or_create(name=Role.MANAGER.value)
    task = StructureApprovalTask.objects.filter(name=WORKFLOW_TASK_NAME).first()
    if task is None:
        task = StructureApprovalTask.objects.create(name=WORKFLOW_TASK_NAME)
    if not task.active:
        task.active = True
        task.save(update_fields=["active"])
    if list(task.groups.all()) != [managers]:
        task.groups.set([managers])

    root = Page.get_first_root_node()
    link = WorkflowPage.objects.filter(page=root).select_related("workflow").first()
    if link is not None:
        workflow = link.workflow
    else:
        workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
        if workflow is None:
            workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        WorkflowPage.objects.create(page=root, workflow=workflow)
    changed = []
    if workflow.name == WAGTAIL_DEFAULT_WORKFLOW_NAME:
        workflow.name = WORKFLOW_NAME
        changed.append("name")
    if not workflow.active:
        workflow.active = True
        changed.append("active")
    if changed:
        workflow.save(update_fields=changed)

    task_ids = list(workflow.workflow_tasks.order_by("sort_order").values_list("task", flat=True))
    if task_ids != [task.pk]:
        WorkflowTask.objects.filter(workflow=workflow).delete()
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        waiting = TaskState.objects.filter(
            workflow_state__workflow=workflow,
            workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
            status=TaskState.STATUS_IN_PROGRESS,
        ).exclude(task=task)
        for state in waiting:
            state.specific.cancel()
    return workflow
