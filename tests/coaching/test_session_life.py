"""Either side moves or cancels a session with a reason; the other is told with the calendar
file (one UID, SEQUENCE bumped, METHOD:CANCEL); a late cancellation is recorded as such."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import Attendance, SessionChange, SessionStatus, Status
from lms.notifications.models import Notification
from tests.coaching.session_helpers import claimed_request, in_days, parse, propose
from tests.factories.accounts import learner

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(lyon_learner, rhone_coach):
    return claimed_request(lyon_learner, rhone_coach)


def move(client, user, session, when, reason="Un empêchement", next_url=""):
    client.force_login(user)
    return client.post(
        reverse("coaching:move_session", args=[session.pk]),
        {"date": f"{when:%Y-%m-%d}", "time": f"{when:%H:%M}", "reason": reason, "next": next_url},
    )


def cancel(client, user, session, reason="Malade"):
    client.force_login(user)
    return client.post(reverse("coaching:cancel_session", args=[session.pk]), {"reason": reason})


def test_the_learner_moves_an_accepted_session_and_the_coach_gets_the_updated_invite(
    client, request_, rhone_coach
):
    session = propose(rhone_coach, request_, accept=True)
    new_time = in_days(5, hour=14)
    response = move(client, request_.learner, session, new_time, reason="Rendez-vous médical")

    assert response.status_code == 302 and response["Location"] == reverse("coaching:my_coaching")
    session.refresh_from_db()
    assert session.starts_at == new_time and session.status == SessionStatus.ACCEPTED
    told = Notification.objects.get(kind="session_moved")
    assert told.recipient == rhone_coach
    assert "Rendez-vous médical" in told.body_text
    calendar, event = parse(told.ics)
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == f"{session.uid}@balise"
    assert event["sequence"] == session.sequence == 2  # accepted (1), moved (2)
    assert event["dtstart"].dt == new_time
    change = SessionChange.objects.get(session=session)
    assert (change.kind, change.actor, change.reason) == (
        "moved",
        request_.learner,
        "Rendez-vous médical",
    )
    assert change.starts_at == new_time and change.previous_starts_at != new_time


def test_the_coach_moves_from_the_request_file_and_the_learner_is_told(
    client, request_, rhone_coach
):
    session = propose(rhone_coach, request_)
    file_url = reverse("coaching:request", args=[request_.pk])
    response = move(client, rhone_coach, session, in_days(4, hour=9), next_url=file_url)

    assert response["Location"] == file_url
    told = Notification.objects.get(kind="session_moved")
    assert told.recipient == request_.learner
    page = client.get(file_url).content.decode()
    assert "l’a déplacé du" in page and "Un empêchement" in page


def test_a_move_needs_a_reason_and_a_future_time_and_nothing_changes_otherwise(
    client, request_, rhone_coach
):
    session = propose(rhone_coach, request_)
    before = session.starts_at
    move(client, request_.learner, session, in_days(5), reason="  ")
    move(client, request_.learner, session, in_days(-1), reason="Plus tôt")
    response = client.get(reverse("coaching:my_coaching"))

    messages = [str(m) for m in response.context["messages"]]
    assert any("Donnez la raison" in m for m in messages)
    assert any("déjà passé" in m for m in messages)
    session.refresh_from_db()
    assert session.starts_at == before and session.sequence == 0
    assert not Notification.objects.filter(kind="session_moved").exists()


def test_a_move_onto_another_session_of_the_coach_is_refused(
    client, request_, rhone_coach, rural_learner
):
    other = claimed_request(learner(departement="69"), rhone_coach)
    taken = propose(rhone_coach, other, starts_at=in_days(6, hour=11))
    session = propose(rhone_coach, request_)
    move(client, request_.learner, session, taken.starts_at + timedelta(minutes=30))

    session.refresh_from_db()
    assert session.starts_at != taken.starts_at + timedelta(minutes=30)
    messages = [str(m) for m in client.get(reverse("coaching:my_coaching")).context["messages"]]
    assert any("déjà un rendez-vous" in m for m in messages)


def test_someone_else_cannot_move_or_cancel_a_session(client, request_, rhone_coach, rural_learner):
    session = propose(rhone_coach, request_)
    assert move(client, rural_learner, session, in_days(5)).status_code == 404
    assert cancel(client, rural_learner, session).status_code == 404
    session.refresh_from_db()
    assert session.status == SessionStatus.PROPOSED and session.sequence == 0


def test_the_coach_cancels_and_the_learner_gets_a_calendar_cancel(client, request_, rhone_coach):
    session = propose(rhone_coach, request_, accept=True)
    request_.refresh_from_db()
    assert request_.status == Status.SCHEDULED
    cancel(client, rhone_coach, session, reason="Formation imprévue")

    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and session.attendance == ""
    told = Notification.objects.get(kind="session_cancelled")
    assert told.recipient == request_.learner and "Formation imprévue" in told.body_text
    calendar, event = parse(told.ics)
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == f"{session.uid}@balise" and event["sequence"] == session.sequence
    request_.refresh_from_db()
    assert request_.status == Status.CLAIMED  # no session planned any more


def test_a_cancellation_within_24_hours_is_recorded_as_late(client, request_, rhone_coach):
    session = propose(
        rhone_coach,
        request_,
        starts_at=timezone.now().replace(microsecond=0) + timedelta(hours=5),
        accept=True,
    )
    response = cancel(client, request_.learner, session, reason="Panne de voiture")
    assert response.status_code == 302

    session.refresh_from_db()
    assert session.attendance == Attendance.LATE_CANCELLED
    change = SessionChange.objects.get(session=session)
    assert change.late and change.actor == request_.learner and change.reason == "Panne de voiture"
    told = Notification.objects.get(kind="session_cancelled")
    assert told.recipient == rhone_coach and "Annulation tardive" in told.body_text
    page = client.get(reverse("coaching:my_coaching")).content.decode()
    assert "annulation tardive" in page


def test_the_late_threshold_is_a_setting(settings, request_, rhone_coach):
    settings.BALISE_LATE_CANCELLATION_HOURS = 72
    session = propose(rhone_coach, request_, starts_at=in_days(2))
    actions.cancel_session(rhone_coach, session, reason="Congés")
    assert SessionChange.objects.get(session=session).late


def test_a_past_or_cancelled_session_cannot_be_cancelled_again(request_, rhone_coach):
    session = propose(rhone_coach, request_)
    actions.cancel_session(rhone_coach, session, reason="Congés")
    with pytest.raises(actions.CoachingError):
        actions.cancel_session(request_.learner, session, reason="Moi aussi")
    assert Notification.objects.filter(kind="session_cancelled").count() == 1


def test_the_learner_exports_the_changes_and_erasure_blanks_their_reasons(request_, rhone_coach):
    from lms.accounts.gdpr import anonymise_user, export_user_data

    session = propose(rhone_coach, request_)
    actions.move_session(
        request_.learner, session, starts_at=in_days(8), reason="Mon fils est malade"
    )
    data = export_user_data(request_.learner)
    [change] = data["coaching_requests"][0]["sessions"][0]["changes"]
    assert change["reason"] == "Mon fils est malade" and change["kind"] == "moved"

    anonymise_user(request_.learner)
    assert SessionChange.objects.get(session=session).reason == ""
