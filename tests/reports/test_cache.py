"""The computed figures are kept per selection: the second identical request reads them
from the cache, the page says when they were computed, and the print page and exports
share them."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from lms.reports import cache as reports_cache
from lms.reports.queries import Filters
from tests.factories.accounts import learner

from .conftest import enroll, programme

pytestmark = pytest.mark.django_db

# Session, user and roles (3), the unread notifications' count (1), the pathways (1).
CACHED = 5


@pytest.fixture
def cache_on(settings):
    settings.BALISE_REPORTS_CACHE_SECONDS = 300


def _get(client, name, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), params)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    return response, body.decode(), len(queries)


def test_the_second_identical_request_reads_the_cache(manager_client, cache_on):
    programme(2)
    first, first_body, computed = _get(manager_client, "reports:dashboard")
    second, second_body, cached = _get(manager_client, "reports:dashboard")
    assert cached == CACHED < computed - 15
    assert second.context["headline"] == first.context["headline"]
    assert second.context["generated_at"] == first.context["generated_at"]
    computed_at = timezone.localtime(first.context["generated_at"]).strftime("%H:%M")
    assert f"Chiffres calculés à {computed_at}." in second_body
    assert second_body.count("<table") == first_body.count("<table")


def test_the_tables_are_rendered_once_per_computation(manager_client, cache_on):
    pathway = programme(2)
    first, first_body, _ = _get(manager_client, "reports:dashboard")
    second, second_body, _ = _get(manager_client, "reports:dashboard")
    rendered = [t.name for t in first.templates]
    assert "reports/_sections.html" in rendered
    assert "reports/_sections.html" not in [t.name for t in second.templates]
    assert second_body.count("<td") == first_body.count("<td") > 0
    # New figures come with newly rendered tables.
    enroll(learner(departement="69"), pathway)
    reports_cache.invalidate()
    third, _, _ = _get(manager_client, "reports:dashboard")
    assert "reports/_sections.html" in [t.name for t in third.templates]


def test_figures_are_those_of_the_computation_until_it_expires(manager_client, cache_on):
    pathway = programme(2)
    first, _, _ = _get(manager_client, "reports:dashboard")
    enroll(learner(departement="69"), pathway)
    stale, _, _ = _get(manager_client, "reports:dashboard")
    assert stale.context["headline"]["enrolled"] == first.context["headline"]["enrolled"]
    reports_cache.invalidate()
    fresh, _, _ = _get(manager_client, "reports:dashboard")
    assert fresh.context["headline"]["enrolled"] == first.context["headline"]["enrolled"] + 1
    assert fresh.context["generated_at"] > first.context["generated_at"]


def test_print_page_and_exports_share_the_dashboards_figures(manager_client, cache_on):
    programme(2)
    dashboard, _, _ = _get(manager_client, "reports:dashboard", departement="69")
    printed, body, queries = _get(manager_client, "reports:print", departement="69")
    assert queries == CACHED - 1  # no notifications on the print page
    assert printed.context["generated_at"] == dashboard.context["generated_at"]
    for table in ("parcours", "entonnoir", "competences"):
        _, csv, queries = _get(manager_client, "reports:export", departement="69", table=table)
        assert queries == CACHED - 1
        assert csv.startswith("\ufeff")


def test_an_export_first_computes_every_table_for_the_others(manager_client, cache_on):
    programme(2)
    _, _, computed = _get(manager_client, "reports:export", table="etapes")
    _, _, cached = _get(manager_client, "reports:dashboard")
    assert cached == CACHED < computed - 15


def test_each_selection_has_its_own_figures(manager_client, cache_on):
    programme(2)
    everyone, _, _ = _get(manager_client, "reports:dashboard")
    ardeche, _, queries = _get(manager_client, "reports:dashboard", departement="07")
    assert queries > CACHED
    assert ardeche.context["headline"]["enrolled"] < everyone.context["headline"]["enrolled"]
    again, _, queries = _get(manager_client, "reports:dashboard", departement="7")  # same filter
    assert queries == CACHED
    assert again.context["headline"] == ardeche.context["headline"]


def test_the_key_holds_the_filters_the_language_and_the_generation():
    filters = Filters(start=date(2025, 1, 1), departement="69")
    key = reports_cache.cache_key(filters, 0)
    assert key == reports_cache.cache_key(Filters(start=date(2025, 1, 1), departement="69"), 0)
    assert key != reports_cache.cache_key(Filters(start=date(2025, 1, 2), departement="69"), 0)
    assert key != reports_cache.cache_key(filters, 1)
    with translation.override("en"):
        assert key != reports_cache.cache_key(filters, 0)


def test_publishing_a_page_invalidates(manager_client, cache_on):
    pathway = programme(2)
    _get(manager_client, "reports:dashboard")
    pathway.save_revision().publish()
    _, _, queries = _get(manager_client, "reports:dashboard")
    assert queries > CACHED


def test_zero_seconds_turns_the_cache_off(manager_client):
    programme(2)
    _, _, first = _get(manager_client, "reports:dashboard")
    _, _, second = _get(manager_client, "reports:dashboard")
    assert first == second > CACHED


def test_an_invalidation_by_another_process_is_seen_at_once(manager_client, cache_on):
    """Nothing is kept in this process: the generation, read from the shared cache on every
    page, lets an invalidation from any process through."""
    pathway = programme(2)
    first, _, _ = _get(manager_client, "reports:dashboard")

    enroll(learner(departement="69"), pathway)
    reports_cache.cache.set(reports_cache.GENERATION_KEY, 7)  # as another process would
    fresh, _, _ = _get(manager_client, "reports:dashboard")
    assert fresh.context["headline"]["enrolled"] == first.context["headline"]["enrolled"] + 1
