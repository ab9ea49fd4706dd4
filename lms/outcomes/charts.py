"""Geometry of the competence profile chart: horizontal bars, computed here, drawn by
``templates/outcomes/_chart.svg.html`` as inline SVG (no JavaScript, no library).

Every coordinate is an integer so that templates never localise it ("2,5" is not an SVG
length). Each bar also carries its series' short name next to its value, and series differ
by fill pattern as well as colour, so the chart never relies on colour alone. The page
always shows the same numbers in a table.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .models import SCORE_MAX

WIDTH = 400
MARGIN = 8
UNIT = 60  # width of one point of score
LEGEND_HEIGHT = 30
AXIS_HEIGHT = 22
GROUP_HEIGHT = 30
ROW_LABEL_HEIGHT = 20
BAR_HEIGHT = 16
BAR_GAP = 4
ROW_GAP = 12
LEGEND_ITEM_WIDTH = 150


@dataclass(frozen=True)
class Series:
    key: str  # also the CSS modifier: chart__bar--<key>
    label: str  # shown in the legend and next to each value
    hatched: bool = False  # drawn with a hatch pattern instead of a solid fill


@dataclass(frozen=True)
class LegendItem:
    series: Series
    x: int
    text_x: int


@dataclass(frozen=True)
class Bar:
    series: Series
    value: Decimal | None
    y: int
    width: int
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Row:
    label: str
    y: int  # baseline of the competence's name
    bars: list[Bar]


@dataclass(frozen=True)
class Group:
    label: str
    y: int  # baseline of the area's name
    rows: list[Row]


@dataclass(frozen=True)
class Tick:
    value: int
    x: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bar_height: int
    x0: int
    axis_y: int
    grid_top: int
    legend: list[LegendItem]
    ticks: list[Tick]
    groups: list[Group]


def bar_chart(
    series: Sequence[Series],
    groups: Sequence[tuple[str, Sequence[tuple[str, Sequence[Decimal | None]]]]],
) -> Chart:
    """Lay out ``groups`` — ``[(area label, [(competence label, [value per series]), ...])]`` —
    as rows of bars on a 0-5 scale, one bar per series, with a legend and a graduated axis."""
    legend = [
        LegendItem(s, x=MARGIN + i * LEGEND_ITEM_WIDTH, text_x=MARGIN + i * LEGEND_ITEM_WIDTH + 26)
        for i, s in enumerate(series)
        if len(series) > 1  # one series needs no legend
    ]
    axis_y = LEGEND_HEIGHT + 14 if legend else 14
    y = axis_y + AXIS_HEIGHT - 14
    grid_top = y
    laid_out = []
    for area_label, rows in groups:
        y += GROUP_HEIGHT
        group_y = y - 8
        laid_rows = []
        for label, values in rows:
            y += ROW_LABEL_HEIGHT
            row_y = y - 5
            bars = []
            for s, value in zip(series, values, strict=True):
                width = round(float(value) * UNIT) if value is not None else 0
                bars.append(
                    Bar(
                        series=s,
                        value=value,
                        y=y,
                        width=width,
                        text_x=MARGIN + width + 6,
                        text_y=y + BAR_HEIGHT - 3,
                    )
                )
                y += BAR_HEIGHT + BAR_GAP
            laid_rows.append(Row(label=label, y=row_y, bars=bars))
            y += ROW_GAP - BAR_GAP
        laid_out.append(Group(label=area_label, y=group_y, rows=laid_rows))
    ticks = [Tick(value=v, x=MARGIN + v * UNIT) for v in range(SCORE_MAX + 1)]
    return Chart(
        width=WIDTH,
        height=y + 4,
        bar_height=BAR_HEIGHT,
        x0=MARGIN,
        axis_y=axis_y,
        grid_top=grid_top,
        legend=legend,
        ticks=ticks,
        groups=laid_out,
    )
