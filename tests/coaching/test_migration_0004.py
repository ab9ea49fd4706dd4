"""Migration ``coaching.0004_merge_duplicate_active_requests`` on data made before it.

The test database is built by applying the migrations (pytest-django, no
``--nomigrations``). This test takes coaching back to ``0003_request_events``, where a
learner may still have several active requests for one pathway (0003 dropped the
per-point constraint, 0005 adds the per-pathway one), writes such duplicates with the
historical models, then migrates forward to the latest state and checks what a coach
sees. It runs outside a test transaction (SQLite cannot change its schema inside one)
and always leaves the database at the latest migrations, even when it fails.

Runs on SQLite (``make test``) and PostgreSQL (``make test-postgres``).
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import CoachingRequest, CoachingSession, RequestEvent, Status
from lms.notifications.models import Notification
from tests.factories.accounts import coach, learner
from tests.factories.pathways import build_pathway, point_ids

BEFORE = [("coaching", "0003_request_events")]
CONSTRAINT = "one_active_request_per_pathway"


def migrate(targets) -> MigrationExecutor:
    """Apply or unapply migrations up to ``targets``; return the executor (its loader knows
    the state reached)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # the applied set changed: read it again
    return executor


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def _migrated_rows_put_back(django_db_setup, django_db_blocker):
    """A transactional test ends with a flush, which deletes the rows the migrations wrote
    (Wagtail's root page, the home page...). ``serialized_rollback`` only puts them back at
    the start of the next transactional test: the tests that follow, and the next run
    with ``--reuse-db`` (``make test``), would find them gone. Set up before the test
    database's fixture, this is torn down after its flush and loads them again."""
    yield
    with django_db_blocker.unblock():
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)


@pytest.fixture
def at_0003(_migrated_rows_put_back, transactional_db, django_db_serialized_rollback):
    """Historical models of coaching at 0003, outside any test transaction; the database
    goes back to the latest migrations at teardown, whatever the test did."""
    assert connection._test_serialized_contents  # serialized at setup, for the put-back
    old_apps = None
    try:
        executor = migrate(BEFORE)
        old_apps = executor.loader.project_state(BEFORE).apps
        yield old_apps
    finally:
        if old_apps is not None and MigrationExecutor(connection).migration_plan(latest()):
            # Stopped before migrating forward: drop the duplicates that 0005 would refuse
            # (the flush that follows deletes every row anyway).
            old_apps.get_model("coaching", "CoachingRequest").objects.all().delete()
        migrate(latest())


def constraint_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, CoachingRequest._meta.db_table))


def test_0004_merges_active_duplicates_into_the_most_advanced_request(at_0003, client):
    old = at_0003
    Request = old.get_model("coaching", "CoachingRequest")  # noqa: N806
    Session = old.get_model("coaching", "CoachingSession")  # noqa: N806
    Event = old.get_model("coaching", "RequestEvent")  # noqa: N806
    assert CONSTRAINT not in constraint_names()  # 0003: duplicates are still allowed

    # Accounts and pages are not touched by these migrations: today's factories write them.
    person = learner(departement="69")
    other_person = learner(departement="69")
    rhone = coach(departements=["69"])
    pathway = build_pathway(["m:1", "p:gate", "m:1"])
    other_pathway = build_pathway(["m:1"])
    gate = point_ids(pathway)[0]
    now = timezone.now()

    def request(created_minutes_ago, **fields):
        row = Request.objects.create(
            learner_id=fields.pop("learner", person).pk,
            pathway_id=fields.pop("pathway", pathway).pk,
            departement="69",
            recommended_modality="video",
            recommendation_reason="Visioconférence : la personne est à l'aise.",
            due_at=now + timedelta(days=2),
            context={"where": fields.pop("where", "")},
            **fields,
        )
        # created_at is auto_now_add: set the past afterwards.
        Request.objects.filter(pk=row.pk).update(
            created_at=now - timedelta(minutes=created_minutes_ago)
        )
        return Request.objects.get(pk=row.pk)

    def session(request_row, days, status):
        return Session.objects.create(
            request_id=request_row.pk,
            coach_id=rhone.pk,
            starts_at=now + timedelta(days=days),
            modality="video",
            location="https://visio.balise.test/salle",
            status=status,
        )

    # The same learner and pathway, three active requests (allowed at 0003, since the
    # per-point constraint went away): the oldest is merely open, the newest is the most
    # advanced (a session was accepted).
    gate_request = request(
        90, origin="checkpoint", point_id=gate, releases_gate=True, where="Balise 1"
    )
    claimed = request(
        60,
        origin="self_assessment",
        point_id="self_assessment",
        message="Score bas à l'autodiagnostic.",
        status="claimed",
        coach_id=rhone.pk,
        claimed_at=now - timedelta(minutes=50),
    )
    proposed = session(claimed, days=3, status="proposed")
    declined = session(claimed, days=4, status="declined")
    scheduled = request(
        30,
        origin="help",
        point_id="help",
        message="Je bloque sur mon budget.",
        status="scheduled",
        coach_id=rhone.pk,
        claimed_at=now - timedelta(minutes=20),
    )
    accepted = session(scheduled, days=5, status="accepted")
    # Not merged: another pathway, another learner, a closed request of the same pathway.
    elsewhere = request(80, origin="help", point_id="help", pathway=other_pathway)
    closed = request(120, origin="help", point_id="help", status="done")
    # Another learner's two open requests of the pathway: equal rank, the oldest is kept.
    neighbour_first = request(50, learner=other_person, origin="help", point_id="help")
    neighbour_second = request(
        40, learner=other_person, origin="checkpoint", point_id=gate, releases_gate=True
    )
    assert not Event.objects.exists()  # 0004 writes the first events

    migrate(latest())

    assert CONSTRAINT in constraint_names()
    # One active file for the learner and the pathway: the scheduled one.
    kept = CoachingRequest.objects.get(pk=scheduled.pk)
    assert list(CoachingRequest.objects.active().filter(learner=person, pathway=pathway)) == [kept]
    assert kept.status == Status.SCHEDULED and kept.coach == rhone
    # It lists every origin, oldest first, and releases the gate when closed.
    assert [(e.origin, e.point_id, e.message, e.opened_request) for e in kept.events.all()] == [
        ("checkpoint", gate, "", False),
        ("self_assessment", "self_assessment", "Score bas à l'autodiagnostic.", False),
        ("help", "help", "Je bloque sur mon budget.", True),
    ]
    assert kept.events.get(origin="checkpoint").where == "Balise 1"
    assert (kept.releases_gate, kept.point_id) == (True, gate)
    # The planned meetings follow; a declined one stays where it was.
    sessions = dict(CoachingSession.objects.values_list("pk", "request_id"))
    assert sessions == {
        proposed.pk: kept.pk,
        accepted.pk: kept.pk,
        declined.pk: claimed.pk,
    }
    # The others are cancelled, with a note naming the request they went into; their
    # own events stay (nothing is deleted).
    for merged in (gate_request, claimed):
        merged = CoachingRequest.objects.get(pk=merged.pk)
        assert merged.status == Status.CANCELLED and merged.closed_at is not None
        assert f"Fusionnée dans la demande #{kept.pk}" in merged.private_notes
        assert merged.events.count() == 1
    # Left alone.
    untouched = {elsewhere.pk: Status.OPEN, closed.pk: Status.DONE}
    for pk, status in untouched.items():
        row = CoachingRequest.objects.get(pk=pk)
        assert (row.status, row.events.count(), row.private_notes) == (status, 1, "")
    # Equal rank: the oldest is kept, and takes the gate of the newer one.
    first = CoachingRequest.objects.get(pk=neighbour_first.pk)
    second = CoachingRequest.objects.get(pk=neighbour_second.pk)
    assert (first.status, second.status) == (Status.OPEN, Status.CANCELLED)
    assert (first.releases_gate, first.point_id) == (True, gate)
    assert list(first.events.values_list("origin", flat=True)) == ["help", "checkpoint"]

    # Bookkeeping only: every event counts as announced, nobody is told now or later.
    assert not RequestEvent.objects.filter(announced_at__isnull=True).exists()
    assert actions.repair_requests(now=now + timedelta(hours=1)).events_announced == 0
    assert not Notification.objects.exists()

    # What the coach reads on the request's page: every message, and the sessions.
    client.force_login(rhone)
    page = client.get(reverse("coaching:request", args=[kept.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Je bloque sur mon budget." in text
    assert "Score bas à l&#x27;autodiagnostic." in text or "Score bas à l'autodiagnostic." in text

    # The new constraint refuses a second active request for the learner and pathway.
    with pytest.raises(IntegrityError), transaction.atomic():
        CoachingRequest.objects.create(
            learner=person,
            pathway=pathway,
            point_id="help",
            origin="help",
            departement="69",
            recommended_modality="video",
            recommendation_reason="",
            due_at=now,
        )
