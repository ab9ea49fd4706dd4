"""iCalendar invitations (RFC 5545) for coaching sessions."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText


def invite_for(session) -> str:
    """A METHOD:REQUEST calendar with one event; UID and SEQUENCE let calendars update it."""
    calendar = Calendar()
    calendar.add("prodid", "-//Balise//Accompagnement//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"{session.uid}@balise")
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    coach = session.coach
    event.add(
        "summary",
        f"Balise : rendez-vous avec {coach.get_full_name() or coach.display_name}",
    )
    event.add("location", vText(session.location))
    event.add(
        "description",
        f"{session.get_modality_display()} – {session.location}\n"
        f"Répondre dans Balise : {settings.SITE_URL}/accompagnement/",
    )
    organizer = vCalAddress(f"mailto:{coach.email}")
    organizer.params["cn"] = vText(coach.get_full_name() or coach.display_name)
    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{session.request.learner.email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical().decode()
