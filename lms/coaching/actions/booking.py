"""A learner books a coach's free slot instead of waiting for a proposal.

The session is confirmed at once (the learner chose it); the request is claimed for that
coach if nobody held it, through the claim's own conditional UPDATE so the coach's
capacity holds; the coach and the learner are told, with the calendar file.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import CoachProfile, Modality, User
from lms.notifications.actions import notify

from .. import video
from ..availability import bookable_profiles, booking_window, load_free_slots
from ..ics import session_calendar
from ..models import (
    ACTIVE_SESSION_STATUSES,
    ACTIVE_STATUSES,
    CoachingRequest,
    CoachingSession,
    SessionStatus,
    Status,
)
from ._common import CoachingError, in_site_language, structure_for_learner
from .claims import take_request

logger = logging.getLogger(__name__)


class BookingError(CoachingError):
    """A refused booking; ``code`` says which (the page offers other slots when « taken »)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Booked:
    session: CoachingSession
    claimed: bool  # the booking gave the request to the coach


def upcoming_session(request: CoachingRequest, now: datetime | None = None):
    """The request's active session still to come, if any: one at a time per request (the
    coach may still propose more)."""
    now = now or timezone.now()
    return (
        CoachingSession.objects.filter(
            request=request, status__in=ACTIVE_SESSION_STATUSES, starts_at__gt=now
        )
        .order_by("starts_at")
        .first()
    )


def _location(slot, profile: CoachProfile) -> str:
    """Where the session happens, for the pages, e-mails and calendar: the rule's place, else
    the coach's address (in person) or the structure's number (phone)."""
    if slot.modality == Modality.IN_PERSON:
        return slot.place or profile.in_person_address or profile.structure.address
    if slot.modality == Modality.PHONE:
        return slot.place or profile.structure.phone
    return ""


@in_site_language
def book_slot(learner: User, request_id: int, *, coach_id: int, starts_at: datetime) -> Booked:
    """Book the slot of ``coach_id`` starting at ``starts_at`` for the learner's request.

    Refused (BookingError) when the request is closed, already has a session to come, the
    coach may not take it (outside its structures, full), the moment is past or too near,
    or the slot is no longer free. Two learners racing for one slot: the coach's profile
    row is locked while a booking checks and writes, and the partial unique constraint
    (coach, start) of active sessions backs it, so exactly one wins.
    """
    now = timezone.now()
    earliest, _window_end = booking_window(now)
    with transaction.atomic(durable=True):
        request = (
            CoachingRequest.objects.select_for_update(of=("self",))
            .select_related("learner", "structure")
            .filter(pk=request_id, learner=learner)
            .first()
        )
        if request is None or request.status not in ACTIVE_STATUSES:
            raise BookingError(
                "closed", _("Cette demande est close : vous ne pouvez plus y réserver de créneau.")
            )
        pending = upcoming_session(request, now)
        if pending is not None:
            raise BookingError(
                "pending",
                _(
                    "Vous avez déjà un rendez-vous prévu le %(when)s pour cette demande : "
                    "un seul à la fois. Pour en changer, déplacez-le ou annulez-le depuis "
                    "« Mon accompagnement »."
                )
                % {"when": _when(pending.starts_at)},
            )
        if starts_at < earliest:
            raise BookingError(
                "past",
                _(
                    "Ce créneau est passé ou trop proche : choisissez-en un qui commence dans "
                    "plus de %(hours)s heures."
                )
                % {"hours": int((earliest - now).total_seconds() // 3600)},
            )
        profile = next((p for p in bookable_profiles(request) if p.user_id == coach_id), None)
        if profile is None:
            raise BookingError(
                "outside",
                _(
                    "Cette personne ne peut pas vous accompagner pour cette demande : "
                    "choisissez un créneau parmi ceux proposés."
                ),
            )
        # Bookings of one coach queue here: what follows sees those committed meanwhile.
        CoachProfile.objects.select_for_update().filter(pk=profile.pk).exists()
        day = timezone.localtime(starts_at).date()
        slot = next(
            (
                s
                for s in load_free_slots([profile], request, now=now, first_day=day, last_day=day)
                if s.starts_at == starts_at
            ),
            None,
        )
        if slot is None:
            raise BookingError("taken", _("Ce créneau vient d'être pris ou n'est plus proposé."))
        claimed = request.coach_id is None
        if claimed:
            refused = take_request(profile, profile.user, request.pk, now)
            if refused == "full":
                raise BookingError(
                    "outside",
                    _("Cette personne n'a plus de place : choisissez un autre créneau."),
                )
            if refused is not None:
                raise BookingError(
                    "taken", _("Ce créneau vient d'être pris ou n'est plus proposé.")
                )
        room = video.new_room() if slot.modality == Modality.VIDEO else ""
        try:
            with transaction.atomic():
                session = CoachingSession.objects.create(
                    request=request,
                    coach=profile.user,
                    starts_at=slot.starts_at,
                    duration_minutes=slot.minutes,
                    modality=slot.modality,
                    location=video.link(room) if room else _location(slot, profile),
                    status=SessionStatus.ACCEPTED,
                    rule_id=slot.rule_id,
                    video_room=room,
                )
        except IntegrityError as error:
            raise BookingError(
                "taken", _("Ce créneau vient d'être pris ou n'est plus proposé.")
            ) from error
        CoachingRequest.objects.filter(
            pk=request.pk, status__in=[Status.CLAIMED, Status.OPEN]
        ).update(status=Status.SCHEDULED)
        request.coach = profile.user
        calendar = session_calendar(session)
        notify(
            learner,
            kind="session_booked",
            context={"session": session, "coach": profile.user},
            url=reverse("coaching:my_coaching"),
            ics=calendar,
            structure=structure_for_learner(request, profile.user),
        )
        notify(
            profile.user,
            kind="session_booked_coach",
            context={"session": session, "learner": learner, "claimed": claimed},
            url=reverse("coaching:request", args=[request.pk]),
            ics=calendar,
        )
    return Booked(session=session, claimed=claimed)


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return local.strftime("%d/%m/%Y %H:%M")
