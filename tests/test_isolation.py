"""Tests do not leak state into the next one (run in this order, in one process)."""

from django.conf import settings
from django.utils import translation


def test_a_test_that_reads_in_english_leaves_it_active():
    translation.activate("en")
    assert translation.get_language() == "en"


def test_the_next_test_starts_in_french():
    assert translation.get_language() == settings.LANGUAGE_CODE == "fr"
