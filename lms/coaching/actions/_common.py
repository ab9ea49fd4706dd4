"""What every coaching action shares."""

from functools import wraps

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from lms.accounts.models import Structure, User

from ..models import CoachingRequest


class CoachingError(Exception):
    """A refusal to show the person as is (French message)."""


# Requests store their recommendation's reason and e-mails go to other people:
# both are written in the site's language, whoever's browser triggered them.
def in_site_language(action):
    @wraps(action)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return action(*args, **kwargs)

    return wrapper


def request_url(request: CoachingRequest) -> str:
    return reverse("coaching:request", args=[request.pk])


def structure_for_learner(request: CoachingRequest, coach: User | None = None) -> Structure | None:
    """The structure a learner's e-mails about ``request`` come from, shown with its name and
    logo: the coach's (``coach``, else the one holding the request), else the request's own
    (none for a département no structure covers). Reads the relations not already loaded."""
    coach = coach or (request.coach if request.coach_id else None)
    profile = getattr(coach, "coach_profile", None) if coach is not None else None
    if profile is not None:
        return profile.structure
    return request.structure if request.structure_id else None
