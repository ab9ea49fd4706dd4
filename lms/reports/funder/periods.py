"""Periods of a funder report, pure: the last full quarter, the period before one of the
same length, months, and how a period reads in a file name."""

from datetime import date, timedelta


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter containing ``day``: its first and last days."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    return start, add_months(start, 3) - timedelta(days=1)


def last_full_quarter(today: date) -> tuple[date, date]:
    """The last calendar quarter that has ended by ``today``."""
    start, _end = quarter_of(today)
    return quarter_of(start - timedelta(days=1))


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month (``day`` is a 1st)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def whole_months(start: date, end: date) -> int | None:
    """How many calendar months the period spans when it runs from a 1st to a month's
    last day (None otherwise)."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1:
        return None
    following = end + timedelta(days=1)
    return (following.year - start.year) * 12 + following.month - start.month


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before: the quarter before a quarter, the months
    before whole months, else as many days."""
    months = whole_months(start, end)
    if months:
        previous_start = add_months(start, -months)
        return previous_start, start - timedelta(days=1)
    length = end - start
    previous_end = start - timedelta(days=1)
    return previous_end - length, previous_end


def months(start: date, end: date) -> list[date]:
    """The first day of each month the period touches, in order."""
    first = date(start.year, start.month, 1)
    found = []
    while first <= end:
        found.append(first)
        first = add_months(first, 1)
    return found


def period_slug(start: date, end: date) -> str:
    """The period in a file name: « 2026-T3 » for a quarter, « 2026-07 » for a month,
    « 2026-01_2026-06 » for whole months, else both days."""
    months_spanned = whole_months(start, end)
    if months_spanned == 3 and start.month % 3 == 1:
        return f"{start.year}-T{(start.month - 1) // 3 + 1}"
    if months_spanned == 12 and start.month == 1:
        return f"{start.year}"
    if months_spanned == 1:
        return f"{start:%Y-%m}"
    if months_spanned:
        return f"{start:%Y-%m}_{end:%Y-%m}"
    return f"{start.isoformat()}_{end.isoformat()}"
