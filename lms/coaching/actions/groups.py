"""Group sessions: a coach gathers the learners who stand at the same point.

A session's seats are rows (``GroupSeat``, numbered 1 to ``seats``, created with it).
Registering takes the first free seat with one conditional UPDATE (``learner IS NULL``),
so never more people register than there are seats, even when they click at the same
moment; the unique (session, learner) constraint refuses a second seat to the same person.
A full session with a waiting list puts the learner on it; a freed seat goes to the first
one waiting, who is told.

These actions are not durable: a peer circle (``lms.community``) creates its meetings and
registers its members inside its own transaction. The views call them in a durable
transaction of their own.
"""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import CoachProfile, LearnerProfile, Structure, User
from lms.notifications.actions import notify

from .. import video
from ..ics import group_calendar
from ..models import (
    Attendance,
    CoachingRequest,
    GroupInvitation,
    GroupModality,
    GroupSeat,
    GroupSession,
    GroupStatus,
    InvitationStatus,
    Outcome,
    SessionStatus,
    Status,
)
from ._common import CoachingError, in_site_language

logger = logging.getLogger(__name__)

# Tries at the first free seat before concluding the session is full: each lost race means
# another learner took a seat, so there are at most ``seats`` of them.
SEAT_ATTEMPTS = 5


def group_point(pathway, point_id: str) -> dict | None:
    """The raw value of a progression point of ``pathway``'s outline (title, trigger,
    ``group_allowed``), or None. Reads the page row's stored outline, no query."""
    if pathway is None or not point_id:
        return None
    for item in pathway.outline.raw_data:
        if item["type"] == "progression_point" and item["id"] == point_id:
            return item["value"]
    return None


def point_allows_group(pathway, point_id: str) -> bool:
    point = group_point(pathway, point_id)
    return bool(point and point.get("group_allowed"))


def _default_structures(actor: User, coach: User) -> list[Structure]:
    profile = CoachProfile.objects.filter(user=coach).select_related("structure").first()
    if profile is not None:
        return [profile.structure]
    return list(Structure.objects.filter(memberships__user=actor).distinct())


@in_site_language
def create_group_session(
    *,
    actor: User,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    modality: str,
    seats: int,
    coach: User | None = None,
    structures: list[Structure] | None = None,
    pathway=None,
    point_id: str = "",
    theme: str = "",
    description: str = "",
    place: str = "",
    departements: list[str] | tuple[str, ...] = (),
    waiting_list: bool = False,
) -> GroupSession:
    """Create a group session and its seats. ``coach`` (the lead) defaults to ``actor``;
    ``structures`` (who co-run it) to the coach's structure. A remote or hybrid session
    gets an unguessable video room. Refused for a time already past."""
    if starts_at <= timezone.now():
        raise CoachingError(_("Cette date est déjà passée : choisissez une date à venir."))
    coach = coach or actor
    with transaction.atomic():
        session = GroupSession.objects.create(
            title=title,
            theme=theme,
            description=description,
            pathway=pathway,
            point_id=point_id if pathway is not None else "",
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            modality=modality,
            place=place if modality != GroupModality.REMOTE else "",
            video_room=video.new_room() if modality != GroupModality.IN_PERSON else "",
            seats=seats,
            departements=sorted(set(departements)),
            coach=coach,
            created_by=actor,
            waiting_list=waiting_list,
        )
        session.structures.set(structures or _default_structures(actor, coach))
        GroupSeat.objects.bulk_create(
            GroupSeat(session=session, number=number) for number in range(1, seats + 1)
        )
    return session


def learner_departement(learner: User) -> str:
    profile = LearnerProfile.objects.filter(user=learner).only("departement").first()
    return profile.departement if profile else ""


def territory_refusal(session: GroupSession, learner: User) -> str:
    """Why ``learner`` may not join ``session`` because of where they live (empty: they
    may). Only an in-person session is bound to its départements: a remote or hybrid one
    is open to everyone."""
    if session.modality != GroupModality.IN_PERSON or not session.departements:
        return ""
    if learner_departement(learner) in session.departements:
        return ""
    return _(
        "Cette séance a lieu en présentiel pour les personnes de %(departements)s : elle "
        "n'est pas ouverte à votre département."
    ) % {"departements": ", ".join(session.departements)}


def _take_seat(session: GroupSession, learner: User) -> GroupSeat | None:
    """Give ``learner`` the first free seat: one conditional UPDATE; None when full."""
    now = timezone.now()
    for _attempt in range(SEAT_ATTEMPTS):
        free = (
            GroupSeat.objects.filter(session=session, learner__isnull=True)
            .order_by("number")
            .values_list("pk", flat=True)
            .first()
        )
        if free is None:
            return None
        try:
            with transaction.atomic():
                taken = GroupSeat.objects.filter(pk=free, learner__isnull=True).update(
                    learner=learner, registered_at=now, attendance="", keep_request=False
                )
        except IntegrityError:  # one_seat_per_learner: they registered meanwhile
            raise CoachingError(_("Vous êtes déjà inscrit·e à cette séance.")) from None
        if taken:
            return GroupSeat.objects.select_related("session").get(pk=free)
    return None


def _tell_registered(session: GroupSession, learner: User, *, from_waiting: bool) -> None:
    notify(
        learner,
        kind="group_registered",
        context={"group": session, "from_waiting": from_waiting},
        url=reverse("coaching:my_coaching"),
        ics=group_calendar(session, learner),
        structure=session.structures.first(),
    )


def _invitation(session: GroupSession, learner: User) -> GroupInvitation:
    invitation, _created = GroupInvitation.objects.select_for_update().get_or_create(
        session=session, learner=learner
    )
    return invitation


@in_site_language
def register_for_group_session(session: GroupSession, learner: User) -> GroupInvitation:
    """Register ``learner``: a seat if one is free, else the waiting list when the session
    keeps one. Returns their invitation (status ``registered`` or ``waiting``); the
    learner gets the calendar file when they have a seat.

    Refused (CoachingError, a message for the learner) when the session is cancelled or
    has started, when they already have a seat or wait for one, when it is full without a
    waiting list, and for an in-person session of other départements."""
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session.pk)
        if session.status != GroupStatus.SCHEDULED:
            raise CoachingError(_("Cette séance est annulée : l'inscription est fermée."))
        if session.has_started:
            raise CoachingError(_("Cette séance a déjà commencé : l'inscription est fermée."))
        refusal = territory_refusal(session, learner)
        if refusal:
            raise CoachingError(refusal)
        if GroupSeat.objects.filter(session=session, learner=learner).exists():
            raise CoachingError(_("Vous êtes déjà inscrit·e à cette séance."))
        invitation = _invitation(session, learner)
        if invitation.status == InvitationStatus.WAITING:
            raise CoachingError(_("Vous êtes déjà sur la liste d'attente de cette séance."))
        seat = _take_seat(session, learner)
        if seat is None and not session.waiting_list:
            raise CoachingError(
                _("Cette séance est complète : toutes ses %(seats)s places sont prises.")
                % {"seats": session.seats}
            )
        invitation.status = InvitationStatus.REGISTERED if seat else InvitationStatus.WAITING
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["status", "responded_at"])
        if seat is not None:
            _tell_registered(session, learner, from_waiting=False)
    return invitation


@in_site_language
def invite_to_group_session(actor: User, session: GroupSession, learners: list[User]) -> int:
    """Invite ``learners`` (those not yet invited, registered or waiting); each is told
    by e-mail with a link to « Mon accompagnement ». Returns how many were invited."""
    if session.status != GroupStatus.SCHEDULED or session.has_started:
        raise CoachingError(_("On n'invite plus à une séance annulée ou commencée."))
    invited = 0
    with transaction.atomic():
        known = set(
            GroupInvitation.objects.filter(session=session).values_list("learner_id", flat=True)
        )
        for learner in learners:
            if learner.pk in known or territory_refusal(session, learner):
                continue
            GroupInvitation.objects.create(session=session, learner=learner, invited_by=actor)
            notify(
                learner,
                kind="group_invited",
                context={"group": session},
                url=reverse("coaching:my_coaching"),
                structure=session.structures.first(),
            )
            invited += 1
    return invited


@in_site_language
def decline_group_invitation(session: GroupSession, learner: User) -> None:
    """The learner says no: their invitation is declined (and their seat freed if they
    had one, given to the first one waiting)."""
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session.pk)
        invitation = _invitation(session, learner)
        if GroupSeat.objects.filter(session=session, learner=learner).exists():
            _free_seat(session, learner)
        invitation.status = InvitationStatus.DECLINED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["status", "responded_at"])


def _free_seat(session: GroupSession, learner: User) -> None:
    """Free ``learner``'s seat; it goes to the first learner waiting, who is told."""
    GroupSeat.objects.filter(session=session, learner=learner).update(
        learner=None, registered_at=None, attendance="", keep_request=False
    )
    if not session.waiting_list:
        return
    waiting = (
        GroupInvitation.objects.filter(session=session, status=InvitationStatus.WAITING)
        .select_related("learner")
        .order_by("responded_at", "pk")
        .first()
    )
    if waiting is None or _take_seat(session, waiting.learner) is None:
        return
    waiting.status = InvitationStatus.REGISTERED
    waiting.responded_at = timezone.now()
    waiting.save(update_fields=["status", "responded_at"])
    _tell_registered(session, waiting.learner, from_waiting=True)


@in_site_language
def unregister_from_group_session(session: GroupSession, learner: User) -> None:
    """The learner gives their seat back (or leaves the waiting list) before the start."""
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session.pk)
        if session.has_started:
            raise CoachingError(_("La séance a commencé : votre place ne peut plus être rendue."))
        invitation = _invitation(session, learner)
        if invitation.status not in (InvitationStatus.REGISTERED, InvitationStatus.WAITING):
            raise CoachingError(_("Vous n'êtes pas inscrit·e à cette séance."))
        _free_seat(session, learner)
        invitation.status = InvitationStatus.DECLINED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["status", "responded_at"])


@in_site_language
def keep_individual_request(session: GroupSession, learner: User, keep: bool) -> None:
    """Whether attending should leave the learner's individual request open."""
    updated = GroupSeat.objects.filter(session=session, learner=learner).update(keep_request=keep)
    if not updated:
        raise CoachingError(_("Vous n'êtes pas inscrit·e à cette séance."))


@in_site_language
def cancel_group_session(actor: User, session: GroupSession, *, reason: str) -> int:
    """Cancel a session still to come: everyone registered, waiting or invited is told
    with the reason, the registrants with the calendar's cancellation (same UID, SEQUENCE
    bumped, METHOD:CANCEL). Seats and invitations are kept (nothing lost): the list shows
    who was there. Returns how many people were told."""
    with transaction.atomic():
        updated = GroupSession.objects.filter(
            pk=session.pk, status=GroupStatus.SCHEDULED, starts_at__gt=timezone.now()
        ).update(
            status=GroupStatus.CANCELLED,
            cancel_reason=reason,
            cancelled_at=timezone.now(),
            sequence=F("sequence") + 1,
        )
        if not updated:
            raise CoachingError(_("Cette séance est déjà annulée ou a déjà commencé."))
        session.refresh_from_db()
        registered = set(
            GroupSeat.objects.filter(session=session, learner__isnull=False).values_list(
                "learner_id", flat=True
            )
        )
        told = 0
        invitations = GroupInvitation.objects.filter(
            session=session,
            status__in=[
                InvitationStatus.INVITED,
                InvitationStatus.REGISTERED,
                InvitationStatus.WAITING,
            ],
        ).select_related("learner")
        structure = session.structures.first()
        for invitation in invitations:
            had_seat = invitation.learner_id in registered
            notify(
                invitation.learner,
                kind="group_cancelled",
                context={"group": session, "reason": reason, "had_seat": had_seat},
                url=reverse("coaching:my_coaching"),
                ics=group_calendar(session, invitation.learner) if had_seat else "",
                structure=structure,
            )
            told += 1
        invitations.update(status=InvitationStatus.CANCELLED)
    return told


@in_site_language
def record_group_attendance(actor: User, seat: GroupSeat, attendance: str) -> bool:
    """Record whether a registrant came (held / no-show), once the session has started;
    corrections allowed. When they came to a session at a progression point that may be
    met in a group, the point is met: their gate is released and their active individual
    request for that pathway is closed « Accompagné·e en groupe » (unless they asked to
    keep it), in the same transaction. Returns True when the point was met now."""
    if attendance not in (Attendance.HELD, Attendance.NO_SHOW):
        raise CoachingError(_("Choisissez « présent·e » ou « absent·e »."))
    with transaction.atomic():
        seat = (
            GroupSeat.objects.select_for_update(of=("self",))
            .select_related("session__pathway", "learner")
            .get(pk=seat.pk)
        )
        session = seat.session
        if seat.learner_id is None:
            raise CoachingError(_("Cette place est libre."))
        if session.status != GroupStatus.SCHEDULED or not session.has_started:
            raise CoachingError(
                _("La présence se note à partir de l'heure de début d'une séance maintenue.")
            )
        seat.attendance = attendance
        seat.attendance_recorded_at = timezone.now()
        seat.save(update_fields=["attendance", "attendance_recorded_at"])
        if attendance != Attendance.HELD:
            return False
        return meet_point_in_group(seat)


def meet_point_in_group(seat: GroupSeat) -> bool:
    """The learner attended: release their gate at the session's point when the point may
    be met in a group, and close their active request for the pathway (unless kept)."""
    from pathways.actions import release_gate

    session = seat.session
    if not point_allows_group(session.pathway, session.point_id):
        return False
    learner = seat.learner
    if not seat.keep_request:
        request = (
            CoachingRequest.objects.active()
            .select_for_update()
            .filter(learner=learner, pathway=session.pathway)
            .first()
        )
        if request is not None:
            _close_request_in_group(request, session)
    passage = release_gate(learner, session.pathway, session.point_id)
    return passage is not None


def _close_request_in_group(request: CoachingRequest, session: GroupSession) -> None:
    from .sessions import cancel_sessions, tell_session_cancelled

    when = timezone.localtime(session.starts_at).strftime("%d/%m/%Y")
    CoachingRequest.objects.filter(pk=request.pk).update(
        status=Status.DONE,
        outcome=Outcome.GROUP,
        summary=_("Vous avez participé à la séance collective « %(title)s » du %(date)s.")
        % {"title": session.title, "date": when},
        closed_at=timezone.now(),
    )
    request.refresh_from_db()
    for cancelled in cancel_sessions(request.sessions.filter(status=SessionStatus.PROPOSED)):
        tell_session_cancelled(cancelled, request.learner, because="closed")
    if request.coach_id and request.coach_id != session.coach_id:
        notify(
            request.coach,
            kind="group_request_closed",
            context={"request": request, "group": session},
            url=reverse("coaching:request", args=[request.pk]),
        )


@in_site_language
def post_group_brief(actor: User, session: GroupSession, *, text: str, audio=None) -> None:
    """Post (or correct) the brief after the session: every registrant, present or not,
    finds it in « Mon accompagnement »; the first posting tells them by e-mail."""
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session.pk)
        if not session.has_started or session.status != GroupStatus.SCHEDULED:
            raise CoachingError(_("La synthèse se publie après le début d'une séance maintenue."))
        first = session.brief_posted_at is None
        session.brief = text
        if audio is not None:
            session.brief_audio = audio
        session.brief_posted_at = session.brief_posted_at or timezone.now()
        session.save(update_fields=["brief", "brief_audio", "brief_posted_at"])
        if not first:
            return
        structure = session.structures.first()
        for seat in GroupSeat.objects.filter(session=session, learner__isnull=False).select_related(
            "learner"
        ):
            notify(
                seat.learner,
                kind="group_brief",
                context={"group": session, "attended": seat.attendance == Attendance.HELD},
                url=reverse("coaching:my_coaching"),
                structure=structure,
            )


__all__ = [
    "create_group_session",
    "register_for_group_session",
    "invite_to_group_session",
    "decline_group_invitation",
    "unregister_from_group_session",
    "keep_individual_request",
    "cancel_group_session",
    "record_group_attendance",
    "post_group_brief",
    "territory_refusal",
    "point_allows_group",
]
