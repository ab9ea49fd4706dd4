"""The conflict rule of answers typed offline: never a text lost (``pathways.offline``)."""

import pytest

from pathways.offline import merge_answers

NOTE = "[Écrit hors connexion]"


@pytest.mark.parametrize(
    ("stored", "offline", "conflict", "expected", "combined"),
    [
        # No conflict: the offline answers win, as an autosave does; others stay.
        ({"a": "old", "b": "keep"}, {"a": "new"}, False, {"a": "new", "b": "keep"}, False),
        ({"a": "old"}, {"a": ""}, False, {"a": ""}, False),
        # Conflict: both texts are kept, the offline one after a note.
        ({"a": "server"}, {"a": "offline"}, True, {"a": f"server\n\n{NOTE}\noffline"}, True),
        # Conflict, but nothing to combine: same text, nothing stored, text contained.
        ({"a": "same"}, {"a": "same"}, True, {"a": "same"}, False),
        ({"a": ""}, {"a": "offline"}, True, {"a": "offline"}, False),
        ({}, {"a": "offline"}, True, {"a": "offline"}, False),
        (
            {"a": "le début et la suite"},
            {"a": "le début"},
            True,
            {"a": "le début et la suite"},
            False,
        ),
        ({"a": "le début"}, {"a": "le début, continué"}, True, {"a": "le début, continué"}, False),
        # Conflict: an empty offline answer never erases; a choice keeps the stored one.
        ({"a": "server"}, {"a": ""}, True, {"a": "server"}, False),
        ({"c": "SCIC"}, {"c": "Association"}, True, {"c": "SCIC"}, True),
        ({"m": ["x"]}, {"m": ["y"]}, True, {"m": ["x"]}, True),
    ],
)
def test_merge_answers_never_loses_a_text(stored, offline, conflict, expected, combined):
    merge = merge_answers(stored, offline, conflict=conflict, note=NOTE, texts=frozenset("ab"))
    assert merge.answers == expected
    assert merge.combined is combined
