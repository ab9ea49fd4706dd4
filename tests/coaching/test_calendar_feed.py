"""A coach's private calendar feed: a secret URL calendars subscribe to, revocable; moves
and cancellations show with the e-mailed files' UID and SEQUENCE."""

from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from lms.coaching import actions
from lms.coaching.models import CalendarFeed
from tests.coaching.session_helpers import claimed_request, events, in_days, past_session, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(lyon_learner, rhone_coach):
    return claimed_request(lyon_learner, rhone_coach)


def open_feed(client, coach) -> str:
    client.force_login(coach)
    client.post(reverse("coaching:agenda_feed_token"), {"action": "open"})
    return reverse("coaching:agenda_feed", args=[CalendarFeed.objects.get(coach=coach).token])


def test_the_coach_creates_the_link_and_a_calendar_reads_it_without_login(
    client, request_, rhone_coach
):
    session = propose(rhone_coach, request_, accept=True)
    url = open_feed(client, rhone_coach)
    assert url in client.get(reverse("coaching:agenda")).content.decode()
    client.logout()

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    text = response.content.decode()
    calendar = Calendar.from_ical(text)
    assert "method" not in calendar and calendar.get_missing_tzids() == set()
    event = events(text)[f"{session.uid}@balise"]
    assert event["sequence"] == session.sequence and str(event["status"]) == "CONFIRMED"
    learner = request_.learner
    assert str(event["summary"]) == f"Balise : {learner.first_name} {learner.last_name[0].upper()}."
    assert learner.email not in text and learner.last_name not in text


def test_a_move_by_the_learner_shows_in_the_subscribed_calendar(client, request_, rhone_coach):
    """The issue's journey: the coach marks a session held from the agenda, the learner
    moves the next one, the coach's calendar shows the change."""
    held = past_session(rhone_coach, request_, days_ago=2)
    upcoming = propose(rhone_coach, request_, accept=True)
    url = open_feed(client, rhone_coach)
    client.post(reverse("coaching:attendance", args=[held.pk]), {"attendance": "held"})
    before = events(client.get(url).content.decode())[f"{upcoming.uid}@balise"]

    client.force_login(request_.learner)
    new_time = in_days(6, hour=16)
    client.post(
        reverse("coaching:move_session", args=[upcoming.pk]),
        {"date": f"{new_time:%Y-%m-%d}", "time": "16:00", "reason": "Un rendez-vous Pôle emploi"},
    )
    client.logout()
    after = events(client.get(url).content.decode())

    moved = after[f"{upcoming.uid}@balise"]
    assert moved["dtstart"].dt == new_time != before["dtstart"].dt
    assert moved["sequence"] == before["sequence"] + 1
    assert f"{held.uid}@balise" in after  # the past 30 days stay


def test_a_cancelled_session_stays_as_cancelled_and_old_ones_leave(client, request_, rhone_coach):
    session = propose(rhone_coach, request_)
    old = past_session(rhone_coach, request_, days_ago=31)
    actions.cancel_session(request_.learner, session, reason="Empêchement")
    url = open_feed(client, rhone_coach)
    found = events(client.get(url).content.decode())

    assert str(found[f"{session.uid}@balise"]["status"]) == "CANCELLED"
    assert found[f"{session.uid}@balise"]["sequence"] == 1
    assert f"{old.uid}@balise" not in found


def test_renewing_the_link_revokes_the_old_one(client, rhone_coach):
    old_url = open_feed(client, rhone_coach)
    client.post(reverse("coaching:agenda_feed_token"), {"action": "renew"})
    new_url = reverse(
        "coaching:agenda_feed", args=[CalendarFeed.objects.get(coach=rhone_coach).token]
    )
    client.logout()

    assert new_url != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_a_revoked_link_is_a_404_and_the_agenda_offers_a_new_one(client, rhone_coach):
    url = open_feed(client, rhone_coach)
    response = client.post(reverse("coaching:agenda_feed_token"), {"action": "revoke"}, follow=True)
    page = response.content.decode()
    assert "Le lien de votre agenda est désactivé" in page
    assert "Créer le lien de mon agenda" in page
    assert client.get(url).status_code == 404
    assert client.get(reverse("coaching:agenda_feed", args=["pas-un-jeton"])).status_code == 404


def test_each_coach_reads_only_their_own_sessions(client, request_, rhone_coach, remote_coach):
    session = propose(rhone_coach, request_)
    url = open_feed(client, remote_coach)
    assert f"{session.uid}@balise" not in events(client.get(url).content.decode())


def test_only_coaches_open_a_feed(client, lyon_learner):
    client.force_login(lyon_learner)
    assert client.post(reverse("coaching:agenda_feed_token"), {"action": "open"}).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_the_feed_reads_a_constant_number_of_queries(
    client, request_, rhone_coach, django_assert_max_num_queries
):
    for day in range(1, 8):
        propose(rhone_coach, request_, starts_at=in_days(day) + timedelta(hours=day % 3))
    url = open_feed(client, rhone_coach)
    client.logout()
    with django_assert_max_num_queries(3):
        client.get(url)
