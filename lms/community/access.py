"""Who takes which part in a circle, decided here only: every view and action asks.

- a **member**: a learner with an active membership; reads and writes the thread;
- the **facilitator**: reads and writes, schedules meetings, moderates;
- a **manager** of the circle's structure (a circle of the network: the network's
  managers): reads and moderates, does not write in the members' thread;
- anyone else: nothing (the views answer 404).

Who may lead a circle: a coach, or an alumnus whose offer to facilitate was approved.
"""

from enum import StrEnum

from lms.accounts.roles import Role, roles_of
from lms.accounts.structures import may_manage
from pathways.models import Enrollment

from .models import CircleMembership, MentorOffer, OfferKind, OfferStatus, PeerCircle


class CirclePart(StrEnum):
    MEMBER = "member"
    FACILITATOR = "facilitator"
    MANAGER = "manager"


def circle_part(user, circle: PeerCircle) -> CirclePart | None:
    """The part ``user`` takes in ``circle``, or None when they may not see it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.pk == circle.facilitator_id:
        return CirclePart.FACILITATOR
    if CircleMembership.objects.filter(circle=circle, learner=user, left_at__isnull=True).exists():
        return CirclePart.MEMBER
    if Role.MANAGER in roles_of(user) and may_manage(user, circle.structure_id):
        return CirclePart.MANAGER
    return None


def may_write(part: CirclePart | None) -> bool:
    return part in (CirclePart.MEMBER, CirclePart.FACILITATOR)


def may_moderate(part: CirclePart | None) -> bool:
    return part in (CirclePart.FACILITATOR, CirclePart.MANAGER)


def is_alumnus(user) -> bool:
    """A learner who finished at least one pathway."""
    return Enrollment.objects.filter(learner=user, completed_at__isnull=False).exists()


def is_approved(user, kind: str) -> bool:
    return MentorOffer.objects.filter(learner=user, kind=kind, status=OfferStatus.APPROVED).exists()


def may_facilitate(user) -> bool:
    """A coach may always lead a circle; an alumnus once their offer to facilitate is
    approved by a manager."""
    if not getattr(user, "is_active", False):
        return False
    return Role.COACH in roles_of(user) or is_approved(user, OfferKind.FACILITATOR)


def may_create_circles(user) -> bool:
    """Coaches and managers open circles (and choose who facilitates them)."""
    return bool({Role.COACH, Role.MANAGER} & roles_of(user))
