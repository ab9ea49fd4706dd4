"""Alumni who give back: an offer to mentor or to facilitate, the managers' decision, and
the hours mentors give (the field's charters ask a minimum a year,
``BALISE_MENTOR_MIN_HOURS``)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import LearnerProfile, Structure, StructureKind, User
from lms.accounts.structures import managers_of, may_manage
from lms.coaching.models import CoachingRequest
from lms.notifications.actions import notify

from ..access import is_alumnus
from ..models import MentorHours, MentorOffer, OfferStatus
from ._common import CommunityError, in_site_language


def structure_of_learner(learner: User) -> Structure | None:
    """The structure that accompanied ``learner``: their latest request's, else the first
    active structure covering their département; None leaves it to the network."""
    request = (
        CoachingRequest.objects.filter(learner=learner, structure__isnull=False)
        .select_related("structure")
        .order_by("-created_at")
        .first()
    )
    if request is not None:
        return request.structure
    profile = LearnerProfile.objects.filter(user=learner).only("departement").first()
    if profile is None:
        return None
    for structure in Structure.objects.active().exclude(kind=StructureKind.NETWORK):
        if structure.covers(profile.departement):
            return structure
    return None


@in_site_language
@transaction.atomic(durable=True)
def offer_to_mentor(learner: User, kind: str, message: str = "") -> MentorOffer:
    """An alumnus offers to mentor or to facilitate; the managers who decide are told.
    Refused before a pathway is finished, and while an offer of the same kind waits or
    stands."""
    if not is_alumnus(learner):
        raise CommunityError(
            _(
                "Proposer de parrainer ou d'animer est ouvert aux personnes qui ont terminé "
                "un parcours : terminez le vôtre, puis revenez ici."
            )
        )
    structure = structure_of_learner(learner)
    try:
        with transaction.atomic():
            offer = MentorOffer.objects.create(
                learner=learner, kind=kind, message=message, structure=structure
            )
    except IntegrityError:  # one_live_offer_per_kind
        raise CommunityError(
            _("Vous avez déjà fait cette proposition : elle attend une réponse ou est acceptée.")
        ) from None
    for manager in managers_of(structure.pk if structure else None):
        notify(
            manager,
            kind="mentor_offer",
            context={"offer": offer, "learner": learner},
            url=reverse("community:offers"),
        )
    return offer


@in_site_language
@transaction.atomic(durable=True)
def decide_offer(manager: User, offer_id: int, approve: bool, note: str = "") -> MentorOffer:
    """A manager of the offer's structure (else of the network) accepts or declines it;
    the learner is told. A decided offer is not decided again."""
    offer = MentorOffer.objects.select_for_update().select_related("learner").get(pk=offer_id)
    if not may_manage(manager, offer.structure_id):
        raise CommunityError(_("Cette proposition relève d'une autre structure."))
    if offer.status != OfferStatus.PENDING:
        raise CommunityError(_("Cette proposition a déjà reçu une réponse."))
    offer.status = OfferStatus.APPROVED if approve else OfferStatus.REFUSED
    offer.decided_by = manager
    offer.decided_at = timezone.now()
    offer.decision_note = note
    offer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    notify(
        offer.learner,
        kind="mentor_offer_decided",
        context={"offer": offer},
        url=reverse("community:mentoring"),
        structure=offer.structure,
    )
    return offer


def may_record_hours(actor: User, mentor: User) -> bool:
    """A mentor records their own hours once an offer is approved; a manager those of the
    mentors whose offer their structure approved (the network's managers: all)."""
    approved = MentorOffer.objects.filter(learner=mentor, status=OfferStatus.APPROVED)
    if actor.pk == mentor.pk:
        return approved.exists()
    return any(may_manage(actor, sid) for sid in approved.values_list("structure_id", flat=True))


@transaction.atomic(durable=True)
def record_hours(
    actor: User, mentor: User, *, on: date, minutes: int, activity: str
) -> MentorHours:
    """Record time given by ``mentor`` (by themselves or a manager)."""
    if not may_record_hours(actor, mentor):
        raise CommunityError(
            _("Les heures se notent pour un·e mentor dont la proposition a été acceptée.")
        )
    if on > timezone.localdate():
        raise CommunityError(_("Ces heures sont à venir : notez-les une fois données."))
    return MentorHours.objects.create(
        mentor=mentor, date=on, minutes=minutes, activity=activity, recorded_by=actor
    )
