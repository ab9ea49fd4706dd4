"""Group sessions: a coach gathers the learners waiting at the same point; seats are rows
(never more people than seats), the waiting list, cancellation, attendance that meets the
point (gate released, individual request closed), the brief for everyone registered."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.actions import CoachingError
from lms.coaching.models import (
    CoachingRequest,
    GroupInvitation,
    GroupSeat,
    GroupSession,
    InvitationStatus,
    Outcome,
    Status,
)
from lms.notifications.models import Notification
from pathways import actions as pathway_actions
from pathways.models import CheckpointPassage
from tests.coaching.session_helpers import events
from tests.factories.accounts import coach, learner
from tests.factories.pathways import build_pathway, module, modules_of, point

pytestmark = pytest.mark.django_db


def soon(days=3):
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


@pytest.fixture
def lozere_coach():
    return coach(departements=["48"], modalities=["video", "phone", "in_person"], capacity=5)


def lozere_learner(name="Léa"):
    return learner(departement="48", area_type="rural", user__first_name=name)


def new_session(actor, **fields):
    values = {
        "title": "Tester son idée auprès de futurs usagers",
        "starts_at": soon(),
        "duration_minutes": 90,
        "modality": "remote",
        "seats": 3,
    }
    values.update(fields)
    return actions.create_group_session(actor=actor, **values)


def started(session, minutes_ago=30):
    """Move a session's start into the past (nobody creates one there)."""
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    session.refresh_from_db()
    return session


def gate_pathway(group=True):
    return build_pathway(
        [
            module(1),
            point(title="Valider son besoin", trigger="gate", group=group),
            module(1),
        ]
    )


def at_gate(person, pathway, capture):
    pathway_actions.enroll(person, pathway)
    first = modules_of(pathway)[0]
    with capture(execute=True):
        for step_id in first.step_ids:
            pathway_actions.complete_step(person, first, step_id)
    return CheckpointPassage.objects.get(learner=person, pathway=pathway)


# --- Creating and registering ---------------------------------------------------------


def test_a_session_is_created_with_one_row_per_seat_and_a_video_room(lozere_coach):
    session = new_session(lozere_coach, seats=4)

    assert list(session.seat_rows.values_list("number", "learner")) == [
        (1, None),
        (2, None),
        (3, None),
        (4, None),
    ]
    assert session.video_room and session.video_link in session.location
    assert list(session.structures.all()) == [lozere_coach.coach_profile.structure]


def test_a_session_in_the_past_is_refused(lozere_coach):
    with pytest.raises(CoachingError, match="déjà passée"):
        new_session(lozere_coach, starts_at=timezone.now() - timedelta(hours=1))


def test_registering_takes_a_seat_and_sends_the_calendar_file(lozere_coach):
    session = new_session(lozere_coach)
    person = lozere_learner()

    invitation = actions.register_for_group_session(session, person)

    assert invitation.status == InvitationStatus.REGISTERED
    assert GroupSeat.objects.get(session=session, learner=person).number == 1
    message = Notification.objects.get(recipient=person, kind="group_registered")
    assert session.title in message.subject
    calendar = events(message.ics)[f"{session.uid}@balise"]
    assert str(calendar["status"]) == "CONFIRMED"


def test_registering_twice_is_refused_with_a_clear_message(lozere_coach):
    session = new_session(lozere_coach)
    person = lozere_learner()
    actions.register_for_group_session(session, person)

    with pytest.raises(CoachingError, match="déjà inscrit·e"):
        actions.register_for_group_session(session, person)
    assert GroupSeat.objects.filter(learner=person).count() == 1


def test_never_more_registrants_than_seats(lozere_coach):
    session = new_session(lozere_coach, seats=2)
    first, second, third = (lozere_learner(n) for n in ("Ana", "Bruno", "Chloé"))
    actions.register_for_group_session(session, first)
    actions.register_for_group_session(session, second)

    with pytest.raises(CoachingError, match="complète"):
        actions.register_for_group_session(session, third)
    assert GroupSeat.objects.filter(session=session, learner__isnull=False).count() == 2
    assert not GroupSeat.objects.filter(learner=third).exists()


def test_a_full_session_with_a_waiting_list_gives_a_freed_seat_to_the_first_waiting(
    lozere_coach,
):
    session = new_session(lozere_coach, seats=2, waiting_list=True)
    first, second, third = (lozere_learner(n) for n in ("Ana", "Bruno", "Chloé"))
    actions.register_for_group_session(session, first)
    actions.register_for_group_session(session, second)

    waiting = actions.register_for_group_session(session, third)
    assert waiting.status == InvitationStatus.WAITING
    assert not Notification.objects.filter(recipient=third, kind="group_registered").exists()

    actions.unregister_from_group_session(session, first)

    assert GroupSeat.objects.filter(session=session, learner=third).exists()
    assert GroupInvitation.objects.get(learner=third).status == InvitationStatus.REGISTERED
    told = Notification.objects.get(recipient=third, kind="group_registered")
    assert "liste d'attente" in told.body_text


def test_an_in_person_session_is_closed_to_other_departements_a_remote_one_is_not(
    lozere_coach,
):
    from_gard = learner(departement="30")
    in_person = new_session(
        lozere_coach, modality="in_person", place="Mairie de Florac", departements=["48"]
    )
    with pytest.raises(CoachingError, match="présentiel"):
        actions.register_for_group_session(in_person, from_gard)

    remote = new_session(lozere_coach, departements=["48"])
    assert actions.register_for_group_session(remote, from_gard).status == "registered"


def test_registering_to_a_cancelled_or_started_session_is_refused(lozere_coach):
    cancelled = new_session(lozere_coach)
    actions.cancel_group_session(lozere_coach, cancelled, reason="Formatrice malade")
    with pytest.raises(CoachingError, match="annulée"):
        actions.register_for_group_session(cancelled, lozere_learner())

    begun = started(new_session(lozere_coach))
    with pytest.raises(CoachingError, match="commencé"):
        actions.register_for_group_session(begun, lozere_learner("Bruno"))


# --- Invitations ------------------------------------------------------------------------


def test_invited_learners_are_told_once_and_may_decline(lozere_coach):
    session = new_session(lozere_coach)
    ana, bruno = lozere_learner("Ana"), lozere_learner("Bruno")

    assert actions.invite_to_group_session(lozere_coach, session, [ana, bruno]) == 2
    assert actions.invite_to_group_session(lozere_coach, session, [ana, bruno]) == 0
    assert Notification.objects.filter(kind="group_invited").count() == 2

    actions.decline_group_invitation(session, bruno)
    assert GroupInvitation.objects.get(learner=bruno).status == InvitationStatus.DECLINED


# --- Cancelling ---------------------------------------------------------------------------


def test_cancelling_tells_everyone_and_cancels_the_calendar_nothing_lost(lozere_coach):
    session = new_session(lozere_coach, seats=2, waiting_list=True)
    ana, bruno, chloe, dan = (lozere_learner(n) for n in ("Ana", "Bruno", "Chloé", "Dan"))
    actions.invite_to_group_session(lozere_coach, session, [dan])
    for person in (ana, bruno, chloe):
        actions.register_for_group_session(session, person)

    told = actions.cancel_group_session(lozere_coach, session, reason="Route fermée (neige)")

    assert told == 4
    session.refresh_from_db()
    assert session.is_cancelled and session.sequence == 1
    notice = Notification.objects.get(recipient=ana, kind="group_cancelled")
    assert "Route fermée (neige)" in notice.body_text
    cancel = events(notice.ics)[f"{session.uid}@balise"]
    assert str(cancel["status"]) == "CANCELLED" and cancel["sequence"] == 1
    assert "METHOD:CANCEL" in notice.ics
    assert Notification.objects.get(recipient=dan, kind="group_cancelled").ics == ""
    # Seats keep who had them: the list still shows who was registered.
    assert GroupSeat.objects.filter(session=session, learner__isnull=False).count() == 2
    with pytest.raises(CoachingError, match="déjà annulée"):
        actions.cancel_group_session(lozere_coach, session, reason="encore")


# --- Attendance meets the point -------------------------------------------------------------


def test_attending_a_group_session_at_a_group_point_opens_the_gate_and_closes_the_request(
    lozere_coach, django_capture_on_commit_callbacks
):
    pathway = gate_pathway()
    person = lozere_learner()
    passage = at_gate(person, pathway, django_capture_on_commit_callbacks)
    request = CoachingRequest.objects.get(learner=person)
    assert request.releases_gate and passage.released_at is None

    session = new_session(lozere_coach, pathway=pathway, point_id=passage.point_id)
    actions.register_for_group_session(session, person)
    started(session)
    seat = GroupSeat.objects.get(session=session, learner=person)

    assert actions.record_group_attendance(lozere_coach, seat, "held") is True

    passage.refresh_from_db()
    request.refresh_from_db()
    assert passage.released_at is not None
    assert request.status == Status.DONE and request.outcome == Outcome.GROUP
    assert session.title in request.summary


def test_an_absent_learner_keeps_the_gate_and_the_request(
    lozere_coach, django_capture_on_commit_callbacks
):
    pathway = gate_pathway()
    person = lozere_learner()
    passage = at_gate(person, pathway, django_capture_on_commit_callbacks)
    session = new_session(lozere_coach, pathway=pathway, point_id=passage.point_id)
    actions.register_for_group_session(session, person)
    started(session)

    met = actions.record_group_attendance(
        lozere_coach, GroupSeat.objects.get(learner=person), "no_show"
    )

    assert met is False
    passage.refresh_from_db()
    assert passage.released_at is None
    assert CoachingRequest.objects.get(learner=person).status == Status.OPEN


def test_a_learner_who_asked_to_keep_their_request_keeps_it_but_passes_the_gate(
    lozere_coach, django_capture_on_commit_callbacks
):
    pathway = gate_pathway()
    person = lozere_learner()
    passage = at_gate(person, pathway, django_capture_on_commit_callbacks)
    session = new_session(lozere_coach, pathway=pathway, point_id=passage.point_id)
    actions.register_for_group_session(session, person)
    actions.keep_individual_request(session, person, True)
    started(session)

    actions.record_group_attendance(lozere_coach, GroupSeat.objects.get(learner=person), "held")

    passage.refresh_from_db()
    assert passage.released_at is not None
    assert CoachingRequest.objects.get(learner=person).status == Status.OPEN


def test_a_point_that_may_not_be_met_in_a_group_stays_closed(
    lozere_coach, django_capture_on_commit_callbacks
):
    pathway = gate_pathway(group=False)
    person = lozere_learner()
    passage = at_gate(person, pathway, django_capture_on_commit_callbacks)
    session = new_session(lozere_coach, pathway=pathway, point_id=passage.point_id)
    actions.register_for_group_session(session, person)
    started(session)

    assert not actions.record_group_attendance(
        lozere_coach, GroupSeat.objects.get(learner=person), "held"
    )
    passage.refresh_from_db()
    assert passage.released_at is None


def test_attendance_waits_for_the_start(lozere_coach):
    session = new_session(lozere_coach)
    person = lozere_learner()
    actions.register_for_group_session(session, person)

    with pytest.raises(CoachingError, match="heure de début"):
        actions.record_group_attendance(lozere_coach, GroupSeat.objects.get(learner=person), "held")


# --- The brief --------------------------------------------------------------------------------


def test_the_brief_reaches_every_registrant_present_or_not(lozere_coach):
    session = new_session(lozere_coach)
    here, away = lozere_learner("Ana"), lozere_learner("Bruno")
    for person in (here, away):
        actions.register_for_group_session(session, person)
    started(session)
    actions.record_group_attendance(lozere_coach, GroupSeat.objects.get(learner=here), "held")
    actions.record_group_attendance(lozere_coach, GroupSeat.objects.get(learner=away), "no_show")
    mail.outbox.clear()

    actions.post_group_brief(lozere_coach, session, text="Trois usagers à rencontrer.")
    actions.post_group_brief(lozere_coach, session, text="Trois usagers à rencontrer, corrigé.")

    session.refresh_from_db()
    assert session.brief.endswith("corrigé.") and session.brief_posted_at
    assert Notification.objects.filter(kind="group_brief").count() == 2
    assert "pas pu venir" in Notification.objects.get(recipient=away, kind="group_brief").body_text
