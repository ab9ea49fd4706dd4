"""Coaches' free slots: their weekly rules expanded (dateutil's rrule), minus their
exceptions and absence, French public holidays (unless a rule opts in), and every active
session of theirs that overlaps.

Times: rules are wall-clock times of the site's time zone (Europe/Paris); each slot is
an aware moment, so 18:00 stays 18:00 on both sides of a change of time. A wall time
the clocks skip (spring forward) gives no slot; one they show twice gives the first.

``free_slots`` is the rule, with no database; ``load_free_slots`` reads what it needs
in three queries whatever the number of coaches, rules or sessions.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.rrule import WEEKLY, rrule
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from lms.accounts.models import CoachProfile, Modality

from .models import (
    ACTIVE_SESSION_STATUSES,
    AvailabilityException,
    AvailabilityRule,
    CoachingRequest,
    CoachingSession,
    GroupSession,
    GroupStatus,
)
from .routing import coach_profiles, may_claim, open_loads

EVENING_FROM = time(18, 0)
# Sessions start at most this long before a slot they could overlap (the longest proposal).
LONGEST_SESSION = timedelta(hours=12)


@dataclass(frozen=True)
class Slot:
    coach_id: int
    rule_id: int
    starts_at: datetime  # aware
    minutes: int
    modality: str
    place: str

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(site_zone())

    @property
    def is_evening(self) -> bool:
        return self.local_start.time() >= EVENING_FROM

    @property
    def is_weekend(self) -> bool:
        return self.local_start.weekday() >= 5

    @property
    def value(self) -> str:
        """What a booking form sends: the coach and the moment, in UTC."""
        return f"{self.coach_id}:{self.starts_at.astimezone(UTC):%Y%m%dT%H%M}"


def parse_slot_value(value: str) -> tuple[int, datetime] | None:
    """The coach id and moment a booking form sent, or None when it is not one of ours."""
    coach, _, moment = (value or "").partition(":")
    try:
        return int(coach), datetime.strptime(moment, "%Y%m%dT%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None


def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=16)
def french_holidays(year: int):
    return holidays.France(years=year)


def is_public_holiday(day: date) -> bool:
    return day in french_holidays(day.year)


def wall_moment(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The moment the clocks of ``zone`` show ``wall`` (the first one when they show it
    twice), or None when they skip it."""
    aware = wall.replace(tzinfo=zone, fold=0)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return aware


def occurrences(
    rule: AvailabilityRule, first_day: date, last_day: date, zone: ZoneInfo | None = None
) -> Iterator[Slot]:
    """Every slot ``rule`` opens between ``first_day`` and ``last_day`` (both included)."""
    zone = zone or site_zone()
    start = max(rule.valid_from, first_day)
    end = min(rule.valid_until or last_day, last_day)
    weekdays = sorted({int(day) for day in rule.weekdays if 0 <= int(day) <= 6})
    if end < start or not weekdays or rule.end_time <= rule.start_time:
        return
    length = timedelta(minutes=rule.slot_minutes)
    days = rrule(
        WEEKLY,
        byweekday=weekdays,
        dtstart=datetime.combine(start, time()),
        until=datetime.combine(end, time()),
    )
    for day in days:
        if not rule.on_public_holidays and is_public_holiday(day.date()):
            continue
        wall = datetime.combine(day.date(), rule.start_time)
        closing = datetime.combine(day.date(), rule.end_time)
        while wall + length <= closing:
            moment = wall_moment(wall, zone)
            if moment is not None:
                yield Slot(
                    coach_id=rule.coach_id,
                    rule_id=rule.pk,
                    starts_at=moment,
                    minutes=rule.slot_minutes,
                    modality=rule.modality,
                    place=rule.place,
                )
            wall += length


def free_slots(
    rules: Iterable[AvailabilityRule],
    *,
    exceptions: Iterable[tuple[int, date, date]] = (),
    busy: Iterable[tuple[int, datetime, datetime]] = (),
    absent_until: dict[int, date | None] | None = None,
    modalities: dict[int, set[str]] | None = None,
    earliest: datetime,
    last_day: date,
) -> list[Slot]:
    """The slots of ``rules`` that start from ``earliest`` up to ``last_day``, on no day of
    an exception ``(coach_id, first, last)`` or of the coach's absence, overlapping no
    ``busy`` interval ``(coach_id, start, end)`` of the same coach, in a modality the coach
    may offer here (``modalities``, when given); by time then coach, one per coach and
    moment."""
    zone = site_zone()
    off: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for coach_id, first, last in exceptions:
        off[coach_id].append((first, last))
    taken: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for coach_id, start, end in busy:
        taken[coach_id].append((start, end))
    absent_until = absent_until or {}
    first_day = earliest.astimezone(zone).date()
    found: dict[tuple[int, datetime], Slot] = {}
    for rule in rules:
        allowed = modalities.get(rule.coach_id, set()) if modalities is not None else None
        if allowed is not None and rule.modality not in allowed:
            continue
        away = absent_until.get(rule.coach_id)
        for slot in occurrences(rule, first_day, last_day, zone):
            day = slot.local_start.date()
            if slot.starts_at < earliest or (away is not None and day <= away):
                continue
            if any(first <= day <= last for first, last in off[slot.coach_id]):
                continue
            if any(s < slot.ends_at and slot.starts_at < e for s, e in taken[slot.coach_id]):
                continue
            found.setdefault((slot.coach_id, slot.starts_at), slot)
    return sorted(found.values(), key=lambda s: (s.starts_at, s.coach_id))


def booking_window(now: datetime | None = None) -> tuple[datetime, date]:
    """From when and up to which day learners book: ``COACHING_BOOKING_NOTICE_HOURS`` from
    now, for ``COACHING_BOOKING_WEEKS`` weeks."""
    now = now or timezone.now()
    earliest = now + timedelta(hours=settings.COACHING_BOOKING_NOTICE_HOURS)
    last_day = now.astimezone(site_zone()).date() + timedelta(weeks=settings.COACHING_BOOKING_WEEKS)
    return earliest, last_day


def modalities_for(profile: CoachProfile, request: CoachingRequest) -> set[str]:
    """What ``profile`` may offer ``request``'s learner: what they offer, by video or phone
    only when the request is not of a département they cover (the network queue), and
    never in person for a structure that meets remotely only."""
    offered = set(profile.modalities)
    if profile.structure.remote_only:
        offered.discard(Modality.IN_PERSON)
    if request.departement not in profile.departements:
        offered &= {Modality.VIDEO, Modality.PHONE}
    return offered


def load_free_slots(
    profiles: list[CoachProfile],
    request: CoachingRequest,
    *,
    now: datetime | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[Slot]:
    """The free slots of ``profiles`` (structures loaded) for ``request``'s learner, in the
    booking window (or between ``first_day`` and ``last_day``): four queries (the group
    sessions a coach leads are busy time too)."""
    if not profiles:
        return []
    earliest, window_end = booking_window(now)
    last_day = last_day or window_end
    start_day = first_day or earliest.astimezone(site_zone()).date()
    coach_ids = [profile.user_id for profile in profiles]
    rules = AvailabilityRule.objects.filter(
        coach_id__in=coach_ids, valid_from__lte=last_day
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start_day))
    exceptions = AvailabilityException.objects.filter(
        coach_id__in=coach_ids, ends_on__gte=start_day, starts_on__lte=last_day
    ).values_list("coach_id", "starts_on", "ends_on")
    zone = site_zone()
    window_start = datetime.combine(start_day, time(), tzinfo=zone) - LONGEST_SESSION
    window_stop = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=zone)
    busy = [
        (coach_id, start, start + timedelta(minutes=minutes))
        for coach_id, start, minutes in CoachingSession.objects.filter(
            coach_id__in=coach_ids,
            status__in=ACTIVE_SESSION_STATUSES,
            starts_at__gte=window_start,
            starts_at__lt=window_stop,
        ).values_list("coach_id", "starts_at", "duration_minutes")
    ]
    # The group sessions they lead take their time too.
    busy += [
        (coach_id, start, start + timedelta(minutes=minutes))
        for coach_id, start, minutes in GroupSession.objects.filter(
            coach_id__in=coach_ids,
            status=GroupStatus.SCHEDULED,
            starts_at__gte=window_start,
            starts_at__lt=window_stop,
        ).values_list("coach_id", "starts_at", "duration_minutes")
    ]
    if first_day is not None:
        earliest = max(earliest, datetime.combine(first_day, time(), tzinfo=zone))
    return free_slots(
        list(rules),
        exceptions=list(exceptions),
        busy=busy,
        absent_until={profile.user_id: profile.absent_until for profile in profiles},
        modalities={profile.user_id: modalities_for(profile, request) for profile in profiles},
        earliest=earliest,
        last_day=last_day,
    )


def bookable_profiles(request: CoachingRequest) -> list[CoachProfile]:
    """The coaches whose slots ``request``'s learner may book, structures loaded: the coach
    who holds it; else those who may claim it (routing's rule: the départements they
    cover, the network queue for remote work, an active structure) and have room left,
    the most room first.
    An absent coach stays, with no slot before their return. Two queries at most."""
    if request.coach_id:
        return list(
            CoachProfile.objects.filter(user_id=request.coach_id).select_related(
                "user", "structure"
            )
        )
    candidates = [profile for profile in coach_profiles() if may_claim(profile, request)]
    loads = open_loads([profile.user_id for profile in candidates]) if candidates else {}
    with_room = [p for p in candidates if loads.get(p.user_id, 0) < p.capacity]
    # The most room first, as routing ranks them: the page offers each time once, with them.
    with_room.sort(key=lambda p: (loads.get(p.user_id, 0) - p.capacity, p.user_id))
    return with_room
