"""Every hop from a learner's action to a coach's e-mail is durable, and one learner and
pathway make one active file for the coach.

Faults are injected where each hop can break (routing, the request insert, the
notification write): the learner never gets an error page, and after coaching's
sweeper (``repair_requests``) and the notifications' delivery there is exactly one
request and one e-mail per person to tell. Runs on SQLite (``make test``) and
PostgreSQL (``make test-postgres``); the worker killed mid-delivery is in
``tests/integration/test_faults.py``.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import CoachingRequest, RequestEvent, Status
from lms.notifications import actions as notification_actions
from lms.notifications.models import Notification
from pathways import actions as pathway_actions
from pathways.models import CheckpointPassage
from tests.factories.pathways import build_pathway, modules_of, point_ids

pytestmark = pytest.mark.django_db

LATER = timedelta(minutes=5)  # past COACHING_REPAIR_AFTER


def finish_module_by_the_view(client, person, pathway):
    """The learner clicks « Terminer » on each step of the first module."""
    client.force_login(person)
    pathway_actions.enroll(person, pathway)
    mod = modules_of(pathway)[0]
    responses = [
        client.post(reverse("pathways:complete_step", args=[pathway.pk, mod.pk, step_id]))
        for step_id in mod.step_ids
    ]
    return responses


def sweep_and_deliver() -> Counter:
    """What beat does: coaching's sweeper, then the outbox delivers every row; returns the
    e-mails sent as (recipient, subject)."""
    actions.repair_requests(now=timezone.now() + LATER)
    for pk in Notification.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        notification_actions.deliver(pk)
    return Counter((message.to[0], message.subject) for message in mail.outbox)


def new_request_mail(person, coach) -> Counter:
    return Counter(
        {
            (coach.email, f"Nouvelle demande d'accompagnement : {person.display_name}"): 1,
            (person.email, "Votre demande d'accompagnement est bien reçue"): 1,
        }
    )


def fail(*args, **kwargs):
    raise DatabaseError("injected fault")


# --- Faults at an automatic point --------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    [
        "lms.coaching.actions.requests.route",
        "lms.coaching.actions.requests._insert_request",
        "lms.coaching.actions.requests.notify",
    ],
    ids=["routing", "request-insert", "notification-write"],
)
def test_a_fault_at_a_point_costs_the_learner_nothing_and_the_sweep_repairs_it(
    client, lyon_learner, rhone_coach, monkeypatch, where
):
    pathway = build_pathway(["m:1", "p:automatic", "m:1"])
    with monkeypatch.context() as patch:
        patch.setattr(where, fail)
        responses = finish_module_by_the_view(client, lyon_learner, pathway)

    assert [r.status_code for r in responses] == [302] * len(responses)  # no error page
    assert CheckpointPassage.objects.filter(learner=lyon_learner).count() == 1
    assert not Notification.objects.exists()  # nobody told yet: the hop is pending

    delivered = sweep_and_deliver()
    request = CoachingRequest.objects.get()
    assert (request.point_id, request.status) == (point_ids(pathway)[0], Status.OPEN)
    assert request.recommendation_reason  # routed by the sweeper
    assert delivered == new_request_mail(lyon_learner, rhone_coach)

    assert sweep_and_deliver() == delivered  # a second sweep changes nothing
    assert CoachingRequest.objects.count() == 1
    assert RequestEvent.objects.filter(announced_at__isnull=True).count() == 0


def test_the_sweeper_leaves_young_passages_to_their_transaction(lyon_learner, rhone_coach):
    pathway = build_pathway(["m:1", "p:automatic"])
    pathway_actions.enroll(lyon_learner, pathway)
    first = modules_of(pathway)[0]
    for step_id in first.step_ids:
        pathway_actions.complete_step(lyon_learner, first, step_id)
    CoachingRequest.objects.all().delete()  # as if the opening had failed
    assert actions.repair_requests().requests_opened == 0  # reached just now
    assert actions.repair_requests(now=timezone.now() + LATER).requests_opened == 1


# --- Faults when the learner asks for help -----------------------------------------------------


def ask_for_help(client, pathway, text="Je bloque sur mon budget."):
    return client.post(
        reverse("coaching:help", args=[pathway.pk]), {"message": text, "where": "Module 1"}
    )


def test_help_request_with_routing_down_is_saved_and_announced_by_the_sweep(
    client, lyon_learner, rhone_coach, monkeypatch
):
    pathway = build_pathway(["m:1"])
    client.force_login(lyon_learner)
    with monkeypatch.context() as patch:
        patch.setattr("lms.coaching.actions.requests.route", fail)
        response = ask_for_help(client, pathway)
    assert response.status_code == 302
    assert CoachingRequest.objects.get().message == "Je bloque sur mon budget."
    assert sweep_and_deliver() == new_request_mail(lyon_learner, rhone_coach)


def test_help_request_that_cannot_be_saved_keeps_the_text_and_says_so(
    client, lyon_learner, rhone_coach, monkeypatch
):
    pathway = build_pathway(["m:1"])
    client.force_login(lyon_learner)
    with monkeypatch.context() as patch:
        patch.setattr("lms.coaching.actions.requests._insert_request", fail)
        response = ask_for_help(client, pathway)
    page = response.content.decode()
    assert response.status_code == 200
    assert "pas pu être enregistrée" in page and "Je bloque sur mon budget." in page
    assert not CoachingRequest.objects.exists() and not Notification.objects.exists()

    assert ask_for_help(client, pathway).status_code == 302  # sending again works
    assert sweep_and_deliver() == new_request_mail(lyon_learner, rhone_coach)


# --- One active file per learner and pathway ---------------------------------------------------


def test_a_second_help_message_joins_the_pending_request_and_the_coach_reads_both(
    client, lyon_learner, rhone_coach
):
    pathway = build_pathway(["m:1"])
    client.force_login(lyon_learner)
    ask_for_help(client, pathway, "Je bloque sur mon budget.")
    response = ask_for_help(client, pathway, "Et aussi sur les statuts.")
    assert response.status_code == 302
    assert "ajouté à votre demande en cours" in client.get(response["Location"]).content.decode()

    request = CoachingRequest.objects.get()
    client.force_login(rhone_coach)
    page = client.get(reverse("coaching:request", args=[request.pk])).content.decode()
    assert "Je bloque sur mon budget." in page and "Et aussi sur les statuts." in page
    # The coach is told of the addition, the learner gets an acknowledgement.
    kinds = Counter(Notification.objects.values_list("recipient_id", "kind"))
    assert kinds[(rhone_coach.pk, "request_joined")] == 1
    assert kinds[(lyon_learner.pk, "request_joined_ack")] == 1


def test_a_point_then_help_make_one_request_for_the_pathway(client, lyon_learner, rhone_coach):
    pathway = build_pathway(["m:1", "p:automatic", "m:1"])
    finish_module_by_the_view(client, lyon_learner, pathway)
    ask_for_help(client, pathway, "Je voudrais en parler vite.")

    request = CoachingRequest.objects.get(learner=lyon_learner)
    assert request.origin == "checkpoint"  # keeps its first origin
    assert list(request.events.values_list("origin", flat=True)) == ["checkpoint", "help"]
    page = client.get(reverse("coaching:my_coaching")).content.decode()
    assert "Je voudrais en parler vite." in page


def test_a_claimed_request_tells_only_its_coach_of_a_new_message(
    lyon_learner, rhone_coach, django_capture_on_commit_callbacks
):
    from tests.factories.accounts import coach

    other = coach(departements=["69"])
    pathway = build_pathway(["m:1"])
    request = actions.open_help_request(lyon_learner, pathway, "Aide", "ici")
    assert actions.claim_request(rhone_coach, request.pk).ok
    actions.open_help_request(lyon_learner, pathway, "Du nouveau", "ailleurs")
    told = set(Notification.objects.filter(kind="request_joined").values_list("recipient_id"))
    assert told == {(rhone_coach.pk,)}
    assert not Notification.objects.filter(recipient=other, kind="request_joined").exists()


def test_a_gate_reached_while_help_is_pending_is_released_by_closing_it(lyon_learner, rhone_coach):
    pathway = build_pathway(["m:1", "p:gate", "m:1"])
    pathway_actions.enroll(lyon_learner, pathway)
    help_request = actions.open_help_request(lyon_learner, pathway, "Aide", "ici")
    first = modules_of(pathway)[0]
    for step_id in first.step_ids:
        pathway_actions.complete_step(lyon_learner, first, step_id)

    help_request.refresh_from_db()
    gate = point_ids(pathway)[0]
    assert CoachingRequest.objects.count() == 1
    assert help_request.releases_gate and help_request.point_id == gate
    assert actions.claim_request(rhone_coach, help_request.pk).ok
    actions.close_request(
        rhone_coach, help_request, outcome="continues", summary="Vu.", next_steps="Continuer."
    )
    assert CheckpointPassage.objects.get(point_id=gate).released_at is not None


def test_the_self_assessment_joins_the_active_request(lyon_learner, rhone_coach):
    pathway = build_pathway(["m:1"])
    first = actions.open_help_request(lyon_learner, pathway, "Aide", "ici")
    joined = actions.open_request(
        lyon_learner,
        origin="self_assessment",
        pathway=pathway,
        point_id="self_assessment",
        message="Score bas",
    )
    assert joined.pk == first.pk and joined.joined


def test_requests_without_pathway_join_the_learners_active_one(lyon_learner, rhone_coach):
    first = actions.open_request(lyon_learner, origin="inactivity", pathway=None, point_id="x")
    second = actions.open_request(lyon_learner, origin="help", pathway=None, point_id="help")
    assert second.pk == first.pk and second.joined
