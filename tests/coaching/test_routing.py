"""Routing (``lms/coaching/routing.py``): who may take a learner's request, and when it
goes to the network queue."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from lms.coaching.models import CoachingRequest, Status
from lms.coaching.routing import (
    ClaimRefusal,
    claim_refusal,
    has_capacity,
    may_claim,
    remote_coaches_with_room,
    route,
)
from tests.factories.accounts import StructureFactory, coach, learner

pytestmark = pytest.mark.django_db


def give(coach_user, n, status=Status.CLAIMED):
    """``n`` requests held by the coach (claimed by default)."""
    for _ in range(n):
        CoachingRequest.objects.create(
            learner=learner(departement="69"),
            point_id="help",
            origin="help",
            departement="69",
            status=status,
            coach=coach_user,
            due_at=timezone.now(),
        )


def test_coaches_of_the_departement_with_the_most_room_come_first():
    busy = coach(departements=["69"], modalities=["video"], capacity=3)
    free = coach(departements=["69"], modalities=["phone"], capacity=2)
    full = coach(departements=["69"], modalities=["video"], capacity=1)
    coach(departements=["01"], modalities=["video"], capacity=5)  # another département
    give(busy, 2)
    give(full, 1)
    routed = route("69")
    assert [e.profile.user for e in routed.local] == [free, busy]  # room 2, then 1
    assert [e.remaining for e in routed.local] == [2, 1]
    assert not routed.network_queue and not routed.local_in_person


def test_ties_are_broken_by_the_oldest_account():
    first = coach(departements=["07"], modalities=["video"], capacity=2)
    second = coach(departements=["07"], modalities=["video"], capacity=2)
    assert [e.profile.user for e in route("07").local] == [first, second]


def test_closed_requests_do_not_count_against_capacity():
    only = coach(departements=["69"], modalities=["video"], capacity=1)
    give(only, 3, status=Status.DONE)
    assert [e.profile.user for e in route("69").local] == [only]
    assert has_capacity(only.coach_profile)
    give(only, 1)
    assert route("69").local == [] and not has_capacity(only.coach_profile)


def test_a_departement_nobody_covers_goes_to_the_network_queue():
    coach(departements=["69"], modalities=["video"])
    routed = route("48")
    assert routed.network_queue and routed.local == [] and routed.local_coach is False


def test_a_full_local_team_sends_the_request_to_the_network_queue_at_once():
    """Coaches who cover the département but are full: remote coaches of the network can
    take it now rather than nobody hearing of it."""
    full = coach(departements=["48"], modalities=["in_person"], capacity=1)
    give(full, 1)
    routed = route("48")
    assert routed.network_queue and routed.local == [] and not routed.local_in_person
    assert routed.structure_id == full.coach_profile.structure_id  # it stays theirs


def test_an_absent_coach_is_not_routed_until_they_are_back():
    today = date(2027, 3, 1)
    away = coach(departements=["48"], modalities=["video"])
    away.coach_profile.absent_until = today
    away.coach_profile.save()
    assert route("48", today=today).network_queue
    assert [e.profile.user for e in route("48", today=today + timedelta(days=1)).local] == [away]


def test_local_coaches_without_the_recommended_modality_leave_it_to_the_network():
    local = coach(departements=["48"], modalities=["in_person"])
    routed = route("48")
    assert not routed.network_queue and routed.local_in_person
    assert routed.offering("in_person").local[0].profile.user == local
    assert routed.offering("phone").network_queue


def test_the_request_belongs_to_the_structure_of_the_coach_with_most_room():
    lozere = StructureFactory(name="Fabrique Lozère", departements=["48"])
    aveyron = StructureFactory(name="CAE Aveyron", departements=["48", "12"])
    coach(departements=["48"], structure=lozere, capacity=1)
    roomy = coach(departements=["48"], structure=aveyron, capacity=9)
    assert route("48").structure_id == roomy.coach_profile.structure_id == aveyron.pk


def test_coaches_of_an_inactive_structure_are_not_routed():
    closed = StructureFactory(name="Couveuse fermée", departements=["48"], active=False)
    coach(departements=["48"], structure=closed)
    assert route("48").network_queue and route("48").structure_id is None


def test_coaches_without_modality_or_inactive_or_without_the_role_are_not_routed():
    coach(departements=["69"], modalities=[])
    gone = coach(departements=["69"], modalities=["video"])
    gone.is_active = False
    gone.save()
    former = coach(departements=["69"], modalities=["video"])
    former.groups.clear()
    assert route("69").network_queue


def test_remote_coaches_with_room_most_room_first_within_the_limit():
    small = coach(departements=["69"], modalities=["video"], capacity=2)
    large = coach(departements=["01"], modalities=["phone", "in_person"], capacity=5)
    coach(departements=["07"], modalities=["in_person"], capacity=9)  # meets in person only
    full = coach(departements=["07"], modalities=["video"], capacity=1)
    give(full, 1)
    assert [e.profile.user for e in remote_coaches_with_room(10)] == [large, small]
    assert [e.profile.user for e in remote_coaches_with_room(1)] == [large]
    assert remote_coaches_with_room(0) == [] and remote_coaches_with_room(-3) == []


def test_who_may_claim_what():
    local = coach(departements=["69"], modalities=["in_person"])
    remote = coach(departements=["07"], modalities=["video"])
    lyon = CoachingRequest(departement="69", network_queue=False)
    lozere = CoachingRequest(departement="48", network_queue=True)
    assert may_claim(local.coach_profile, lyon) and not may_claim(remote.coach_profile, lyon)
    assert may_claim(remote.coach_profile, lozere)  # remote work serves the network queue
    assert not may_claim(local.coach_profile, lozere)  # in person only
    assert not may_claim(None, lyon)


def test_why_a_coach_may_not_claim():
    local = coach(departements=["69"], modalities=["in_person"])
    remote = coach(departements=["07"], modalities=["video"])
    closed = StructureFactory(name="Fermée", active=False)
    stranded = coach(departements=["69"], modalities=["video"], structure=closed)
    lyon = CoachingRequest(departement="69", network_queue=False)
    lozere = CoachingRequest(departement="48", network_queue=True)
    assert claim_refusal(None, lyon) == ClaimRefusal.NOT_A_COACH
    assert claim_refusal(local.coach_profile, lyon) is None
    assert claim_refusal(remote.coach_profile, lyon) == ClaimRefusal.OUTSIDE_DEPARTEMENTS
    assert claim_refusal(local.coach_profile, lozere) == ClaimRefusal.NOT_REMOTE
    assert claim_refusal(remote.coach_profile, lozere) is None
    # A deactivated structure takes no new request, in its départements or remotely.
    assert claim_refusal(stranded.coach_profile, lyon) == ClaimRefusal.STRUCTURE_INACTIVE
    assert claim_refusal(stranded.coach_profile, lozere) == ClaimRefusal.STRUCTURE_INACTIVE
