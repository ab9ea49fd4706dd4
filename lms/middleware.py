"""French first: the site speaks French unless the visitor chose another language; the
Wagtail site of a request found without a query."""

import time

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db.models.signals import post_delete, post_save
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from wagtail.models import Site
from wagtail.signals import page_slug_changed


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language: the
    language comes from the cookie set by the language selector, else French."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class WagtailSiteMiddleware:
    """Finds the request's Wagtail site, and the site root paths that every page URL is
    built from, in a small per-process table instead of a query and a cache read per page
    (every ``{% pageurl %}`` asks for both). Entries live ``TTL`` seconds, and a change to
    any site, or to the slug of a page, empties the table of the process that made it, so
    a site edited in the admin is seen everywhere within a minute."""

    TTL = 60.0
    _sites: dict[str, tuple[float, object, object]] = {}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            host = request.get_host()
        except DisallowedHost:
            return self.get_response(request)  # CommonMiddleware answers it
        now = time.monotonic()
        cached = self._sites.get(host)
        fresh = cached is not None and cached[0] >= now
        if fresh:
            request._wagtail_site = cached[1]
            if cached[2] is not None:
                request._wagtail_cached_site_root_paths = cached[2]
        response = self.get_response(request)
        # Learned from a request that needed them (none here: /healthz stays without any).
        site = getattr(request, "_wagtail_site", None)
        root_paths = getattr(request, "_wagtail_cached_site_root_paths", None)
        if site is not None and (not fresh or (cached[2] is None and root_paths is not None)):
            expires = now + self.TTL if not fresh else cached[0]
            self._sites[host] = (expires, site, root_paths)
        return response

    @classmethod
    def forget(cls, **kwargs) -> None:
        cls._sites.clear()


post_save.connect(WagtailSiteMiddleware.forget, sender=Site, dispatch_uid="balise_forget_sites")
post_delete.connect(WagtailSiteMiddleware.forget, sender=Site, dispatch_uid="balise_forget_sites")
page_slug_changed.connect(WagtailSiteMiddleware.forget, dispatch_uid="balise_forget_sites")
