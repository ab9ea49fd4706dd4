"""Opening a request or joining the learner's active one, announcing it (routing, the
people told), the coach's notes and closing, the learner's withdrawal."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lms.accounts.models import Availability, LearnerProfile, Modality, Structure, User
from lms.accounts.structures import managers_of
from lms.notifications.actions import notify, notify_many
from pathways.actions import release_gate
from pathways.carnet import build_carnet
from pathways.models import CheckpointPassage, PathwayPage
from pathways.queries import learner_progress

from ..balance import BalanceInput, Recommendation, recommend_modality
from ..groups import nearby_group_session
from ..models import (
    ACTIVE_SESSION_STATUSES,
    ACTIVE_STATUSES,
    CoachingRequest,
    CoachingSession,
    Origin,
    Outcome,
    RequestEvent,
    SessionStatus,
    Status,
)
from ..routing import Route, remote_coaches_with_room, route
from ..sla import add_working_days
from ._common import CoachingError, in_site_language, request_url, structure_for_learner
from .sessions import cancel_sessions, tell_session_cancelled

logger = logging.getLogger(__name__)


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
        local_covered=routed.covered,
        in_person_reachable=routed.local_in_person,
        remote_sessions=sum(1 for m in held if m != Modality.IN_PERSON),
        in_person_sessions=sum(1 for m in held if m == Modality.IN_PERSON),
        in_person_offered=offered_in_person,
        completing_pathway=pathway is not None and pathway.ends_after(point_id),
        nearby_group=_nearby_group(learner, point, pathway, point_id),
    )


def _nearby_group(learner, point, pathway, point_id) -> str:
    """A short description of the next group session at this point that the learner could
    join, when the point may be met in a group (no query otherwise)."""
    if pathway is None or not point or not point.get("group_allowed"):
        return ""
    session = nearby_group_session(learner, pathway.pk, point_id)
    if session is None:
        return ""
    where = session.place if session.modality == "in_person" else _("à distance")
    return _("« %(title)s », le %(when)s, %(where)s") % {
        "title": session.title,
        "when": date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT"),
        "where": where,
    }


def _with_group(reason: str, group_reason: str) -> str:
    return f"{reason} {group_reason}" if group_reason else reason


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
    if not routed.network_queue:
        # Local coaches with room, but maybe none offering what the learner needs: then
        # the network's remote coaches, and a recommendation that fits them.
        offering = routed.offering(recommendation.modality)
        if offering.network_queue:
            routed = offering
            recommendation = recommend_modality(
                balance_input(learner, profile, routed, point, pathway, event.point_id)
            )
    request.network_queue = routed.network_queue
    request.structure_id = routed.structure_id
    request.recommended_modality = recommendation.modality
    request.recommendation_reason = _with_group(
        _with_slots(recommendation.reason, recommendation), recommendation.group_reason
    )
    request.coach_recommendation_reason = _with_group(
        _with_slots(recommendation.coach_reason, recommendation), recommendation.coach_group_reason
    )
    request.save(
        update_fields=[
            "network_queue",
            "structure",
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
        structure=structure_for_learner(request),
    )
    if request.coach_id:
        recipients = [request.coach]
    else:
        if request.network_queue:
            recipients = managers_of(request.structure_id)
            eligible = remote_coaches_with_room(
                settings.BALISE_NETWORK_QUEUE_NOTIFY_MAX, request.recommended_modality
            )
        else:
            recipients = []
            eligible = route(request.departement).offering(request.recommended_modality).local
        recipients += [e.profile.user for e in eligible if e.profile.user not in recipients]
    notify_many(
        recipients,
        kind="request_joined",
        context={
            "request": request,
            "event": event,
            "gate": event.origin == Origin.CHECKPOINT and request.releases_gate,
        },
        url=request_url(request),
    )


def _announce_new_request(request: CoachingRequest, routed: Route) -> None:
    """Tell the learner their request is received, then the people who may take it.

    The learner's notification is written first: notifications enqueue one delivery task
    per row on commit, in the order written, so the learner's e-mail does not wait behind
    the coaches'. Who else is told:

    - a request some local coach can take: the coaches of its département who are
      present, have room left and offer the recommended modality (``routed.local``);
    - a network-queue request (nobody covers the département, or its coaches are full,
      absent or do not offer that modality): the managers of the request's structure
      (else the network's), and at most
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
        structure=structure_for_learner(request),
    )
    if routed.network_queue:
        notify_many(
            managers_of(request.structure_id),
            kind="network_queue",
            context={"request": request},
            url=request_url(request),
        )
        # Declared in lms/settings.py (environment variable of the same name, default 10).
        limit = settings.BALISE_NETWORK_QUEUE_NOTIFY_MAX
        eligible = remote_coaches_with_room(limit, request.recommended_modality)
    else:
        eligible = routed.local
    notify_many(
        [e.profile.user for e in eligible],
        kind="request_opened",
        context={"request": request},
        url=request_url(request),
    )


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
    coach: User,
    request: CoachingRequest,
    *,
    outcome: str,
    summary: str,
    next_steps: str,
    oriented_to: Structure | None = None,
) -> Closed:
    """Close with an outcome; the summary and next steps are shared with the learner.
    A request born at a gate point releases the gate.

    Sessions still waiting for the learner's answer are cancelled (the learner gets a
    calendar CANCEL for each). Accepted sessions still to come are kept, as the coach and
    the learner agreed on them: they are returned so that the coach is warned.

    Closing as « referred » orients the learner to ``oriented_to``, an active structure:
    it is recorded, the structure's managers are told, and the learner's summary carries
    its contact.
    """
    if outcome == Outcome.REFERRED:
        if oriented_to is None or oriented_to.is_network:
            raise CoachingError(
                _("Choisissez une structure active vers laquelle orienter la personne.")
            )
        # Read again: the structure may have been deactivated since the form was shown.
        if not Structure.objects.active().filter(pk=oriented_to.pk).exists():
            raise CoachingError(
                _(
                    "%(structure)s n'accueille plus de personnes orientées (elle est "
                    "désactivée) : choisissez une autre structure."
                )
                % {"structure": oriented_to.name}
            )
    else:
        oriented_to = None
    with transaction.atomic():
        closed = CoachingRequest.objects.filter(
            pk=request.pk, coach=coach, status__in=[Status.CLAIMED, Status.SCHEDULED]
        ).update(
            status=Status.DONE,
            outcome=outcome,
            summary=summary,
            next_steps=next_steps,
            oriented_to=oriented_to,
            closed_at=timezone.now(),
        )
        if not closed:
            raise CoachingError(_("Cette demande n'est plus en cours."))
        request.refresh_from_db()
        if request.releases_gate and request.pathway_id:
            release_gate(request.learner, request.pathway, request.point_id)
        for session in cancel_sessions(request.sessions.filter(status=SessionStatus.PROPOSED)):
            tell_session_cancelled(session, session.request.learner, because="closed")
        upcoming = list(
            request.sessions.filter(status=SessionStatus.ACCEPTED, starts_at__gt=timezone.now())
        )
        notify(
            request.learner,
            kind="request_closed",
            context={"request": request, "oriented_to": oriented_to},
            url=reverse("coaching:my_coaching"),
            structure=structure_for_learner(request, coach),
        )
        if oriented_to is not None:
            notify_many(
                managers_of(oriented_to.pk),
                kind="request_oriented",
                context={"request": request, "coach": coach, "structure": oriented_to},
                url=request_url(request),
            )
    return Closed(request, upcoming)


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
        for session in cancel_sessions(request.sessions.filter(status__in=ACTIVE_SESSION_STATUSES)):
            tell_session_cancelled(session, session.coach, because="learner_cancelled")
        if request.coach_id:
            notify(
                request.coach,
                kind="request_cancelled",
                context={"request": request},
                url=reverse("coaching:queue"),
            )
