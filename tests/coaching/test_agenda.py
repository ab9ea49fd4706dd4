"""The coach's week: sessions by day in Paris time, attendance buttons for past ones, free
slots from the availability rules' extension point, constant queries."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import CoachingSession
from tests.coaching.session_helpers import claimed_request, propose
from tests.factories.accounts import learner

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def monday() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def test_the_week_shows_each_session_on_its_paris_day(client, rhone_coach, lyon_learner):
    request_ = claimed_request(lyon_learner, rhone_coach)
    next_monday = monday() + timedelta(days=7)
    # 23:30 in Paris on Tuesday is Tuesday, though it is 21:30 or 22:30 UTC.
    late_evening = datetime.combine(next_monday + timedelta(days=1), datetime.min.time()).replace(
        hour=23, minute=30, tzinfo=PARIS
    )
    propose(rhone_coach, request_, starts_at=late_evening)
    client.force_login(rhone_coach)

    response = client.get(
        reverse("coaching:agenda"), {"semaine": f"{next_monday + timedelta(days=3):%Y-%m-%d}"}
    )

    week = response.context["week"]
    assert week.monday == next_monday
    assert [len(day.sessions) for day in week.days] == [0, 1, 0, 0, 0, 0, 0]
    page = response.content.decode()
    assert "23:30" in page and lyon_learner.get_full_name() in page
    assert "https://visio.example/salle" in page and "Proposé" in page


def test_an_empty_week_says_what_to_do(client, rhone_coach):
    client.force_login(rhone_coach)
    page = client.get(reverse("coaching:agenda"), {"semaine": "pas-une-date"}).content.decode()
    assert "Aucun rendez-vous cette semaine" in page
    assert f"?semaine={monday() - timedelta(days=7):%Y-%m-%d}" in page


def _evening_rule(coach, weekday: int):
    from lms.coaching.models import AvailabilityRule

    return AvailabilityRule.objects.create(
        coach=coach,
        weekdays=[weekday],
        start_time=time(18, 0),
        end_time=time(20, 0),
        slot_minutes=60,
        modality="video",
        valid_from=monday(),
        on_public_holidays=True,  # whatever the date the test runs on
    )


def test_the_week_shows_the_free_slots_of_the_coachs_rules(client, rhone_coach, lyon_learner):
    _evening_rule(rhone_coach, weekday=2)  # Wednesday evenings
    next_monday = monday() + timedelta(days=7)
    wednesday = next_monday + timedelta(days=2)
    request_ = claimed_request(lyon_learner, rhone_coach)
    booked = datetime.combine(wednesday, time(18, 0)).replace(tzinfo=PARIS)
    propose(rhone_coach, request_, starts_at=booked)
    client.force_login(rhone_coach)

    response = client.get(reverse("coaching:agenda"), {"semaine": f"{next_monday:%Y-%m-%d}"})

    day = response.context["week"].days[2]
    # 18:00 is proposed to a learner: only 19:00 is still free.
    assert [slot.local_start.strftime("%H:%M") for slot in day.free_slots] == ["19:00"]
    page = response.content.decode()
    assert "Créneau libre 19:00–20:00" in page
    assert "Créneau libre 18:00–19:00" not in page


def test_days_off_and_past_weeks_show_no_free_slot(client, rhone_coach):
    from lms.coaching.models import AvailabilityException

    _evening_rule(rhone_coach, weekday=2)
    next_monday = monday() + timedelta(days=7)
    AvailabilityException.objects.create(
        coach=rhone_coach, starts_on=next_monday, ends_on=next_monday + timedelta(days=6)
    )
    client.force_login(rhone_coach)
    for week in (next_monday, monday() - timedelta(days=7)):
        response = client.get(reverse("coaching:agenda"), {"semaine": f"{week:%Y-%m-%d}"})
        assert not any(day.free_slots for day in response.context["week"].days)
        assert "Créneau libre" not in response.content.decode()


def test_only_coaches_see_an_agenda(client, lyon_learner):
    client.force_login(lyon_learner)
    assert client.get(reverse("coaching:agenda")).status_code == 403


def _fill_week(coach, n: int):
    request_ = claimed_request(learner(departement="69"), coach)
    start = datetime.combine(monday() + timedelta(days=7), datetime.min.time()).replace(
        hour=8, tzinfo=PARIS
    )
    CoachingSession.objects.bulk_create(
        CoachingSession(
            request=request_,
            coach=coach,
            starts_at=start + timedelta(days=i % 7, minutes=90 * (i // 7)),
            modality="video",
            location="https://visio.example",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("n", [1, 30])
def test_the_agenda_reads_a_constant_number_of_queries(
    client, rhone_coach, n, django_assert_max_num_queries
):
    _fill_week(rhone_coach, n)
    for weekday in range(n % 7):
        _evening_rule(rhone_coach, weekday)
    client.force_login(rhone_coach)
    url = reverse("coaching:agenda") + f"?semaine={monday() + timedelta(days=7):%Y-%m-%d}"
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert sum(len(day.sessions) for day in response.context["week"].days) == n


def test_the_group_sessions_the_coach_leads_are_in_the_agenda(client, rhone_coach):
    from lms.coaching.models import GroupSession

    starts = timezone.localtime() + timedelta(days=1)
    session = actions.create_group_session(
        actor=rhone_coach,
        title="Atelier statuts",
        starts_at=starts,
        duration_minutes=90,
        modality="remote",
        seats=5,
    )
    client.force_login(rhone_coach)

    page = client.get(reverse("coaching:agenda") + f"?semaine={starts:%Y-%m-%d}").content.decode()

    assert "Séance collective « Atelier statuts »" in page
    assert reverse("coaching:group", args=[session.pk]) in page
    assert "0 inscrit·es sur 5 places" in page
    assert GroupSession.objects.count() == 1
