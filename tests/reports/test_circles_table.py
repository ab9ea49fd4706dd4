"""« Cercles de pairs »: circles active in the period, their members, meetings held, posts
and mentors' hours, by structure; small counts hidden outside Balise like every table."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lms.community import actions
from lms.community.models import MentorHours, MentorOffer
from lms.reports.figures import SUPPRESSED, suppressed
from lms.reports.queries import Filters, Scope
from lms.reports.tables import Report, sections
from tests.factories.accounts import StructureFactory, coach
from tests.factories.community import alumnus, circle, meeting, started

pytestmark = pytest.mark.django_db


def cells(table, row):
    return [cell.value for cell in table.lines()[row]]


def test_active_circles_members_meetings_posts_and_hours_by_structure():
    lead = coach(departements=["69"])
    lyon = lead.coach_profile.structure
    active = circle(lead, members=6, structure=lyon)
    circle(lead, members=4, structure=lyon, name="Cercle silencieux")  # no meeting, no post
    held = meeting(active)
    started(held)
    members = [m.learner for m in active.memberships.all()]
    for person in members[:3]:
        actions.post_to_circle(person, active.pk, "Où j'en suis")
    mentor = alumnus()
    MentorOffer.objects.create(
        learner=mentor, kind="facilitator", status="approved", structure=lyon
    )
    MentorHours.objects.create(
        mentor=mentor, date=timezone.localdate(), minutes=150, activity="Cercle"
    )
    table = Report(Filters(), []).tables["cercles"]
    assert cells(table, 0) == [lyon.name, 1, 6, 1, 3, 1, 2.5]
    assert cells(table, 1)[:6] == ["Toutes les structures", 1, 6, 1, 3, 1]
    # Outside Balise, one circle, one meeting, three posts and one mentor are small counts.
    shown = [suppressed(cell) for cell in table.lines()[0]]
    assert shown[1] == SUPPRESSED and shown[3] == SUPPRESSED and shown[5] == SUPPRESSED
    assert shown[6] is None  # hours resting on one mentor
    assert "cercles" in {slug for section in sections() for slug in section.tables}


def test_a_period_before_the_circle_shows_nothing_and_other_structures_are_left_out():
    lead = coach(departements=["69"])
    made = circle(lead, members=4, structure=lead.coach_profile.structure)
    actions.post_to_circle(made.facilitator, made.pk, "Bienvenue")
    past = timezone.localdate() - timedelta(days=60)
    before = Report(Filters(start=past, end=past + timedelta(days=7)), []).tables["cercles"]
    assert before.rows == []
    drome = StructureFactory(name="CAE Drôme", slug="cae-drome", departements=["26"])
    assert not Report(Filters(scope=Scope.of([drome])), []).tables["cercles"].rows
    lyon = Scope.of([lead.coach_profile.structure])
    assert Report(Filters(scope=lyon), []).tables["cercles"].rows
