"""A network of accompaniment structures: each structure's managers see their structure's
figures (the learners of the départements it covers, the requests it holds), the network's
managers see everything and may look at one structure; the dashboard, the print page and
every CSV export agree, and the cache never hands one scope's figures to another."""

import csv
import io
from datetime import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts.models import MemberRole
from lms.accounts.roles import Role
from lms.accounts.structures import join, managed_structure_ids
from lms.reports import cache as reports_cache
from lms.reports.queries import Filters, Scope
from lms.reports.scope import visibility
from lms.reports.tables import BUILDERS
from lms.reports.tasks import precompute_reports_task, refresh_snapshot_task
from tests.factories.accounts import StructureFactory, UserFactory, learner, manager
from tests.factories.pathways import build_pathway

from .conftest import enroll, make_request, make_session, satisfaction

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")
PRINT = reverse("reports:print")
EXPORT = reverse("reports:export")


@pytest.fixture
def network():
    """Drôme Initiatives covers the Drôme (26), Lyon Fabrique the Rhône (69).

    Six Drôme learners, each with a request held by Drôme and a session; three Rhône
    learners with requests held by Lyon; one more Drôme learner whose request Lyon holds
    (oriented there); one Ardèche learner whose request waits in the network's queue."""
    drome = StructureFactory(name="Drôme Initiatives", slug="drome", departements=["26"])
    lyon = StructureFactory(name="Lyon Fabrique", slug="lyon", departements=["69"])
    pathway = build_pathway(["m:1"], title="Parcours P")
    for _ in range(6):
        user = learner(departement="26")
        enroll(user, pathway)
        satisfaction(user, pathway, 10)
        make_session(make_request(user, pathway, response_hours=5, structure=drome))
    for _ in range(3):
        user = learner(departement="69")
        enroll(user, pathway)
        satisfaction(user, pathway, 2)
        make_request(user, pathway, response_hours=50, structure=lyon)
    oriented = learner(departement="26")
    enroll(oriented, pathway)
    make_request(oriented, pathway, structure=lyon)
    queued = learner(departement="07")
    enroll(queued, pathway)
    make_request(queued, pathway)
    return SimpleNamespace(drome=drome, lyon=lyon, pathway=pathway)


def as_user(client, user):
    client.force_login(user)
    return client


def headline(client, url=DASHBOARD, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.context["headline"]


def export(client, table, **params) -> list[list[str]]:
    response = client.get(EXPORT, {"table": table, **params})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


# --- Who sees what ---------------------------------------------------------------------------


def test_a_drome_manager_sees_only_the_dromes_figures(client, network):
    figures = headline(as_user(client, manager(network.drome)))
    assert figures["enrolled"] == 7  # the Drôme's learners, the oriented one too
    assert figures["requests"] == 6  # the requests Drôme holds, not the one Lyon holds
    assert figures["sessions"] == 6
    assert figures["departements"] == 1
    assert figures["nps"] == 100  # nobody from the Rhône (who gave 2)
    page = client.get(DASHBOARD).content.decode()
    assert "Structure : Drôme Initiatives" in page
    assert "Lyon Fabrique" not in page


def test_the_network_manager_sees_everything(client, network):
    figures = headline(as_user(client, manager()))
    assert figures["enrolled"] == 11
    assert figures["requests"] == 11  # the network's queue too
    assert figures["departements"] == 3


def test_the_network_manager_chooses_a_structure(client, network):
    StructureFactory(name="Ancienne couveuse", slug="ancienne", active=False)
    as_user(client, manager())
    choices = dict(client.get(DASHBOARD).context["form"].fields["structure"].choices)
    assert choices[""] == "Tout le réseau"
    assert choices[network.drome.pk] == "Drôme Initiatives"
    assert "Ancienne couveuse" not in choices.values()
    lyon = headline(client, structure=network.lyon.pk)
    assert (lyon["enrolled"], lyon["requests"]) == (3, 4)  # Lyon holds the oriented request
    drome = headline(client, structure=network.drome.pk)
    assert drome == headline(as_user(client, manager(network.drome)))


def test_the_drome_manager_cannot_get_lyons_figures_through_the_query_string(client, network):
    as_user(client, manager(network.drome))
    own = headline(client)
    assert headline(client, structure=network.lyon.pk) == own
    assert headline(client, PRINT, structure=network.lyon.pk) == headline(client, PRINT)
    assert "69" not in {row[0][:2] for row in export(client, "territoires")}
    for table in BUILDERS:
        assert export(client, table, structure=network.lyon.pk) == export(client, table)


def test_a_manager_of_several_structures_chooses_among_them_only(client, network):
    other = StructureFactory(name="Ardèche Active", slug="ardeche", departements=["07"])
    user = manager(network.drome)
    join(user, network.lyon, MemberRole.MANAGER)
    as_user(client, user)
    response = client.get(DASHBOARD)
    choices = dict(response.context["form"].fields["structure"].choices)
    assert set(choices) == {"", network.drome.pk, network.lyon.pk}
    assert choices[""] == "Toutes mes structures"
    both = response.context["headline"]
    assert (both["enrolled"], both["requests"]) == (10, 10)  # not the Ardèche's queue
    lyon = headline(client, structure=network.lyon.pk)
    assert (lyon["enrolled"], lyon["requests"]) == (3, 4)
    # A structure that is not theirs is a wrong filter, said so and left out.
    response = client.get(DASHBOARD, {"structure": other.pk})
    assert response.context["headline"] == both
    assert "Structure" in response.context["ignored"]
    assert export(client, "demandes", structure=other.pk) == export(client, "demandes")


def test_a_manager_of_no_structure_is_told_why(client, network):
    as_user(client, UserFactory(role=Role.MANAGER))
    for url in (DASHBOARD, PRINT, EXPORT, f"{EXPORT}?table=demandes"):
        response = client.get(url, {"structure": network.drome.pk})
        assert response.status_code == 403
        assert "Aucune structure à suivre" in response.content.decode()


def test_the_rule_is_that_of_the_structures_module(network):
    for user in (manager(), manager(network.drome), UserFactory(role=Role.MANAGER)):
        managed, seen = managed_structure_ids(user), visibility(user)
        assert seen.network == (managed is None)
        if managed is not None:
            assert {s.pk for s in seen.structures} == managed


# --- The print page and every export ---------------------------------------------------------


def test_print_page_and_every_export_are_scoped_like_the_dashboard(client, network):
    drome_manager = as_user(client, manager(network.drome))
    printed = drome_manager.get(PRINT)
    assert "Structure : Drôme Initiatives" in printed.context["description"]
    own_print = printed.context["headline"]
    own = {table: export(drome_manager, table) for table in BUILDERS}
    network_manager = as_user(client, manager())
    chosen = {"structure": network.drome.pk}
    assert headline(network_manager, PRINT, **chosen) == own_print
    assert headline(network_manager, PRINT) != own_print
    differs = []
    for table in BUILDERS:
        assert export(network_manager, table, **chosen) == own[table], table
        if export(network_manager, table) != own[table]:
            differs.append(table)
    assert {"parcours", "demandes", "territoires", "satisfaction"} <= set(differs)


def test_small_figures_stay_suppressed_in_a_structures_exports(client, network):
    as_user(client, manager())
    rows = export(client, "parcours", structure=network.lyon.pk)
    assert rows[1][:2] == ["Parcours P", "< 5"]  # Lyon's three learners
    rows = export(client, "parcours", structure=network.drome.pk)
    assert rows[1][:2] == ["Parcours P", "7"]
    printed = headline(client, PRINT, structure=network.lyon.pk)
    assert printed["enrolled"] == "< 5"


# --- The cache ------------------------------------------------------------------------------


def test_each_scope_has_its_own_snapshot(client, network, cache_on, monkeypatch):
    # The same instant for both computations: the pages' fragments must differ by scope.
    instant = timezone.make_aware(datetime(2025, 4, 1, 10))
    monkeypatch.setattr(timezone, "now", lambda: instant)
    as_user(client, manager())
    everything = client.get(DASHBOARD)
    as_user(client, manager(network.drome))
    drome = client.get(DASHBOARD)
    assert drome.context["headline"]["enrolled"] == 7 != everything.context["headline"]["enrolled"]
    assert drome.context["generated_at"] == everything.context["generated_at"]
    rhone = '<th scope="row">69 – Rhône</th>'  # the territories' table
    assert rhone in everything.content.decode()
    assert rhone not in drome.content.decode()
    rows = export(client, "territoires")
    assert {row[0] for row in rows[1:-1]} == {"26 – Drôme"}


def test_the_key_holds_the_scope():
    drome = Scope((1,), ("26",))
    assert reports_cache.cache_key(Filters()) != reports_cache.cache_key(Filters(scope=drome))
    assert reports_cache.cache_key(Filters(scope=drome)) != reports_cache.cache_key(
        Filters(scope=Scope((2,), ("69",)))
    )
    chosen = Filters(departement="26", scope=drome)
    assert Filters.from_json(chosen.as_json()) == chosen


def test_stale_figures_of_a_structure_are_refreshed_in_the_worker(
    client, network, cache_on, monkeypatch
):
    as_user(client, manager(network.drome))
    first = headline(client)
    asked = []
    monkeypatch.setattr(refresh_snapshot_task, "delay", lambda *args: asked.append(args))
    enroll(learner(departement="26"), network.pathway)
    enroll(learner(departement="69"), network.pathway)
    reports_cache.invalidate()
    assert headline(client) == first  # stale, shown while the worker recomputes
    assert len(asked) == 1
    refresh_snapshot_task(*asked[0])
    assert headline(client)["enrolled"] == first["enrolled"] + 1  # not the Rhône's


def test_the_scheduled_task_computes_each_structures_default(
    client, network, cache_on, django_assert_num_queries
):
    manager(network.lyon)
    precompute_reports_task()
    as_user(client, manager(network.drome))
    client.get(DASHBOARD)  # the first request of the session reads the site (conftest)
    with django_assert_num_queries(5):  # session, user, roles, the scope, the pathways
        assert headline(client)["enrolled"] == 7
