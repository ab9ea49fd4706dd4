"""The coach's agenda: a week of sessions (Europe/Paris), and the free slots beside them.

Reads with a constant number of queries whatever the week holds: the sessions with their
learners in one query, the calendar feed in another.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from lms.accounts.models import User

from .models import CalendarFeed, CoachingSession


@dataclass(frozen=True)
class FreeSlot:
    """A time the coach offers for booking (from the availability rules, when they land)."""

    starts_at: datetime
    ends_at: datetime


@dataclass
class Day:
    day: date
    sessions: list[CoachingSession] = field(default_factory=list)
    free_slots: list[FreeSlot] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


@dataclass
class Week:
    monday: date
    days: list[Day]
    feed: CalendarFeed | None

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def is_empty(self) -> bool:
        return not any(day.sessions or day.free_slots for day in self.days)


def monday_of(value: str | None) -> date:
    """The Monday of the week holding ``value`` (``YYYY-MM-DD``), else of this week."""
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def free_slots(coach: User, starts: datetime, ends: datetime) -> list[FreeSlot]:
    """The coach's bookable free slots between ``starts`` and ``ends``.

    Extension point for the availability rules (another piece of work): they will return
    the slots here, read in one query whatever the week holds; the agenda shows them
    beside the sessions. Until then there are none.
    """
    return []


def week_agenda(coach: User, monday: date) -> Week:
    """The coach's sessions of the week starting ``monday`` (every state, so that a
    cancelled one is seen as such), by day in the site's time zone, with their learners,
    and the coach's calendar feed."""
    starts, ends = _midnight(monday), _midnight(monday + timedelta(days=7))
    days = [Day(monday + timedelta(days=offset)) for offset in range(7)]
    sessions = (
        CoachingSession.objects.filter(coach=coach, starts_at__gte=starts, starts_at__lt=ends)
        .select_related("request__learner")
        .order_by("starts_at", "pk")
    )
    for session in sessions:
        days[(timezone.localdate(session.starts_at) - monday).days].sessions.append(session)
    for slot in free_slots(coach, starts, ends):
        days[(timezone.localdate(slot.starts_at) - monday).days].free_slots.append(slot)
    return Week(monday, days, CalendarFeed.objects.filter(coach=coach).first())


def feed_sessions(coach: User, now: datetime | None = None):
    """What the coach's subscribed calendar holds: their sessions from 30 days back on."""
    since = (now or timezone.now()) - timedelta(days=30)
    return (
        CoachingSession.objects.filter(coach=coach, starts_at__gte=since)
        .select_related("request__learner")
        .order_by("starts_at", "pk")
    )
