"""Circles: who may lead one, joining (at most 8, race-safe by the circle's row lock),
leaving, and the seats members get at the meetings (group sessions)."""

import pytest
from django.core import mail

from lms.coaching.models import GroupSeat
from lms.community import actions
from lms.community.actions import CommunityError
from lms.community.models import CIRCLE_MAX_MEMBERS, CircleMembership, MentorOffer, PeerCircle
from tests.factories.accounts import StructureFactory, coach, learner, manager
from tests.factories.community import alumnus, circle, meeting, member

pytestmark = pytest.mark.django_db


def test_a_coach_or_an_approved_alumnus_leads_a_circle_and_nobody_else():
    lead = coach(departements=["69"])
    assert circle(lead).facilitator == lead
    former = alumnus(user__first_name="Nadia", user__last_name="Roux")
    with pytest.raises(CommunityError, match="Nadia Roux ne peut pas animer"):
        actions.create_circle(lead, name="Cercle", facilitator=former)
    MentorOffer.objects.create(learner=former, kind="facilitator", status="approved")
    assert actions.create_circle(lead, name="Cercle", facilitator=former).facilitator == former
    assert PeerCircle.objects.count() == 2


def test_joining_stops_at_eight_with_a_message_and_nothing_written():
    made = circle(members=CIRCLE_MAX_MEMBERS)
    ninth = learner(departement="69")
    with pytest.raises(CommunityError, match="complet"):
        actions.join_circle(ninth, made.pk)
    assert CircleMembership.objects.filter(circle=made).count() == CIRCLE_MAX_MEMBERS
    assert not CircleMembership.objects.filter(learner=ninth).exists()


def test_joining_twice_or_from_another_territory_is_refused():
    made = circle(departements=["69"])
    person = member(made)
    with pytest.raises(CommunityError, match="déjà partie"):
        actions.join_circle(person, made.pk)
    with pytest.raises(CommunityError, match="69"):
        actions.join_circle(learner(departement="48"), made.pk)


def test_leaving_keeps_the_row_frees_the_place_and_allows_coming_back():
    made = circle(members=CIRCLE_MAX_MEMBERS - 1)
    person = member(made)
    actions.leave_circle(person, made.pk)
    membership = CircleMembership.objects.get(circle=made, learner=person)
    assert membership.left_at is not None
    actions.join_circle(learner(departement="69"), made.pk)  # the place is free again
    with pytest.raises(CommunityError, match="complet"):
        actions.join_circle(person, made.pk)
    with pytest.raises(CommunityError, match="ne faites pas partie"):
        actions.leave_circle(learner(departement="69"), made.pk)


def test_a_meeting_is_a_group_session_with_a_seat_and_an_invitation_per_member():
    made = circle(members=4)
    mail.outbox.clear()
    scheduled = meeting(made)
    session = scheduled.group_session
    assert session.coach == made.facilitator
    seated = set(
        GroupSeat.objects.filter(session=session, learner__isnull=False).values_list(
            "learner_id", flat=True
        )
    )
    members = set(CircleMembership.objects.filter(circle=made).values_list("learner_id", flat=True))
    assert seated == members


def test_a_member_who_joins_later_gets_a_seat_and_one_who_leaves_gives_it_back():
    made = circle(members=4)
    scheduled = meeting(made)
    newcomer = member(made)
    assert GroupSeat.objects.filter(session=scheduled.group_session, learner=newcomer).exists()
    actions.leave_circle(newcomer, made.pk)
    assert not GroupSeat.objects.filter(session=scheduled.group_session, learner=newcomer).exists()


def test_a_circle_meets_from_four_members_and_only_its_facilitator_or_managers_schedule():
    made = circle(members=3)
    with pytest.raises(CommunityError, match="à partir de 4 membres"):
        meeting(made)
    someone = member(made)
    with pytest.raises(CommunityError, match="anime le cercle"):
        meeting(made, actor=someone)
    network_manager = manager()
    assert meeting(made, actor=network_manager).circle == made


def test_circles_are_visible_to_members_facilitator_and_managers_only():
    made = circle(members=1)
    person = CircleMembership.objects.get(circle=made).learner
    outsider = learner(departement="69")
    other_structure_manager = manager(StructureFactory(name="CAE Drôme", departements=["26"]))
    visible = PeerCircle.objects.visible_to
    assert list(visible(person)) == [made]
    assert list(visible(made.facilitator)) == [made]
    assert list(visible(manager())) == [made]  # the network's
    assert not visible(outsider).exists()
    assert not visible(other_structure_manager).exists()


def test_a_closed_circle_takes_no_member_post_or_meeting_and_keeps_its_thread():
    made = circle(members=4)
    person = made.memberships.first().learner
    actions.post_to_circle(person, made.pk, "Avant la clôture")
    with pytest.raises(CommunityError, match="ou sa structure"):
        actions.close_circle(person, made.pk)
    actions.close_circle(made.facilitator, made.pk)
    with pytest.raises(CommunityError, match="clos"):
        actions.join_circle(learner(departement="69"), made.pk)
    with pytest.raises(CommunityError, match="clos"):
        actions.post_to_circle(person, made.pk, "Après")
    with pytest.raises(CommunityError, match="clos"):
        meeting(made)
    assert list(PeerCircle.objects.visible_to(person)) == [made]
