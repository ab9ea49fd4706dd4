"""Statistical secrecy that a subtraction cannot undo. Pure: figures, how they add up, and
which of them to hide; no database, no Django.

A count of 1 to 4 people is hidden (« < 5 »: *primary* secrecy). But a reader who sees a
total and every other part of it gets the hidden count back by subtraction, and a rate
next to a hidden count gives it back from its denominator. So a table declares how its
figures add up (``Sum``: a total is the sum of its parts, along a column, down a funnel,
from one table to another; or at least that sum, when the parts are a subset) and which
figures are computed from which counts (``Derived``: rates, means, scores), and:

1. every count of 1 to 4 (a difference of 1 to 4 too) is hidden, shown « < 5 »;
2. while a ``Sum`` has exactly one hidden figure, the smallest visible non-zero figure of
   that ``Sum`` is hidden too (a sibling, else its total), shown « s » (*secondary*);
3. then the reader below tries; while they can still pin a hidden count of 1 to 4, the
   smallest visible figure of a ``Sum`` through which they do is hidden too (« s »; a
   zero, « < 5 », only when nothing else is left to hide);
4. a derived figure (rate, mean, score) with a hidden input is hidden as well (blank).

The reader defended against (``recover``) knows every visible figure and every declared
relation, that « < 5 » stands for 0 to 4 (a zero is hidden sometimes) and « s » for 5 or
more (in absolute value for a difference, whose sign is hidden with it), and that counts
are whole numbers. They subtract (a total minus its visible parts), chain subtractions
across rows, columns and tables (any combination of the relations: Gaussian elimination),
and narrow each hidden figure between bounds (two « < 5 » adding up to 8 are 4 and 4).
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import inf

SMALL_CELL = 5  # counts from 1 to SMALL_CELL - 1 are hidden

Pos = Hashable  # where a figure is: (row, column) in a table, (table, row, column) across tables


class Secrecy:
    """Why a figure is hidden ("" when shown)."""

    SHOWN = ""
    SMALL = "small"  # 1 to 4 people: « < 5 »
    SECONDARY = "secondary"  # would give a small count back: « s »
    DERIVED = "derived"  # computed from a hidden count: blank


@dataclass(frozen=True)
class Sum:
    """``total`` is the sum of ``parts``; with ``at_most``, it is at least that sum (the
    parts count a subset of the total's people: completions among enrolments)."""

    total: Pos
    parts: tuple[Pos, ...]
    at_most: bool = False

    @property
    def cells(self) -> tuple[Pos, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Derived:
    """``cell`` is computed from the counts ``inputs`` (a rate, a mean, a score)."""

    cell: Pos
    inputs: tuple[Pos, ...]


def is_small(value: int) -> bool:
    return 0 < abs(value) < SMALL_CELL


# --- What to hide ----------------------------------------------------------------------------


def protect(
    values: Mapping[Pos, int], sums: Iterable[Sum], signed: Iterable[Pos] = ()
) -> dict[Pos, str]:
    """The hidden counts of ``values`` and why (``Secrecy.SMALL`` or ``SECONDARY``).

    ``values``: every count that is shown, in reading order (ties go to the first);
    ``sums``: how they add up; ``signed``: the counts that are differences (a drop from one
    stage to the next may be negative). Deterministic: the same figures, the same marks."""
    sums = list(sums)
    signed = frozenset(signed)
    order = {pos: index for index, pos in enumerate(values)}
    unknown = {pos for s in sums for pos in s.cells if pos not in values}
    if unknown:
        raise ValueError(f"Sums refer to figures that are not counts: {sorted(map(str, unknown))}")
    totals = {s.total for s in sums}
    by_cell: dict[Pos, list[Sum]] = defaultdict(list)
    for s in sums:
        for pos in s.cells:
            by_cell[pos].append(s)
    hidden = {pos: Secrecy.SMALL for pos, value in values.items() if is_small(value)}

    def smallest_visible(s: Sum, zero: bool = False) -> Pos | None:
        """The figure of ``s`` to hide next: the smallest, a part rather than a total; a
        zero only with ``zero`` (it protects little, and the « < 5 » it becomes no more)."""
        shown = [pos for pos in s.cells if pos not in hidden and (zero or values[pos] != 0)]
        if not shown:
            return None
        return min(
            shown, key=lambda pos: (values[pos] == 0, abs(values[pos]), pos in totals, order[pos])
        )

    while True:
        # No relation may leave exactly one figure hidden: its subtraction gives it back.
        changed = True
        while changed:
            changed = False
            for s in sums:
                if s.at_most or sum(pos in hidden for pos in s.cells) != 1:
                    continue
                pick = smallest_visible(s)
                if pick is not None:
                    hidden[pick] = Secrecy.SECONDARY
                    changed = True
        # What subtractions across relations and bounds still give back.
        recovered = recover(values, hidden, sums, signed)
        exposed = sorted(
            (pos for pos in recovered if hidden[pos] == Secrecy.SMALL), key=order.__getitem__
        )
        if not exposed:
            return hidden

        # Hide next through the relations that expose them most (fewest figures in doubt).
        in_doubt = {s: sum(c in hidden and c not in recovered for c in s.cells) for s in sums}
        suspects = [*exposed, *sorted(recovered, key=order.__getitem__)]
        ways = [s for pos in suspects for s in sorted(by_cell[pos], key=in_doubt.__getitem__)]
        pick = next(
            (
                p
                for zero in (False, True)
                for s in ways
                if (p := smallest_visible(s, zero)) is not None
            ),
            None,
        )
        if pick is None:  # everything around is hidden already: nothing more to do
            return hidden
        hidden[pick] = Secrecy.SECONDARY


def derived_hidden(derived: Iterable[Derived], hidden: Mapping[Pos, str]) -> set[Pos]:
    """The derived figures that rest on a hidden count."""
    return {d.cell for d in derived if any(pos in hidden for pos in d.inputs)}


# --- The reader ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slack:
    """What a subset leaves out of its total (``Sum.at_most``): 0 or more, never shown."""

    index: int


@dataclass
class _Range:
    """Whole numbers from ``low`` to ``high``, less those strictly between the ends of
    ``gap`` (an « s » difference is never between -5 and 5)."""

    low: float
    high: float
    gap: tuple[float, float] | None = None

    def narrow(self, low: float, high: float) -> bool:
        """Keep what is also between ``low`` and ``high``; True if that changed anything."""
        new_low, new_high = max(self.low, low), min(self.high, high)
        if self.gap is not None:
            below, above = self.gap
            if below < new_low < above:
                new_low = above
            if below < new_high < above:
                new_high = below
        if new_low > new_high:  # inconsistent figures: leave the range as it was
            return False
        changed = (new_low, new_high) != (self.low, self.high)
        self.low, self.high = new_low, new_high
        return changed

    @property
    def value(self) -> int | None:
        return int(self.low) if self.low == self.high else None


def _range(value: int, signed: bool) -> _Range:
    """What a reader knows of a hidden figure from its mark: « < 5 » or « s »."""
    small = SMALL_CELL - 1
    if abs(value) < SMALL_CELL:
        return _Range(-small if signed else 0, small)
    if signed:
        return _Range(-inf, inf, (-SMALL_CELL, SMALL_CELL))
    return _Range(SMALL_CELL, inf)


def recover(
    values: Mapping[Pos, int],
    hidden: Mapping[Pos, str],
    sums: Iterable[Sum],
    signed: Iterable[Pos] = (),
) -> dict[Pos, int]:
    """The hidden figures a reader can pin exactly, with their values: subtractions along
    every relation and their combinations (Gaussian elimination), and bounds."""
    signed = frozenset(signed)
    ranges: dict[Pos, _Range] = {pos: _range(values[pos], pos in signed) for pos in hidden}
    equations: list[tuple[dict[Pos, int], int]] = []  # sum of coefficient * figure = constant
    for index, s in enumerate(sums):
        terms: dict[Pos, int] = defaultdict(int)
        terms[s.total] += 1
        for pos in s.parts:
            terms[pos] -= 1
        if s.at_most:
            terms[_Slack(index)] -= 1
            ranges[_Slack(index)] = _Range(0, inf)
        constant, unknowns = 0, {}
        for pos, coefficient in terms.items():
            if coefficient == 0:
                continue
            if pos in ranges:
                unknowns[pos] = coefficient
            else:
                constant -= coefficient * values[pos]
        if unknowns:
            equations.append((unknowns, constant))

    solved: dict[Pos, int] = {}
    while True:
        equations = _substitute(equations, solved)
        found = {**_bounds(equations, ranges), **_eliminate(equations)}
        found = {pos: value for pos, value in found.items() if pos not in solved}
        if not found:
            break
        solved.update(found)
        for pos, value in found.items():
            ranges[pos] = _Range(value, value)
    return {pos: value for pos, value in solved.items() if pos in hidden}


def _substitute(equations, solved: Mapping[Pos, int]) -> list[tuple[dict[Pos, int], int]]:
    result = []
    for terms, constant in equations:
        kept = {pos: c for pos, c in terms.items() if pos not in solved}
        constant -= sum(c * solved[pos] for pos, c in terms.items() if pos in solved)
        if kept:
            result.append((kept, constant))
    return result


def _bounds(equations, ranges: dict[Pos, _Range], rounds: int = 50) -> dict[Pos, int]:
    """Narrow each unknown with the others' ranges, equation by equation, until nothing
    moves; the unknowns left with a single value."""
    for _ in range(rounds):
        moved = False
        for terms, constant in equations:
            # The least and greatest of each term (coefficients are whole numbers).
            spans = {}
            for pos, c in terms.items():
                r = ranges[pos]
                ends = (c * r.low, c * r.high)
                spans[pos] = (min(ends), max(ends))
            low_infinite = sum(low == -inf for low, _ in spans.values())
            high_infinite = sum(high == inf for _, high in spans.values())
            low_sum = sum(low for low, _ in spans.values() if low != -inf)
            high_sum = sum(high for _, high in spans.values() if high != inf)
            for pos, c in terms.items():
                low, high = spans[pos]
                # The others' least and greatest sums.
                if low_infinite - (low == -inf):
                    others_low = -inf
                else:
                    others_low = low_sum - (low if low != -inf else 0)
                if high_infinite - (high == inf):
                    others_high = inf
                else:
                    others_high = high_sum - (high if high != inf else 0)
                # c * pos = constant - others
                term_low, term_high = constant - others_high, constant - others_low
                ends = sorted((term_low / c, term_high / c))
                new_low = -inf if ends[0] == -inf else _ceil(ends[0])
                new_high = inf if ends[1] == inf else _floor(ends[1])
                if ranges[pos].narrow(new_low, new_high):
                    moved = True
        if not moved:
            break
    return {pos: r.value for pos, r in ranges.items() if r.value is not None}


def _ceil(x: float) -> float:
    return float(-(-Fraction(x) // 1))


def _floor(x: float) -> float:
    return float(Fraction(x) // 1)


def _eliminate(equations) -> dict[Pos, int]:
    """The unknowns the equations alone fix (whatever the bounds): reduced row echelon form
    over the rationals, kept sparse."""
    pivots: dict[Pos, tuple[dict[Pos, Fraction], Fraction]] = {}
    for terms, constant in equations:
        row = {pos: Fraction(c) for pos, c in terms.items()}
        value = Fraction(constant)
        for pivot, (pivot_row, pivot_value) in pivots.items():
            factor = row.get(pivot)
            if factor:
                row, value = _minus(row, value, pivot_row, pivot_value, factor)
        if not row:
            continue
        pivot = next(iter(row))
        scale = row[pivot]
        row = {pos: c / scale for pos, c in row.items()}
        value /= scale
        for other, (other_row, other_value) in list(pivots.items()):
            factor = other_row.get(pivot)
            if factor:
                pivots[other] = _minus(other_row, other_value, row, value, factor)
        pivots[pivot] = (row, value)
    return {
        pivot: int(value)
        for pivot, (row, value) in pivots.items()
        if len(row) == 1 and value.denominator == 1
    }


def _minus(row, value, other, other_value, factor):
    """``row - factor * other``, zeros dropped."""
    result = dict(row)
    for pos, c in other.items():
        new = result.get(pos, 0) - factor * c
        if new:
            result[pos] = new
        else:
            result.pop(pos, None)
    return result, value - factor * other_value
