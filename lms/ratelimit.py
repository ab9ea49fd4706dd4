"""Per-user rate limits on the views that write on someone's behalf, counted in the cache.

A fixed window: the first POST opens a window of ``seconds`` and each POST adds one; past
``count``, the view is not called (nothing is written) and the person gets a 429 page in
plain French. Only POSTs count: reading a form never uses the allowance.

Rates live in ``settings.BALISE_RATE_LIMITS`` as ``"count/seconds"``. The cache must be
shared by every web process (Redis via ``CACHE_URL``) for the limit to hold across them.

Limits on visitors who are not logged in (django-allauth's, on login codes) count per
client address: ``client_ip`` finds it behind ``BALISE_TRUSTED_PROXY_COUNT`` proxies.
"""

import ipaddress
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

TOO_MANY_REQUESTS = 429


def parse_rate(rate: str) -> tuple[int, int]:
    """``"5/3600"`` -> ``(5, 3600)``."""
    count, seconds = rate.split("/", 1)
    return int(count), int(seconds)


def hit(name: str, who: str) -> bool:
    """Count one attempt of ``who`` at ``name``; ``False`` once the allowance is used up."""
    count, seconds = parse_rate(settings.BALISE_RATE_LIMITS[name])
    key = f"balise:ratelimit:{name}:{who}"
    cache.add(key, 0, timeout=seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=seconds)
        used = 1
    return used <= count


def _clean_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The visitor's address, as seen by the outermost proxy we trust.

    With ``BALISE_TRUSTED_PROXY_COUNT = 0`` (the default) ``X-Forwarded-For`` is ignored:
    anyone can write that header, so trusting it without a proxy lets a visitor choose a
    fresh address per request. With ``N`` proxies in front of Balise, each appending the
    address it saw, only the ``N`` right-most entries were written by them; the ``N``-th
    from the right is the client (entries to its left come from the client and are
    ignored). A request that crossed fewer proxies (a shorter header), or an entry that
    is not an address, falls back to the nearest trustworthy value.
    """
    remote = _clean_ip(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104
    trusted = settings.BALISE_TRUSTED_PROXY_COUNT
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted <= 0 or not header:
        return remote
    entries = [entry for entry in header.split(",") if entry.strip()]
    if not entries:
        return remote
    # Written by our proxies, nearest first; the farthest one saw the client.
    ours = entries[-trusted:]
    return _clean_ip(ours[0]) or remote


def too_many_requests(request):
    """The 429 page (also used by django-allauth's own limits, through ``429.html``)."""
    return render(request, "429.html", status=TOO_MANY_REQUESTS)


def rate_limited(name: str):
    """Limit the POSTs of each logged-in user to this view; place it under the login check."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and not hit(name, f"user:{request.user.pk}"):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
