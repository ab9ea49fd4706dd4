"""The Wagtail site of a request is found without a query once known, and forgotten when a
site changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from lms.middleware import WagtailSiteMiddleware
from tests.factories.pathways import build_pathway

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_table():
    WagtailSiteMiddleware.forget()
    yield
    WagtailSiteMiddleware.forget()


def site_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum('FROM "wagtailcore_site"' in q["sql"] for q in queries.captured_queries)


def test_the_site_is_read_once_then_remembered(client):
    pathway = build_pathway(["m:1"])
    assert site_queries(client, pathway.url) >= 1
    assert site_queries(client, pathway.url) == 0


def test_a_changed_site_is_read_again(client):
    pathway = build_pathway(["m:1"])
    site_queries(client, pathway.url)
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Balise (renommé)"
    site.save()
    assert site_queries(client, pathway.url) >= 1
