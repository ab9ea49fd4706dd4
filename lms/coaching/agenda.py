"""The coach's agenda: a week of sessions (Europe/Paris), and the free slots beside them.

Reads with a constant number of queries whatever the week holds: the sessions with their
learners in one query, the group sessions they lead in one, the coach's rules, days off and
absence in three, the calendar feed in another.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from lms.accounts.models import User

from . import availability
from .availability import Slot
from .models import (
    ACTIVE_SESSION_STATUSES,
    AvailabilityException,
    AvailabilityRule,
    CalendarFeed,
    CoachingSession,
    GroupSession,
    GroupStatus,
)


@dataclass
class Day:
    day: date
    sessions: list[CoachingSession] = field(default_factory=list)
    free_slots: list[Slot] = field(default_factory=list)
    group_sessions: list[GroupSession] = field(default_factory=list)

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
        return not any(day.sessions or day.free_slots or day.group_sessions for day in self.days)


def monday_of(value: str | None) -> date:
    """The Monday of the week holding ``value`` (``YYYY-MM-DD``), else of this week."""
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def free_slots(
    coach: User,
    starts: datetime,
    ends: datetime,
    sessions=(),
    now: datetime | None = None,
    group_sessions=(),
) -> list[Slot]:
    """The coach's slots still open to booking between ``starts`` and ``ends`` (from now
    on): their weekly rules less their days off, their absence, their active ``sessions``
    and the ``group_sessions`` they lead (those of the period, already read)."""
    earliest = max(starts, now or timezone.now())
    if earliest >= ends:
        return []
    first_day, last_day = timezone.localdate(starts), timezone.localdate(ends - timedelta(1))
    rules = AvailabilityRule.objects.filter(coach=coach, valid_from__lte=last_day).exclude(
        valid_until__lt=first_day
    )
    days_off = AvailabilityException.objects.filter(
        coach=coach, ends_on__gte=first_day, starts_on__lte=last_day
    ).values_list("coach_id", "starts_on", "ends_on")
    profile = getattr(coach, "coach_profile", None)
    busy = [
        (coach.pk, session.starts_at, session.ends_at)
        for session in sessions
        if session.status in ACTIVE_SESSION_STATUSES
    ]
    busy += [
        (coach.pk, group.starts_at, group.ends_at)
        for group in group_sessions
        if group.status == GroupStatus.SCHEDULED
    ]
    return availability.free_slots(
        list(rules),
        exceptions=list(days_off),
        busy=busy,
        absent_until={coach.pk: profile.absent_until if profile else None},
        earliest=earliest,
        last_day=last_day,
    )


def week_agenda(coach: User, monday: date) -> Week:
    """The coach's sessions of the week starting ``monday`` (every state, so that a
    cancelled one is seen as such), by day in the site's time zone, with their learners,
    the group sessions they lead, and the coach's calendar feed."""
    starts, ends = _midnight(monday), _midnight(monday + timedelta(days=7))
    days = [Day(monday + timedelta(days=offset)) for offset in range(7)]
    sessions = (
        CoachingSession.objects.filter(coach=coach, starts_at__gte=starts, starts_at__lt=ends)
        .select_related("request__learner")
        .order_by("starts_at", "pk")
    )
    sessions = list(sessions)
    for session in sessions:
        days[(timezone.localdate(session.starts_at) - monday).days].sessions.append(session)
    groups = list(
        GroupSession.objects.filter(coach=coach, starts_at__gte=starts, starts_at__lt=ends)
        .annotate(taken=Count("seat_rows", filter=Q(seat_rows__learner__isnull=False)))
        .order_by("starts_at", "pk")
    )
    for group in groups:
        days[(timezone.localdate(group.starts_at) - monday).days].group_sessions.append(group)
    for slot in free_slots(coach, starts, ends, sessions, group_sessions=groups):
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
