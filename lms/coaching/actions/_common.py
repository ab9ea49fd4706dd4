"""What every coaching action shares."""

from functools import wraps

from django.conf import settings
from django.urls import reverse
from django.utils import translation

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
