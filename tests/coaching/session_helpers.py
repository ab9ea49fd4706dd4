"""Sessions in every state, for the tests of a session's life, the agenda and the feed."""

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar

from lms.coaching import actions
from lms.coaching.models import CoachingSession, SessionStatus
from tests.factories.pathways import build_pathway


def claimed_request(learner, coach, pathway=None):
    request = actions.open_help_request(learner, pathway or build_pathway(["m:1"]), "Aide", "ici")
    actions.claim_request(coach, request.pk)
    request.refresh_from_db()
    return request


def in_days(days: float, hour: int = 10):
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def propose(coach, request, starts_at=None, accept=False, modality="video"):
    session = actions.propose_session(
        coach,
        request,
        starts_at=starts_at or in_days(3),
        duration_minutes=60,
        modality=modality,
        location="https://visio.example/salle",
    )
    if accept:
        actions.answer_session(request.learner, session, "accept")
        session.refresh_from_db()
    return session


def past_session(coach, request, days_ago=1, status=SessionStatus.ACCEPTED, **fields):
    """A session whose time has come (written directly: nobody proposes one in the past)."""
    return CoachingSession.objects.create(
        request=request,
        coach=coach,
        starts_at=in_days(-days_ago),
        duration_minutes=fields.pop("duration_minutes", 60),
        modality=fields.pop("modality", "in_person"),
        location="12 rue de la Coopération",
        status=status,
        **fields,
    )


def events(text: str) -> dict:
    """A calendar text's events by UID."""
    calendar = Calendar.from_ical(text)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def parse(text: str):
    calendar = Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return calendar, event
