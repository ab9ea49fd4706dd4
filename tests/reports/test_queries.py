"""The programme's figures against small hand-computed worlds, and each filter.

The same tests run on PostgreSQL (``make test-postgres``), where the percentiles of the
response times are computed by ``percentile_cont`` instead of Python."""

from datetime import date

import pytest
from django.db import connection

from lms.coaching.models import Origin, SessionStatus, Status
from lms.reports import queries
from lms.reports.queries import Filters
from lms.reports.tables import Report, build, build_all
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, module, modules_of, point_ids

from .conftest import (
    complete,
    diagnose,
    enroll,
    feedback,
    make_competence,
    make_request,
    make_session,
    milestone,
    satisfaction,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """P: module A (2 steps), an offered point, module B (1 step); Q: one module.

    L1 (69, urban) finishes P; L2 (69, rural) does A's first step; L3 (07, rural) does A
    (enrolled in 2024); L4 (07, urban) is enrolled in Q only."""
    p = build_pathway(["m:2", "p:offered", "m:1"], title="Parcours P")
    q = build_pathway(["m:1"], title="Parcours Q")
    a, b = modules_of(p)
    l1 = learner(departement="69", area_type="urban")
    l2 = learner(departement="69", area_type="rural")
    l3 = learner(departement="07", area_type="rural")
    l4 = learner(departement="07", area_type="urban")
    enroll(l1, p, "2025-03-01")
    enroll(l2, p, "2025-03-15")
    enroll(l3, p, "2024-06-01")
    enroll(l4, q, "2025-03-20")
    complete(l1, a)
    complete(l1, b)
    complete(l2, a, steps=1)
    complete(l3, a)
    return {"p": p, "q": q, "a": a, "b": b, "learners": [l1, l2, l3, l4]}


def report(**filters) -> Report:
    return Report(Filters(**filters), queries.pathways())


def values(table, column: int = None):
    rows = [[cell.value for cell in row] for row in table.rows]
    return rows if column is None else [row[column] for row in rows]


# --- Funnel ----------------------------------------------------------------------------------


def test_pathways_summary(world):
    table = build(report(), "parcours")
    assert values(table) == [
        ["Parcours P", 3, 1, pytest.approx(100 / 3)],
        ["Parcours Q", 1, 0, 0.0],
    ]
    assert [cell.value for cell in table.total] == ["Tous les parcours", 4, 1, 25.0]


def test_the_detailed_funnel_defaults_to_the_most_followed_pathway(world):
    r = report()
    assert r.selected.pk == world["p"].pk
    table = build(r, "entonnoir")
    assert values(table, 0) == [
        "Inscription",
        world["a"].title,
        "Balise 1",
        world["b"].title,
        "Parcours terminé",
    ]
    assert values(table, 2) == [3, 2, 2, 1, 1]
    assert values(table, 4) == [None, 1, 0, 1, 0]  # lost since the stage before
    assert values(table, 3)[1] == pytest.approx(200 / 3)


def test_step_drop_off_in_outline_order(world):
    table = build(report(), "etapes")
    assert values(table, 2) == [3, 2, 1]  # A1, A2, B1
    assert values(table, 3) == [None, 1, 1]
    assert values(table, 4)[1:] == [pytest.approx(100 / 3), 50.0]


def test_module_completed_in_another_pathway_counts(world):
    shared = world["a"]
    r = build_pathway([shared], title="Parcours R")
    l4 = world["learners"][3]
    complete(l4, shared)
    enroll(l4, r)
    table = build(report(pathway_id=r.pk), "entonnoir")
    assert values(table, 2)[:2] == [1, 1]


def test_the_funnel_counts_nothing_for_a_pathway_without_enrolments():
    build_pathway(["m:1"])
    r = report()
    assert r.selected is None
    assert build(r, "entonnoir").is_empty
    assert build(r, "etapes").is_empty
    assert build(r, "parcours").is_empty


def test_period_filter_applies_to_enrolment_dates(world):
    r = report(start=date(2025, 1, 1), end=date(2025, 3, 31))
    assert values(build(r, "parcours"), 1) == [2, 1]
    assert values(build(r, "entonnoir"), 2) == [2, 1, 1, 1, 1]  # L3 enrolled in 2024
    # The last day is included, in the site's time zone.
    assert values(build(report(end=date(2025, 3, 15)), "parcours"), 1) == [3, 0]
    assert values(build(report(start=date(2025, 3, 16)), "parcours"), 1) == [0, 1]


def test_departement_and_area_filters_go_through_the_profile(world):
    assert values(build(report(departement="69"), "parcours"), 1) == [2, 0]
    assert values(build(report(area_type="rural"), "entonnoir"), 2) == [2, 1, 1, 0, 0]
    assert values(build(report(departement="07", area_type="urban"), "parcours"), 1) == [0, 1]


def test_pathway_filter_chooses_the_detailed_funnel(world):
    r = report(pathway_id=world["q"].pk)
    assert r.selected.pk == world["q"].pk
    assert values(build(r, "entonnoir"), 2) == [1, 0, 0]
    assert values(build(r, "parcours"), 1) == [3, 1]  # the summary keeps every pathway


def test_passages_count_reached_points(world):
    counts = queries.passage_counts(Filters(), world["p"].pk)
    assert counts == {point_ids(world["p"])[0]: 2}


# --- Coaching --------------------------------------------------------------------------------


@pytest.fixture
def requests_world(world):
    l1, l2, l3, l4 = world["learners"]
    p = world["p"]
    made = [
        make_request(l1, p, origin="help", response_hours=1, modality="video"),
        make_request(l1, p, origin="help", response_hours=2, modality="phone"),
        make_request(l2, p, origin="checkpoint", response_hours=3, modality="in_person"),
        make_request(l3, p, origin="help", response_hours=4, modality="in_person"),
        make_request(l3, p, origin="checkpoint", response_hours=100, modality="video"),  # late
        make_request(l4, world["q"], origin="inactivity", created="2025-03-20"),  # open, overdue
        make_request(l4, world["q"], origin="help", created="2099-01-01"),  # open, not due
        make_request(
            l2, p, origin="help", created="2024-05-01", status=Status.CANCELLED
        ),  # cancelled unanswered: not counted for the service level
    ]
    make_session(made[0], starts="2025-03-12", modality="video")
    make_session(made[2], starts="2025-03-13", modality="in_person")
    make_session(made[3], starts="2025-03-14", modality="in_person")
    make_session(made[3], starts="2025-03-15", modality="phone", status=SessionStatus.CANCELLED)
    make_session(made[4], starts="2099-03-15", modality="video")  # accepted, not held yet
    return made


def test_requests_by_origin_and_service_level(requests_world):
    table = build(report(), "demandes")
    rows = {row[0]: row[1:5] for row in values(table)}
    assert rows[str(Origin.HELP.label)] == [5, 3, 3, 100.0]  # open not due, cancelled: not counted
    assert rows[str(Origin.CHECKPOINT.label)] == [2, 2, 1, 50.0]
    assert rows[str(Origin.INACTIVITY.label)] == [1, 0, 0, 0.0]
    total = [cell.value for cell in table.total]
    assert total[1:5] == [8, 5, 4, pytest.approx(400 / 6)]


def test_response_time_percentiles(requests_world):
    by_origin, overall = queries.response_hours(Filters())
    # Answered: 1, 2, 3, 4, 100 hours.
    assert overall == [pytest.approx(3.0), pytest.approx(4 + 0.6 * 96)]
    assert by_origin["help"] == [pytest.approx(2.0), pytest.approx(3.6)]
    assert by_origin["checkpoint"] == [pytest.approx(51.5), pytest.approx(90.3)]
    assert "inactivity" not in by_origin


def test_response_time_percentiles_agree_with_the_python_ones(requests_world):
    """Whatever the backend, the database's figures are those of ``figures.percentile``."""
    from lms.reports.figures import percentile

    hours = sorted([1.0, 2.0, 3.0, 4.0, 100.0])
    _by_origin, overall = queries.response_hours(Filters())
    assert overall == [pytest.approx(percentile(hours, 0.5)), pytest.approx(percentile(hours, 0.9))]
    assert connection.vendor in {"sqlite", "postgresql"}


def test_coaching_filters(requests_world, world):
    assert [c.value for c in build(report(departement="07"), "demandes").total][1] == 4
    # The request's département, not the profile's.
    make_request(world["learners"][0], world["p"], departement="07")
    assert [c.value for c in build(report(departement="07"), "demandes").total][1] == 5
    assert [c.value for c in build(report(area_type="rural"), "demandes").total][1] == 4
    assert [c.value for c in build(report(pathway_id=world["q"].pk), "demandes").total][1] == 2
    period = report(start=date(2025, 3, 1), end=date(2025, 3, 31))
    assert [c.value for c in build(period, "demandes").total][1] == 7


def test_modality_mix_by_area_type(requests_world):
    table = build(report(), "modalites")
    # columns: area, recommended video/phone/in person, held video/phone/in person
    assert values(table) == [
        ["Commune rurale", 2, 0, 2, 0, 0, 2],
        ["Ville", 3, 1, 0, 1, 0, 0],
    ]
    assert [cell.value for cell in table.total][1:] == [5, 1, 2, 1, 0, 2]


def test_sessions_held_filters_on_their_start(requests_world):
    held = queries.held_sessions(Filters(start=date(2025, 3, 13), end=date(2025, 3, 13)))
    assert held.count() == 1
    assert queries.held_sessions(Filters()).count() == 3


# --- Territories -----------------------------------------------------------------------------


def test_territories(requests_world):
    table = build(report(), "territoires")
    assert values(table) == [
        ["07 – Ardèche", 2, 4, 1],
        ["69 – Rhône", 2, 4, 2],
    ]
    assert [cell.value for cell in table.total][1:] == [4, 8, 3]
    assert values(build(report(pathway_id=requests_world[0].pathway_id), "territoires"), 1) == [
        2,
        1,
    ]


# --- Outcomes --------------------------------------------------------------------------------


@pytest.fixture
def outcomes_world(world):
    l1, l2, l3, l4 = world["learners"]
    p, q = world["p"], world["q"]
    vision = make_competence("test-vision", "Vision", 0)
    budget = make_competence("test-budget", "Budget", 0)
    diagnose(l1, p, "start", {vision: 2, budget: 1})
    diagnose(l1, p, "end", {vision: 4, budget: 3}, day="2025-03-20")
    diagnose(l2, p, "start", {vision: 3})
    diagnose(l2, p, "end", {vision: 3.5, budget: 5}, day="2025-03-21")  # no start budget
    diagnose(l3, p, "start", {vision: 1})  # no end
    diagnose(l4, q, "end", {vision: 5})  # no start
    milestone(l1, p, "start", "idea", day="2025-03-01")
    milestone(l1, p, "end", "launch", jobs="2.5", day="2025-03-20")
    milestone(l2, p, "start", "idea", day="2025-03-02")
    milestone(l2, p, "end", "test", jobs="0.5", day="2025-03-21")
    milestone(l3, p, "start", "study", jobs="1", day="2025-03-03")
    milestone(l4, q, "start", "idea", day="2025-03-04")
    milestone(l4, q, "free", "study", day="2025-03-04", hour=15)
    for user, score in zip([l1, l2, l3], [10, 9, 6], strict=True):
        satisfaction(user, p, score)
    satisfaction(l4, q, 7)
    feedback(l1, world["a"], True)
    feedback(l2, world["a"], False)
    feedback(l3, world["a"], True)
    feedback(l1, world["b"], True)
    feedback(l4, modules_of(q)[0], False)
    return {"vision": vision, "budget": budget}


def test_competence_progression(outcomes_world):
    table = build(report(), "competences")
    rows = {row[0]: row[1:] for row in values(table)}
    assert rows["Vision"] == [2, pytest.approx(2.5), pytest.approx(3.75), pytest.approx(1.25)]
    assert rows["Budget"] == [1, pytest.approx(1.0), pytest.approx(3.0), pytest.approx(2.0)]
    assert list(rows).index("Vision") < list(rows).index("Budget")  # the questionnaire's order
    assert table.total[1].value == 2
    # The period applies to the end diagnosis.
    later = build(report(start=date(2025, 3, 21)), "competences")
    assert {row[0]: row[1] for row in values(later)} == {"Vision": 1}


def test_latest_stages_and_jobs(outcomes_world):
    table = build(report(), "jalons")
    assert values(table) == [
        ["Étude", 2, pytest.approx(1.0)],  # L3 (start, 1 FTE), L4 (free, after its start)
        ["Test", 1, pytest.approx(0.5)],
        ["Lancement", 1, pytest.approx(2.5)],
    ]
    assert [cell.value for cell in table.total][1:] == [4, pytest.approx(4.0)]
    assert values(build(report(end=date(2025, 3, 10)), "jalons"), 1) == [2, 2]  # idea, study


def test_stage_transitions(outcomes_world):
    table = build(report(), "trajectoires")
    # rows: start stage; columns: idea, study, test, launch, activity
    assert values(table) == [["Idée", 0, 0, 1, 1, 0]]


def test_satisfaction_and_nps(outcomes_world):
    table = build(report(), "satisfaction")
    assert values(table) == [
        ["Parcours P", 3, pytest.approx(25 / 3), 2, 1, pytest.approx(100 / 3)],
        ["Parcours Q", 1, 7.0, 0, 0, 0.0],
    ]
    assert [cell.value for cell in table.total][1:] == [4, 8.0, 2, 1, 25.0]
    assert values(build(report(area_type="urban"), "satisfaction"), 1) == [1, 1]


def test_module_usefulness(outcomes_world, world):
    table = build(report(), "modules")
    rows = {row[0]: row[1:] for row in values(table)}
    assert rows[world["a"].title] == [3, 2, pytest.approx(200 / 3)]
    assert rows[world["b"].title] == [1, 1, 100.0]
    assert len(rows) == 3
    only_p = {row[0] for row in values(build(report(pathway_id=world["p"].pk), "modules"))}
    assert only_p == {world["a"].title, world["b"].title}


def test_headline(requests_world, outcomes_world):
    headline = report().headline()
    assert headline["enrolled"] == 4
    assert headline["completed"] == 1
    assert headline["requests"] == 8
    assert headline["sessions"] == 3
    assert headline["departements"] == 2
    assert headline["median_hours"] == pytest.approx(3.0)
    assert headline["nps"] == 25.0


def test_every_table_builds_on_an_empty_database():
    tables = build_all(report(start=date(2030, 1, 1)))
    assert all(table.columns for table in tables.values())
    assert all(table.is_empty for table in tables.values())


def test_module_step_counts_for_editors(world):
    a = world["a"]
    assert queries.module_step_counts(a) == {a.step_ids[0]: 3, a.step_ids[1]: 2}
    assert queries.module_step_counts(module(1)) == {}
