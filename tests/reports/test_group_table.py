"""« Sessions collectives et individuelles »: group sessions against one-to-one ones, the
attendance of each, people reached per hour of a coach's time; small counts hidden outside
Balise; group seats on the funders' attendance sheet."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import GroupSeat, GroupSession
from lms.reports import queries
from lms.reports.queries import Filters
from lms.reports.suppression import Secrecy
from lms.reports.tables import Report
from tests.factories.accounts import coach, learner, manager

pytestmark = pytest.mark.django_db


def held_group(lead, people, came, minutes=90):
    session = actions.create_group_session(
        actor=lead,
        title="Revue de projet collective",
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=minutes,
        modality="remote",
        seats=max(2, len(people)),
    )
    for person in people:
        actions.register_for_group_session(session, person)
    GroupSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    session.refresh_from_db()
    for index, person in enumerate(people):
        seat = GroupSeat.objects.get(session=session, learner=person)
        actions.record_group_attendance(lead, seat, "held" if index < came else "no_show")
    return session


def table(**filters):
    today = timezone.localdate()
    filters.setdefault("start", today - timedelta(days=30))
    filters.setdefault("end", today)
    return Report(Filters(**filters), queries.pathways()).tables["collectif"]


def test_group_sessions_reach_more_people_per_coach_hour():
    lead = coach(departements=["48"])
    people = [learner(departement="48") for _ in range(8)]
    held_group(lead, people[:6], came=5)  # 90 minutes, five came
    held_group(lead, people[2:8], came=6, minutes=60)  # one hour, six came, three of them again

    group = [cell.value for cell in table().rows[1]]

    assert group[0] == "Séances collectives"
    assert group[1:6] == [2, 12, 11, pytest.approx(100 * 11 / 12), 8]
    # sessions held, attendances recorded, present, attendance rate, people reached
    assert group[6] == pytest.approx(2.5)  # hours
    assert group[7] == pytest.approx(8 / 2.5)


def test_few_people_are_hidden_outside_balise():
    lead = coach(departements=["48"])
    held_group(lead, [learner(departement="48") for _ in range(3)], came=2)

    group = table().rows[1]

    assert group[3].value == 2 and group[3].secrecy != Secrecy.SHOWN
    assert group[7].secrecy != Secrecy.SHOWN  # per hour rests on two people


def test_an_empty_selection_has_no_rows():
    assert table(start=date(2030, 1, 1), end=date(2030, 1, 31)).is_empty


def test_group_seats_are_on_the_attendance_sheet(client):
    lead = coach(departements=["48"])
    ana, bruno = (
        learner(departement="48", user__first_name="Ana"),
        learner(departement="48", user__first_name="Bruno"),
    )
    held_group(lead, [ana, bruno], came=1)
    client.force_login(manager(lead.coach_profile.structure))

    page = client.get(reverse("reports:attendance")).content.decode()

    assert "Séance collective" in page and "Revue de projet collective" in page
    assert ana.get_full_name() in page and bruno.get_full_name() in page
    client.force_login(lead)
    sheet = client.get(reverse("reports:attendance"), {"format": "csv"})
    text = b"".join(sheet.streaming_content).decode()
    assert ana.get_full_name() in text and "Absence" in text
