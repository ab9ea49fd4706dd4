"""Coaching forms: a proposed session's local time must exist, once."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from lms.coaching.forms import SessionForm

PARIS = ZoneInfo("Europe/Paris")


def next_change(clocks_go_forward: bool) -> date:
    """The next day, within the coming year, when Paris clocks change in that direction."""
    day = timezone.localdate() + timedelta(days=1)
    for _ in range(366):
        before = datetime.combine(day, time(0), PARIS).utcoffset()
        after = datetime.combine(day, time(12), PARIS).utcoffset()
        if after != before and (after > before) == clocks_go_forward:
            return day
        day += timedelta(days=1)
    raise AssertionError("no change of time within a year")


def submit(day: date, hour: str) -> SessionForm:
    return SessionForm(
        {
            "date": day.isoformat(),
            "time": hour,
            "duration_minutes": "60",
            "modality": "video",
            "location": "https://visio.example.org/x",
        }
    )


@pytest.mark.parametrize(
    ("clocks_go_forward", "message"),
    [
        (True, "n'existe pas : on avance les montres d'une heure"),
        (False, "arrive deux fois : on recule les montres d'une heure"),
    ],
)
def test_a_time_the_clocks_skip_or_repeat_is_refused(clocks_go_forward, message):
    day = next_change(clocks_go_forward)
    form = submit(day, "02:30")
    assert not form.is_valid()
    assert f"Le {day:%d/%m/%Y}, 02:30 {message}" in form.non_field_errors()[0]


@pytest.mark.parametrize("clocks_go_forward", [True, False])
def test_the_hours_around_a_change_of_time_keep_their_wall_time(clocks_go_forward):
    day = next_change(clocks_go_forward)
    for hour in ("01:30", "03:30"):
        form = submit(day, hour)
        assert form.is_valid(), form.errors
        local = timezone.localtime(form.cleaned_data["starts_at"], PARIS)
        assert (local.date(), local.strftime("%H:%M")) == (day, hour)
