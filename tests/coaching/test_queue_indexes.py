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
        # Small tables are read whole, or sorted, whatever the indexes: ask whether an index
        # gives the rows in the page's order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        for query in queries.captured_queries:
            cursor.execute("EXPLAIN " + query["sql"])
            found.append("\n".join(row[0] for row in cursor.fetchall()))
    return found


@pytest.fixture
def network(rhone_coach):
    """A network's worth of requests, the planner's statistics kept as autovacuum would:
    open ones spread over 40 départements, a few the coach holds, the coach's closed ones."""
    person, now = learner(departement="69"), timezone.now()
    departements = ["69", "01", *(str(number) for number in range(10, 48))]
    requests = []
    for number in range(2000):
        status, coach = Status.DONE, None
        if number % 20 == 0:
            status = Status.OPEN
        elif number % 2 == 1:  # the coach's history
            coach = rhone_coach
        elif number % 100 == 2:
            status, coach = Status.CLAIMED, rhone_coach
        requests.append(
            CoachingRequest(
                learner=person,
                point_id=f"point-{number}",
                origin="help" if number % 4 else "checkpoint",
                status=status,
                coach=coach,
                departement=departements[number // 20 % 40],
                due_at=now + timedelta(hours=number),
            )
        )
    CoachingRequest.objects.bulk_create(requests)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE coaching_coachingrequest")
    return rhone_coach


def test_the_queue_reads_its_indexes(network):
    profile = network.coach_profile
    mine, others = plans(network, profile)
    assert "request_coach_active_due" in mine
    # By due date over the network, or a département at a time: open requests only.
    assert "request_open_unclaimed_" in others
    _, filtered = plans(network, profile, lambda requests: requests.filter(origin="help"))
    assert "request_open_unclaimed_" in filtered


def test_a_departement_is_read_alone(network):
    """A queue filtered to a département reads that département's open requests, not the
    network's: the page stays as cheap when the network holds fifty times more."""
    _, filtered = plans(
        network, network.coach_profile, lambda requests: requests.filter(departement="42")
    )
    assert "Index Only Scan using request_open_unclaimed_dept" in filtered
    assert "Index Cond: (departement = '42'::text)" in filtered
