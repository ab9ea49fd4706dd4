"""Coaches' weekly slots: recurrence, exceptions, holidays, changes of time, busy times, and
the availability page where a coach edits them."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.coaching.availability import free_slots, occurrences, parse_slot_value
from lms.coaching.models import AvailabilityException, AvailabilityRule
from tests.factories.accounts import coach

PARIS = ZoneInfo("Europe/Paris")


def rule(**fields) -> AvailabilityRule:
    values = {
        "coach_id": 1,
        "pk": 1,
        "weekdays": [1],  # Tuesday
        "start_time": time(18, 0),
        "end_time": time(20, 0),
        "slot_minutes": 60,
        "modality": "video",
        "valid_from": date(2027, 1, 1),
    }
    return AvailabilityRule(**(values | fields))


def starts(slots) -> list[str]:
    return [s.local_start.strftime("%a %d/%m %H:%M") for s in slots]


def test_a_weekly_evening_rule_opens_its_slots_each_week():
    slots = list(occurrences(rule(), date(2027, 1, 11), date(2027, 1, 24)))
    assert starts(slots) == [
        "Tue 12/01 18:00",
        "Tue 12/01 19:00",
        "Tue 19/01 18:00",
        "Tue 19/01 19:00",
    ]
    assert all(s.is_evening and not s.is_weekend for s in slots)


def test_weekend_days_and_the_rule_s_own_dates_bound_it():
    weekend = rule(weekdays=[5, 6], start_time=time(10, 0), end_time=time(11, 30), slot_minutes=45,
                   valid_from=date(2027, 1, 10), valid_until=date(2027, 1, 16))  # fmt: skip
    slots = list(occurrences(weekend, date(2027, 1, 1), date(2027, 1, 31)))
    assert starts(slots) == [
        "Sun 10/01 10:00",
        "Sun 10/01 10:45",
        "Sat 16/01 10:00",
        "Sat 16/01 10:45",
    ]
    assert slots[0].is_weekend and not slots[0].is_evening


def test_the_clock_time_holds_across_the_october_and_march_changes():
    # 2027: clocks go back on Sunday 31 October, forward on Sunday 28 March.
    autumn = list(occurrences(rule(weekdays=[4, 1]), date(2027, 10, 29), date(2027, 11, 2)))
    assert starts(autumn) == [
        "Fri 29/10 18:00",
        "Fri 29/10 19:00",
        "Tue 02/11 18:00",
        "Tue 02/11 19:00",
    ]
    assert autumn[0].starts_at.astimezone(UTC).hour == 16  # CEST, UTC+2
    assert autumn[2].starts_at.astimezone(UTC).hour == 17  # CET, UTC+1
    spring = list(occurrences(rule(weekdays=[5, 1]), date(2027, 3, 27), date(2027, 3, 30)))
    assert [s.starts_at.astimezone(UTC).hour for s in spring] == [17, 18, 16, 17]


def test_a_wall_time_the_clocks_skip_gives_no_slot():
    night = rule(weekdays=[6], start_time=time(1, 0), end_time=time(4, 0))
    slots = list(occurrences(night, date(2027, 3, 28), date(2027, 3, 28)))
    assert [s.local_start.strftime("%H:%M") for s in slots] == [
        "01:00",
        "03:00",
    ]  # 02:00 never shows


def test_public_holidays_are_skipped_unless_the_rule_opts_in():
    monday = rule(weekdays=[0])  # Monday 1 November 2027 is la Toussaint
    assert starts(occurrences(monday, date(2027, 11, 1), date(2027, 11, 1))) == []
    holiday_too = rule(weekdays=[0], on_public_holidays=True)
    assert len(list(occurrences(holiday_too, date(2027, 11, 1), date(2027, 11, 1)))) == 2


def test_exceptions_absence_and_busy_sessions_take_slots_out():
    earliest = datetime(2027, 1, 11, tzinfo=PARIS)
    rules = [rule(weekdays=[0, 1, 2, 3])]  # 11 to 14 January 2027, 18:00 and 19:00
    busy_start = datetime(2027, 1, 13, 18, 30, tzinfo=PARIS)  # overlaps both slots of Wednesday
    slots = free_slots(
        rules,
        exceptions=[(1, date(2027, 1, 11), date(2027, 1, 11))],
        busy=[(1, busy_start, busy_start + timedelta(minutes=45))],
        absent_until={1: None},
        earliest=earliest,
        last_day=date(2027, 1, 14),
    )
    assert starts(slots) == [
        "Tue 12/01 18:00",
        "Tue 12/01 19:00",
        "Thu 14/01 18:00",
        "Thu 14/01 19:00",
    ]
    away = free_slots(rules, absent_until={1: date(2027, 1, 13)}, earliest=earliest,
                      last_day=date(2027, 1, 14))  # fmt: skip
    assert starts(away) == ["Thu 14/01 18:00", "Thu 14/01 19:00"]


def test_past_slots_modalities_not_offered_and_duplicates_are_left_out():
    earliest = datetime(2027, 1, 12, 18, 30, tzinfo=PARIS)
    twice = [rule(), rule(pk=2), rule(pk=3, modality="in_person")]
    slots = free_slots(
        twice, modalities={1: {"video"}}, earliest=earliest, last_day=date(2027, 1, 12)
    )
    assert starts(slots) == ["Tue 12/01 19:00"]


def test_a_slot_s_form_value_reads_back():
    slot = next(occurrences(rule(coach_id=42), date(2027, 1, 12), date(2027, 1, 12)))
    assert parse_slot_value(slot.value) == (42, slot.starts_at)
    assert parse_slot_value("42:yesterday") is None
    assert parse_slot_value("") is None


@pytest.mark.django_db
def test_the_database_refuses_a_rule_ending_before_it_starts():
    from django.db import IntegrityError, transaction

    person = coach()
    with pytest.raises(IntegrityError), transaction.atomic():
        AvailabilityRule.objects.create(
            coach=person, weekdays=[1], start_time=time(20), end_time=time(18),
            modality="video", valid_from=date(2027, 1, 1),
        )  # fmt: skip


# --- The coach's availability page ---------------------------------------------------------


def rule_post(**fields):
    today = timezone.localdate()
    return {
        "weekdays": ["1", "3"],
        "start_time": "18:00",
        "end_time": "21:00",
        "slot_minutes": "60",
        "modality": "video",
        "place": "",
        "valid_from": today.isoformat(),
        "valid_until": "",
    } | fields


@pytest.mark.django_db
def test_a_coach_publishes_evening_slots_and_removes_them(client):
    person = coach(modalities=["video", "phone"])
    client.force_login(person)
    page = client.get(reverse("coaching:availability")).content.decode()
    assert "Vous ne proposez pas encore de créneau" in page
    response = client.post(reverse("coaching:add_rule"), rule_post(), follow=True)
    html = response.content.decode()
    assert "Créneaux publiés" in html
    assert "mardi, jeudi" in html and "de 18:00 à 21:00" in html
    created = AvailabilityRule.objects.get(coach=person)
    assert created.weekdays == [1, 3]

    other = coach()
    client.force_login(other)
    client.post(reverse("coaching:remove_rule", args=[created.pk]))
    assert AvailabilityRule.objects.filter(pk=created.pk).exists()  # not theirs
    client.force_login(person)
    response = client.post(reverse("coaching:remove_rule", args=[created.pk]), follow=True)
    assert "Plage retirée" in response.content.decode()
    assert not AvailabilityRule.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"end_time": "17:00"},
            "L&#x27;heure de fin doit venir après l&#x27;heure de début (18:00)",
        ),
        ({"valid_until": "2020-01-01"}, "Cette date est passée"),
        ({"weekdays": []}, "Cochez au moins un jour."),
        ({"modality": "in_person"}, "Sélectionnez un choix valide"),
        ({"end_time": "18:30"}, "La plage est plus courte qu&#x27;un créneau"),
    ],
)
def test_a_bad_rule_is_refused_with_its_reason_and_nothing_typed_is_lost(client, fields, message):
    person = coach(modalities=["video", "phone"])
    client.force_login(person)
    response = client.post(reverse("coaching:add_rule"), rule_post(**fields))
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'value="18:00"' in html  # the form comes back filled
    assert not AvailabilityRule.objects.exists()


@pytest.mark.django_db
def test_a_rule_whose_end_date_comes_before_its_start_is_refused(client):
    person = coach()
    client.force_login(person)
    today = timezone.localdate()
    response = client.post(
        reverse("coaching:add_rule"),
        rule_post(
            valid_from=(today + timedelta(days=10)).isoformat(),
            valid_until=(today + timedelta(days=2)).isoformat(),
        ),
    )
    assert response.status_code == 422
    assert "La date de fin doit venir après la date de début." in response.content.decode()


@pytest.mark.django_db
def test_a_coach_adds_and_removes_an_exception(client):
    person = coach()
    client.force_login(person)
    today = timezone.localdate()
    bad = client.post(
        reverse("coaching:add_exception"),
        {"starts_on": (today + timedelta(days=5)).isoformat(), "ends_on": today.isoformat()},
    )
    assert bad.status_code == 422
    assert "La date de fin doit venir après la date de début." in bad.content.decode()
    response = client.post(
        reverse("coaching:add_exception"),
        {
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=7)).isoformat(),
            "reason": "Congés",
        },
        follow=True,
    )
    assert "Indisponibilité enregistrée" in response.content.decode()
    assert "Congés" in response.content.decode()
    exception = AvailabilityException.objects.get(coach=person)
    client.post(reverse("coaching:remove_exception", args=[exception.pk]))
    assert not AvailabilityException.objects.exists()


@pytest.mark.django_db
def test_learners_may_not_edit_availability(client):
    from tests.factories.accounts import learner

    client.force_login(learner())
    assert client.post(reverse("coaching:add_rule"), rule_post()).status_code == 403
