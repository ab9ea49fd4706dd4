"""Routing (``lms/coaching/routing.py``): who may take a learner's request, and when it
goes to the network queue."""

import pytest
from django.utils import timezone

from lms.coaching.models import CoachingRequest, Status
from lms.coaching.routing import has_capacity, may_claim, remote_coaches_with_room, route
from tests.factories.accounts import coach, learner

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


def test_a_full_local_team_is_not_the_network_queue():
    """Coaches who cover the département but are full: the request waits for them."""
    full = coach(departements=["48"], modalities=["in_person"], capacity=1)
    give(full, 1)
    routed = route("48")
    assert not routed.network_queue and routed.local == [] and routed.local_in_person


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
