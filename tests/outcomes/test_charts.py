"""Geometry of the profile chart: integer coordinates, bars proportional to the score."""

from decimal import Decimal

from lms.outcomes.charts import MARGIN, UNIT, Series, bar_chart


def test_one_series_has_no_legend_and_proportional_bars():
    chart = bar_chart(
        [Series("latest", "score")],
        [("Idées", [("Vision", [Decimal("2.5")]), ("Créativité", [Decimal("5")])])],
    )
    assert chart.legend == []
    [group] = chart.groups
    assert group.label == "Idées"
    vision, creativity = group.rows
    assert vision.bars[0].width == round(2.5 * UNIT)
    assert creativity.bars[0].width == 5 * UNIT
    assert [t.value for t in chart.ticks] == [0, 1, 2, 3, 4, 5]
    assert chart.ticks[-1].x == MARGIN + 5 * UNIT
    assert vision.bars[0].y < creativity.bars[0].y < chart.height


def test_two_series_have_a_legend_and_missing_values_have_no_bar():
    chart = bar_chart(
        [Series("start", "début", hatched=True), Series("end", "fin")],
        [
            ("Idées", [("Vision", [Decimal("1"), None])]),
            ("Ressources", [("Confiance", [Decimal("2"), Decimal("4.25")])]),
        ],
    )
    assert [item.series.label for item in chart.legend] == ["début", "fin"]
    vision = chart.groups[0].rows[0]
    assert vision.bars[1].value is None and vision.bars[1].width == 0
    confidence = chart.groups[1].rows[0]
    assert confidence.bars[1].width == 255  # 4.25 * 60
    for group in chart.groups:
        assert isinstance(group.y, int)
        for row in group.rows:
            assert all(isinstance(v, int) for b in row.bars for v in (b.y, b.width, b.text_x))
