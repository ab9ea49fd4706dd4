"""A coach takes a request (one winner, within capacity) or gives it back."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.departements import departement_label
from lms.accounts.models import CoachProfile, User
from lms.notifications.actions import notify

from ..models import (
    ACTIVE_SESSION_STATUSES,
    CoachingRequest,
    Status,
)
from ..routing import ClaimRefusal, claim_refusal, has_capacity
from ._common import in_site_language
from .sessions import cancel_sessions, tell_session_cancelled

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClaimResult:
    ok: bool
    message: str


@in_site_language
def claim_request(coach: User, request_id: int) -> ClaimResult:
    """Claim an open request: exactly one coach wins a race (conditional update)."""
    profile = CoachProfile.objects.filter(user=coach).select_related("structure__logo").first()
    request = (
        CoachingRequest.objects.filter(pk=request_id).select_related("coach", "structure").first()
    )
    if request is None:
        return ClaimResult(False, _("Cette demande n'existe pas."))
    refusal = claim_refusal(profile, request)
    if refusal is not None:
        return ClaimResult(False, refusal_message(refusal, profile, request))
    now = timezone.now()
    with transaction.atomic():
        refused = take_request(profile, coach, request_id, now)
        if refused == "full":
            return ClaimResult(
                False,
                _("Vous avez atteint votre capacité : clôturez ou rendez une demande d'abord."),
            )
        if refused == "closed":
            return ClaimResult(False, _("Cette demande n'est plus ouverte."))
        if refused == "taken":
            request.refresh_from_db()
            holder = request.coach.display_name if request.coach else _("quelqu'un d'autre")
            return ClaimResult(False, _("Déjà pris en charge par %(name)s.") % {"name": holder})
        notify(
            request.learner,
            kind="request_claimed",
            context={"coach": coach, "request": request},
            url=reverse("coaching:my_coaching"),
            structure=profile.structure,  # the learner sees whom their coach works for
        )
    return ClaimResult(True, _("Demande prise en charge."))


def take_request(profile: CoachProfile, coach: User, request_id: int, now) -> str | None:
    """Inside a transaction, give the open request to ``coach`` if they have room: None
    when done, else why not ("full", "closed" or "taken": someone else holds it). One
    conditional UPDATE decides between coaches racing for it; claims by one coach queue
    on their profile row, so their capacity holds. ``book_slot`` claims through it too."""
    # Under READ COMMITTED the count that follows the lock is a new statement, so it sees
    # the claims committed meanwhile (a count inside the UPDATE would not: two claims
    # update different rows).
    CoachProfile.objects.select_for_update().filter(pk=profile.pk).exists()
    if not has_capacity(profile):
        return "full"
    won = CoachingRequest.objects.filter(
        pk=request_id, status=Status.OPEN, coach__isnull=True
    ).update(status=Status.CLAIMED, coach=coach, claimed_at=now)
    if not won:
        status = CoachingRequest.objects.filter(pk=request_id).values_list("status", flat=True)
        if status.first() in (Status.CANCELLED, Status.EXPIRED, Status.DONE):
            return "closed"
        return "taken"
    CoachingRequest.objects.filter(pk=request_id, first_response_at__isnull=True).update(
        first_response_at=now
    )
    return None


def refusal_message(
    refusal: ClaimRefusal, profile: CoachProfile | None, request: CoachingRequest
) -> str:
    """Why the coach may not take the request, in words that say what to do."""
    if refusal == ClaimRefusal.NOT_A_COACH:
        return _("Seul·es les accompagnateur·rices peuvent prendre une demande en charge.")
    if refusal == ClaimRefusal.STRUCTURE_INACTIVE:
        return _(
            "Votre structure, %(structure)s, est désactivée : elle ne prend plus de nouvelle "
            "demande. Voyez avec ses responsables ou la tête de réseau."
        ) % {"structure": profile.structure.name}
    where = departement_label(request.departement) or _("non renseigné")
    yours = ", ".join(departement_label(code) for code in profile.departements) or _("aucun")
    if refusal == ClaimRefusal.NOT_REMOTE:
        return _(
            "Cette demande (département %(where)s) est dans la file nationale : seul·es les "
            "accompagnateur·rices qui proposent la visioconférence ou le téléphone peuvent "
            "la prendre, ou celles et ceux qui couvrent ce département (les vôtres : "
            "%(yours)s)."
        ) % {"where": where, "yours": yours}
    if request.structure_id:
        return _(
            "Cette demande relève de %(structure)s, pour le département %(where)s, que vous "
            "ne couvrez pas (vos départements : %(yours)s)."
        ) % {"structure": request.structure.name, "where": where, "yours": yours}
    return _(
        "Cette demande concerne le département %(where)s, que vous ne couvrez pas (vos "
        "départements : %(yours)s)."
    ) % {"where": where, "yours": yours}


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
        for session in cancel_sessions(request.sessions.filter(status__in=ACTIVE_SESSION_STATUSES)):
            tell_session_cancelled(session, session.request.learner, because="handed_back")
