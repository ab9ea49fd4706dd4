"""Calendar files of coaching sessions, read back as a calendar client would (RFC 5545)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from lms.coaching import actions
from lms.notifications.models import Notification
from tests.factories.pathways import build_pathway

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(lyon_learner, rhone_coach):
    request = actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Aide", "ici")
    actions.claim_request(rhone_coach, request.pk)
    request.refresh_from_db()
    return request


def propose(coach, request):
    starts_at = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    return actions.propose_session(
        coach,
        request,
        starts_at=starts_at,
        duration_minutes=60,
        modality="in_person",
        location="12 rue de la Coopération",
    )


def parse(text):
    calendar = Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def assert_local_time_with_its_timezone(calendar, event, session):
    """DTSTART names Europe/Paris, the calendar defines it, and it is the session's time."""
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert calendar.get_missing_tzids() == set()
    assert event["dtstart"].dt == session.starts_at
    assert event["dtend"].dt - event["dtstart"].dt == timedelta(minutes=60)


def test_emailed_and_downloaded_invites_are_the_same_valid_calendar(client, claimed, rhone_coach):
    session = propose(rhone_coach, claimed)
    emailed = Notification.objects.get(kind="session_proposed").ics
    client.force_login(claimed.learner)
    downloaded = client.get(reverse("coaching:session_ics", args=[session.pk])).content.decode()

    for text in (emailed, downloaded):
        calendar, event = parse(text)
        assert str(calendar["method"]) == "REQUEST"
        assert str(event["uid"]) == f"{session.uid}@balise"
        assert event["sequence"] == 0
        assert_local_time_with_its_timezone(calendar, event, session)


def test_every_change_bumps_the_sequence_and_a_cancellation_cancels(client, claimed, rhone_coach):
    session = propose(rhone_coach, claimed)
    invited = parse(Notification.objects.get(kind="session_proposed").ics)[1]
    actions.answer_session(claimed.learner, session, "accept")
    client.force_login(claimed.learner)
    accepted_calendar, accepted = parse(
        client.get(reverse("coaching:session_ics", args=[session.pk])).content.decode()
    )
    actions.hand_back(rhone_coach, claimed)
    cancel_calendar, cancelled = parse(Notification.objects.get(kind="session_cancelled").ics)

    assert invited["sequence"] < accepted["sequence"] < cancelled["sequence"]
    assert str(invited["uid"]) == str(accepted["uid"]) == str(cancelled["uid"])
    assert str(accepted["status"]) == "CONFIRMED"
    assert str(cancel_calendar["method"]) == "CANCEL"
    assert str(cancelled["status"]) == "CANCELLED"
    assert_local_time_with_its_timezone(cancel_calendar, cancelled, session)


# --- The generator alone, on plain objects ------------------------------------------------------


def fake_session(status="proposed", starts_at=None, sequence=0):
    from datetime import datetime
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    starts_at = starts_at or datetime(2026, 6, 15, 18, 30, tzinfo=ZoneInfo("Europe/Paris"))
    coach = SimpleNamespace(
        get_full_name=lambda: "Inès Martin", display_name="inès", email="ines@balise.test"
    )
    return SimpleNamespace(
        uid="7c1f", sequence=sequence, status=status, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45), location="Tiers-lieu de Mende",
        get_modality_display=lambda: "En présentiel", coach=coach,
        request=SimpleNamespace(learner=SimpleNamespace(email="camille@balise.test")),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "method", "event_status", "partstat"),
    [
        ("proposed", "REQUEST", "TENTATIVE", "NEEDS-ACTION"),
        ("accepted", "REQUEST", "CONFIRMED", "ACCEPTED"),
        ("declined", "CANCEL", "CANCELLED", "DECLINED"),
        ("reschedule", "CANCEL", "CANCELLED", "NEEDS-ACTION"),
        ("cancelled", "CANCEL", "CANCELLED", "NEEDS-ACTION"),
    ],
)
def test_each_status_gives_its_method_and_statuses(status, method, event_status, partstat):
    from lms.coaching.ics import session_calendar

    calendar, event = parse(session_calendar(fake_session(status, sequence=3)))
    assert str(calendar["method"]) == method and str(event["status"]) == event_status
    assert event["attendee"].params["PARTSTAT"] == partstat
    assert event["sequence"] == 3 and str(event["uid"]) == "7c1f@balise"
    assert str(event["organizer"]) == "mailto:ines@balise.test"


def test_a_session_across_a_clock_change_keeps_its_local_time():
    """The night clocks go back (25 October 2026) and the spring-forward day: the VTIMEZONE
    holds both offsets, so every client shows 18:30 in Paris."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from lms.coaching.ics import session_calendar

    paris = ZoneInfo("Europe/Paris")
    for day in (
        datetime(2026, 10, 25, 18, 30, tzinfo=paris),
        datetime(2027, 3, 28, 18, 30, tzinfo=paris),
    ):
        calendar, event = parse(session_calendar(fake_session(starts_at=day)))
        (zone,) = calendar.walk("VTIMEZONE")
        assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
        assert event["dtstart"].dt == day and event["dtstart"].dt.hour == 18
        assert calendar.get_missing_tzids() == set()
        # The zone comes before the event that names it.
        assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT"]
