"""Pure computations of the programme's figures: percentiles, rates, NPS, funnels, and
the statistical secrecy of figures that leave Balise (exports, the print page). No
database access: tests call them with tables of cases.

Secrecy: a count of 1 to 4 people is shown as "< 5"; a count that would give one back by
subtraction is shown as "s", or "< 5" for a zero (``suppression`` decides which, from the
relations each table declares); a rate, mean, median or sum resting on fewer than 5 people
or on a hidden count is left blank. Otherwise zero stays zero (it names nobody).
"""

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .suppression import SMALL_CELL, Derived, Secrecy, Sum, derived_hidden, protect

SUPPRESSED = "< 5"  # a count of 1 to 4 (or a zero that had to be hidden)
MASKED = "s"  # a count hidden so that no "< 5" can be worked out


# --- Cells and tables ------------------------------------------------------------------------


class Kind:
    """How a cell reads: its formatting and how suppression treats it."""

    TEXT = "text"
    COUNT = "count"  # a number of people (or of their requests, sessions): suppressible
    DROP = "drop"  # a count minus the one before it: a loss, or (negative) people who skipped
    RATE = "rate"  # a percentage, 0-100
    MEAN = "mean"  # a mean of scores (two decimals)
    DECIMAL = "decimal"  # hours, jobs, NPS (one decimal; may be negative)

    NUMERIC = frozenset({COUNT, DROP, RATE, MEAN, DECIMAL})
    COUNTS = frozenset({COUNT, DROP})  # what secrecy hides, and what ``Sum``s add up


@dataclass(frozen=True)
class Cell:
    value: object
    kind: str = Kind.TEXT
    base: int | None = None  # how many people a derived figure rests on
    secrecy: str = Secrecy.SHOWN  # outside Balise; set by ``protect_tables``

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

    The first column is the row header; ``total`` is an optional last row. ``sums`` and
    ``derived`` say how its figures hang together, for secrecy: positions are (row,
    column), the total row being row ``len(rows)``. ``keys`` name what each row counts
    (a pathway's id, a module's...), so that relations between tables can be declared."""

    slug: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None
    note: str = ""
    groups: list[tuple[str, int]] = field(default_factory=list)  # (heading, columns spanned)
    sums: list[Sum] = field(default_factory=list)
    derived: list[Derived] = field(default_factory=list)
    keys: list[object] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def total_row(self) -> int:
        """The total row's index in positions."""
        return len(self.rows)

    def lines(self) -> list[list[Cell]]:
        """The rows, then the total if there is one: what positions index."""
        return [*self.rows, *([self.total] if self.total else [])]


def text(value) -> Cell:
    return Cell("" if value is None else str(value))


def count(value: int | None) -> Cell:
    return Cell(int(value or 0), Kind.COUNT, base=int(value or 0))


def drop(value: int | None) -> Cell:
    """A count minus the one before it (None for the first)."""
    if value is None:
        return Cell(None, Kind.DROP, 0)
    return Cell(int(value), Kind.DROP, base=abs(int(value)))


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
    if cell.kind in Kind.COUNTS:  # a difference of counts too: -3 people names people
        if abs(cell.value) >= SMALL_CELL:
            return MASKED if cell.secrecy == Secrecy.SECONDARY else cell.value
        # 1 to 4, or a zero hidden because nothing else was left to hide.
        return SUPPRESSED if cell.value or cell.secrecy else 0
    if cell.is_numeric and (
        cell.secrecy == Secrecy.DERIVED or cell.base is None or cell.base < SMALL_CELL
    ):
        return None
    return cell.value


# --- How tables add up, and what secrecy hides ------------------------------------------------


def column_sums(rows: int, columns: Iterable[int]) -> list[Sum]:
    """Each of ``columns`` of the total row (row ``rows``) adds up that column's rows."""
    return [Sum((rows, column), tuple((row, column) for row in range(rows))) for column in columns]


def rates(rows: int, rate: int, part: int, whole: int, total: bool = True) -> list[Derived]:
    """Column ``rate`` is computed from columns ``part`` and ``whole`` of the same row, in
    every row (and the total row)."""
    return [Derived((row, rate), ((row, part), (row, whole))) for row in range(rows + int(total))]


def protect_tables(tables: Mapping[str, Table], links: Iterable[Sum] = ()) -> dict[str, Table]:
    """The tables with their secrecy decided together (``suppression.protect``): each
    table's own relations, and ``links`` between tables (positions (slug, row, column)),
    since a reader can read one table against another."""
    values, signed, sums, derived = {}, set(), list(links), []
    for slug, table in tables.items():
        for row, line in enumerate(table.lines()):
            for column, cell in enumerate(line):
                if cell.kind in Kind.COUNTS and cell.value is not None:
                    values[(slug, row, column)] = cell.value
                    if cell.kind == Kind.DROP:
                        signed.add((slug, row, column))
        sums += [
            Sum((slug, *s.total), tuple((slug, *part) for part in s.parts), s.at_most)
            for s in table.sums
        ]
        derived += [
            Derived((slug, *d.cell), tuple((slug, *pos) for pos in d.inputs)) for d in table.derived
        ]
    hidden = protect(values, sums, signed)
    for pos in derived_hidden(derived, hidden):
        hidden.setdefault(pos, Secrecy.DERIVED)
    return {slug: _marked(slug, table, hidden) for slug, table in tables.items()}


def _marked(slug: str, table: Table, hidden: Mapping[tuple, str]) -> Table:
    def line(row: int, cells: list[Cell]) -> list[Cell]:
        return [
            dataclasses.replace(cell, secrecy=hidden[(slug, row, column)])
            if (slug, row, column) in hidden
            else cell
            for column, cell in enumerate(cells)
        ]

    rows = [line(row, cells) for row, cells in enumerate(table.rows)]
    total = line(len(rows), table.total) if table.total else table.total
    return dataclasses.replace(table, rows=rows, total=total)


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
    """Each stage with its share of the enrolled and the drop since the stage before. A
    stage may count more people than the one before (steps skipped, a module finished in
    another pathway): its drop is negative, and its share of a loss meaningless (None)."""
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
                lost_share=None if previous is None or lost < 0 else percent(lost, previous),
            )
        )
        previous = stage.learners
    return rows


def ordered_steps(
    outline: Sequence[tuple[int, str, Sequence[tuple[str, str]]]],
    counts: dict[tuple[int, str], int],
) -> list[tuple[int, str, str, str, int]]:
    """(module id, step id, module title, step title, learners) for every step of the
    outline, in order; a module met twice in an outline counts once, where it first appears.

    ``outline``: (module id, module title, [(step id, step title), ...]) in order;
    ``counts``: learners by (module id, step id)."""
    seen, rows = set(), []
    for module_id, module_title, steps in outline:
        if module_id in seen:
            continue
        seen.add(module_id)
        for step_id, step_title in steps:
            learners = counts.get((module_id, step_id), 0)
            rows.append((module_id, step_id, module_title, step_title, learners))
    return rows


def decimal_text(value: float | int | None, places: int = 1) -> str:
    """A number as French Excel reads it: decimal comma, no grouping ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.{places}f}".replace(".", ",")
