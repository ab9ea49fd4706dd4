"""State changes of accounts: roles and profiles."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import LearnerProfile, User
from .roles import Role


def grant_role(user: User, role: Role) -> None:
    """Add ``user`` to the group of ``role`` (created if missing). Idempotent."""
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    user.__dict__.pop("_balise_roles", None)


@transaction.atomic
def save_learner_profile(user: User, fields: dict) -> LearnerProfile:
    """Create or update the learner's profile from validated form data (onboarding or edit).

    Makes sure the user has the learner role: staff who sign up to try the
    learner side get it too.
    """
    profile, _ = LearnerProfile.objects.update_or_create(user=user, defaults=fields)
    grant_role(user, Role.LEARNER)
    return profile
