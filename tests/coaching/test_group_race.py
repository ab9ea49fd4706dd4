"""Learners registering for the last seats of a group session at the same moment, with
real threads and commits on PostgreSQL: never more registrants than seats, and a clear
refusal for the others."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import GroupSeat
from tests.coaching.test_booking_race import committing_db, race  # noqa: F401
from tests.coaching.test_migration_0004 import _migrated_rows_put_back  # noqa: F401
from tests.factories.accounts import coach, learner

pytestmark = [
    pytest.mark.usefixtures("committing_db"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency (make test-postgres)"
    ),
]


def test_five_learners_racing_for_three_seats_make_three_registrants_and_two_refusals():
    lead = coach(departements=["48"], capacity=5)
    session = actions.create_group_session(
        actor=lead,
        title="Valider son besoin, ensemble",
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=90,
        modality="remote",
        seats=3,
    )
    people = [learner(departement="48") for _ in range(5)]

    def registering(person):
        def work():
            with transaction.atomic(durable=True):
                return actions.register_for_group_session(session, person)

        return work

    results, errors = race([registering(person) for person in people])

    assert len(results) == 3 and {r.status for r in results} == {"registered"}
    assert len(errors) == 2
    assert all("complète" in str(error) for error in errors), errors
    taken = GroupSeat.objects.filter(session=session, learner__isnull=False)
    assert taken.count() == 3
    assert sorted(taken.values_list("number", flat=True)) == [1, 2, 3]
