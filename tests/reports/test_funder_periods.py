"""The periods of a funder report: last full quarter, the period before, file names."""

from datetime import date

import pytest

from lms.reports.funder.periods import last_full_quarter, months, period_slug, previous_period


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 4), (date(2026, 7, 1), date(2026, 9, 30))),
        (date(2026, 10, 1), (date(2026, 7, 1), date(2026, 9, 30))),
        (date(2026, 9, 30), (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 2, 15), (date(2025, 10, 1), date(2025, 12, 31))),
    ],
)
def test_last_full_quarter(today, expected):
    assert last_full_quarter(today) == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # The quarter before a quarter, though they differ by a day (92 and 91 days).
        ((date(2026, 7, 1), date(2026, 9, 30)), (date(2026, 4, 1), date(2026, 6, 30))),
        ((date(2026, 1, 1), date(2026, 3, 31)), (date(2025, 10, 1), date(2025, 12, 31))),
        # Whole months: as many months before; February has its own length.
        ((date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 2, 1), date(2026, 2, 28))),
        ((date(2026, 1, 1), date(2026, 12, 31)), (date(2025, 1, 1), date(2025, 12, 31))),
        # Any other period: as many days, ending the day before.
        ((date(2026, 7, 10), date(2026, 7, 19)), (date(2026, 6, 30), date(2026, 7, 9))),
        ((date(2026, 3, 5), date(2026, 3, 5)), (date(2026, 3, 4), date(2026, 3, 4))),
    ],
)
def test_previous_period_has_the_same_length(period, expected):
    assert previous_period(*period) == expected


@pytest.mark.parametrize(
    ("period", "slug"),
    [
        ((date(2026, 7, 1), date(2026, 9, 30)), "2026-T3"),
        ((date(2026, 1, 1), date(2026, 3, 31)), "2026-T1"),
        ((date(2026, 2, 1), date(2026, 4, 30)), "2026-02_2026-04"),
        ((date(2026, 5, 1), date(2026, 5, 31)), "2026-05"),
        ((date(2026, 1, 1), date(2026, 12, 31)), "2026"),
        ((date(2026, 7, 10), date(2026, 7, 19)), "2026-07-10_2026-07-19"),
    ],
)
def test_period_slug(period, slug):
    assert period_slug(*period) == slug


def test_months_of_a_period():
    assert months(date(2026, 11, 15), date(2027, 1, 2)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]
