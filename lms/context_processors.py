"""What every page's navigation shows: the user's roles and their unread notifications."""

from django.utils.functional import SimpleLazyObject

from lms.notifications.navigation import navigation_facts


def navigation(request):
    """``user_roles`` (sorted, so the navigation's fragment key is the same in every process)
    and ``unread_notifications_count``, read on first use from the cache (none for
    visitors, none for a response that never shows them, such as htmx fragments)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": (), "unread_notifications_count": 0}
    facts = SimpleLazyObject(lambda: navigation_facts(user))
    return {
        "user_roles": SimpleLazyObject(lambda: facts["roles"]),
        "unread_notifications_count": SimpleLazyObject(lambda: facts["unread"]),
    }
