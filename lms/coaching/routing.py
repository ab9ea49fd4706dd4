"""Routing: which coaches may take a request, and whether it goes to the network queue.

Coaches are few (hundreds at most): their profiles are read in one query and
filtered in Python, with their open load from one aggregate query.
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

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
    local: list[Eligible]  # coaches covering the département with capacity left
    network_queue: bool  # nobody covers the département: remote-capable coaches serve it
    local_in_person: bool  # a coach of the département meets in person

    @property
    def local_coach(self) -> bool:
        return bool(self.local) or not self.network_queue


def coach_profiles():
    return CoachProfile.objects.filter(
        user__is_active=True, user__groups__name=Role.COACH.value
    ).select_related("user")


def open_loads(user_ids) -> dict[int, int]:
    rows = (
        CoachingRequest.objects.filter(coach_id__in=user_ids, status__in=ACTIVE_STATUSES)
        .values("coach_id")
        .annotate(n=Count("id"))
    )
    return {row["coach_id"]: row["n"] for row in rows}


def route(departement: str) -> Route:
    """Eligible coaches for a learner of ``departement`` (territory, capacity, modalities)."""
    profiles = [p for p in coach_profiles() if departement in p.departements and p.modalities]
    loads = open_loads([p.user_id for p in profiles])
    eligible = [Eligible(p, loads.get(p.user_id, 0)) for p in profiles]
    with_room = [e for e in eligible if e.remaining > 0]
    with_room.sort(key=lambda e: (-e.remaining, e.profile.user_id))
    return Route(
        departement=departement,
        local=with_room,
        network_queue=not profiles,
        local_in_person=any(Modality.IN_PERSON in p.modalities for p in profiles),
    )


def remote_coaches_with_room(limit: int) -> list[Eligible]:
    """At most ``limit`` remote-capable coaches with room left, the most room first
    (capacity minus active requests; ties by user id), from one query."""
    active = (
        CoachingRequest.objects.filter(coach=OuterRef("user_id"), status__in=ACTIVE_STATUSES)
        .order_by()
        .values("coach")
        .annotate(n=Count("pk"))
        .values("n")
    )
    profiles = coach_profiles().annotate(active=Coalesce(Subquery(active), 0))
    eligible = [Eligible(p, p.active) for p in profiles if p.offers_remote]
    with_room = [e for e in eligible if e.remaining > 0]
    with_room.sort(key=lambda e: (-e.remaining, e.profile.user_id))
    return with_room[: max(limit, 0)]


def may_claim(profile: CoachProfile | None, request: CoachingRequest) -> bool:
    """A coach may claim an open request of a département they cover, or of the network
    queue when they work remotely."""
    if profile is None:
        return False
    if request.departement in profile.departements:
        return True
    return request.network_queue and profile.offers_remote


def has_capacity(profile: CoachProfile) -> bool:
    return open_loads([profile.user_id]).get(profile.user_id, 0) < profile.capacity
