"""Pure figures: percentiles as PostgreSQL computes them, NPS, funnels, suppression."""

import pytest

from lms.reports.figures import (
    SUPPRESSED,
    Cell,
    FunnelStage,
    Kind,
    count,
    decimal,
    decimal_text,
    drop,
    funnel,
    mean,
    nps,
    ordered_steps,
    percent,
    percentile,
    percentiles_by_group,
    rate,
    suppressed,
    text,
)
from lms.reports.suppression import Secrecy


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([7], 0.5, 7),
        ([7], 0.9, 7),
        ([1, 2], 0.5, 1.5),
        ([1, 2, 3, 4, 10], 0.5, 3),
        ([1, 2, 3, 4, 10], 0.9, 7.6),  # rank 3.6: 4 + 0.6 * (10 - 4)
        ([1, 2, 3, 4], 0.5, 2.5),
        ([1, 2, 3, 4], 0.9, 3.7),
        ([0, 10], 0.0, 0),
        ([0, 10], 1.0, 10),
        ([2.5, 2.5, 2.5], 0.9, 2.5),
    ],
)
def test_percentile_interpolates_like_percentile_cont(values, fraction, expected):
    result = percentile(values, fraction)
    assert result == (None if expected is None else pytest.approx(expected))


def test_percentile_refuses_a_fraction_outside_0_1():
    with pytest.raises(ValueError):
        percentile([1, 2], 1.5)


def test_percentiles_by_group_and_overall():
    rows = [("help", 1.0), ("checkpoint", 2.0), ("help", 3.0), ("help", 5.0), ("checkpoint", 10.0)]
    by_group, overall = percentiles_by_group(rows, (0.5, 0.9))
    assert by_group["help"] == [3.0, pytest.approx(4.6)]
    assert by_group["checkpoint"] == [6.0, pytest.approx(9.2)]
    assert overall == [3.0, pytest.approx(8.0)]  # 1 2 3 5 10: rank 3.6 -> 5 + 0.6 * 5


@pytest.mark.parametrize(
    ("promoters", "detractors", "total", "expected"),
    [(0, 0, 0, None), (5, 2, 10, 30.0), (0, 4, 4, -100.0), (3, 0, 3, 100.0), (2, 2, 9, 0.0)],
)
def test_nps(promoters, detractors, total, expected):
    assert nps(promoters, detractors, total) == expected


def test_percent():
    assert percent(1, 4) == 25.0
    assert percent(3, 0) is None
    assert percent(None, 5) == 0.0


def test_funnel_shares_and_losses():
    rows = funnel(
        [
            FunnelStage("Inscription", "enrolled", 10),
            FunnelStage("Module 1", "module", 6),
            FunnelStage("Balise", "point", 6),
            FunnelStage("Fin", "completed", 3),
        ]
    )
    assert [(r.learners, r.share_of_enrolled, r.lost, r.lost_share) for r in rows] == [
        (10, 100.0, None, None),
        (6, 60.0, 4, 40.0),
        (6, 60.0, 0, 0.0),
        (3, 30.0, 3, 50.0),
    ]
    assert funnel([]) == []


def test_a_stage_with_more_people_than_the_one_before_is_no_loss():
    rows = funnel(
        [
            FunnelStage("Inscription", "enrolled", 10),
            FunnelStage("Module 1", "module", 4),
            FunnelStage("Module 2", "module", 6),  # two did it without module 1
        ]
    )
    assert [(r.lost, r.lost_share) for r in rows] == [(None, None), (6, 60.0), (-2, None)]


def test_ordered_steps_follow_the_outline_and_count_a_repeated_module_once():
    outline = [
        (1, "A", [("a1", "Un"), ("a2", "Deux")]),
        (2, "B", [("b1", "")]),
        (1, "A", [("a1", "Un"), ("a2", "Deux")]),
    ]
    counts = {(1, "a1"): 5, (1, "a2"): 3}
    assert ordered_steps(outline, counts) == [
        (1, "a1", "A", "Un", 5),
        (1, "a2", "A", "Deux", 3),
        (2, "b1", "B", "", 0),
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (count(0), 0),
        (count(1), SUPPRESSED),
        (count(4), SUPPRESSED),
        (count(5), 5),
        (count(120), 120),
        (Cell(-3, Kind.COUNT, 3), SUPPRESSED),  # a difference of 3 people names people
        (Cell(-12, Kind.COUNT, 12), -12),
        (Cell(None, Kind.COUNT, 0), None),
        (rate(1, 4), None),
        (rate(1, 5), 20.0),
        (mean(3.5, 4), None),
        (mean(3.5, 5), 3.5),
        (decimal(12.0, 2), None),
        (decimal(12.0, 7), 12.0),
        (Cell(2.0, Kind.DECIMAL, None), None),
        (text("Rhône"), "Rhône"),
    ],
)
def test_small_cells_are_suppressed(cell, expected):
    assert suppressed(cell) == expected


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [(None, 1, ""), (12, 1, "12"), (12.345, 1, "12,3"), (3.456, 2, "3,46"), (-5.0, 1, "-5,0")],
)
def test_decimal_text_uses_a_decimal_comma(value, places, expected):
    assert decimal_text(value, places) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (text('=HYPERLINK("http://x")'), '\'=HYPERLINK("http://x")'),
        (text("-Parcours"), "'-Parcours"),
        (text("Parcours = 1"), "Parcours = 1"),
        (Cell(-12, Kind.COUNT, 12), "-12"),
        (count(3), "< 5"),
        (rate(1, 3), ""),
        (rate(2, 6), "33,3"),
        (mean(3.456, 6), "3,46"),
        (drop(12), "12"),
        (drop(-12), "+ 12 (étapes sautées)"),  # people who skipped: no negative loss
        (drop(-3), "< 5"),
        (Cell(40, Kind.COUNT, 40, secrecy=Secrecy.SECONDARY), "s"),
        (Cell(50.0, Kind.RATE, 40, secrecy=Secrecy.DERIVED), ""),
    ],
)
def test_export_values(cell, expected):
    from lms.reports.exports import export_value

    assert export_value(cell) == expected
