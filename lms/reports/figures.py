"""Pure computations of the programme's figures: percentiles, rates, NPS, funnels, and
the small-cell suppression of exports. No database access: tests call them with tables
of cases.

Suppression (statistical secrecy, for figures that leave Balise): a count of 1 to 4
people is shown as "< 5"; a rate, mean, median or sum resting on fewer than 5 people is
left blank. Zero stays zero (it names nobody).
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

SMALL_CELL = 5
SUPPRESSED = "< 5"


# --- Cells and tables ------------------------------------------------------------------------


class Kind:
    """How a cell reads: its formatting and how suppression treats it."""

    TEXT = "text"
    COUNT = "count"  # a number of people (or of their requests, sessions): suppressible
    RATE = "rate"  # a percentage, 0-100
    MEAN = "mean"  # a mean of scores (two decimals)
    DECIMAL = "decimal"  # hours, jobs, NPS (one decimal; may be negative)

    NUMERIC = frozenset({COUNT, RATE, MEAN, DECIMAL})


@dataclass(frozen=True)
class Cell:
    value: object
    kind: str = Kind.TEXT
    base: int | None = None  # how many people a derived figure rests on

    @property
    def is_numeric(self) -> bool:
        return self.kind in Kind.NUMERIC


@dataclass(frozen=True)
class Column:
    label: str  # complete, as exports show it
    kind: str = Kind.TEXT
    short: str = ""  # under a column group's heading, on pages

    @property
    def heading(self) -> str:
        return self.short or self.label


@dataclass
class Table:
    """A table as the dashboard, the print page and the CSV export show it.

    The first column is the row header; ``total`` is an optional last row."""

    slug: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None
    note: str = ""
    groups: list[tuple[str, int]] = field(default_factory=list)  # (heading, columns spanned)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def text(value) -> Cell:
    return Cell("" if value is None else str(value))


def count(value: int | None) -> Cell:
    return Cell(int(value or 0), Kind.COUNT, base=int(value or 0))


def rate(part: int | None, whole: int | None) -> Cell:
    return Cell(percent(part, whole), Kind.RATE, base=int(whole or 0))


def mean(value, base: int | None, kind: str = Kind.MEAN) -> Cell:
    return Cell(None if value is None else float(value), kind, base=int(base or 0))


def decimal(value, base: int | None) -> Cell:
    return mean(value, base, Kind.DECIMAL)


def suppressed(cell: Cell) -> object:
    """The value a cell may show outside Balise (see the module's docstring)."""
    if cell.value is None:
        return None
    if cell.kind == Kind.COUNT:  # a difference of counts too: -3 people names people
        return SUPPRESSED if 0 < abs(cell.value) < SMALL_CELL else cell.value
    if cell.is_numeric and (cell.base is None or cell.base < SMALL_CELL):
        return None
    return cell.value


# --- Figures ---------------------------------------------------------------------------------


def percent(part: int | None, whole: int | None) -> float | None:
    """``part`` as a percentage of ``whole``; None when there is no whole."""
    if not whole:
        return None
    return 100.0 * (part or 0) / whole


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """The continuous percentile of already sorted values, by linear interpolation
    between the two closest ranks: PostgreSQL's ``percentile_cont``, in Python."""
    if not sorted_values:
        return None
    if not 0 <= fraction <= 1:
        raise ValueError(fraction)
    position = fraction * (len(sorted_values) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    low, high = float(sorted_values[lower]), float(sorted_values[upper])
    return low + (high - low) * (position - lower)


def percentiles_by_group(
    rows: Iterable[tuple[object, float]], fractions: Sequence[float]
) -> tuple[dict[object, list[float | None]], list[float | None]]:
    """Percentiles per group and overall, from (group, value) pairs sorted by value."""
    groups: dict[object, list[float]] = {}
    everything: list[float] = []
    for group, value in rows:
        groups.setdefault(group, []).append(value)
        everything.append(value)
    everything.sort()
    by_group = {
        group: [percentile(sorted(values), q) for q in fractions]
        for group, values in groups.items()
    }
    return by_group, [percentile(everything, q) for q in fractions]


def nps(promoters: int, detractors: int, total: int) -> float | None:
    """Net promoter score: % of 9-10 minus % of 0-6, from -100 to 100."""
    if not total:
        return None
    return 100.0 * (promoters - detractors) / total


def as_float(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return float(value)


@dataclass(frozen=True)
class FunnelStage:
    """One stage of a funnel: a module, a progression point, or enrolled / completed."""

    label: str
    kind: str  # "enrolled" | "module" | "point" | "completed"
    learners: int


@dataclass(frozen=True)
class FunnelRow:
    label: str
    kind: str
    learners: int
    share_of_enrolled: float | None
    lost: int | None  # people lost since the previous stage
    lost_share: float | None


def funnel(stages: Sequence[FunnelStage]) -> list[FunnelRow]:
    """Each stage with its share of the enrolled and the drop since the stage before."""
    if not stages:
        return []
    enrolled = stages[0].learners
    rows, previous = [], None
    for stage in stages:
        lost = None if previous is None else previous - stage.learners
        rows.append(
            FunnelRow(
                label=stage.label,
                kind=stage.kind,
                learners=stage.learners,
                share_of_enrolled=percent(stage.learners, enrolled),
                lost=lost,
                lost_share=None if previous is None else percent(lost, previous),
            )
        )
        previous = stage.learners
    return rows


def ordered_steps(
    outline: Sequence[tuple[int, str, Sequence[tuple[str, str]]]],
    counts: dict[tuple[int, str], int],
) -> list[tuple[str, str, int]]:
    """(module title, step title, learners) for every step of the outline, in order; a module
    met twice in an outline counts once, where it first appears.

    ``outline``: (module id, module title, [(step id, step title), ...]) in order;
    ``counts``: learners by (module id, step id)."""
    seen, rows = set(), []
    for module_id, module_title, steps in outline:
        if module_id in seen:
            continue
        seen.add(module_id)
        for step_id, step_title in steps:
            rows.append((module_title, step_title, counts.get((module_id, step_id), 0)))
    return rows


def decimal_text(value: float | int | None, places: int = 1) -> str:
    """A number as French Excel reads it: decimal comma, no grouping ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.{places}f}".replace(".", ",")
