"""iCalendar files (RFC 5545 / iTIP RFC 5546) for coaching sessions.

One generator for the invitation e-mailed to the learner, the cancellation e-mailed when a
session is called off and the file downloaded from « Mon accompagnement »: the same UID
for a session's whole life, its ``sequence`` (bumped by every change of time, place or
status) as SEQUENCE, times in the site's time zone with its VTIMEZONE.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import SessionStatus

# A VTIMEZONE needs only the transitions around the event: a year either side.
_TIMEZONE_MARGIN = timedelta(days=366)

_STATUS = {
    SessionStatus.PROPOSED: "TENTATIVE",
    SessionStatus.ACCEPTED: "CONFIRMED",
}
_PARTSTAT = {
    SessionStatus.PROPOSED: "NEEDS-ACTION",
    SessionStatus.ACCEPTED: "ACCEPTED",
    SessionStatus.DECLINED: "DECLINED",
}


def _event(session, zone: ZoneInfo, cancelled: bool) -> Event:
    """The parts of a session's VEVENT that the e-mailed file and the coach's feed share:
    the same UID for its whole life, its SEQUENCE, its times in the site's zone."""
    event = Event()
    event.add("uid", f"{session.uid}@balise")
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(session.starts_at, zone))
    event.add("dtend", timezone.localtime(session.ends_at, zone))
    event.add("status", "CANCELLED" if cancelled else _STATUS[session.status])
    event.add("location", vText(session.location))
    if getattr(session, "modality", "") == "video" and session.location.startswith(
        ("https://", "http://")
    ):
        event.add("url", session.location)  # the video room: calendars show a join button
    return event


def _with_timezone(calendar: Calendar, first, last) -> str:
    calendar.add_missing_timezones(
        first_date=(first - _TIMEZONE_MARGIN).date(), last_date=(last + _TIMEZONE_MARGIN).date()
    )
    # Before the events that refer to it, where every calendar client looks for it.
    calendar.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    return calendar.to_ical().decode()


def session_calendar(session) -> str:
    """The session as an iCalendar text: METHOD:REQUEST while it is on, METHOD:CANCEL with
    STATUS:CANCELLED once it is not (cancelled, declined or to be rescheduled)."""
    cancelled = session.status not in _STATUS
    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//Balise//Accompagnement//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = _event(session, zone, cancelled)
    coach = session.coach
    coach_name = coach.get_full_name() or coach.display_name
    event.add("summary", f"Balise : rendez-vous avec {coach_name}")
    event.add(
        "description",
        f"{session.get_modality_display()} – {session.location}\n"
        f"Répondre dans Balise : {settings.SITE_URL}/accompagnement/",
    )
    organizer = vCalAddress(f"mailto:{coach.email}")
    organizer.params["cn"] = vText(coach_name)
    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{session.request.learner.email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText(_PARTSTAT.get(session.status, "NEEDS-ACTION"))
    event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return _with_timezone(
        calendar,
        timezone.localtime(session.starts_at, zone),
        timezone.localtime(session.ends_at, zone),
    )


def learner_short_name(learner) -> str:
    """« Camille D. »: what a coach's calendar shows of a learner (first name and initial)."""
    first = learner.first_name or learner.display_name
    initial = f" {learner.last_name[:1].upper()}." if learner.last_name else ""
    return f"{first}{initial}"


def feed_calendar(sessions, name: str) -> str:
    """A coach's subscribed calendar: each session with the UID and SEQUENCE of its e-mailed
    files, the ones no longer on as STATUS:CANCELLED (a client that had it drops it), and
    of the learner only a first name and initial. No METHOD: a published feed, not an
    invitation."""
    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//Balise//Agenda accompagnement//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    first = last = timezone.localtime(timezone.now(), zone)
    for session in sessions:
        event = _event(session, zone, session.status not in _STATUS)
        event.add("summary", f"Balise : {learner_short_name(session.request.learner)}")
        event.add(
            "description",
            f"{session.get_modality_display()} – {session.location}\n"
            f"{settings.SITE_URL}{reverse('coaching:request', args=[session.request_id])}",
        )
        calendar.add_component(event)
        first = min(first, timezone.localtime(session.starts_at, zone))
        last = max(last, timezone.localtime(session.ends_at, zone))
    return _with_timezone(calendar, first, last)


def group_calendar(session, learner) -> str:
    """A group session as ``learner``'s invitation: METHOD:REQUEST while it is on,
    METHOD:CANCEL once cancelled. One UID for the session's whole life (everyone shares
    it), its SEQUENCE bumped by each change; only this learner as attendee."""
    cancelled = session.status != "scheduled"
    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//Balise//Accompagnement//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"{session.uid}@balise")
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(session.starts_at, zone))
    event.add("dtend", timezone.localtime(session.ends_at, zone))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", f"Balise : {session.title}")
    event.add("location", vText(session.location))
    if session.video_link.startswith(("https://", "http://")):
        event.add("url", session.video_link)
    event.add(
        "description",
        f"Séance collective – {session.get_modality_display()} – {session.location}\n"
        f"Dans Balise : {settings.SITE_URL}/accompagnement/",
    )
    coach = session.coach
    organizer = vCalAddress(f"mailto:{coach.email}")
    organizer.params["cn"] = vText(coach.get_full_name() or coach.display_name)
    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{learner.email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
    event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return _with_timezone(
        calendar,
        timezone.localtime(session.starts_at, zone),
        timezone.localtime(session.ends_at, zone),
    )
