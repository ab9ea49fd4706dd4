"""Reminders of accepted sessions: the day before and two hours before (``SESSION_REMINDER_HOURS``).

Beat runs ``send_session_reminders`` every few minutes. Each session is reminded in its
own transaction: the ``SessionReminder`` rows (unique on session, offset and start time)
and the notifications (learner: e-mail and SMS per their preferences; coach: e-mail) are
written together, the session row locked. A run killed mid-batch leaves the sessions it
finished reminded and the others untouched; the next run reminds those, and never one
twice. A session moved to a new time is reminded again for that time; a cancelled one is
not reminded.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lms.notifications.actions import notify

from ..models import (
    CoachingSession,
    GroupSeat,
    GroupSeatReminder,
    GroupSession,
    GroupStatus,
    SessionReminder,
    SessionStatus,
)
from ._common import in_site_language, structure_for_learner

logger = logging.getLogger(__name__)

REMINDER_BATCH = 500


@dataclass
class Reminded:
    sessions: int = 0
    failures: int = 0


def reminder_offsets() -> list[int]:
    """The configured offsets in hours, largest first (24, 2)."""
    return sorted({int(h) for h in settings.SESSION_REMINDER_HOURS if int(h) > 0}, reverse=True)


def due_offsets(starts_at: datetime, now: datetime, offsets: list[int]) -> list[int]:
    """Offsets whose moment has come for a session starting at ``starts_at``."""
    if starts_at <= now:
        return []
    return [h for h in offsets if starts_at - now <= timedelta(hours=h)]


def send_session_reminders(now: datetime | None = None) -> Reminded:
    """Remind every accepted session whose reminder is due and not yet written.

    When several offsets are due at once (a session accepted an hour before it starts),
    one reminder is sent, and every due offset recorded. Reads in two queries; then one
    transaction per session to remind. A failing session is logged and left for the next
    run; the others go on.
    """
    now = now or timezone.now()
    offsets = reminder_offsets()
    result = Reminded()
    if not offsets:
        return result
    candidates = list(
        CoachingSession.objects.filter(
            status=SessionStatus.ACCEPTED,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(hours=offsets[0]),
        )
        .order_by("starts_at", "pk")
        .values_list("pk", "starts_at")[:REMINDER_BATCH]
    )
    done = set(
        SessionReminder.objects.filter(session_id__in=[pk for pk, _ in candidates]).values_list(
            "session_id", "hours_before", "starts_at"
        )
    )
    for pk, starts_at in candidates:
        if all((pk, h, starts_at) in done for h in due_offsets(starts_at, now, offsets)):
            continue
        try:
            if remind_session(pk, now):
                result.sessions += 1
        except Exception:
            result.failures += 1
            logger.exception("Reminder of session #%s failed; the next run tries again.", pk)
    return result


@in_site_language
@transaction.atomic(durable=True)
def remind_session(session_id: int, now: datetime | None = None) -> bool:
    """Write the due reminders of one session and their notifications; False when there is
    nothing to do (already reminded by another worker, cancelled, moved out of range)."""
    now = now or timezone.now()
    session = (
        CoachingSession.objects.select_for_update(of=("self",))
        .select_related("request__learner", "coach__coach_profile__structure")
        .filter(pk=session_id, status=SessionStatus.ACCEPTED)
        .first()
    )
    if session is None:
        return False
    due = due_offsets(session.starts_at, now, reminder_offsets())
    written = set(
        session.reminders.filter(starts_at=session.starts_at).values_list("hours_before", flat=True)
    )
    missing = [h for h in due if h not in written]
    if not missing:
        return False
    SessionReminder.objects.bulk_create(
        SessionReminder(session=session, hours_before=h, starts_at=session.starts_at)
        for h in missing
    )
    learner = session.request.learner
    local_start = timezone.localtime(session.starts_at)
    local_now = timezone.localtime(now)
    days = (local_start.date() - local_now.date()).days
    context = {
        "session": session,
        "day": "today" if days == 0 else "tomorrow" if days == 1 else "later",
        "hours_before": min(missing),
    }
    notify(
        learner,
        kind="session_reminder",
        context=context,
        url=reverse("coaching:my_coaching"),
        structure=structure_for_learner(session.request, session.coach),
    )
    notify(
        session.coach,
        kind="session_reminder_coach",
        context=context,
        url=reverse("coaching:request", args=[session.request_id]),
    )
    return True


def send_group_reminders(now: datetime | None = None) -> Reminded:
    """Remind the registrants of every group session still on whose reminder is due: the
    same offsets and rule as individual sessions, one row per session, learner, offset and
    start time (``GroupSeatReminder``), one transaction per session."""
    now = now or timezone.now()
    offsets = reminder_offsets()
    result = Reminded()
    if not offsets:
        return result
    candidates = list(
        GroupSession.objects.filter(
            status=GroupStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(hours=offsets[0]),
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)[:REMINDER_BATCH]
    )
    for pk in candidates:
        try:
            if remind_group_session(pk, now):
                result.sessions += 1
        except Exception:
            result.failures += 1
            logger.exception("Reminder of group session #%s failed; the next run tries again.", pk)
    return result


@in_site_language
@transaction.atomic(durable=True)
def remind_group_session(session_id: int, now: datetime | None = None) -> bool:
    """Write the due reminders of one group session's registrants and their notifications
    (e-mail and SMS per each one's choice); False when there is nothing to do."""
    now = now or timezone.now()
    session = (
        GroupSession.objects.select_for_update(of=("self",))
        .select_related("coach")
        .filter(pk=session_id, status=GroupStatus.SCHEDULED)
        .first()
    )
    if session is None:
        return False
    due = due_offsets(session.starts_at, now, reminder_offsets())
    if not due:
        return False
    seats = list(
        GroupSeat.objects.filter(session=session, learner__isnull=False).select_related("learner")
    )
    written = set(
        GroupSeatReminder.objects.filter(session=session, starts_at=session.starts_at).values_list(
            "learner_id", "hours_before"
        )
    )
    local_start = timezone.localtime(session.starts_at)
    days = (local_start.date() - timezone.localtime(now).date()).days
    structure = session.structures.first()
    reminded = False
    for seat in seats:
        missing = [h for h in due if (seat.learner_id, h) not in written]
        if not missing:
            continue
        GroupSeatReminder.objects.bulk_create(
            GroupSeatReminder(
                session=session, learner=seat.learner, hours_before=h, starts_at=session.starts_at
            )
            for h in missing
        )
        notify(
            seat.learner,
            kind="group_reminder",
            context={
                "group": session,
                "day": "today" if days == 0 else "tomorrow" if days == 1 else "later",
            },
            url=reverse("coaching:my_coaching"),
            structure=structure,
        )
        reminded = True
    return reminded
