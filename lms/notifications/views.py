"""The recipient's notices in Balise. Thin: every lookup goes through ``visible_to``."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
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


@csrf_exempt
@require_POST
def sms_inbound(request, token: str):
    """The SMS provider's webhook for replies: « STOP » stops SMS to that number.

    Authenticated by the secret in its address (``SMS_INBOUND_TOKEN``, given to the
    provider only); unknown without it. Accepts JSON or a form, with the sender in
    ``from`` (or ``msisdn``, ``sender``) and the text in ``text`` (or ``message``,
    ``content``). Always answers 204 to a genuine call, whatever the text.
    """
    expected = settings.SMS_INBOUND_TOKEN
    if not expected or not constant_time_compare(token, expected):
        raise Http404
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return HttpResponseBadRequest("invalid JSON")
        if not isinstance(data, dict):
            return HttpResponseBadRequest("expected an object")
    else:
        data = request.POST
    sender = next((str(data[k]) for k in ("from", "msisdn", "sender") if data.get(k)), "")
    text = next((str(data[k]) for k in ("text", "message", "content") if data.get(k)), "")
    actions.receive_sms(sender, text)
    return HttpResponse(status=204)
