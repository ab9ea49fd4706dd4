"""iCalendar files (RFC 5545 / iTIP RFC 5546) for coaching sessions.

One generator for the invitation e-mailed to the learner, the cancellation e-mailed when a
session is called off and the file downloaded from « Mon accompagnement »: the same UID
for a session's whole life, its ``sequence`` (bumped by every change of time, place or
status) as SEQUENCE, times in the site's time zone with its VTIMEZONE.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
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


def session_calendar(session) -> str:
    """The session as an iCalendar text: METHOD:REQUEST while it is on, METHOD:CANCEL with
    STATUS:CANCELLED once it is not (cancelled, declined or to be rescheduled)."""
    cancelled = session.status not in _STATUS
    zone = ZoneInfo(settings.TIME_ZONE)
    starts_at = timezone.localtime(session.starts_at, zone)
    ends_at = timezone.localtime(session.ends_at, zone)

    calendar = Calendar()
    calendar.add("prodid", "-//Balise//Accompagnement//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"{session.uid}@balise")
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("status", "CANCELLED" if cancelled else _STATUS[session.status])
    coach = session.coach
    coach_name = coach.get_full_name() or coach.display_name
    event.add("summary", f"Balise : rendez-vous avec {coach_name}")
    event.add("location", vText(session.location))
    if getattr(session, "modality", "") == "video" and session.location.startswith(
        ("https://", "http://")
    ):
        event.add("url", session.location)  # the video room: calendars show a join button
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
    calendar.add_missing_timezones(
        first_date=(starts_at - _TIMEZONE_MARGIN).date(),
        last_date=(ends_at + _TIMEZONE_MARGIN).date(),
    )
    # Before the event that refers to it, where every calendar client looks for it.
    calendar.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    return calendar.to_ical().decode()
