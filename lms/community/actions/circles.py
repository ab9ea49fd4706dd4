"""Circles: opened, joined (at most ``CIRCLE_MAX_MEMBERS``), left.

Joining locks the circle's row, so two learners taking the last place at the same moment
get one place and one « Ce cercle est complet ». A member who joins while meetings are
scheduled gets a seat at each (the group session's calendar file and reminders); a member
who leaves gives their seats back. Their posts stay in the thread.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import LearnerProfile, Structure, User
from lms.coaching import actions as coaching_actions
from lms.coaching.models import GroupSeat, GroupStatus

from ..access import circle_part, may_facilitate, may_moderate
from ..models import (
    CIRCLE_MAX_MEMBERS,
    CircleMeeting,
    CircleMembership,
    CircleStatus,
    PeerCircle,
)
from ._common import CommunityError, in_site_language
from .threads import stop_digest


def facilitator_refusal(facilitator: User) -> str:
    """Why ``facilitator`` may not lead a circle (empty: they may)."""
    if may_facilitate(facilitator):
        return ""
    return _(
        "%(name)s ne peut pas animer de cercle : seuls les accompagnateur·rices et les "
        "ancien·nes dont la proposition d'animer a été acceptée par une structure le peuvent."
    ) % {"name": facilitator.get_full_name() or facilitator.display_name}


@transaction.atomic(durable=True)
def create_circle(
    actor: User,
    *,
    name: str,
    facilitator: User,
    theme: str = "",
    pathway=None,
    stage: str = "",
    description: str = "",
    departements: list[str] | tuple[str, ...] = (),
    structure: Structure | None = None,
) -> PeerCircle:
    """Open a circle led by ``facilitator``. Refused (``CommunityError``) when the
    facilitator is neither a coach nor an approved alumnus."""
    refusal = facilitator_refusal(facilitator)
    if refusal:
        raise CommunityError(refusal)
    return PeerCircle.objects.create(
        name=name,
        facilitator=facilitator,
        theme=theme,
        pathway=pathway,
        stage=stage,
        description=description,
        departements=sorted(set(departements)),
        structure=structure,
        created_by=actor,
    )


def learner_departement(learner: User) -> str:
    profile = LearnerProfile.objects.filter(user=learner).only("departement").first()
    return profile.departement if profile else ""


def active_members(circle: PeerCircle):
    return User.objects.filter(
        circle_memberships__circle=circle, circle_memberships__left_at__isnull=True
    )


def upcoming_meetings(circle: PeerCircle):
    return CircleMeeting.objects.filter(
        circle=circle,
        group_session__status=GroupStatus.SCHEDULED,
        group_session__starts_at__gt=timezone.now(),
    ).select_related("group_session")


@in_site_language
@transaction.atomic(durable=True)
def join_circle(learner: User, circle_id: int) -> CircleMembership:
    """``learner`` joins the circle, and gets a seat at each meeting to come.

    Refused when the circle is closed, full, for another territory, or when they already
    belong to it or lead it. The circle's row is locked while the places are counted."""
    circle = PeerCircle.objects.select_for_update().get(pk=circle_id)
    if circle.status != CircleStatus.OPEN:
        raise CommunityError(_("Ce cercle est clos : il n'accueille plus de membres."))
    if circle.facilitator_id == learner.pk:
        raise CommunityError(_("Vous animez ce cercle : vous en faites déjà partie."))
    if circle.departements and learner_departement(learner) not in circle.departements:
        raise CommunityError(
            _("Ce cercle se réunit pour les personnes de %(departements)s.")
            % {"departements": ", ".join(circle.departements)}
        )
    members = CircleMembership.objects.filter(circle=circle, left_at__isnull=True)
    if members.filter(learner=learner).exists():
        raise CommunityError(_("Vous faites déjà partie de ce cercle."))
    if members.count() >= CIRCLE_MAX_MEMBERS:
        raise CommunityError(
            _(
                "Ce cercle est complet : ses %(max)s places sont prises. Choisissez-en un "
                "autre, ou demandez à la personne qui vous accompagne d'en ouvrir un."
            )
            % {"max": CIRCLE_MAX_MEMBERS}
        )
    try:
        with transaction.atomic():
            membership = CircleMembership.objects.create(circle=circle, learner=learner)
    except IntegrityError:  # one_active_membership_per_circle
        raise CommunityError(_("Vous faites déjà partie de ce cercle.")) from None
    for meeting in upcoming_meetings(circle):
        try:
            coaching_actions.register_for_group_session(meeting.group_session, learner)
        except coaching_actions.CoachingError:
            continue  # a meeting already full or started: the circle's page still lists it
    return membership


@transaction.atomic(durable=True)
def leave_circle(learner: User, circle_id: int) -> None:
    """``learner`` leaves: their membership is closed (kept, with its dates), their seats
    at the meetings to come are given back; what they wrote stays in the thread."""
    circle = PeerCircle.objects.select_for_update().get(pk=circle_id)
    updated = CircleMembership.objects.filter(
        circle=circle, learner=learner, left_at__isnull=True
    ).update(left_at=timezone.now())
    if not updated:
        raise CommunityError(_("Vous ne faites pas partie de ce cercle."))
    for meeting in upcoming_meetings(circle):
        session = meeting.group_session
        if GroupSeat.objects.filter(session=session, learner=learner).exists():
            coaching_actions.unregister_from_group_session(session, learner)
    stop_digest(circle, learner)


@transaction.atomic(durable=True)
def close_circle(actor: User, circle_id: int) -> PeerCircle:
    """The facilitator or a manager closes the circle: it takes no new member, post or
    meeting; its members keep reading the thread and what was said."""
    circle = PeerCircle.objects.select_for_update().get(pk=circle_id)
    if not may_moderate(circle_part(actor, circle)):
        raise CommunityError(_("Seule la personne qui anime le cercle, ou sa structure, le clôt."))
    if circle.status == CircleStatus.CLOSED:
        raise CommunityError(_("Ce cercle est clos."))
    circle.status = CircleStatus.CLOSED
    circle.save(update_fields=["status"])
    return circle
