"""Sessions: the coach proposes, the learner answers; either side moves or cancels with a
reason and the other is told with the calendar file (same UID, SEQUENCE bumped, METHOD:CANCEL
on cancel); the coach records attendance once the time is past."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import CoachProfile, Modality, User
from lms.notifications.actions import notify

from .. import video
from ..ics import session_calendar
from ..models import (
    ACTIVE_SESSION_STATUSES,
    Attendance,
    CoachingRequest,
    CoachingSession,
    SessionChange,
    SessionChangeKind,
    SessionStatus,
    Status,
)
from ._common import CoachingError, in_site_language, structure_for_learner

logger = logging.getLogger(__name__)


@in_site_language
def propose_session(
    coach: User,
    request: CoachingRequest,
    *,
    starts_at: datetime,
    duration_minutes: int,
    modality: str,
    location: str,
) -> CoachingSession:
    """Propose a meeting; the learner gets an e-mail with an .ics invite.

    Refused (CoachingError) for a time in the past or overlapping another active
    session of the same coach. The request row is locked meanwhile, so a double
    submission creates one session.
    """
    if starts_at <= timezone.now():
        raise CoachingError(_("Ce créneau est déjà passé : choisissez une date à venir."))
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    with transaction.atomic():
        locked = CoachingRequest.objects.select_for_update().get(pk=request.pk)
        if locked.coach_id != coach.pk or locked.status not in (Status.CLAIMED, Status.SCHEDULED):
            raise CoachingError(_("Prenez d'abord cette demande en charge."))
        for other in CoachingSession.objects.filter(
            coach=coach,
            status__in=ACTIVE_SESSION_STATUSES,
            starts_at__lt=ends_at,
            starts_at__gt=starts_at - timedelta(hours=12),
        ):
            if other.ends_at > starts_at:
                raise CoachingError(
                    _("Ce créneau chevauche un autre rendez-vous (%(when)s).")
                    % {"when": timezone.localtime(other.starts_at).strftime("%d/%m %H:%M")}
                )
        room, location = default_place(coach, modality, location)
        try:
            with transaction.atomic():
                session = CoachingSession.objects.create(
                    request=locked,
                    coach=coach,
                    starts_at=starts_at,
                    duration_minutes=duration_minutes,
                    modality=modality,
                    location=location,
                    video_room=room,
                )
        except IntegrityError as error:
            raise CoachingError(_("Un rendez-vous existe déjà à cette heure.")) from error
        notify(
            locked.learner,
            kind="session_proposed",
            context={"session": session},
            url=reverse("coaching:my_coaching"),
            ics=session_calendar(session),
            structure=structure_for_learner(locked, coach),
        )
    return session


def default_place(coach: User, modality: str, location: str) -> tuple[str, str]:
    """The video room and place of a proposal left without one: a new unguessable room by
    video, the number of the coach's structure by phone; what the coach typed otherwise."""
    if location:
        return "", location
    if modality == Modality.VIDEO:
        room = video.new_room()
        return room, video.link(room)
    if modality == Modality.PHONE:
        profile = CoachProfile.objects.filter(user=coach).select_related("structure").first()
        return "", profile.structure.phone if profile else ""
    return "", location


def cancel_sessions(sessions) -> list[CoachingSession]:
    """Cancel ``sessions`` (a queryset of active ones), bumping their SEQUENCE; return them
    as cancelled, loaded with what their calendar file needs."""
    locked = list(
        sessions.select_for_update(of=("self",)).select_related(
            "coach__coach_profile__structure__logo", "request__learner"
        )
    )
    CoachingSession.objects.filter(pk__in=[session.pk for session in locked]).update(
        status=SessionStatus.CANCELLED, sequence=F("sequence") + 1
    )
    for session in locked:
        session.status = SessionStatus.CANCELLED
        session.sequence += 1
    return locked


def tell_session_cancelled(session: CoachingSession, recipient: User, because: str) -> None:
    """Tell ``recipient`` that a session still to come is cancelled, with a calendar CANCEL
    so that their calendar removes it. Past sessions are cancelled silently. ``because``:
    "closed", "handed_back" or "learner_cancelled" (the template words each)."""
    if session.starts_at <= timezone.now():
        return
    is_learner = recipient.pk == session.request.learner_id
    notify(
        recipient,
        kind="session_cancelled",
        context={"session": session, "because": because},
        url=reverse("coaching:my_coaching")
        if is_learner
        else reverse("coaching:request", args=[session.request_id]),
        ics=session_calendar(session),
        structure=structure_for_learner(session.request, session.coach) if is_learner else None,
    )


@in_site_language
def answer_session(learner: User, session: CoachingSession, answer: str, message: str = ""):
    """The learner accepts, declines or asks for another slot; the coach is told."""
    status = {
        "accept": SessionStatus.ACCEPTED,
        "decline": SessionStatus.DECLINED,
        "reschedule": SessionStatus.RESCHEDULE,
    }[answer]
    with transaction.atomic():
        changed = CoachingSession.objects.filter(
            pk=session.pk, request__learner=learner, status=SessionStatus.PROPOSED
        ).update(status=status, learner_message=message, sequence=F("sequence") + 1)
        if not changed:
            raise CoachingError(_("Ce rendez-vous n'attend plus de réponse."))
        if status == SessionStatus.ACCEPTED:
            CoachingRequest.objects.filter(pk=session.request_id, status=Status.CLAIMED).update(
                status=Status.SCHEDULED
            )
        notify(
            session.coach,
            kind=f"session_{answer}",
            context={"session": session, "learner": learner, "message": message},
            url=reverse("coaching:request", args=[session.request_id]),
        )


# --- The life of a session: move, cancel, attendance -------------------------------------------
#
# A move sets the new time at once (no new round of acceptance) and tells the other side, with
# the calendar file updated (same UID, SEQUENCE bumped): whoever cannot make it moves it again
# or cancels it, with a reason. A move is refused when the coach has another session then.


def _lock_session(actor: User, session: CoachingSession) -> CoachingSession:
    """The session row locked, if ``actor`` is its coach or its learner; loaded with what the
    calendar file and the notices need."""
    locked = (
        CoachingSession.objects.select_for_update(of=("self",))
        .select_related("coach__coach_profile__structure__logo", "request__learner")
        .filter(pk=session.pk)
        .first()
    )
    if locked is None or actor.pk not in (locked.coach_id, locked.request.learner_id):
        raise CoachingError(_("Ce rendez-vous n'est pas le vôtre."))
    return locked


def _check_free(session: CoachingSession, starts_at: datetime) -> None:
    """Refuse a time at which the session's coach has another active session."""
    ends_at = starts_at + timedelta(minutes=session.duration_minutes)
    for other in (
        CoachingSession.objects.filter(
            coach_id=session.coach_id,
            status__in=ACTIVE_SESSION_STATUSES,
            starts_at__lt=ends_at,
            starts_at__gt=starts_at - timedelta(hours=12),
        )
        .exclude(pk=session.pk)
        .only("starts_at", "duration_minutes")
    ):
        if other.ends_at > starts_at:
            raise CoachingError(
                _("L'accompagnateur·rice a déjà un rendez-vous à ce moment (%(when)s).")
                % {"when": timezone.localtime(other.starts_at).strftime("%d/%m %H:%M")}
            )


def _other_side(actor: User, session: CoachingSession) -> dict:
    """``notify``'s recipient, link and structure for the side of ``session`` that did not
    act: the learner (from their coach's structure) or the coach (to the request file)."""
    learner = session.request.learner
    if actor.pk != learner.pk:
        return {
            "recipient": learner,
            "url": reverse("coaching:my_coaching"),
            "structure": structure_for_learner(session.request, session.coach),
        }
    return {
        "recipient": session.coach,
        "url": reverse("coaching:request", args=[session.request_id]),
    }


@in_site_language
@transaction.atomic(durable=True)
def move_session(actor: User, session: CoachingSession, *, starts_at: datetime, reason: str):
    """The coach or the learner moves a session still to come to ``starts_at``, with a
    reason; the other side is told with the updated calendar file (same UID, SEQUENCE
    bumped, METHOD:REQUEST). The session keeps its state (proposed or accepted)."""
    locked = _lock_session(actor, session)
    if not locked.is_active or locked.starts_at <= timezone.now():
        raise CoachingError(_("Ce rendez-vous ne peut plus être déplacé."))
    if starts_at <= timezone.now():
        raise CoachingError(_("Ce créneau est déjà passé : choisissez une date à venir."))
    if starts_at == locked.starts_at:
        raise CoachingError(_("Choisissez une autre date ou une autre heure que l'actuelle."))
    _check_free(locked, starts_at)
    previous = locked.starts_at
    locked.starts_at = starts_at
    locked.sequence += 1
    try:
        with transaction.atomic():
            locked.save(update_fields=["starts_at", "sequence"])
    except IntegrityError as error:
        raise CoachingError(_("Un rendez-vous existe déjà à cette heure.")) from error
    SessionChange.objects.create(
        session=locked,
        kind=SessionChangeKind.MOVED,
        actor=actor,
        reason=reason,
        previous_starts_at=previous,
        starts_at=starts_at,
    )
    notify(
        **_other_side(actor, locked),
        kind="session_moved",
        context={"session": locked, "actor": actor, "previous": previous, "reason": reason},
        ics=session_calendar(locked),
    )
    return locked


def is_late(starts_at: datetime, now: datetime | None = None) -> bool:
    """Whether cancelling a session starting at ``starts_at`` now is « tardive »."""
    now = now or timezone.now()
    return starts_at - now < timedelta(hours=settings.BALISE_LATE_CANCELLATION_HOURS)


@in_site_language
@transaction.atomic(durable=True)
def cancel_session(actor: User, session: CoachingSession, *, reason: str) -> CoachingSession:
    """The coach or the learner cancels a session still to come, with a reason; the other
    side gets a calendar CANCEL. Less than BALISE_LATE_CANCELLATION_HOURS before its start,
    the cancellation is recorded as late (the session's attendance says so). A request left
    without an accepted session goes back from « planned » to « taken »."""
    locked = _lock_session(actor, session)
    now = timezone.now()
    if not locked.is_active or locked.starts_at <= now:
        raise CoachingError(_("Ce rendez-vous ne peut plus être annulé."))
    late = is_late(locked.starts_at, now)
    locked.status = SessionStatus.CANCELLED
    locked.sequence += 1
    locked.attendance = Attendance.LATE_CANCELLED if late else ""
    locked.save(update_fields=["status", "sequence", "attendance"])
    SessionChange.objects.create(
        session=locked,
        kind=SessionChangeKind.CANCELLED,
        actor=actor,
        at=now,
        reason=reason,
        previous_starts_at=locked.starts_at,
        late=late,
    )
    if not locked.request.sessions.filter(status=SessionStatus.ACCEPTED).exists():
        CoachingRequest.objects.filter(pk=locked.request_id, status=Status.SCHEDULED).update(
            status=Status.CLAIMED
        )
    notify(
        **_other_side(actor, locked),
        kind="session_cancelled",
        context={
            "session": locked,
            "actor": actor,
            "because": "coach_called_off" if actor.pk == locked.coach_id else "learner_called_off",
            "reason": reason,
            "late": late,
        },
        ics=session_calendar(locked),
    )
    return locked


@transaction.atomic(durable=True)
def record_attendance(coach: User, session: CoachingSession, attendance: str) -> CoachingSession:
    """The coach records what became of a session whose time has come: held, no-show or
    cancelled late. A second record corrects the first; each one is kept in the session's
    history. « Held » on a session the learner never answered marks it accepted."""
    locked = CoachingSession.objects.select_for_update().filter(pk=session.pk, coach=coach).first()
    if locked is None:
        raise CoachingError(_("Ce rendez-vous n'est pas le vôtre."))
    if locked.starts_at > timezone.now():
        raise CoachingError(_("La présence se note une fois l'heure du rendez-vous venue."))
    if not (locked.is_active or locked.attendance):
        raise CoachingError(_("Ce rendez-vous n'avait pas lieu : rien à noter."))
    if locked.attendance == attendance:
        return locked
    SessionChange.objects.create(
        session=locked,
        kind=SessionChangeKind.ATTENDANCE,
        actor=coach,
        attendance=attendance,
        previous_attendance=locked.attendance,
    )
    locked.attendance = attendance
    fields = ["attendance"]
    if attendance == Attendance.HELD and locked.status == SessionStatus.PROPOSED:
        locked.status = SessionStatus.ACCEPTED
        fields.append("status")
    locked.save(update_fields=fields)
    return locked
