"""A learner's pathway rows in their data (see ``lms/accounts/privacy.py``)."""

from lms.accounts.privacy import Declaration, Section, register

from .models import CheckpointPassage, ExerciseResponse, OfflineSync
from .queries import progress_changed


def erase(user) -> None:
    """Answers (offline ones too) are erased; enrolments, completed steps and passages stay
    as anonymous figures (the passage's answers are emptied)."""
    ExerciseResponse.objects.filter(learner=user).delete()
    OfflineSync.objects.filter(learner=user).delete()
    CheckpointPassage.objects.filter(learner=user).update(answers={})
    progress_changed(user.pk)  # the passages kept for their step pages held the answers


register(
    Declaration(
        "pathways",
        sections=(
            Section("enrollments", "pathways.Enrollment", "learner"),
            Section("step_completions", "pathways.StepCompletion", "learner"),
            # Answers, and whether each is shared with the coach.
            Section("exercise_responses", "pathways.ExerciseResponse", "learner"),
            Section("checkpoint_passages", "pathways.CheckpointPassage", "learner"),
            # Answers typed offline as they were sent, and those kept for removed questions.
            Section("offline_syncs", "pathways.OfflineSync", "learner"),
        ),
        erase=erase,
        activity=(
            ("pathways.Enrollment", "learner", "last_activity_at"),
            ("pathways.StepCompletion", "learner", "completed_at"),
            ("pathways.ExerciseResponse", "learner", "updated_at"),
            ("pathways.CheckpointPassage", "learner", "reached_at"),
            ("pathways.OfflineSync", "learner", "received_at"),
        ),
    )
)
