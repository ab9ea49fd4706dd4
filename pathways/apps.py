from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = _("Parcours")

    def ready(self):
        from wagtail.signals import task_submitted

        from .mail import task_submission_email_notifier
        from .workflow import StructureApprovalTaskState

        task_submitted.connect(
            task_submission_email_notifier,
            sender=StructureApprovalTaskState,
            dispatch_uid="pathways_structure_approval_submitted_email",
        )
