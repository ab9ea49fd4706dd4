"""Rate limits (``lms/ratelimit.py``): the visitor's address behind the TLS proxy.

allauth's limits on login codes count per client address. Behind the proxy every request
comes from the proxy's address, so without ``BALISE_TRUSTED_PROXY_COUNT`` a handful of
visitors a minute would block login for everyone; with it, only the entries our proxies
wrote are believed, so a visitor cannot pick a new address per request.
"""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from lms.accounts.roles import Role
from lms.ratelimit import client_ip
from tests.factories.accounts import UserFactory

PROXY = "10.0.0.1"


@pytest.mark.parametrize(
    ("trusted", "forwarded_for", "expected"),
    [
        (0, None, PROXY),
        (0, "203.0.113.5", PROXY),  # no trusted proxy: the header is anyone's
        (1, None, PROXY),  # came straight in: REMOTE_ADDR is the client
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client wrote 6.6.6.6 itself
        (1, " 203.0.113.5 ", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "203.0.113.5"),  # fewer hops than proxies
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "pas-une-adresse", PROXY),
        (1, ",", PROXY),
    ],
)
def test_client_ip(settings, trusted, forwarded_for, expected):
    settings.BALISE_TRUSTED_PROXY_COUNT = trusted
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_ip(RequestFactory().get("/", **headers)) == expected


@pytest.fixture
def strict_login_codes(settings):
    """Two login-code requests a minute per address; the per-e-mail limit out of the way."""
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "request_login_code": "2/m/ip,100/m/key",
    }
    for n in range(6):
        UserFactory(email=f"personne{n}@balise.test", role=Role.LEARNER)


def _ask_code(forwarded_for: str, n: int) -> int:
    """A fresh visitor behind the proxy asks for a login code; the response's status."""
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    response = client.post(
        reverse("account_request_login_code"), {"email": f"personne{n}@balise.test"}
    )
    return response.status_code


@pytest.mark.django_db
def test_visitors_behind_the_proxy_are_limited_separately(settings, strict_login_codes):
    settings.BALISE_TRUSTED_PROXY_COUNT = 1
    assert _ask_code("203.0.113.5", 0) == 302
    assert _ask_code("203.0.113.5", 1) == 302
    assert _ask_code("203.0.113.5", 2) != 302  # this visitor used their allowance
    assert _ask_code("198.51.100.7", 3) == 302  # another visitor still gets a code
    # Forging an extra address in front does not buy a new allowance.
    assert _ask_code("1.2.3.4, 203.0.113.5", 4) != 302


@pytest.mark.django_db
def test_without_the_setting_the_header_is_ignored(settings, strict_login_codes):
    settings.BALISE_TRUSTED_PROXY_COUNT = 0
    assert _ask_code("203.0.113.5", 0) == 302
    assert _ask_code("198.51.100.7", 1) == 302
    # A third "address" is still the same client to us: a forged header changes nothing.
    assert _ask_code("192.0.2.99", 2) != 302
