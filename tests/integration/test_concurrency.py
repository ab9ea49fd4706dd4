"""Races on PostgreSQL with real threads and real commits: exactly one winner each time."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import CoachingRequest, CoachingSession
from lms.notifications.models import Notification
from pathways import actions as pathway_actions
from pathways.models import CheckpointPassage, StepCompletion
from tests.factories.accounts import coach, learner
from tests.factories.pathways import build_pathway, modules_of

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def race(count, work):
    """Run ``work(i)`` in ``count`` threads released together; return results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(index):
        try:
            barrier.wait(timeout=10)
            results.append(work(index))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_postgres_is_the_database(postgres_url):
    assert connection.vendor == "postgresql"


def test_fifty_completions_of_the_last_step_make_one_passage_one_request(postgres_url):
    coach(departements=["69"])
    person = learner(departement="69")
    pathway = build_pathway(["m:2", "p:automatic", "m:1"])
    pathway_actions.enroll(person, pathway)
    first = modules_of(pathway)[0]
    pathway_actions.complete_step(person, first, first.step_ids[0])

    results, errors = race(
        50, lambda _: pathway_actions.complete_step(person, first, first.step_ids[1])
    )
    assert errors == []
    assert StepCompletion.objects.filter(learner=person).count() == 2
    assert CheckpointPassage.objects.filter(learner=person).count() == 1
    assert sum(len(passages) for passages in results) == 1
    assert CoachingRequest.objects.filter(learner=person).count() == 1
    assert Notification.objects.filter(recipient=person, kind="request_received").count() == 1


def test_twenty_coaches_claiming_one_request_make_one_winner(postgres_url):
    coaches = [coach(departements=["69"]) for _ in range(20)]
    request = actions.open_help_request(
        learner(departement="69"), build_pathway(["m:1"]), "Aide", "ici"
    )
    results, errors = race(20, lambda i: actions.claim_request(coaches[i], request.pk).ok)
    assert errors == []
    assert sorted(results) == [False] * 19 + [True]
    request.refresh_from_db()
    assert request.coach in coaches


def test_two_claims_of_different_requests_fill_the_coachs_last_slot_once(postgres_url):
    person_coach = coach(departements=["69"], capacity=2)
    pathway = build_pathway(["m:1"])
    held = actions.open_help_request(learner(departement="69"), pathway, "Aide", "ici")
    assert actions.claim_request(person_coach, held.pk).ok  # one slot left
    waiting = [
        actions.open_help_request(learner(departement="69"), pathway, "Aide", "ici")
        for _ in range(2)
    ]

    results, errors = race(2, lambda i: actions.claim_request(person_coach, waiting[i].pk))
    assert errors == []
    assert sorted(result.ok for result in results) == [False, True]
    assert any("capacité" in result.message for result in results if not result.ok)
    assert CoachingRequest.objects.filter(coach=person_coach).count() == 2


def test_double_submitted_session_proposal_makes_one_session(postgres_url):
    person_coach = coach(departements=["69"])
    request = actions.open_help_request(
        learner(departement="69"), build_pathway(["m:1"]), "Aide", "ici"
    )
    actions.claim_request(person_coach, request.pk)
    starts_at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    def propose(_):
        return actions.propose_session(
            person_coach,
            request,
            starts_at=starts_at,
            duration_minutes=60,
            modality="video",
            location="https://visio.example.org/x",
        )

    results, errors = race(5, propose)
    assert len(results) == 1
    assert all(isinstance(error, actions.CoachingError) for error in errors)
    assert CoachingSession.objects.count() == 1
