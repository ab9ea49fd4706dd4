"""What a pathway's outline says about itself, read by other apps (coaching asks whether a
point ends the pathway, to recommend a closing meeting), and the rules of a sensible
outline (``pathways.outline``)."""

import pytest

from pathways.outline import (
    MODULE,
    POINT,
    Entry,
    entries_from_raw,
    has_module,
    points_before_any_module,
    repeated_modules,
)
from tests.factories.pathways import build_pathway, point_ids

pytestmark = pytest.mark.django_db


def test_a_point_followed_only_by_points_ends_the_pathway():
    pathway = build_pathway(["m:1", "p:automatic", "m:1", "p:gate", "p:offered"])
    first, gate, last = point_ids(pathway)
    assert not pathway.ends_after(first)  # a module follows
    assert pathway.ends_after(gate) and pathway.ends_after(last)


def test_an_unknown_point_ends_nothing():
    pathway = build_pathway(["m:1", "p:automatic"])
    assert not pathway.ends_after("not-a-point")


# --- The rules of a sensible outline (pathways.outline), as a table -----------------------


def outline(*spec):
    """``outline(1, "A", 2)``: modules by id, points by title; None is an empty chooser."""
    return [
        Entry(POINT, title=s) if isinstance(s, str) else Entry(MODULE, module_id=s) for s in spec
    ]


@pytest.mark.parametrize(
    ("entries", "module", "repeated", "leading"),
    [
        (outline(), False, [], []),
        (outline("A"), False, [], ["A"]),
        (outline(None, "A"), False, [], ["A"]),  # an empty chooser is no module
        (outline(1, "A", 2), True, [], []),
        (outline("A", "B", 1, "C"), True, [], ["A", "B"]),
        (outline(1, 2, 1, "A", 2, 3), True, [1, 2], []),
        (outline(3, 1, 1, 1), True, [1], []),
    ],
)
def test_outline_rules(entries, module, repeated, leading):
    assert has_module(entries) is module
    assert repeated_modules(entries) == repeated
    assert points_before_any_module(entries) == leading


def test_entries_are_read_from_the_stored_outline():
    raw = [
        {"type": "progression_point", "value": {"title": "Départ"}, "id": "a"},
        {"type": "module", "value": 7, "id": "b"},
        {"type": "module", "value": None, "id": "c"},
    ]
    assert entries_from_raw(raw) == [
        Entry(POINT, title="Départ"),
        Entry(MODULE, module_id=7),
        Entry(MODULE, module_id=None),
    ]
