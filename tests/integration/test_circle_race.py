"""Learners racing for a circle's last places on PostgreSQL, with real threads and commits:
never more than eight members, and a clear refusal for the others."""

import threading

import pytest
from django.db import connection

from lms.community import actions
from lms.community.models import CIRCLE_MAX_MEMBERS, CircleMembership
from tests.factories.accounts import learner
from tests.factories.community import circle

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def race(works):
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


def test_five_learners_for_two_places_make_two_members_and_three_refusals(postgres_url):
    made = circle(members=CIRCLE_MAX_MEMBERS - 2)
    people = [learner(departement="69") for _ in range(5)]
    results, errors = race([lambda p=p: actions.join_circle(p, made.pk) for p in people])
    assert len(results) == 2
    assert len(errors) == 3
    assert all(isinstance(e, actions.CommunityError) and "complet" in str(e) for e in errors)
    assert CircleMembership.objects.filter(circle=made, left_at__isnull=True).count() == 8
