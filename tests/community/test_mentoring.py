"""Alumni offer to mentor or facilitate; managers of their structure decide; hours are
recorded against the charter's yearly minimum; meetings' co-development notes."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from lms.coaching.models import CoachingRequest
from lms.community import actions
from lms.community.access import may_facilitate
from lms.community.actions import CommunityError
from lms.community.models import CirclePost, MentorOffer, OfferStatus
from lms.community.queries import minutes_this_year
from lms.notifications.models import Notification
from tests.factories.accounts import StructureFactory, coach, learner, manager
from tests.factories.community import alumnus, circle, meeting, started

pytestmark = pytest.mark.django_db


def test_only_a_learner_who_finished_a_pathway_offers():
    with pytest.raises(CommunityError, match="terminé"):
        actions.offer_to_mentor(learner(departement="69"), "mentor")
    assert not MentorOffer.objects.exists()


def test_the_structure_that_accompanied_them_decides_and_the_learner_is_told():
    lyon_coach = coach(departements=["69"])
    lyon = lyon_coach.coach_profile.structure
    lyon_manager, other_manager = (
        manager(lyon),
        manager(StructureFactory(name="CAE Drôme", departements=["26"])),
    )
    person = alumnus()
    CoachingRequest.objects.create(
        learner=person, structure=lyon, departement="69", due_at=timezone.now()
    )
    offer = actions.offer_to_mentor(person, "facilitator", "Le mardi soir")
    assert offer.structure == lyon
    assert Notification.objects.filter(kind="mentor_offer", recipient=lyon_manager).exists()
    with pytest.raises(CommunityError, match="autre structure"):
        actions.decide_offer(other_manager, offer.pk, True)
    with pytest.raises(CommunityError, match="déjà fait"):
        actions.offer_to_mentor(person, "facilitator")
    assert not may_facilitate(person)
    actions.decide_offer(lyon_manager, offer.pk, True, "Bienvenue !")
    assert may_facilitate(person)
    told = Notification.objects.get(kind="mentor_offer_decided", recipient=person)
    assert "acceptée" in told.subject
    with pytest.raises(CommunityError, match="déjà reçu"):
        actions.decide_offer(lyon_manager, offer.pk, False)


def test_hours_are_recorded_for_approved_mentors_and_summed_for_the_year():
    person = alumnus()
    network_manager = manager()
    with pytest.raises(CommunityError, match="acceptée"):
        actions.record_hours(person, person, on=date.today(), minutes=60, activity="Cercle")
    offer = actions.offer_to_mentor(person, "mentor")
    actions.decide_offer(network_manager, offer.pk, True)
    today = timezone.localdate()
    actions.record_hours(person, person, on=today, minutes=90, activity="Rencontre du cercle")
    actions.record_hours(network_manager, person, on=today, minutes=30, activity="Échange")
    actions.record_hours(
        person, person, on=date(today.year - 1, 12, 31), minutes=60, activity="Avant"
    )
    assert minutes_this_year([person.pk]) == {person.pk: 120}
    with pytest.raises(CommunityError, match="à venir"):
        actions.record_hours(person, person, on=today + timedelta(days=2), minutes=30, activity="x")
    assert MentorOffer.objects.get().status == OfferStatus.APPROVED


def test_the_facilitator_picks_who_brings_the_question_and_posts_the_top_flop():
    made = circle(members=4)
    scheduled = meeting(made)
    bringer = made.memberships.first().learner
    actions.choose_question_bringer(made.facilitator, scheduled.pk, bringer.pk, "Quel prix ?")
    with pytest.raises(CommunityError, match="membre du cercle"):
        actions.choose_question_bringer(made.facilitator, scheduled.pk, learner().pk)
    with pytest.raises(CommunityError, match="commencée"):
        actions.post_top_flop(made.facilitator, scheduled.pk, "Top : ...")
    started(scheduled)
    actions.post_top_flop(made.facilitator, scheduled.pk, "Top : les questions. Flop : trop court.")
    actions.post_top_flop(made.facilitator, scheduled.pk, "Top : les questions. Flop : trop long.")
    post = CirclePost.objects.get(meeting=scheduled)
    assert "Flop : trop long." in post.body
    with pytest.raises(CommunityError, match="anime le cercle"):
        actions.post_top_flop(bringer, scheduled.pk, "x")
