"""What a pathway's outline says about itself, read by other apps (coaching asks whether a
point ends the pathway, to recommend a closing meeting)."""

import pytest

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
