from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread_notifications(request):
    """``unread_notifications_count`` for the nav: one COUNT for a signed-in user, none otherwise.

    Lazy, so responses that never show it (htmx fragments, feeds) don't pay the query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications_count": 0}
    return {
        "unread_notifications_count": SimpleLazyObject(
            lambda: Notification.objects.visible_to(user).unread().count()
        )
    }
