"""The coach records held / no-show / cancelled late in one click, from the agenda or the
request file; a correction keeps the first record in the session's history."""

import pytest
from django.urls import reverse

from lms.coaching import actions
from lms.coaching.models import Attendance, SessionChange, SessionStatus
from tests.coaching.session_helpers import claimed_request, past_session, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(lyon_learner, rhone_coach):
    return claimed_request(lyon_learner, rhone_coach)


def mark(client, user, session, value, next_url=""):
    client.force_login(user)
    return client.post(
        reverse("coaching:attendance", args=[session.pk]), {"attendance": value, "next": next_url}
    )


def test_the_coach_marks_a_past_session_held_from_the_agenda(client, request_, rhone_coach):
    session = past_session(rhone_coach, request_)
    agenda = reverse("coaching:agenda") + f"?semaine={session.starts_at:%Y-%m-%d}"
    client.force_login(rhone_coach)
    page = client.get(agenda).content.decode()
    assert 'name="attendance" value="held"' in page

    response = mark(client, rhone_coach, session, "held", next_url=agenda)

    assert response.status_code == 302 and response["Location"] == agenda
    session.refresh_from_db()
    assert session.attendance == Attendance.HELD
    page = client.get(agenda).content.decode()
    assert "« Tenu » noté" in page and 'aria-pressed="true"' in page


def test_a_correction_is_kept_in_the_history_of_the_request_file(client, request_, rhone_coach):
    session = past_session(rhone_coach, request_)
    mark(client, rhone_coach, session, "held")
    response = mark(client, rhone_coach, session, "no_show")

    assert response["Location"] == reverse("coaching:request", args=[request_.pk])
    session.refresh_from_db()
    assert session.attendance == Attendance.NO_SHOW
    changes = list(
        SessionChange.objects.filter(session=session).values_list(
            "previous_attendance", "attendance"
        )
    )
    assert changes == [("", "held"), ("held", "no_show")]
    page = client.get(response["Location"]).content.decode()
    assert "a corrigé la présence : Absence (au lieu de : Tenu)" in page


def test_held_on_a_session_never_answered_marks_it_accepted(request_, rhone_coach):
    session = past_session(rhone_coach, request_, status=SessionStatus.PROPOSED)
    actions.record_attendance(rhone_coach, session, Attendance.HELD)
    session.refresh_from_db()
    assert session.status == SessionStatus.ACCEPTED


def test_attendance_waits_for_the_session_time(client, request_, rhone_coach):
    session = propose(rhone_coach, request_)
    mark(client, rhone_coach, session, "held")
    session.refresh_from_db()
    assert session.attendance == ""
    messages = [str(m) for m in client.get(reverse("coaching:queue")).context["messages"]]
    assert any("une fois l'heure du rendez-vous venue" in m for m in messages)


def test_only_the_session_coach_records_attendance(client, request_, rhone_coach, remote_coach):
    session = past_session(rhone_coach, request_)
    assert mark(client, remote_coach, session, "held").status_code == 404
    assert mark(client, request_.learner, session, "held").status_code == 403
    session.refresh_from_db()
    assert session.attendance == ""


def test_a_declined_session_has_nothing_to_record(request_, rhone_coach):
    session = past_session(rhone_coach, request_, status=SessionStatus.DECLINED)
    with pytest.raises(actions.CoachingError):
        actions.record_attendance(rhone_coach, session, Attendance.NO_SHOW)


def test_an_unknown_choice_changes_nothing(client, request_, rhone_coach):
    session = past_session(rhone_coach, request_)
    mark(client, rhone_coach, session, "maybe")
    session.refresh_from_db()
    assert session.attendance == ""
