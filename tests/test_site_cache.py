"""The Wagtail site of a request is found without a query once known, and forgotten when a
site changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site

from lms.middleware import WagtailSiteMiddleware
from pathways import actions
from pathways.models import PathwayPage
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, modules_of

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


def root_path_reads(client, url, monkeypatch) -> int:
    reads = []
    original = Site.get_site_root_paths
    monkeypatch.setattr(Site, "get_site_root_paths", lambda: reads.append(1) or original())
    assert client.get(url).status_code == 200
    monkeypatch.setattr(Site, "get_site_root_paths", original)
    return len(reads)


def test_the_site_root_paths_are_remembered_with_the_site(client, monkeypatch):
    """A step page links to its pathway: the second visit builds that URL from memory."""
    pathway = build_pathway(["m:1"])
    module = modules_of(pathway)[0]
    user = learner()
    actions.enroll(user, pathway)
    client.force_login(user)
    url = reverse("pathways:step", args=[pathway.pk, module.pk, module.step_ids[0]])
    assert root_path_reads(client, url, monkeypatch) == 1
    assert root_path_reads(client, url, monkeypatch) == 0


def test_a_renamed_site_root_gives_new_page_urls_at_once(
    client, django_capture_on_commit_callbacks
):
    pathway = build_pathway(["m:1"])
    assert client.get(pathway.url).status_code == 200
    root = Site.objects.get(is_default_site=True).root_page.specific
    root.slug = "accueil-renomme"
    with django_capture_on_commit_callbacks(execute=True):
        root.save_revision().publish()
    pathway = PathwayPage.objects.get(pk=pathway.pk)
    # The remembered root paths were dropped with the site, to be read again.
    assert WagtailSiteMiddleware._sites == {}
    response = client.get(pathway.url)
    assert response.status_code == 200
    assert pathway.url.encode() in response.content
