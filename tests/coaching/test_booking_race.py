"""Two learners booking one slot at the same moment, with real threads and commits on
PostgreSQL: exactly one session, and one clear refusal."""

import threading
from datetime import time

import pytest
from django.db import connection
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.availability import bookable_profiles, load_free_slots
from lms.coaching.models import AvailabilityRule, CoachingRequest, CoachingSession, Status
from tests.coaching.test_migration_0004 import _migrated_rows_put_back  # noqa: F401
from tests.factories.accounts import coach, learner
from tests.factories.pathways import build_pathway

pytestmark = [
    pytest.mark.usefixtures("committing_db"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency (make test-postgres)"
    ),
]


@pytest.fixture
def committing_db(_migrated_rows_put_back, transactional_db, django_db_serialized_rollback):  # noqa: F811
    """Threads commit for real; the flush after the test deletes the rows the migrations
    wrote (Wagtail's root collection, the home page), put back for the tests that follow
    in this process (they failed on PostgreSQL without it)."""


def race(works):
    """Run each callable in its own thread, released together; return results and errors."""
    barrier = threading.Barrier(len(works))
    results, errors = [], []

    def run(work):
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_two_learners_booking_one_slot_make_one_session_and_one_refusal():
    person = coach(departements=["69"], capacity=5)
    AvailabilityRule.objects.create(
        coach=person,
        weekdays=[0, 1, 2, 3, 4, 5, 6],
        start_time=time(18),
        end_time=time(19),
        modality="video",
        valid_from=timezone.localdate(),
        on_public_holidays=True,
    )
    pathway = build_pathway(["m:1"])
    requests = [
        actions.open_help_request(learner(departement="69"), pathway, "Aide", "ici")
        for _ in range(2)
    ]
    first = CoachingRequest.objects.get(pk=requests[0].pk)
    slot = load_free_slots(bookable_profiles(first), first)[0]

    def booking(request):
        return lambda: actions.book_slot(
            request.learner, request.pk, coach_id=person.pk, starts_at=slot.starts_at
        )

    results, errors = race([booking(r) for r in requests])

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], actions.BookingError) and errors[0].code == "taken"
    assert "Ce créneau vient d'être pris" in str(errors[0])
    (session,) = CoachingSession.objects.all()
    assert session.starts_at == slot.starts_at
    winner = CoachingRequest.objects.get(pk=session.request_id)
    loser = CoachingRequest.objects.exclude(pk=winner.pk).get()
    assert winner.status == Status.SCHEDULED and winner.coach == person
    assert loser.status == Status.OPEN and loser.coach is None  # nothing half-done


def test_one_learner_submitting_twice_books_once():
    person = coach(departements=["69"], capacity=5)
    AvailabilityRule.objects.create(
        coach=person,
        weekdays=[0, 1, 2, 3, 4, 5, 6],
        start_time=time(18),
        end_time=time(20),
        modality="video",
        valid_from=timezone.localdate(),
        on_public_holidays=True,
    )
    request = actions.open_help_request(learner(departement="69"), build_pathway(["m:1"]), "A", "b")
    loaded = CoachingRequest.objects.get(pk=request.pk)
    first, second = load_free_slots(bookable_profiles(loaded), loaded)[:2]

    results, errors = race(
        [
            lambda slot=slot: actions.book_slot(
                request.learner, request.pk, coach_id=person.pk, starts_at=slot.starts_at
            )
            for slot in (first, second)
        ]
    )
    assert len(results) == 1 and len(errors) == 1
    assert errors[0].code == "pending"
    assert CoachingSession.objects.count() == 1
