"""What every community action shares."""

from functools import wraps

from django.conf import settings
from django.urls import reverse
from django.utils import translation


class CommunityError(Exception):
    """A refusal to show the person as is (a French message); nothing was written."""


# E-mails go to other people: written in the site's language, whoever's browser acted.
def in_site_language(action):
    @wraps(action)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return action(*args, **kwargs)

    return wrapper


def circle_url(circle_id: int) -> str:
    return reverse("community:circle", args=[circle_id])


def thread_url(circle_id: int) -> str:
    return circle_url(circle_id) + "#fil"
