"""The coach queue's two reads use the partial indexes made for them on PostgreSQL (the
database of production and of ``make bench``): its open part filtered on the index
alone, a coach's own requests without their closed ones. If a change to the queries
stopped matching an index's condition, the queue would grow with the network's history
again (docs/benchmarks.md, coach queue S -> L)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.coaching.models import CoachingRequest, Status
from lms.coaching.queries import coach_queue
from tests.factories.accounts import learner

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's plans (make test-postgres)"
    ),
]


def plans(coach, profile, refine=lambda requests: requests) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        coach_queue(coach, profile, 1, refine)
    found = []
    with connection.cursor() as cursor:
        # Tiny tables are read whole whatever the indexes: ask whether an index applies.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in queries.captured_queries:
            cursor.execute("EXPLAIN " + query["sql"])
            found.append("\n".join(row[0] for row in cursor.fetchall()))
    return found


def test_the_queue_reads_its_indexes(rhone_coach):
    profile = rhone_coach.coach_profile
    now = timezone.now()
    for number, (status, coach) in enumerate(
        [(Status.OPEN, None), (Status.CLAIMED, rhone_coach), (Status.DONE, rhone_coach)] * 5
    ):
        CoachingRequest.objects.create(
            learner=learner(departement="69"),
            point_id=f"point-{number}",
            origin="help",
            status=status,
            coach=coach,
            departement="69",
            due_at=now + timedelta(hours=number),
        )
    mine, others = plans(rhone_coach, profile)
    assert "request_coach_active_due" in mine
    assert "Index Only Scan using request_open_unclaimed_due" in others
    _, filtered = plans(rhone_coach, profile, lambda requests: requests.filter(origin="help"))
    assert "Index Only Scan using request_open_unclaimed_due" in filtered
