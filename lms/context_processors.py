"""What every page's navigation shows: the user's roles and their unread notifications."""

from django.utils.functional import SimpleLazyObject

from lms.accounts.roles import roles_of
from lms.notifications.models import Notification


def navigation(request):
    """``user_roles`` (sorted, so the navigation's fragment key is the same in every process)
    and ``unread_notifications_count``, each read on first use: none for visitors, none
    for a response that never shows them (htmx fragments)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": (), "unread_notifications_count": 0}
    return {
        "user_roles": SimpleLazyObject(lambda: tuple(sorted(roles_of(user)))),
        "unread_notifications_count": SimpleLazyObject(
            lambda: Notification.objects.visible_to(user).unread().count()
        ),
    }
