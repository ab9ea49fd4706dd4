"""What every page's navigation shows about its reader: roles and unread notifications."""

from lms.accounts.facts import cached_facts
from lms.accounts.roles import roles_of

from .models import Notification


def navigation_facts(user) -> dict:
    """``{"roles": sorted role tuple, "unread": int}`` for a signed-in user, from Django's
    cache (renewed by ``lms.accounts.facts.changed`` when a notification is written or
    read, or a group joined or left)."""
    return cached_facts(
        user.pk,
        lambda: {
            "roles": tuple(sorted(roles_of(user))),
            "unread": Notification.objects.visible_to(user).unread().count(),
        },
    )
