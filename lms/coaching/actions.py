"""State changes of coaching. Views, signal receivers and tasks call these.

Rules enforced by the database as well as here: at most one active request per
(learner, pathway, point) (a partial unique constraint), one winner when coaches
race to claim (a conditional update), one active session per coach and start
time (a partial unique constraint, and the request row is locked while a
session is proposed). E-mails go through the notifications outbox, written in
the same transaction.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms.accounts.models import Availability, CoachProfile, LearnerProfile, Modality, User
from lms.accounts.roles import Role
from lms.notifications.actions import notify, notify_many
from pathways.actions import release_gate
from pathways.carnet import build_carnet
from pathways.models import CheckpointPassage, Enrollment, PathwayPage
from pathways.queries import learner_progress

from .balance import BalanceInput, Recommendation, recommend_modality
from .ics import session_calendar
from .models import (
    ACTIVE_SESSION_STATUSES,
    ACTIVE_STATUSES,
    CoachingRequest,
    CoachingSession,
    InactivityNudge,
    Origin,
    RequestEvent,
    SessionStatus,
    Status,
)
from .routing import Route, has_capacity, may_claim, remote_coaches_with_room, route
from .sla import add_working_days

logger = logging.getLogger(__name__)


class CoachingError(Exception):
    """A refusal to show the person as is (French message)."""


# Requests store their recommendation's reason and e-mails go to other people:
# both are written in the site's language, whoever's browser triggered them.
def in_site_language(action):
    @wraps(action)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return action(*args, **kwargs)

    return wrapper


# --- Opening requests ---------------------------------------------------------------------


@in_site_language
def open_request(
    learner: User,
    *,
    origin: str,
    pathway: PathwayPage | None,
    point_id: str,
    message: str = "",
    point=None,
    releases_gate: bool = False,
    where: str = "",
) -> CoachingRequest:
    """Open a coaching request, or add this origin to the learner's active one.

    One learner and pathway = one active file for the coach: when a request is already
    active for the pathway, the origin joins it as a ``RequestEvent`` (``joined`` is set
    on the returned request) and the people who follow it are told; a gate point joining
    it hands over its gate, so closing the request releases it. A progression point
    already recorded on the active request joins nothing (idempotent for the sweeper and
    double clicks). The unique constraint decides races: the loser joins the winner.

    The request and its event commit with the caller's transaction; routing and the
    notifications run in a savepoint after them. When that part fails the request is
    kept, unannounced, and ``repair_requests`` announces it later. Raises when the request
    itself cannot be written (the caller decides what the learner sees).
    """
    with transaction.atomic():
        request = _active_request(learner, pathway)
        joined = request is not None
        if request is None:
            request = _insert_request(
                learner, origin, pathway, point_id, message, point, where, releases_gate
            )
            joined = request.pk is None  # a concurrent opening won: join it
            if joined:
                request = _active_request(learner, pathway)
        known = joined and origin == Origin.CHECKPOINT
        if known and request.events.filter(point_id=point_id).exists():
            request.joined = True
            return request
        event = RequestEvent.objects.create(
            request=request,
            origin=origin,
            point_id=point_id,
            message=message,
            where=where[:255],
            opened_request=not joined,
        )
        if joined and releases_gate and not request.releases_gate:
            request.releases_gate, request.point_id = True, point_id
            request.save(update_fields=["releases_gate", "point_id"])
        try:
            with transaction.atomic():
                _announce(event, request, point)
        except Exception:
            logger.exception("Request #%s saved, its announcement left to the sweeper.", request.pk)
    request.joined = joined
    return request


def _active_request(learner: User, pathway: PathwayPage | None) -> CoachingRequest | None:
    """The learner's active request for the pathway, its row locked until commit (a
    concurrent close or join waits, then sees this one's events)."""
    return (
        CoachingRequest.objects.active()
        .select_for_update(of=("self",))
        .filter(learner=learner, pathway=pathway)
        .select_related("learner", "pathway", "coach")
        .order_by("created_at")
        .first()
    )


def _insert_request(
    learner, origin, pathway, point_id, message, point, where, releases_gate
) -> CoachingRequest:
    """Insert the request, not yet routed; an unsaved instance when another one won the race."""
    profile = LearnerProfile.objects.filter(user=learner).first()
    now = timezone.now()
    request = CoachingRequest(
        learner=learner,
        pathway=pathway,
        point_id=point_id,
        origin=origin,
        message=message,
        context=snapshot(learner, profile, pathway, point, where),
        departement=profile.departement if profile else "",
        releases_gate=releases_gate,
        recommended_modality="",
        recommendation_reason="",
        due_at=add_working_days(timezone.localtime(now), settings.BALISE_SLA_WORKING_DAYS),
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        request.pk = None
    return request


@transaction.atomic(durable=True)
def open_help_request(
    learner: User, pathway: PathwayPage, message: str, where: str
) -> CoachingRequest:
    """« J'ai besoin d'aide » from any step or module of a pathway: opens a request or adds
    the message to the active one (``joined``)."""
    return open_request(
        learner,
        origin=Origin.HELP,
        pathway=pathway,
        point_id="help",
        message=message,
        where=where,
    )


def open_request_for_point(passage: CheckpointPassage, point, message: str = ""):
    """A progression point asks for a coach: automatic and gate points on reaching them
    (inside the transaction recording the passage), offered points when the learner
    accepts."""
    return open_request(
        passage.learner,
        origin=Origin.CHECKPOINT,
        pathway=passage.pathway,
        point_id=passage.point_id,
        message=message,
        point=point,
        releases_gate=point["trigger"] == "gate",
        where=point["title"],
    )


@transaction.atomic(durable=True)
def accept_offered_point(passage: CheckpointPassage, point, message: str) -> CoachingRequest:
    """The learner accepts the coaching an ``offered`` point proposes (the view's action)."""
    return open_request_for_point(passage, point, message)


def balance_input(learner, profile, routed: Route, point, pathway, point_id) -> BalanceInput:
    held = CoachingSession.objects.filter(
        request__learner=learner, status=SessionStatus.ACCEPTED, starts_at__lt=timezone.now()
    ).values_list("modality", flat=True)
    offered_in_person = CoachingSession.objects.filter(
        request__learner=learner, modality=Modality.IN_PERSON
    ).exists()
    held = list(held)
    return BalanceInput(
        preferred=profile.preferred_modality if profile else "any",
        area_type=profile.area_type if profile else "urban",
        employed=bool(profile and profile.is_employed),
        needs_digital_help=bool(profile and profile.digital_comfort == "needs_help"),
        availability=tuple(profile.availability) if profile else (),
        point_recommends=(point or {}).get("recommended_modality", "any") if point else "any",
        local_coach=not routed.network_queue,
        in_person_reachable=routed.local_in_person,
        remote_sessions=sum(1 for m in held if m != Modality.IN_PERSON),
        in_person_sessions=sum(1 for m in held if m == Modality.IN_PERSON),
        in_person_offered=offered_in_person,
        completing_pathway=pathway is not None and _ends_pathway(pathway, point_id),
    )


def _ends_pathway(pathway: PathwayPage, point_id: str) -> bool:
    """True when no module follows this point in the outline: the pathway ends there."""
    raw = list(pathway.outline.raw_data)
    positions = {item["id"]: index for index, item in enumerate(raw)}
    if point_id not in positions:
        return False
    return all(item["type"] != "module" for item in raw[positions[point_id] + 1 :])


def _with_slots(reason: str, recommendation: Recommendation) -> str:
    if not recommendation.slots:
        return reason
    return _("%(reason)s Créneaux à privilégier : %(slots)s.") % {
        "reason": reason,
        "slots": recommendation.slots,
    }


def snapshot(learner, profile, pathway, point, where: str) -> dict:
    """What the coach needs to know, frozen at the time of the request."""
    data: dict = {"where": where}
    if profile is not None:
        data["profile"] = {
            "departement": profile.departement,
            "departement_label": profile.get_departement_display(),
            "commune": profile.commune,
            "area_type": profile.get_area_type_display(),
            "situation": profile.get_situation_display(),
            "availability": [str(label) for value, label in _availability(profile)],
            "preferred_modality": profile.get_preferred_modality_display(),
            "digital_comfort": profile.get_digital_comfort_display(),
            "project_summary": profile.project_summary,
        }
    if pathway is not None:
        view = learner_progress(learner, pathway)
        done = sum(1 for m in view.progress.modules if m.state == "done")
        data["progress"] = {
            "pathway": pathway.title,
            "percent": view.progress.percent,
            "modules_done": done,
            "modules_total": len(view.progress.modules),
        }
        carnet = build_carnet(learner, pathway, shared_only=True)
        data["shared_answers"] = [
            {"module": m.title, "step": e.title, "question": a.label, "answer": a.text}
            for m in carnet.modules
            for e in m.exercises
            for a in e.answers
            if a.is_answered
        ]
    if point is not None:
        data["point"] = {
            "title": point.get("title", ""),
            "trigger": point.get("trigger", ""),
            "coach_brief": point.get("coach_brief", ""),
            "recommended_modality": point.get("recommended_modality", "any"),
        }
    return data


def _availability(profile):
    return [(v, label) for v, label in Availability.choices if v in profile.availability]


def _request_url(request: CoachingRequest) -> str:
    return reverse("coaching:request", args=[request.pk])


def _announce(event: RequestEvent, request: CoachingRequest, point=None) -> None:
    """The hop « coaches told »: route a new request and tell the people concerned, or tell
    those who follow a request that an origin joined it; then mark the event announced.
    Runs in the transaction that wrote the event, or later in the sweeper's."""
    if request.is_active:
        if event.opened_request:
            _announce_new_request(request, _route_request(request, event, point))
        else:
            _announce_join(request, event)
    RequestEvent.objects.filter(pk=event.pk).update(announced_at=timezone.now())


def _route_request(request: CoachingRequest, event: RequestEvent, point=None) -> Route:
    """Route the request and store its queue and recommended modality."""
    learner, pathway = request.learner, request.pathway
    if point is None and pathway is not None and event.origin == Origin.CHECKPOINT:
        point = pathway.point_value(event.point_id)
    profile = LearnerProfile.objects.filter(user=learner).first()
    routed = route(request.departement)
    recommendation = recommend_modality(
        balance_input(learner, profile, routed, point, pathway, event.point_id)
    )
    request.network_queue = routed.network_queue
    request.recommended_modality = recommendation.modality
    request.recommendation_reason = _with_slots(recommendation.reason, recommendation)
    request.coach_recommendation_reason = _with_slots(recommendation.coach_reason, recommendation)
    request.save(
        update_fields=[
            "network_queue",
            "recommended_modality",
            "recommendation_reason",
            "coach_recommendation_reason",
        ]
    )
    return routed


def _announce_join(request: CoachingRequest, event: RequestEvent) -> None:
    """An origin joined an active request: the learner gets an acknowledgement; the coach
    who claimed it is told, or, while nobody has, the same people as for a new request."""
    notify(
        request.learner,
        kind="request_joined_ack",
        context={"event": event},
        url=reverse("coaching:my_coaching"),
    )
    if request.coach_id:
        recipients = [request.coach]
    else:
        routed = route(request.departement)
        if routed.network_queue:
            recipients = list(User.objects.filter(groups__name=Role.MANAGER.value, is_active=True))
            eligible = remote_coaches_with_room(settings.BALISE_NETWORK_QUEUE_NOTIFY_MAX)
        else:
            recipients, eligible = [], routed.local
        recipients += [e.profile.user for e in eligible if e.profile.user not in recipients]
    notify_many(
        recipients,
        kind="request_joined",
        context={
            "request": request,
            "event": event,
            "gate": event.origin == Origin.CHECKPOINT and request.releases_gate,
        },
        url=_request_url(request),
    )


def _announce_new_request(request: CoachingRequest, routed: Route) -> None:
    """Tell the learner their request is received, then the people who may take it.

    The learner's notification is written first: notifications enqueue one delivery task
    per row on commit, in the order written, so the learner's e-mail does not wait behind
    the coaches'. Who else is told:

    - a request of a covered département: its coaches with room left (``routed.local``);
    - a network-queue request: the managers, and at most
      ``BALISE_NETWORK_QUEUE_NOTIFY_MAX`` remote-capable coaches, those with the most room
      left (capacity minus active requests, ties by id). Coaches who are full could not
      claim it; the others still find it in their queue. Telling every remote coach sent
      tens of e-mails per request, ahead of the learner's.
    """
    notify(
        request.learner,
        kind="request_received",
        context={"request": request},
        url=reverse("coaching:my_coaching"),
    )
    if routed.network_queue:
        managers = User.objects.filter(groups__name=Role.MANAGER.value, is_active=True)
        notify_many(
            managers,
            kind="network_queue",
            context={"request": request},
            url=_request_url(request),
        )
        # Declared in lms/settings.py (environment variable of the same name, default 10).
        limit = settings.BALISE_NETWORK_QUEUE_NOTIFY_MAX
        eligible = remote_coaches_with_room(limit)
    else:
        eligible = routed.local
    notify_many(
        [e.profile.user for e in eligible],
        kind="request_opened",
        context={"request": request},
        url=_request_url(request),
    )


# --- Coach side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimResult:
    ok: bool
    message: str


@in_site_language
def claim_request(coach: User, request_id: int) -> ClaimResult:
    """Claim an open request: exactly one coach wins a race (conditional update)."""
    profile = getattr(coach, "coach_profile", None)
    request = CoachingRequest.objects.filter(pk=request_id).select_related("coach").first()
    if request is None:
        return ClaimResult(False, _("Cette demande n'existe pas."))
    if not may_claim(profile, request):
        return ClaimResult(False, _("Cette demande ne relève pas de vos départements."))
    now = timezone.now()
    with transaction.atomic():
        # Claims by one coach queue on their profile row; under READ COMMITTED the count
        # that follows is a new statement, so it sees the claims committed meanwhile (a
        # count inside the UPDATE would not: two claims update different rows).
        CoachProfile.objects.select_for_update().filter(pk=profile.pk).exists()
        if not has_capacity(profile):
            return ClaimResult(
                False,
                _("Vous avez atteint votre capacité : clôturez ou rendez une demande d'abord."),
            )
        won = CoachingRequest.objects.filter(
            pk=request_id, status=Status.OPEN, coach__isnull=True
        ).update(status=Status.CLAIMED, coach=coach, claimed_at=now)
        if not won:
            request.refresh_from_db()
            holder = request.coach.display_name if request.coach else _("quelqu'un d'autre")
            if request.status in (Status.CANCELLED, Status.EXPIRED, Status.DONE):
                return ClaimResult(False, _("Cette demande n'est plus ouverte."))
            return ClaimResult(False, _("Déjà pris en charge par %(name)s.") % {"name": holder})
        CoachingRequest.objects.filter(pk=request_id, first_response_at__isnull=True).update(
            first_response_at=now
        )
        notify(
            request.learner,
            kind="request_claimed",
            context={"coach": coach, "request": request},
            url=reverse("coaching:my_coaching"),
        )
    return ClaimResult(True, _("Demande prise en charge."))


@in_site_language
def hand_back(coach: User, request: CoachingRequest) -> None:
    """Give a claimed request back to the queue. Its proposed and accepted sessions are
    cancelled: the learner is told of each one still to come, with a calendar CANCEL."""
    with transaction.atomic():
        handed = CoachingRequest.objects.filter(
            pk=request.pk, coach=coach, status__in=[Status.CLAIMED, Status.SCHEDULED]
        ).update(status=Status.OPEN, coach=None, claimed_at=None)
        if not handed:
            return
        for session in _cancel_sessions(
            request.sessions.filter(status__in=ACTIVE_SESSION_STATUSES)
        ):
            _tell_session_cancelled(session, session.request.learner, because="handed_back")


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
        try:
            with transaction.atomic():
                session = CoachingSession.objects.create(
                    request=locked,
                    coach=coach,
                    starts_at=starts_at,
                    duration_minutes=duration_minutes,
                    modality=modality,
                    location=location,
                )
        except IntegrityError as error:
            raise CoachingError(_("Un rendez-vous existe déjà à cette heure.")) from error
        notify(
            locked.learner,
            kind="session_proposed",
            context={"session": session},
            url=reverse("coaching:my_coaching"),
            ics=session_calendar(session),
        )
    return session


def save_notes(
    coach: User, request: CoachingRequest, *, private_notes: str, summary: str, next_steps: str
):
    CoachingRequest.objects.filter(pk=request.pk, coach=coach).update(
        private_notes=private_notes, summary=summary, next_steps=next_steps
    )


@dataclass(frozen=True)
class Closed:
    request: CoachingRequest
    upcoming: list[CoachingSession]  # accepted sessions still to come, kept


@in_site_language
def close_request(
    coach: User, request: CoachingRequest, *, outcome: str, summary: str, next_steps: str
) -> Closed:
    """Close with an outcome; the summary and next steps are shared with the learner.
    A request born at a gate point releases the gate.

    Sessions still waiting for the learner's answer are cancelled (the learner gets a
    calendar CANCEL for each). Accepted sessions still to come are kept, as the coach and
    the learner agreed on them: they are returned so that the coach is warned.
    """
    with transaction.atomic():
        closed = CoachingRequest.objects.filter(
            pk=request.pk, coach=coach, status__in=[Status.CLAIMED, Status.SCHEDULED]
        ).update(
            status=Status.DONE,
            outcome=outcome,
            summary=summary,
            next_steps=next_steps,
            closed_at=timezone.now(),
        )
        if not closed:
            raise CoachingError(_("Cette demande n'est plus en cours."))
        request.refresh_from_db()
        if request.releases_gate and request.pathway_id:
            release_gate(request.learner, request.pathway, request.point_id)
        for session in _cancel_sessions(request.sessions.filter(status=SessionStatus.PROPOSED)):
            _tell_session_cancelled(session, session.request.learner, because="closed")
        upcoming = list(
            request.sessions.filter(status=SessionStatus.ACCEPTED, starts_at__gt=timezone.now())
        )
        notify(
            request.learner,
            kind="request_closed",
            context={"request": request},
            url=reverse("coaching:my_coaching"),
        )
    return Closed(request, upcoming)


def _cancel_sessions(sessions) -> list[CoachingSession]:
    """Cancel ``sessions`` (a queryset of active ones), bumping their SEQUENCE; return them
    as cancelled, loaded with what their calendar file needs."""
    locked = list(
        sessions.select_for_update(of=("self",)).select_related("coach", "request__learner")
    )
    CoachingSession.objects.filter(pk__in=[session.pk for session in locked]).update(
        status=SessionStatus.CANCELLED, sequence=F("sequence") + 1
    )
    for session in locked:
        session.status = SessionStatus.CANCELLED
        session.sequence += 1
    return locked


def _tell_session_cancelled(session: CoachingSession, recipient: User, because: str) -> None:
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
    )


# --- Learner side ---------------------------------------------------------------------------


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


@in_site_language
def cancel_request(learner: User, request: CoachingRequest) -> None:
    """The learner withdraws a request; its sessions are cancelled and the coach gets a
    calendar CANCEL for each one still to come."""
    with transaction.atomic():
        cancelled = CoachingRequest.objects.filter(
            pk=request.pk, learner=learner, status__in=ACTIVE_STATUSES
        ).update(status=Status.CANCELLED, closed_at=timezone.now())
        if not cancelled:
            raise CoachingError(_("Cette demande n'est plus en cours."))
        for session in _cancel_sessions(
            request.sessions.filter(status__in=ACTIVE_SESSION_STATUSES)
        ):
            _tell_session_cancelled(session, session.coach, because="learner_cancelled")
        if request.coach_id:
            notify(
                request.coach,
                kind="request_cancelled",
                context={"request": request},
                url=reverse("coaching:queue"),
            )


# --- Periodic work ---------------------------------------------------------------------------


@in_site_language
def escalate_overdue_requests(now: datetime | None = None) -> int:
    """Tell managers, once, of requests still waiting past their due time."""
    now = now or timezone.now()
    overdue = list(
        CoachingRequest.objects.filter(
            status=Status.OPEN, due_at__lt=now, escalated_at__isnull=True
        ).select_related("learner")[:500]
    )
    managers = list(User.objects.filter(groups__name=Role.MANAGER.value, is_active=True))
    escalated = 0
    for request in overdue:
        with transaction.atomic():
            if not CoachingRequest.objects.filter(pk=request.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            escalated += 1
            notify_many(
                managers,
                kind="request_overdue",
                context={"request": request},
                url=_request_url(request),
            )
    return escalated


@in_site_language
def nudge_inactive_learners(now: datetime | None = None) -> int:
    """Nudge learners inactive for N days (each threshold once per idle period); after the
    last nudge, open a request when the pathway asks for it. Returns the nudges sent."""
    now = now or timezone.now()
    thresholds = sorted(settings.BALISE_INACTIVITY_DAYS)
    sent = 0
    # Highest level first, so one run sends at most one reminder per learner.
    for level, days in reversed(list(enumerate(thresholds, start=1))):
        nudged = InactivityNudge.objects.filter(
            enrollment=OuterRef("pk"), activity_at=OuterRef("last_activity_at")
        )
        due = Enrollment.objects.filter(
            completed_at__isnull=True,
            learner__is_active=True,
            pathway__live=True,
            last_activity_at__lte=now - timedelta(days=days),
        ).exclude(Exists(nudged.filter(level=level)))
        if level > 1:
            due = due.filter(Exists(nudged.filter(level=level - 1)))
        for enrollment in due.select_related("learner", "pathway")[:1000]:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        InactivityNudge.objects.create(
                            enrollment=enrollment,
                            level=level,
                            activity_at=enrollment.last_activity_at,
                        )
                except IntegrityError:
                    continue
                sent += 1
                notify(
                    enrollment.learner,
                    kind="inactivity_nudge",
                    context={"enrollment": enrollment, "days": days},
                    url=reverse("pathways:continue", args=[enrollment.pathway_id]),
                )
                if level == len(thresholds) and enrollment.pathway.inactivity_request:
                    open_request(
                        enrollment.learner,
                        origin=Origin.INACTIVITY,
                        pathway=enrollment.pathway,
                        point_id="inactivity",
                        where=_("Sans activité depuis %(days)s jours") % {"days": days},
                    )
    return sent


@dataclass(frozen=True)
class Repaired:
    requests_opened: int
    events_announced: int
    failures: int


REPAIR_BATCH = 200


@in_site_language
def repair_requests(now: datetime | None = None) -> Repaired:
    """The sweeper of the hops from a learner's action to the coaches' notifications.

    1. A passage of an automatic or gate point with no event for its point (its request
       failed to open when reached) opens it, or joins the active request.
    2. An event left unannounced (routing or the notification write failed) is announced.

    Only what is older than ``COACHING_REPAIR_AFTER`` seconds (the normal path commits in
    the same transaction, so younger rows are still being written), and passages of the
    last ``COACHING_REPAIR_WINDOW_DAYS`` days. Each repair commits on its own; running
    twice is harmless: the unique constraint and the events decide. E-mails then go
    through the notifications outbox and its own sweeper.
    """
    now = now or timezone.now()
    before = now - timedelta(seconds=settings.COACHING_REPAIR_AFTER)
    handled = RequestEvent.objects.filter(
        request__learner=OuterRef("learner"),
        request__pathway=OuterRef("pathway"),
        point_id=OuterRef("point_id"),
    )
    passages = (
        CheckpointPassage.objects.filter(
            trigger__in=["automatic", "gate"],
            released_at__isnull=True,
            reached_at__lt=before,
            reached_at__gte=now - timedelta(days=settings.COACHING_REPAIR_WINDOW_DAYS),
            learner__is_active=True,
        )
        .exclude(Exists(handled))
        .select_related("learner", "pathway")
        .order_by("reached_at")[:REPAIR_BATCH]
    )
    opened = announced = failures = 0
    for passage in passages:
        point = passage.pathway.point_value(passage.point_id)
        if point is None:  # the point left the outline since
            continue
        try:
            _repair_passage(passage, point)
            opened += 1
        except Exception:
            failures += 1
            logger.exception("Could not open the request of passage %s.", passage.pk)
    pending = RequestEvent.objects.filter(announced_at__isnull=True, created_at__lt=before)
    for event_id in pending.order_by("pk").values_list("pk", flat=True)[:REPAIR_BATCH]:
        try:
            announced += _repair_announcement(event_id)
        except Exception:
            failures += 1
            logger.exception("Could not announce request event %s.", event_id)
    if opened or announced or failures:
        logger.info(
            "Repaired requests: %d opened, %d announced, %d failed.", opened, announced, failures
        )
    return Repaired(opened, announced, failures)


@transaction.atomic(durable=True)
def _repair_passage(passage: CheckpointPassage, point) -> None:
    open_request_for_point(passage, point)


@transaction.atomic(durable=True)
def _repair_announcement(event_id: int) -> int:
    event = (
        RequestEvent.objects.select_for_update(of=("self",))
        .filter(pk=event_id, announced_at__isnull=True)
        .select_related("request__learner", "request__pathway", "request__coach")
        .first()
    )
    if event is None:  # announced meanwhile
        return 0
    _announce(event, event.request)
    return 1
