"""Service level: the first response is due within N working days (French holidays off)."""

from datetime import datetime, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _french_holidays(year: int):
    return holidays.France(years=year)


def is_working_day(day) -> bool:
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` moved forward by ``days`` working days, keeping the time of day.

    A request made on Friday evening with 2 working days is due Tuesday evening;
    one made on a holiday or a week-end counts from the next working day.
    """
    moment = start
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if is_working_day(moment.date()):
            remaining -= 1
    return moment
