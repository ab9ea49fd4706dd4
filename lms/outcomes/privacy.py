"""Self-diagnoses, milestones and opinions in a person's data (see
``lms/accounts/privacy.py``)."""

from lms.accounts.privacy import Declaration, Section, register

from .models import Satisfaction


def erase(user) -> None:
    """Scores, milestones and opinions stay as anonymous figures (numbers and choices);
    the free text of an opinion is erased."""
    Satisfaction.objects.filter(learner=user).update(comment="")


register(
    Declaration(
        "outcomes",
        sections=(
            # Self-diagnoses (answers and scores), project milestones, opinions.
            Section(
                "diagnoses",
                "outcomes.Diagnosis",
                "learner",
                children=(Section("scores", "outcomes.CompetenceScore", "diagnosis"),),
            ),
            Section("milestones", "outcomes.Milestone", "learner"),
            Section("satisfactions", "outcomes.Satisfaction", "learner"),
            Section("module_feedback", "outcomes.ModuleFeedback", "learner"),
        ),
        erase=erase,
        activity=(
            ("outcomes.Diagnosis", "learner", "updated_at"),
            ("outcomes.Milestone", "learner", "updated_at"),
            ("outcomes.Satisfaction", "learner", "updated_at"),
            ("outcomes.ModuleFeedback", "learner", "updated_at"),
        ),
    )
)
