"""Coaching actions: origins, routing, claims, sessions, closing, SLA and inactivity."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import CoachingRequest, CoachingSession, InactivityNudge, Status
from lms.coaching.routing import remote_coaches_with_room
from lms.notifications.models import Notification
from lms.notifications.tasks import deliver_notification_task
from pathways import actions as pathway_actions
from pathways.models import CheckpointPassage, Enrollment
from tests.factories.accounts import coach, learner
from tests.factories.pathways import build_pathway, exercise, module, modules_of, point_ids

pytestmark = pytest.mark.django_db


def complete_all(user, mod):
    for step_id in mod.step_ids:
        pathway_actions.complete_step(user, mod, step_id)


def reach_point(user, outline, capture):
    pathway = build_pathway(outline)
    pathway_actions.enroll(user, pathway)
    with capture(execute=True):
        complete_all(user, modules_of(pathway)[0])
    return pathway


def future(hours=48):
    return (timezone.now() + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)


# --- Origins -------------------------------------------------------------------------------------


def test_automatic_point_opens_exactly_one_request(
    lyon_learner, rhone_coach, django_capture_on_commit_callbacks
):
    pathway = reach_point(
        lyon_learner, ["m:1", "p:automatic", "m:1"], django_capture_on_commit_callbacks
    )
    request = CoachingRequest.objects.get()
    assert request.origin == "checkpoint"
    assert request.point_id == point_ids(pathway)[0]
    assert request.departement == "69" and not request.network_queue
    assert request.context["profile"]["departement"] == "69"
    assert request.context["progress"]["modules_done"] == 1
    assert request.due_at > request.created_at
    # The local coach and the learner are told.
    assert set(Notification.objects.values_list("recipient_id", "kind")) == {
        (rhone_coach.pk, "request_opened"),
        (lyon_learner.pk, "request_received"),
    }


def test_offered_point_waits_for_the_learner(
    lyon_learner, rhone_coach, django_capture_on_commit_callbacks
):
    pathway = reach_point(lyon_learner, ["m:1", "p:offered"], django_capture_on_commit_callbacks)
    assert not CoachingRequest.objects.exists()
    passage = CheckpointPassage.objects.get()
    request = actions.open_request_for_point(passage, pathway.point_value(passage.point_id), "Oui")
    assert request.message == "Oui"
    again = actions.open_request_for_point(passage, pathway.point_value(passage.point_id))
    assert again.pk == request.pk and again.joined
    assert CoachingRequest.objects.count() == 1
    assert request.events.count() == 1  # accepting twice adds nothing


def test_help_request_one_active_per_pathway(lyon_learner, rhone_coach):
    pathway = build_pathway(["m:1"])
    first = actions.open_help_request(lyon_learner, pathway, "Je bloque", "Module 1 — Étape 1")
    assert first.origin == "help" and first.context["where"] == "Module 1 — Étape 1"
    second = actions.open_help_request(lyon_learner, pathway, "Encore", "ailleurs")
    assert second.pk == first.pk and second.joined
    actions.cancel_request(lyon_learner, first)
    third = actions.open_help_request(lyon_learner, pathway, "Encore", "ailleurs")
    assert third.pk != first.pk and not third.joined


def test_shared_answers_are_snapshotted(lyon_learner, rhone_coach):
    mod = module(steps=[exercise("Mon idée")])
    pathway = build_pathway([mod, "p:automatic"])
    step_id = mod.step_ids[0]
    question_id = mod.find_step(step_id).value.questions_with_ids()[0][0]
    pathway_actions.save_answers(lyon_learner, mod, step_id, {question_id: "Une épicerie"}, True)
    request = actions.open_help_request(lyon_learner, pathway, "Aide", "ici")
    assert request.context["shared_answers"][0]["answer"] == "Une épicerie"
    pathway_actions.save_answers(lyon_learner, mod, step_id, {question_id: "Privé"}, False)
    actions.cancel_request(lyon_learner, request)
    request = actions.open_help_request(lyon_learner, pathway, "Aide", "ici")
    assert request.context["shared_answers"] == []


def test_rural_learner_without_local_coach_goes_to_network_queue(
    rural_learner, rhone_coach, remote_coach, managers
):
    pathway = build_pathway(["m:1"])
    request = actions.open_help_request(rural_learner, pathway, "Aide", "ici")
    assert request.network_queue
    assert request.recommended_modality == "phone"  # needs help with digital tools
    assert "ne couvre" in request.recommendation_reason
    assert "en soirée ou le week-end" in request.recommendation_reason
    kinds = set(Notification.objects.values_list("recipient_id", "kind"))
    assert (managers[0].pk, "network_queue") in kinds
    # Remote-capable coaches are told.
    assert (remote_coach.pk, "request_opened") in kinds
    assert (rhone_coach.pk, "request_opened") in kinds


def test_the_learner_is_told_before_the_coaches(
    rural_learner, remote_coach, managers, monkeypatch, django_capture_on_commit_callbacks
):
    """Delivery tasks are enqueued on commit in the order the rows were written: the
    learner's confirmation first, not behind every coach's e-mail."""
    enqueued = []
    monkeypatch.setattr(deliver_notification_task, "delay", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        actions.open_help_request(rural_learner, build_pathway(["m:1"]), "Aide", "ici")
    first = Notification.objects.order_by("pk").first()
    assert (first.recipient, first.kind) == (rural_learner, "request_received")
    assert enqueued[0] == first.pk
    assert sorted(enqueued) == list(
        Notification.objects.order_by("pk").values_list("pk", flat=True)
    )


def test_network_queue_tells_the_managers_and_the_remote_coaches_with_most_room(
    rural_learner, managers, settings
):
    settings.BALISE_NETWORK_QUEUE_NOTIFY_MAX = 2
    pathway = build_pathway(["m:1"])
    roomy = coach(departements=["07"], modalities=["video", "phone"], capacity=8)  # 8 free
    busy = coach(departements=["07"], modalities=["phone"], capacity=8)  # 8 - 3 = 5 free
    second = coach(departements=["01"], modalities=["phone", "in_person"], capacity=6)  # 6 free
    full = coach(departements=["07"], modalities=["phone"], capacity=1)  # 0 free
    in_person_only = coach(departements=["07"], modalities=["in_person"], capacity=20)
    # The phone is recommended (the learner needs help with digital tools): not video only.
    video_only = coach(departements=["07"], modalities=["video"], capacity=20)
    for holder in (busy, busy, busy, full):
        held = actions.open_help_request(learner(departement="69"), pathway, "Aide", "ici")
        CoachingRequest.objects.filter(pk=held.pk).update(status=Status.CLAIMED, coach=holder)
    Notification.objects.all().delete()

    request = actions.open_help_request(rural_learner, pathway, "Aide", "ici")

    assert request.network_queue
    told = set(Notification.objects.values_list("recipient_id", "kind"))
    assert told == {
        (rural_learner.pk, "request_received"),
        (managers[0].pk, "network_queue"),
        (roomy.pk, "request_opened"),
        (second.pk, "request_opened"),
    }
    assert request.recommended_modality == "phone"
    assert not {busy.pk, full.pk, in_person_only.pk, video_only.pk} & {pk for pk, _ in told}


def test_network_queue_with_no_remote_coach_to_tell_tells_the_managers(
    rural_learner, remote_coach, managers, settings
):
    settings.BALISE_NETWORK_QUEUE_NOTIFY_MAX = 0
    actions.open_help_request(rural_learner, build_pathway(["m:1"]), "Aide", "ici")
    assert set(Notification.objects.values_list("recipient_id", "kind")) == {
        (rural_learner.pk, "request_received"),
        (managers[0].pk, "network_queue"),
    }


@pytest.mark.parametrize("size", [1, 6])
def test_remote_coaches_with_room_is_one_query(django_assert_num_queries, size):
    for _ in range(size):
        coach(departements=["07"], modalities=["video"], capacity=2)
    with django_assert_num_queries(1):
        assert len(remote_coaches_with_room(4)) == min(size, 4)


# --- Claiming --------------------------------------------------------------------------------


def test_claim_then_second_coach_sees_who_took_it(lyon_learner, rhone_coach):
    from tests.factories.accounts import coach

    other = coach(departements=["69"])
    request = actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Aide", "ici")
    assert actions.claim_request(rhone_coach, request.pk).ok
    result = actions.claim_request(other, request.pk)
    assert not result.ok
    assert result.message == f"Déjà pris en charge par {rhone_coach.display_name}."
    request.refresh_from_db()
    assert request.coach == rhone_coach and request.status == Status.CLAIMED
    assert request.first_response_at is not None


def test_claim_outside_territory_or_over_capacity_is_refused(
    lyon_learner, remote_coach, rhone_coach
):
    request = actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Aide", "ici")
    assert "départements" in actions.claim_request(remote_coach, request.pk).message
    rhone_coach.coach_profile.capacity = 0
    rhone_coach.coach_profile.save()
    assert "capacité" in actions.claim_request(rhone_coach, request.pk).message
    assert CoachingRequest.objects.get().status == Status.OPEN


# --- Sessions and closing --------------------------------------------------------------------


@pytest.fixture
def claimed(lyon_learner, rhone_coach):
    request = actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Aide", "ici")
    actions.claim_request(rhone_coach, request.pk)
    request.refresh_from_db()
    return request


def propose(coach, request, hours=48, duration=60):
    return actions.propose_session(
        coach,
        request,
        starts_at=future(hours),
        duration_minutes=duration,
        modality="in_person",
        location="12 rue de la Coopération",
    )


def test_proposed_session_sends_an_invite(claimed, rhone_coach):
    from icalendar import Calendar

    session = propose(rhone_coach, claimed)
    notification = Notification.objects.get(kind="session_proposed")
    assert notification.recipient == claimed.learner
    event = Calendar.from_ical(notification.ics).walk("VEVENT")[0]
    assert str(event["uid"]) == f"{session.uid}@balise"
    assert event["dtstart"].dt == session.starts_at


def test_session_in_the_past_or_overlapping_is_refused(claimed, rhone_coach):
    with pytest.raises(actions.CoachingError, match="déjà passé"):
        actions.propose_session(
            rhone_coach,
            claimed,
            starts_at=timezone.now() - timedelta(hours=1),
            duration_minutes=60,
            modality="video",
            location="lien",
        )
    propose(rhone_coach, claimed, hours=48, duration=90)
    with pytest.raises(actions.CoachingError, match="chevauche"):
        propose(rhone_coach, claimed, hours=49)
    assert CoachingSession.objects.count() == 1


def test_double_submitted_proposal_makes_one_session(claimed, rhone_coach):
    propose(rhone_coach, claimed)
    with pytest.raises(actions.CoachingError):
        propose(rhone_coach, claimed)
    assert CoachingSession.objects.count() == 1


def test_learner_accepts_then_request_is_scheduled(claimed, rhone_coach):
    session = propose(rhone_coach, claimed)
    actions.answer_session(claimed.learner, session, "accept", "Parfait")
    claimed.refresh_from_db()
    assert claimed.status == Status.SCHEDULED
    assert Notification.objects.filter(recipient=rhone_coach, kind="session_accept").exists()
    with pytest.raises(actions.CoachingError):
        actions.answer_session(claimed.learner, session, "decline")


def test_closing_a_gate_request_releases_the_gate(
    lyon_learner, rhone_coach, django_capture_on_commit_callbacks
):
    pathway = reach_point(
        lyon_learner, ["m:1", "p:gate", "m:1"], django_capture_on_commit_callbacks
    )
    request = CoachingRequest.objects.get()
    assert request.releases_gate
    actions.claim_request(rhone_coach, request.pk)
    with django_capture_on_commit_callbacks(execute=True):
        actions.close_request(
            rhone_coach, request, outcome="continues", summary="Bien avancé", next_steps="Statuts"
        )
    passage = CheckpointPassage.objects.get(pathway=pathway)
    assert passage.released_at is not None
    request.refresh_from_db()
    assert request.status == Status.DONE and request.summary == "Bien avancé"


def test_hand_back_reopens_the_request(claimed, rhone_coach):
    session = propose(rhone_coach, claimed)
    actions.hand_back(rhone_coach, claimed)
    claimed.refresh_from_db()
    session.refresh_from_db()
    assert claimed.status == Status.OPEN and claimed.coach is None
    assert session.status == "cancelled"


def calendar_of(notification):
    from icalendar import Calendar

    calendar = Calendar.from_ical(notification.ics)
    return str(calendar["method"]), calendar.walk("VEVENT")[0]


def test_closing_cancels_the_proposals_and_keeps_the_accepted_session(claimed, rhone_coach):
    accepted = propose(rhone_coach, claimed, hours=48)
    actions.answer_session(claimed.learner, accepted, "accept")
    pending = propose(rhone_coach, claimed, hours=72)

    closed = actions.close_request(
        rhone_coach, claimed, outcome="follow_up", summary="Bien", next_steps=""
    )

    # The coach is warned of the meeting still to come, which stays planned.
    assert [session.pk for session in closed.upcoming] == [accepted.pk]
    accepted.refresh_from_db()
    assert accepted.status == "accepted"
    # The pending proposal can no longer be accepted, and the coach hears nothing of it.
    told_before = Notification.objects.filter(recipient=rhone_coach).count()
    with pytest.raises(actions.CoachingError):
        actions.answer_session(claimed.learner, pending, "accept")
    assert Notification.objects.filter(recipient=rhone_coach).count() == told_before
    # The learner's calendar drops it.
    notice = Notification.objects.get(kind="session_cancelled")
    assert notice.recipient == claimed.learner
    method, event = calendar_of(notice)
    assert method == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == f"{pending.uid}@balise"


def test_hand_back_tells_the_learner_each_session_is_cancelled(claimed, rhone_coach):
    accepted = propose(rhone_coach, claimed, hours=48)
    actions.answer_session(claimed.learner, accepted, "accept")
    pending = propose(rhone_coach, claimed, hours=72)

    actions.hand_back(rhone_coach, claimed)

    notices = Notification.objects.filter(kind="session_cancelled").order_by("pk")
    assert [n.recipient for n in notices] == [claimed.learner, claimed.learner]
    cancelled = {str(calendar_of(n)[1]["uid"]): calendar_of(n)[0] for n in notices}
    assert cancelled == {f"{accepted.uid}@balise": "CANCEL", f"{pending.uid}@balise": "CANCEL"}


def test_hand_back_by_another_coach_cancels_nothing(claimed, rhone_coach):
    session = propose(rhone_coach, claimed)
    actions.hand_back(coach(departements=["69"]), claimed)
    session.refresh_from_db()
    assert session.status == "proposed"
    assert not Notification.objects.filter(kind="session_cancelled").exists()


def test_learner_cancelling_sends_the_coach_a_calendar_cancel(claimed, rhone_coach):
    session = propose(rhone_coach, claimed)
    actions.answer_session(claimed.learner, session, "accept")

    actions.cancel_request(claimed.learner, claimed)

    notice = Notification.objects.get(kind="session_cancelled")
    assert notice.recipient == rhone_coach
    method, event = calendar_of(notice)
    assert method == "CANCEL" and str(event["uid"]) == f"{session.uid}@balise"
    assert Notification.objects.filter(recipient=rhone_coach, kind="request_cancelled").exists()


# --- SLA and inactivity ----------------------------------------------------------------------


def test_overdue_request_is_escalated_once(lyon_learner, rhone_coach, managers):
    request = actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Aide", "ici")
    later = request.due_at + timedelta(minutes=1)
    assert actions.escalate_overdue_requests(now=request.due_at - timedelta(minutes=1)) == 0
    assert actions.escalate_overdue_requests(now=later) == 1
    assert actions.escalate_overdue_requests(now=later) == 0
    assert Notification.objects.filter(kind="request_overdue", recipient=managers[0]).count() == 1


def test_inactivity_nudges_then_opens_a_request(lyon_learner, rhone_coach):
    pathway = build_pathway(["m:1"], inactivity_request=True)
    pathway_actions.enroll(lyon_learner, pathway)
    Enrollment.objects.update(last_activity_at=timezone.now() - timedelta(days=8))
    assert actions.nudge_inactive_learners() == 1
    assert actions.nudge_inactive_learners() == 0
    assert not CoachingRequest.objects.exists()
    Enrollment.objects.update(last_activity_at=timezone.now() - timedelta(days=15))
    # A new idle period: the series starts again at the first reminder.
    assert actions.nudge_inactive_learners() == 1
    assert actions.nudge_inactive_learners() == 1
    assert InactivityNudge.objects.count() == 3
    request = CoachingRequest.objects.get()
    assert request.origin == "inactivity"


def test_recommendation_and_emails_are_french_whoever_triggers(lyon_learner, rhone_coach):
    from django.utils import translation

    with translation.override("en"):
        request = actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Help", "here")
    assert request.recommendation_reason.startswith("Une accompagnatrice ou un accompagnateur")
    assert Notification.objects.get(kind="request_received").subject.startswith("Votre demande")


def test_deactivated_learners_are_not_nudged(lyon_learner, rhone_coach):
    pathway = build_pathway(["m:1"], inactivity_request=True)
    pathway_actions.enroll(lyon_learner, pathway)
    Enrollment.objects.update(last_activity_at=timezone.now() - timedelta(days=8))
    lyon_learner.is_active = False
    lyon_learner.save()
    assert actions.nudge_inactive_learners() == 0
