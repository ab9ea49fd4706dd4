"""Accounts created before names were asked are asked for a first name, once."""

from django.shortcuts import redirect
from django.urls import reverse
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
