"""What every page's navigation shows about its reader: roles and unread notifications."""

from lms.accounts.facts import cached_facts
from lms.accounts.roles import roles_of

from .models import Notification


def navigation_facts(user, found: dict | None = None) -> dict:
    """``{"roles": sorted role tuple, "unread": int}`` for a signed-in user, from Django's
    cache (renewed by ``lms.accounts.facts.changed`` when a notification is written or
    read, or a group joined or left). ``found``: what a ``cache.get_many`` that asked for
    ``lms.accounts.facts.facts_keys(user.pk)`` found."""
    return cached_facts(
        user.pk,
        lambda: {
            "roles": tuple(sorted(roles_of(user))),
            "unread": Notification.objects.visible_to(user).unread().count(),
        },
        found,
    )


def navigation_context(facts) -> dict:
    """What the base template's navigation reads: the context processor's names, for a
    view that read the facts with its own cache reads (its context overrides the
    processor's)."""
    return {"user_roles": facts["roles"], "unread_notifications_count": facts["unread"]}
