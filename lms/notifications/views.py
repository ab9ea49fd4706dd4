"""The recipient's notices in Balise. Thin: every lookup goes through ``visible_to``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import actions
from .models import Notification
from .navigation import navigation_facts

PER_PAGE = 20


@login_required
@require_GET
def notification_list(request):
    notifications = Notification.objects.visible_to(request.user)
    page = Paginator(notifications.order_by("-created_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    # A plain int (the context processor's value is lazy, which {% blocktranslate count %}
    # refuses), from the same cached facts as the navigation's.
    unread = navigation_facts(request.user)["unread"]
    return render(
        request,
        "notifications/list.html",
        {"page_obj": page, "unread_notifications_count": unread},
    )


@login_required
@require_POST
def mark_all_read(request):
    """The no-JavaScript form: mark everything read, then back to where the person was."""
    if actions.mark_read(request.user, "all"):
        messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return redirect(_safe_next(request, request.POST.get("next")) or "notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def open_notification(request, pk):
    """Mark one notification read and go to what it is about.

    GET is accepted so the list can use plain links; marking read is the only
    effect and only the recipient can trigger it (others get a 404).
    """
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    actions.mark_read(request.user, [notification.pk])
    return redirect(_safe_next(request, notification.url) or reverse("notifications:list"))


def _safe_next(request, url: str | None) -> str:
    """``url`` if it is a path on this site, else "" (stored urls are relative; this is a
    guard). A bare word is refused: ``redirect()`` would take it for a URL name."""
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return ""
