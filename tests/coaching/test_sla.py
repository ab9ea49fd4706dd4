"""The first-response due date: working days, French public holidays off."""

from datetime import date, datetime

import pytest

from lms.coaching.sla import add_working_days, is_working_day


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 3), True),  # a Thursday
        (date(2026, 12, 5), False),  # Saturday
        (date(2026, 12, 6), False),  # Sunday
        (date(2026, 12, 25), False),  # Christmas, a Friday
        (date(2027, 5, 1), False),  # Labour Day, a Saturday anyway
        (date(2027, 5, 6), False),  # Ascension (Easter 28 March + 39 days), a Thursday
        (date(2027, 7, 14), False),  # Bastille Day, a Wednesday
        (date(2027, 7, 15), True),
    ],
)
def test_working_days(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Thursday morning + 2: Monday, same time.
        (datetime(2026, 12, 3, 9, 30), 2, datetime(2026, 12, 7, 9, 30)),
        # Friday evening + 2: Tuesday evening.
        (datetime(2026, 12, 4, 21, 0), 2, datetime(2026, 12, 8, 21, 0)),
        # Saturday counts from Monday: + 1 is Monday... then Tuesday for + 2.
        (datetime(2026, 12, 5, 10, 0), 2, datetime(2026, 12, 8, 10, 0)),
        # Christmas Eve (Thursday) + 1 skips Christmas and the week-end.
        (datetime(2026, 12, 24, 18, 0), 1, datetime(2026, 12, 28, 18, 0)),
        # Across the new year: 31 Dec (Thursday) + 1 skips 1 January.
        (datetime(2026, 12, 31, 12, 0), 1, datetime(2027, 1, 4, 12, 0)),
        # Zero days: due at once.
        (datetime(2026, 12, 3, 9, 0), 0, datetime(2026, 12, 3, 9, 0)),
    ],
)
def test_add_working_days(start, days, due):
    assert add_working_days(start, days) == due
