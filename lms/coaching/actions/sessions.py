"""Sessions: the coach proposes, the learner answers; cancelling tells the other side with
a calendar CANCEL."""

import logging
from datetime import datetime, timedelta

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
    CoachingRequest,
    CoachingSession,
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
