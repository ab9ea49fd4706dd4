"""Accounts created before names were asked are asked for a first name, once; a logout
clears what the browser kept of the site."""

from django.contrib.auth.signals import user_logged_out
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode

from .actions import record_name_asked

# Pages never interrupted: sign-in and account pages (onboarding asks the name itself),
# the admins, files, the language selector and health checks.
EXEMPT_PREFIXES = (
    "/comptes/",
    "/mon-compte/",
    "/admin/",
    "/django-admin/",
    "/documents/",
    "/static/",
    "/media/",
    "/i18n/",
    "/healthz",
    "/readyz",
)


class AskNameMiddleware:
    """On the next page an account without a first name opens, show the short name form
    once (with ``next`` back to that page). ``User.name_asked_at`` records that it was
    asked, so the person is never sent there again, whether they answer or not.

    Only full-page GETs are redirected: forms, htmx fragments and downloads go through,
    and so do Wagtail's previews (a request it makes up, ``is_dummy``, to render a draft
    in the admin): the editor would get the name form in the preview's place.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "GET"
            and not getattr(request, "is_dummy", False)
            and not request.headers.get("HX-Request")
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            user = request.user
            if user.is_authenticated and not user.first_name and user.name_asked_at is None:
                record_name_asked(user)
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:ask_name')}?{query}")
        return self.get_response(request)


def _mark_logged_out(sender, request, user, **kwargs):
    if request is not None:
        request.balise_logged_out = True


class ClearSiteDataOnLogoutMiddleware:
    """The response to a logout tells the browser to forget this site's data: the pages
    the service worker kept for offline reading, what the page scripts stored, the
    service worker itself (``Clear-Site-Data``), so that the next person on a shared
    phone reads nothing of the last one's. Whatever logs out (the menu, allauth's page,
    an erasure) sends ``user_logged_out``; the receiver marks the request."""

    def __init__(self, get_response):
        self.get_response = get_response
        user_logged_out.connect(_mark_logged_out, dispatch_uid="balise_clear_site_data")

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "balise_logged_out", False):
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response


def offline_reader(user) -> str:
    """Whose pages a device keeps for offline reading: a key that tells one person from
    another without giving their account away; ``-`` for a visitor."""
    if not user.is_authenticated:
        return "-"
    return salted_hmac("balise.offline-reader", str(user.pk)).hexdigest()[:20]


class OfflineReaderMiddleware:
    """Names the reader of every page (``X-Balise-Reader``): the service worker keeps the
    pages of one person only, and deletes them as soon as a page comes for someone else
    (a shared phone, a session that ran out without a logout), so that nobody reads
    another person's kept pages offline."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response["X-Balise-Reader"] = offline_reader(request.user)
        return response
