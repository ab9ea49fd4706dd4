"""Routing: which coaches may take a request, which structure it belongs to, and whether
it goes to the network queue.

Coaches are few (hundreds at most): their profiles are read in one query and
filtered in Python, with their open load from one aggregate query.
"""

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from lms.accounts.models import CoachProfile, Modality
from lms.accounts.roles import Role

from .models import ACTIVE_STATUSES, CoachingRequest


@dataclass(frozen=True)
class Eligible:
    profile: CoachProfile
    open_load: int

    @property
    def remaining(self) -> int:
        return max(self.profile.capacity - self.open_load, 0)


@dataclass(frozen=True)
class Route:
    departement: str
    structure_id: int | None  # the structure the request belongs to (None: the network's)
    local: list[Eligible]  # coaches of the département, present, with room left
    network_queue: bool  # no local coach can take it: remote coaches of the network can
    local_in_person: bool  # a local coach with room meets in person
    covered: bool = False  # some coach covers the département (maybe full or away)

    @property
    def local_coach(self) -> bool:
        return not self.network_queue

    def offering(self, modality: str) -> "Route":
        """The same route once the recommended modality is known: the local coaches who
        offer it; none left sends the request to the network queue."""
        local = [e for e in self.local if modality in e.profile.modalities]
        return replace(self, local=local, network_queue=not local)


def coach_profiles():
    """Coaches who may be told of requests: active, with the coach role, in an active
    structure."""
    return CoachProfile.objects.filter(
        user__is_active=True, user__groups__name=Role.COACH.value, structure__active=True
    ).select_related("user", "structure")


def open_loads(user_ids) -> dict[int, int]:
    rows = (
        CoachingRequest.objects.filter(coach_id__in=user_ids, status__in=ACTIVE_STATUSES)
        .values("coach_id")
        .annotate(n=Count("id"))
    )
    return {row["coach_id"]: row["n"] for row in rows}


def route(departement: str, today: date | None = None) -> Route:
    """Where a request of a learner of ``departement`` goes: to the coaches of the
    département (structures covering it) who are present and have room left, else to the
    network queue at once. The request belongs to the structure of the local coach with
    the most room, else to the first structure covering the département (by name), else
    to the network (``None``)."""
    today = today or timezone.localdate()
    profiles = [p for p in coach_profiles() if departement in p.departements and p.modalities]
    present = [p for p in profiles if not p.is_absent(today)]
    loads = open_loads([p.user_id for p in present])
    with_room = [e for p in present if (e := Eligible(p, loads.get(p.user_id, 0))).remaining > 0]
    with_room.sort(key=lambda e: (-e.remaining, e.profile.user_id))
    if with_room:
        structure_id = with_room[0].profile.structure_id
    else:
        covering = sorted((p.structure.name, p.structure_id) for p in profiles)
        structure_id = covering[0][1] if covering else None
    return Route(
        departement=departement,
        structure_id=structure_id,
        local=with_room,
        network_queue=not with_room,
        local_in_person=any(Modality.IN_PERSON in e.profile.modalities for e in with_room),
        covered=bool(profiles),
    )


def remote_coaches_with_room(limit: int, modality: str = "") -> list[Eligible]:
    """At most ``limit`` remote-capable coaches, present, with room left, the most room
    first (capacity minus active requests; ties by user id), from one query; only those
    offering ``modality`` when it is a remote one."""
    active = (
        CoachingRequest.objects.filter(coach=OuterRef("user_id"), status__in=ACTIVE_STATUSES)
        .order_by()
        .values("coach")
        .annotate(n=Count("pk"))
        .values("n")
    )
    today = timezone.localdate()
    profiles = coach_profiles().annotate(active=Coalesce(Subquery(active), 0))
    remote = modality in (Modality.VIDEO, Modality.PHONE)
    eligible = [
        Eligible(p, p.active)
        for p in profiles
        if p.offers_remote and not p.is_absent(today) and (not remote or modality in p.modalities)
    ]
    with_room = [e for e in eligible if e.remaining > 0]
    with_room.sort(key=lambda e: (-e.remaining, e.profile.user_id))
    return with_room[: max(limit, 0)]


class ClaimRefusal(StrEnum):
    """Why a coach may not claim a request (``claims`` words each one for the coach)."""

    NOT_A_COACH = "not_a_coach"  # no coach profile
    STRUCTURE_INACTIVE = "structure_inactive"  # their structure takes no new request
    OUTSIDE_DEPARTEMENTS = "outside_departements"  # a département they do not cover
    NOT_REMOTE = "not_remote"  # the network queue, and they meet in person only


def claim_refusal(profile: CoachProfile | None, request: CoachingRequest) -> ClaimRefusal | None:
    """Why ``profile`` may not claim ``request``, or None when they may: a coach of an active
    structure claims requests of the départements they cover, and those of the network
    queue when they work remotely. Reads the profile's structure unless already loaded."""
    if profile is None:
        return ClaimRefusal.NOT_A_COACH
    if not profile.structure.active:
        return ClaimRefusal.STRUCTURE_INACTIVE
    if request.departement in profile.departements:
        return None
    if request.network_queue:
        return None if profile.offers_remote else ClaimRefusal.NOT_REMOTE
    return ClaimRefusal.OUTSIDE_DEPARTEMENTS


def may_claim(profile: CoachProfile | None, request: CoachingRequest) -> bool:
    return claim_refusal(profile, request) is None


def has_capacity(profile: CoachProfile) -> bool:
    return open_loads([profile.user_id]).get(profile.user_id, 0) < profile.capacity
