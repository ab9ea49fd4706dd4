"""The queue's cards (lms/coaching/cards.py): how long ago a request was made."""

from datetime import timedelta

import pytest
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone, translation

from lms.coaching.cards import _ago


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.mark.parametrize(
    "age",
    [timedelta(seconds=20), timedelta(minutes=5, seconds=40), timedelta(hours=3, minutes=59)],
)
def test_within_a_day_it_says_what_naturaltime_says(age):
    now = timezone.now()
    assert _ago(now - age, now, {}) == naturaltime(now - age)


def test_beyond_a_day_it_counts_days_only():  # \xa0: Django keeps a number with its unit
    now = timezone.now()
    said = {}
    assert _ago(now - timedelta(days=3, hours=4), now, said) == "il y a 3\xa0jours"
    assert _ago(now - timedelta(days=10, hours=1), now, said) == "il y a 1\xa0semaine, 3\xa0jours"
    # Requests of the same day share their wording: it is written once per page.
    assert _ago(now - timedelta(days=3, hours=20), now, said) == "il y a 3\xa0jours"
    assert len(said) == 2


def test_a_request_dated_in_the_future_is_said_to_be_now():
    now = timezone.now()
    assert _ago(now + timedelta(minutes=2), now, {}) == naturaltime(now)
