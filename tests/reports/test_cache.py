"""The computed figures are kept per selection: the second identical request reads them
from the cache, the page says when they were computed, and the print page and exports
share them."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from lms.reports import cache as reports_cache
from lms.reports.queries import Filters
from lms.reports.tasks import precompute_reports_task, refresh_snapshot_task
from tests.factories.accounts import learner

from .conftest import enroll, programme

pytestmark = pytest.mark.django_db

# Session, user and roles (3), the structures the manager sees (1: the scope, before the
# cache's key can be known), the pathways (1); the navigation's facts are cached.
CACHED = 5


@pytest.fixture
def refreshes(monkeypatch):
    """Selections sent to the worker for recomputation (what would reach the broker)."""
    calls = []
    monkeypatch.setattr(
        refresh_snapshot_task, "delay", lambda filters, language: calls.append((filters, language))
    )
    return calls


def run_refreshes(refreshes):
    for filters, language in refreshes:
        refresh_snapshot_task(filters, language)
    refreshes.clear()


def first_look(client, refreshes, name="reports:dashboard", **params):
    """A selection's first page (its figures are being computed), then the worker's run."""
    response, _, _ = _get(client, name, **params)
    assert response.templates[0].name == "reports/computing.html"
    run_refreshes(refreshes)


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


def test_the_tables_are_rendered_once_per_computation(manager_client, cache_on, refreshes):
    pathway = programme(2)
    first_look(manager_client, refreshes)
    first, first_body, _ = _get(manager_client, "reports:dashboard")
    second, second_body, _ = _get(manager_client, "reports:dashboard")
    rendered = [t.name for t in first.templates]
    assert "reports/_sections.html" in rendered
    assert "reports/_sections.html" not in [t.name for t in second.templates]
    assert second_body.count("<td") == first_body.count("<td") > 0
    # New figures come with newly rendered tables.
    enroll(learner(departement="69"), pathway)
    reports_cache.invalidate()
    _get(manager_client, "reports:dashboard")
    run_refreshes(refreshes)
    third, _, _ = _get(manager_client, "reports:dashboard")
    assert "reports/_sections.html" in [t.name for t in third.templates]


def test_figures_are_those_of_the_computation_until_it_expires(manager_client, cache_on, refreshes):
    pathway = programme(2)
    first_look(manager_client, refreshes)
    first, _, _ = _get(manager_client, "reports:dashboard")
    enroll(learner(departement="69"), pathway)
    kept, _, _ = _get(manager_client, "reports:dashboard")
    assert kept.context["headline"]["enrolled"] == first.context["headline"]["enrolled"]
    assert not kept.context["refreshing"] and not refreshes
    reports_cache.invalidate()
    # The stale figures are shown, with their time and a word, while the worker recomputes.
    stale, body, queries = _get(manager_client, "reports:dashboard")
    assert stale.context["headline"] == first.context["headline"] and queries == CACHED
    assert "Une mise à jour est en cours" in body
    assert len(refreshes) == 1
    _get(manager_client, "reports:dashboard")
    assert len(refreshes) == 1  # asked once, whoever looks meanwhile
    run_refreshes(refreshes)
    fresh, body, _ = _get(manager_client, "reports:dashboard")
    assert fresh.context["headline"]["enrolled"] == first.context["headline"]["enrolled"] + 1
    assert fresh.context["generated_at"] > first.context["generated_at"]
    assert "Une mise à jour est en cours" not in body


def test_print_page_and_exports_share_the_dashboards_figures(manager_client, cache_on):
    programme(2)
    dashboard, _, _ = _get(manager_client, "reports:dashboard", departement="69")
    printed, body, queries = _get(manager_client, "reports:print", departement="69")
    assert queries == CACHED  # the navigation's count comes from the cache
    assert printed.context["generated_at"] == dashboard.context["generated_at"]
    for table in ("parcours", "entonnoir", "competences"):
        _, csv, queries = _get(manager_client, "reports:export", departement="69", table=table)
        assert queries == CACHED
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


def test_the_key_holds_the_filters_and_the_language():
    filters = Filters(start=date(2025, 1, 1), departement="69")
    key = reports_cache.cache_key(filters)
    assert key == reports_cache.cache_key(Filters(start=date(2025, 1, 1), departement="69"))
    assert key != reports_cache.cache_key(Filters(start=date(2025, 1, 2), departement="69"))
    assert key != reports_cache.cache_key(filters, "en")
    with translation.override("en"):
        assert key != reports_cache.cache_key(filters)
        assert reports_cache.cache_key(filters, "en") == reports_cache.cache_key(filters)


def test_a_selection_travels_to_the_worker_and_back():
    filters = Filters(date(2025, 1, 1), date(2025, 3, 31), 12, "2A", "rural")
    assert Filters.from_json(filters.as_json()) == filters
    assert Filters.from_json(Filters().as_json()) == Filters()


def test_publishing_a_page_recomputes_off_the_request_path(
    manager_client, cache_on, refreshes, monkeypatch, django_capture_on_commit_callbacks
):
    pathway = programme(2)
    first_look(manager_client, refreshes)
    precomputes = []
    monkeypatch.setattr(precompute_reports_task, "delay", lambda: precomputes.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        pathway.save_revision().publish()
    assert precomputes, "the worker recomputes once the publish commits"
    response, _, queries = _get(manager_client, "reports:dashboard")
    assert queries == CACHED and response.context["refreshing"]
    assert precompute_reports_task() >= 1  # the default selection, at least
    response, _, queries = _get(manager_client, "reports:dashboard")
    assert queries == CACHED and not response.context["refreshing"]


def test_the_scheduled_task_keeps_recent_selections_fresh(manager_client, settings, refreshes):
    settings.BALISE_REPORTS_CACHE_SECONDS = 300
    programme(2)
    first_look(manager_client, refreshes, departement="69")
    # The default selection and the département looked at: computed.
    assert precompute_reports_task() == 1  # 69 computed by its refresh
    reports_cache.invalidate()
    assert precompute_reports_task() == 2
    assert precompute_reports_task() == 0  # all fresh now
    _, _, queries = _get(manager_client, "reports:dashboard", departement="69")
    assert queries == CACHED
    _, _, queries = _get(manager_client, "reports:dashboard")
    assert queries == CACHED  # computed by the task, never by a manager


def test_a_broker_that_is_down_leaves_the_stale_figures(manager_client, cache_on, monkeypatch):
    programme(2)
    first, _, _ = _get(manager_client, "reports:dashboard")

    def down(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(refresh_snapshot_task, "delay", down)
    reports_cache.invalidate()
    stale, _, _ = _get(manager_client, "reports:dashboard")
    assert stale.context["headline"] == first.context["headline"]
    calls = []
    monkeypatch.setattr(refresh_snapshot_task, "delay", lambda *args: calls.append(args))
    _get(manager_client, "reports:dashboard")
    assert len(calls) == 1  # asked again once the broker is back


def test_zero_seconds_turns_the_cache_off(manager_client):
    programme(2)
    _, _, first = _get(manager_client, "reports:dashboard")
    _, _, second = _get(manager_client, "reports:dashboard")
    assert first == second > CACHED


def test_an_invalidation_by_another_process_is_seen_at_once(manager_client, cache_on, refreshes):
    """Nothing is kept in this process: the generation, read from the shared cache on every
    page, lets an invalidation from any process through."""
    pathway = programme(2)
    first_look(manager_client, refreshes)
    first, _, _ = _get(manager_client, "reports:dashboard")

    enroll(learner(departement="69"), pathway)
    reports_cache.cache.set(reports_cache.GENERATION_KEY, 7)  # as another process would
    stale, _, _ = _get(manager_client, "reports:dashboard")
    assert stale.context["refreshing"] and len(refreshes) == 1
    run_refreshes(refreshes)
    fresh, _, _ = _get(manager_client, "reports:dashboard")
    assert fresh.context["headline"]["enrolled"] == first.context["headline"]["enrolled"] + 1


def test_a_new_selection_is_computed_by_the_worker_while_its_page_waits(
    manager_client, cache_on, refreshes
):
    programme(2)
    waiting, body, queries = _get(manager_client, "reports:dashboard", departement="69")
    assert waiting.templates[0].name == "reports/computing.html"
    assert "Calcul des chiffres en cours" in body
    assert '<meta http-equiv="refresh" content="3">' in body  # reloads itself, without JS
    assert "Rhône" in body  # the selection asked for is recalled
    assert queries <= CACHED + 1  # no figure computed on the request path
    assert len(refreshes) == 1
    again, _, _ = _get(manager_client, "reports:dashboard", departement="69")
    assert again.templates[0].name == "reports/computing.html"
    assert len(refreshes) == 1  # asked once, however many times the page reloads
    run_refreshes(refreshes)
    ready, body, queries = _get(manager_client, "reports:dashboard", departement="69")
    assert "Calcul des chiffres en cours" not in body and "<table" in body
    assert queries == CACHED
    waiting, body, _ = _get(manager_client, "reports:print", departement="07")
    assert "Calcul des chiffres en cours" in body
    assert reverse("reports:print") + "?departement=07" in body


def test_a_new_selection_is_computed_by_its_page_when_the_broker_is_down(
    manager_client, cache_on, monkeypatch
):
    programme(2)

    def down(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(refresh_snapshot_task, "delay", down)
    response, body, _ = _get(manager_client, "reports:dashboard", departement="69")
    assert "Calcul des chiffres en cours" not in body and "<table" in body


def test_a_selection_no_worker_took_is_computed_by_its_page(
    manager_client, cache_on, refreshes, monkeypatch
):
    programme(2)
    _get(manager_client, "reports:dashboard", departement="69")
    later = timezone.now() + timedelta(seconds=reports_cache.PENDING_SECONDS + 1)
    monkeypatch.setattr(reports_cache.timezone, "now", lambda: later)
    response, body, _ = _get(manager_client, "reports:dashboard", departement="69")
    assert "<table" in body and "Calcul des chiffres en cours" not in body
    assert len(refreshes) == 1


def test_an_export_of_a_new_selection_gives_its_table_at_once(manager_client, cache_on, refreshes):
    programme(2)
    _, csv, _ = _get(manager_client, "reports:export", departement="69", table="parcours")
    assert csv.startswith("\ufeff") and len(csv.splitlines()) > 1
    assert not refreshes  # computed with every table, and kept for the dashboard
    _, body, queries = _get(manager_client, "reports:dashboard", departement="69")
    assert "<table" in body and queries == CACHED


def test_a_default_read_in_english_is_kept_fresh_once_read(manager_client, cache_on, settings):
    programme(2)
    assert precompute_reports_task() == 1  # French only, the site's language
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response, body, _ = _get(manager_client, "reports:dashboard")  # computed by the worker
    assert "<table" in body and "Programme dashboard" in body
    reports_cache.invalidate()
    assert precompute_reports_task() == 2  # the French default and the English one read
