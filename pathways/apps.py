from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = _("Parcours")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import task_submitted

        from .mail import task_submission_email_notifier
        from .models import CheckpointPassage, Enrollment, OfflineSync, StepCompletion
        from .queries import progress_row_changed
        from .workflow import StructureApprovalTaskState

        task_submitted.connect(
            task_submission_email_notifier,
            sender=StructureApprovalTaskState,
            dispatch_uid="pathways_structure_approval_submitted_email",
        )
        # A learner's progress kept for their step pages is replaced when its rows change
        # (answers kept offline: shown on their step's page).
        for model in (StepCompletion, CheckpointPassage, Enrollment, OfflineSync):
            for signal in (post_save, post_delete):
                signal.connect(
                    progress_row_changed, sender=model, dispatch_uid=f"progress-{model.__name__}"
                )
