"""Secrecy that a subtraction cannot undo (``lms/reports/suppression.py``): the rule on
tables of cases, then a reader who tries what a curious funder would (every total minus its
visible parts, every rate times its visible denominator, across rows, columns and tables)
on generated figures, and never gets a hidden count of 1 to 4 back."""

import math
import re
from collections.abc import Iterable
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.accounts.models import AreaType, Modality
from lms.coaching.models import Origin
from lms.outcomes.models import Stage
from lms.reports.exports import export_value
from lms.reports.figures import Kind, percentiles_by_group
from lms.reports.queries import Filters, PathwayRef
from lms.reports.suppression import Secrecy, Sum, protect, recover
from lms.reports.tables import Report
from pathways.models import OutlineItem

SMALL, SECONDARY = Secrecy.SMALL, Secrecy.SECONDARY


def grid(rows: list[list[int]]) -> tuple[dict, list[Sum]]:
    """A table with a total column, a total row, and how they add up."""
    values = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            values[(r, c)] = value
        values[(r, "T")] = sum(row)
    columns = range(len(rows[0]))
    for c in columns:
        values[("T", c)] = sum(row[c] for row in rows)
    values[("T", "T")] = sum(map(sum, rows))
    sums = [Sum((r, "T"), tuple((r, c) for c in columns)) for r in range(len(rows))]
    sums += [Sum(("T", c), tuple((r, c) for r in range(len(rows)))) for c in columns]
    sums.append(Sum(("T", "T"), tuple(("T", c) for c in columns)))
    return values, sums


# --- The rule, case by case ------------------------------------------------------------------


def test_nothing_small_nothing_hidden():
    values, sums = grid([[10, 20], [30, 40]])
    assert protect(values, sums) == {}


def test_zero_is_shown_and_never_hidden_in_its_place():
    values, sums = grid([[0, 20], [30, 0]])
    assert protect(values, sums) == {}


def test_a_small_count_takes_its_smallest_sibling_with_it_along_rows_and_columns():
    values, sums = grid([[12, 3, 20], [8, 15, 9]])
    hidden = protect(values, sums)
    assert hidden == {
        (0, 1): SMALL,
        (0, 0): SECONDARY,  # 12: the smallest other figure of row 0
        (1, 1): SECONDARY,  # 15: the other figure of column 1
        (1, 0): SECONDARY,  # 8: column 0 and row 1 would each have one hidden figure
    }
    assert recover(values, hidden, sums) == {}


def test_the_total_goes_when_no_sibling_can():
    values = {"total": 9, "small": 3, "zero": 0, "big": 6}
    sums = [Sum("total", ("small", "zero", "big"))]
    assert protect(values, sums) == {"small": SMALL, "big": SECONDARY}
    values = {"total": 3, "small": 3, "zero": 0}
    assert protect(values, [Sum("total", ("small", "zero"))]) == {"total": SMALL, "small": SMALL}


def test_two_small_counts_whose_sum_pins_them_take_a_third_figure():
    # 18 - 10 = 8, and two « < 5 » (0 to 4) adding up to 8 are 4 and 4.
    values = {"total": 18, "a": 4, "b": 4, "c": 10}
    sums = [Sum("total", ("a", "b", "c"))]
    assert recover(values, {"a": SMALL, "b": SMALL}, sums) == {"a": 4, "b": 4}
    hidden = protect(values, sums)
    assert hidden == {"a": SMALL, "b": SMALL, "c": SECONDARY}
    assert recover(values, hidden, sums) == {}


def test_two_small_counts_whose_sum_leaves_a_doubt_are_enough():
    values = {"total": 12, "a": 1, "b": 1, "c": 10}  # 0 + 2, 1 + 1 or 2 + 0
    assert protect(values, [Sum("total", ("a", "b", "c"))]) == {"a": SMALL, "b": SMALL}


def test_a_zero_is_hidden_only_when_nothing_else_is_left():
    # 8 people in two cells of « < 5 », the rest of the row zeros: 4 and 4, unless the total
    # goes too; with the total gone, a zero (« < 5 »: 0 to 4) is all that is left.
    values = {"total": 8, "a": 4, "b": 4, "zero": 0}
    sums = [Sum("total", ("a", "b", "zero"))]
    assert protect(values, sums) == {"a": SMALL, "b": SMALL, "total": SECONDARY}
    sums.append(Sum("grand", ("total",)))
    values["grand"] = 8
    hidden = protect(values, sums)
    assert hidden == {"a": SMALL, "b": SMALL, "total": SECONDARY, "grand": SECONDARY}


def test_a_masked_figure_is_five_or_more_and_says_so():
    # 6 = « < 5 » + « s »: the « s » is 5 or 6, the « < 5 » 0 or 1.
    values = {"total": 6, "a": 1, "b": 5}
    sums = [Sum("total", ("a", "b"))]
    assert protect(values, sums) == {"a": SMALL, "b": SECONDARY}
    assert recover(values, {"a": SMALL, "b": SECONDARY}, sums) == {}


def test_the_reader_chains_subtractions_across_rows_and_columns():
    # Two 2x2 blocks of hidden figures joined by one more: each row and column has two
    # hidden figures, yet rows and columns combined give the joining figure back.
    values = {
        "a": 10, "b": 10, "c": 10, "d": 10, "e": 3,
        "r1": 23, "r2": 20, "c1": 20, "c2": 20, "c3": 3,
    }  # fmt: skip
    sums = [Sum("r1", ("a", "b", "e")), Sum("r2", ("c", "d")), Sum("c1", ("a", "c"))]
    sums += [Sum("c2", ("b", "d")), Sum("c3", ("e",))]
    hidden = {"a": SECONDARY, "b": SECONDARY, "c": SECONDARY, "d": SECONDARY, "e": SMALL}
    hidden["c3"] = SMALL
    # r1 - (c1 - c) - (c2 - d) = e, and c + d = r2: e = r1 - c1 - c2 + r2 = 3.
    assert recover(values, hidden, sums)["e"] == 3


def test_a_subset_bounds_its_total():
    # Completions: a « < 5 » and an « s » adding up to 9; the « s » cannot exceed its row's
    # 5 enrolments, so it is 5, and the « < 5 » is 4.
    values = {"total": 9, "small": 4, "masked": 5, "enrolled": 5}
    sums = [Sum("total", ("small", "masked")), Sum("enrolled", ("masked",), at_most=True)]
    hidden = {"small": SMALL, "masked": SECONDARY}
    assert recover(values, hidden, sums) == {"small": 4, "masked": 5}
    hidden = protect(values, sums)
    assert hidden["small"] == SMALL and "small" not in recover(values, hidden, sums)


def test_a_negative_drop_is_a_difference_like_any_other():
    # 20 enrolled, 17 then 19 people: a loss of 3, then 2 people more (steps skipped).
    values = {"L0": 20, "L1": 17, "L2": 19, "d1": 3, "d2": -2}
    sums = [Sum("L0", ("L1", "d1")), Sum("L1", ("L2", "d2"))]
    hidden = protect(values, sums, signed={"d1", "d2"})
    assert hidden["d1"] == hidden["d2"] == SMALL
    assert hidden["L1"] == SECONDARY  # else 20 - 17 and 19 - 17 give both back
    assert recover(values, hidden, sums, signed={"d1", "d2"}) == {}


def test_the_same_figures_give_the_same_marks():
    values, sums = grid([[2, 9, 14], [7, 1, 30], [6, 6, 3]])
    assert protect(values, sums) == protect(dict(values), list(sums))


def test_a_sum_over_something_that_is_not_a_count_is_refused():
    with pytest.raises(ValueError):
        protect({"total": 10}, [Sum("total", ("rate",))])


# --- A reader on generated tables ------------------------------------------------------------


class Reader:
    """What a reader works out from what is shown: ``shown`` maps a position to an int, or
    to « < 5 » / « s ». They subtract whenever one figure of a sum is unknown, narrow the
    unknowns between bounds (« < 5 » is 0 to 4, « s » 5 or more; in absolute value for a
    difference), and multiply rates by their denominators."""

    def __init__(self, shown: dict, signed: Iterable = ()):
        self.shown, self.signed = shown, frozenset(signed)
        self.known = {pos: v for pos, v in shown.items() if isinstance(v, int)}
        self.ranges = {}
        for pos, v in shown.items():
            if v == "< 5":
                self.ranges[pos] = [-4 if pos in self.signed else 0, 4]
            elif v == "s":
                self.ranges[pos] = [-math.inf, math.inf] if pos in self.signed else [5, math.inf]
        self.found = {}

    def candidates(self, pos, limit: int = 10) -> list[int] | None:
        """The values ``pos`` may still take, if there are no more than ``limit``."""
        if pos in self.known:
            return [self.known[pos]]
        low, high = self.ranges[pos]
        if high - low > limit:
            return None
        gap = range(-4, 5) if pos in self.signed and self.shown[pos] == "s" else range(0)
        return [v for v in range(int(low), int(high) + 1) if v not in gap]

    def learn(self, pos, value) -> None:
        self.known[pos] = self.found[pos] = value

    def subtract(self, sums) -> bool:
        """``sums``: (total, parts) as the reader understands the tables."""
        progress = False
        for total, parts in sums:
            terms = [(total, 1), *((part, -1) for part in parts)]
            unknown = [(pos, c) for pos, c in terms if pos not in self.known]
            if not unknown or any(pos not in self.ranges for pos, _ in unknown):
                continue
            rest = -sum(c * self.known[pos] for pos, c in terms if pos in self.known)
            for pos, c in unknown:
                others = [(p, k) for p, k in unknown if p != pos]
                low = sum(min(k * self.ranges[p][0], k * self.ranges[p][1]) for p, k in others)
                high = sum(max(k * self.ranges[p][0], k * self.ranges[p][1]) for p, k in others)
                ends = sorted(((rest - high) * c, (rest - low) * c))
                current = self.ranges[pos]
                if ends[0] > current[0] or ends[1] < current[1]:
                    self.ranges[pos] = [max(current[0], ends[0]), min(current[1], ends[1])]
                    progress = True
                values = self.candidates(pos)
                if values is not None and len(values) == 1:
                    self.learn(pos, values[0])
                    progress = True
                    break
        return progress

    def divide(self, ratios) -> bool:
        """``ratios``: (shown rate, numerator, denominator, hundred) where ``rate`` is
        ``hundred * numerator / denominator`` rounded to one decimal; numerator and
        denominator are positions, or (position, sign) lists added up (an NPS)."""
        progress = False
        for rate, numerator, denominator, hundred in ratios:
            if rate is None:
                continue
            parts = [*numerator, *((pos, 0) for pos in [denominator])]
            unknown = [pos for pos, _ in parts if pos not in self.known]
            if len(unknown) != 1 or unknown[0] not in self.ranges:
                continue
            (pos,) = unknown
            values = self.candidates(pos, limit=2000)
            if values is None:
                values = range(max(0, int(self.ranges[pos][0])), 2000)
            fitting = [
                v
                for v in values
                if self._rate({**self.known, pos: v}, numerator, denominator, hundred) == rate
            ]
            if len(fitting) == 1:
                self.learn(pos, fitting[0])
                progress = True
        return progress

    @staticmethod
    def _rate(figures, numerator, denominator, hundred) -> float | None:
        whole = figures[denominator]
        part = sum(sign * figures[p] for p, sign in numerator)
        return round(hundred * part / whole, 1) if whole > 0 else None

    def read(self, sums, ratios=()) -> dict:
        while self.subtract(sums) or self.divide(ratios):
            pass
        return self.found


def reader(shown: dict, sums, signed: Iterable = ()) -> dict:
    return Reader(shown, signed).read(sums)


def grids():
    sizes = st.tuples(st.integers(1, 4), st.integers(1, 4))
    return sizes.flatmap(
        lambda size: st.lists(
            st.lists(st.integers(0, 14), min_size=size[1], max_size=size[1]),
            min_size=size[0],
            max_size=size[0],
        )
    )


def shown_by(values: dict, hidden: dict) -> dict:
    """Each figure as printed: « s » for 5 or more, « < 5 » for less (a zero too)."""
    return {
        pos: ("s" if abs(v) >= 5 else "< 5") if pos in hidden else v for pos, v in values.items()
    }


@settings(max_examples=300, deadline=None)
@given(grids())
def test_no_small_count_comes_back_from_a_table_with_margins(rows):
    values, sums = grid(rows)
    hidden = protect(values, sums)
    found = reader(shown_by(values, hidden), [(s.total, s.parts) for s in sums])
    assert all(found[pos] == values[pos] for pos in found)  # the reader is right...
    back = {pos for pos in found if 0 < abs(values[pos]) < 5}
    assert not back, (rows, hidden, back)  # ...but never about a small count


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=2, max_size=8))
def test_no_small_count_comes_back_from_a_funnel(stages):
    values = {("L", index): n for index, n in enumerate(stages)}
    values |= {("d", index): stages[index - 1] - stages[index] for index in range(1, len(stages))}
    signed = frozenset(pos for pos in values if pos[0] == "d")
    sums = [Sum(("L", index - 1), (("L", index), ("d", index))) for index in range(1, len(stages))]
    hidden = protect(values, sums, signed)
    found = reader(shown_by(values, hidden), [(s.total, s.parts) for s in sums], signed)
    assert all(found[pos] == values[pos] for pos in found)
    assert not {pos for pos in found if 0 < abs(values[pos]) < 5}, (stages, hidden)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids(), grids())
def test_no_small_count_comes_back_from_two_tables_sharing_a_total(first, second):
    """Two breakdowns of the same people (by origin, by département): the grand totals are
    one figure, and the reader reads one table against the other."""
    if sum(map(sum, first)) != sum(map(sum, second)):
        second[0][0] += sum(map(sum, first)) - sum(map(sum, second))
        if second[0][0] < 0:
            return
    a, a_sums = grid(first)
    b, b_sums = grid(second)
    values = {("a", k): v for k, v in a.items()} | {("b", k): v for k, v in b.items()}
    sums = [Sum(("a", s.total), tuple(("a", p) for p in s.parts)) for s in a_sums]
    sums += [Sum(("b", s.total), tuple(("b", p) for p in s.parts)) for s in b_sums]
    sums.append(Sum(("a", ("T", "T")), (("b", ("T", "T")),)))
    hidden = protect(values, sums)
    found = reader(shown_by(values, hidden), [(s.total, s.parts) for s in sums])
    assert not {pos for pos in found if 0 < abs(values[pos]) < 5}, (first, second, hidden)


# --- Every table of a generated programme, read as a funder would read the exports ----------

DEPARTEMENTS = ["07", "26", "69", None]
AREAS = [*AreaType.values, None]
MODULES = {1: ("a",), 2: ("a", "b"), 3: ("a", "b", "c"), 4: ("a",)}  # module id: step ids


@st.composite
def programmes(draw) -> Report:
    """A report's reads, as the queries would return them, from generated people, their
    progress, requests, sessions and opinions (few of each: small counts abound)."""
    n_pathways = draw(st.integers(1, 3))
    pathways = [PathwayRef(pk, f"Parcours {pk}", True) for pk in range(1, n_pathways + 1)]
    outlines = {
        pk: draw(
            st.lists(
                st.one_of(st.sampled_from(list(MODULES)), st.sampled_from(["p1", "p2"])),
                min_size=1,
                max_size=5,
            )
        )
        for pk in range(1, n_pathways + 1)
    }
    pks = st.sampled_from(list(range(1, n_pathways + 1)))
    steps = [(module, step) for module, ids in MODULES.items() for step in ids]
    people = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "departement": st.sampled_from(DEPARTEMENTS),
                    "area": st.sampled_from(AREAS),
                    "enrolled": st.sets(pks),
                    "completed": st.sets(pks),
                    "steps": st.sets(st.sampled_from(steps)),
                    "points": st.sets(st.sampled_from(["p1", "p2"])),
                    "stage": st.none() | st.sampled_from(Stage.values),
                    "jobs": st.sampled_from([0, 0.5, 1, 2]),
                    "score": st.none() | st.integers(0, 10),
                    "useful": st.none() | st.tuples(st.sampled_from(list(MODULES)), st.booleans()),
                }
            ),
            max_size=24,
        )
    )
    requests = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "origin": st.sampled_from(Origin.values),
                    "departement": st.sampled_from(DEPARTEMENTS),
                    "area": st.sampled_from(AREAS),
                    "modality": st.sampled_from(Modality.values),
                    "answered": st.booleans(),
                    "within": st.booleans(),
                    "hours": st.integers(1, 100),
                    "sessions": st.lists(st.sampled_from(Modality.values), max_size=2),
                    # Attendance recorded for its sessions (True: held), and the days to
                    # its first session held.
                    "attended": st.lists(st.booleans(), max_size=3),
                    "days": st.integers(0, 60),
                }
            ),
            max_size=20,
        )
    )
    chosen = draw(st.none() | pks)
    report = Report(Filters(pathway_id=chosen), pathways)

    def grouped(rows, key, **counts):
        found = {}
        for row in rows:
            entry = found.setdefault(key(row), dict.fromkeys(counts, 0))
            for name, count in counts.items():
                entry[name] += count(row)
        return found

    for person in people:
        person["completed"] &= person["enrolled"]
    summary = {
        pk: {"pathway_id": pk, **figures}
        for pk, figures in grouped(
            [(pk, person) for person in people for pk in person["enrolled"]],
            key=lambda pair: pair[0],
            enrolled=lambda pair: 1,
            completed=lambda pair: int(pair[0] in pair[1]["completed"]),
        ).items()
    }
    report.__dict__["summary"] = summary
    selected = report.selected
    outline = []
    for entry in outlines[selected.pk] if selected else []:
        if isinstance(entry, int):
            module = SimpleNamespace(
                pk=entry,
                title=f"Module {entry}",
                step_ids=MODULES[entry],
                step_titles={step: f"Étape {step}" for step in MODULES[entry]},
            )
            outline.append(OutlineItem("module", str(entry), module))
        else:
            outline.append(OutlineItem("point", entry, title=f"Balise {entry}"))
    cohort = [p for p in people if selected and selected.pk in p["enrolled"]]
    in_pathway = [p for p in people if not chosen or chosen in p["enrolled"]]
    answered = [r for r in requests if r["answered"]]
    sessions = [(r, modality) for r in requests for modality in r["sessions"]]
    stages = grouped(
        [p for p in people if p["stage"]],
        key=lambda p: p["stage"],
        learners=lambda p: 1,
        jobs=lambda p: p["jobs"],
    )
    opinions = [(pk, p["score"]) for p in people for pk in sorted(p["enrolled"]) if p["score"]]
    satisfaction = grouped(
        opinions,
        key=lambda pair: pair[0],
        answers=lambda pair: 1,
        total=lambda pair: pair[1],
        promoters=lambda pair: int(pair[1] >= 9),
        detractors=lambda pair: int(pair[1] <= 6),
    )
    useful = grouped(
        [p["useful"] for p in people if p["useful"]],
        key=lambda pair: pair[0],
        answers=lambda pair: 1,
        useful=lambda pair: int(pair[1]),
    )
    competences = draw(st.lists(st.integers(1, 12), max_size=3))
    group_held, group_absent = draw(st.integers(0, 12)), draw(st.integers(0, 6))
    report.__dict__.update(
        peer_circles={"rows": {}, "members": 0, "mentors": 0},
        outline=outline,
        module_completions={
            module: sum(all((module, step) in p["steps"] for step in ids) for p in cohort)
            for module, ids in MODULES.items()
        },
        passage_counts={point: sum(point in p["points"] for p in cohort) for point in ("p1", "p2")},
        step_counts={step: sum(step in p["steps"] for p in cohort) for step in steps},
        origins=[
            {"origin": origin, **figures}
            for origin, figures in sorted(
                grouped(
                    requests,
                    key=lambda r: r["origin"],
                    requests=lambda r: 1,
                    answered=lambda r: int(r["answered"]),
                    within_sla=lambda r: int(r["answered"] and r["within"]),
                    sla_due=lambda r: int(r["answered"] or r["within"]),
                ).items()
            )
        ],
        response_hours=percentiles_by_group(
            sorted(((r["origin"], r["hours"]) for r in answered), key=lambda pair: pair[1]),
            (0.5, 0.9),
        ),
        attendance=[
            {"origin": origin, **figures}
            for origin, figures in sorted(
                grouped(
                    [r for r in requests if r["attended"]],
                    key=lambda r: r["origin"],
                    held=lambda r: sum(r["attended"]),
                    no_show=lambda r: len(r["attended"]) - sum(r["attended"]),
                ).items()
            )
        ],
        first_held_days=(
            *percentiles_by_group(
                sorted(
                    ((r["origin"], r["days"]) for r in requests if any(r["attended"])),
                    key=lambda pair: pair[1],
                ),
                (0.5, 0.9),
            ),
            {
                origin: figures["n"]
                for origin, figures in grouped(
                    [r for r in requests if any(r["attended"])],
                    key=lambda r: r["origin"],
                    n=lambda r: 1,
                ).items()
            },
        ),
        group_and_individual={
            "individual": {
                "sessions": sum(sum(r["attended"]) for r in requests),
                "recorded": sum(len(r["attended"]) for r in requests),
                "held": sum(sum(r["attended"]) for r in requests),
                "people": sum(1 for r in requests if any(r["attended"])),
                "minutes": 60 * sum(sum(r["attended"]) for r in requests),
            },
            "group": {
                "sessions": min(group_held, 1 + group_held // 4),
                "recorded": group_held + group_absent,
                "held": group_held,
                "people": group_held,
                "minutes": 90 * min(group_held, 1 + group_held // 4),
            },
        },
        recommended_modalities=[
            (*key, figures["n"])
            for key, figures in grouped(
                requests, key=lambda r: (r["area"], r["modality"]), n=lambda r: 1
            ).items()
        ],
        session_modalities=[
            (*key, figures["n"])
            for key, figures in grouped(
                sessions, key=lambda pair: (pair[0]["area"], pair[1]), n=lambda pair: 1
            ).items()
        ],
        requests_by_departement={
            key: figures["n"]
            for key, figures in grouped(
                requests, key=lambda r: r["departement"] or "", n=lambda r: 1
            ).items()
        },
        sessions_by_departement={
            key: figures["n"]
            for key, figures in grouped(
                sessions, key=lambda pair: pair[0]["departement"] or "", n=lambda pair: 1
            ).items()
        },
        learners_by_departement={
            key: figures["n"]
            for key, figures in grouped(
                [p for p in in_pathway if p["enrolled"]],
                key=lambda p: p["departement"],
                n=lambda p: 1,
            ).items()
        },
        competence_progression=(
            [
                {"competence_id": i, "name": f"C{i}", "learners": n, "start": 2.0, "end": 3.5}
                for i, n in enumerate(competences)
            ],
            max(competences, default=0) + draw(st.integers(0, 3)),
        ),
        latest_stages=[{"stage": stage, **figures} for stage, figures in stages.items()],
        stage_transitions=draw(
            st.lists(
                st.tuples(
                    st.sampled_from(Stage.values), st.sampled_from(Stage.values), st.integers(1, 9)
                ),
                max_size=4,
            )
        ),
        satisfaction=[
            {"pathway_id": pk, "pathway__title": f"Parcours {pk}", **figures}
            for pk, figures in sorted(satisfaction.items())
        ],
        module_usefulness=[
            {"module_id": pk, "module__title": f"Module {pk}", **figures}
            for pk, figures in sorted(useful.items())
        ],
    )
    return report


def exported(table) -> list[list[str]]:
    return [[export_value(cell) for cell in line] for line in table.lines()]


def shown_and_truth(tables) -> tuple[dict, dict, set]:
    """Each count as the exports show it (an int, « < 5 » or « s »), its true value, and the
    differences (whose sign a hidden figure does not show)."""
    shown, truth, signed = {}, {}, set()
    for slug, table in tables.items():
        for row, (line, texts) in enumerate(zip(table.lines(), exported(table), strict=True)):
            for column, (cell, value) in enumerate(zip(line, texts, strict=True)):
                if cell.kind not in Kind.COUNTS or cell.value is None:
                    continue
                pos = (slug, row, column)
                truth[pos] = cell.value
                if cell.kind == Kind.DROP:
                    signed.add(pos)
                if skipped := re.fullmatch(r"\+ (\d+) \(étapes sautées\)", value):
                    shown[pos] = -int(skipped.group(1))
                else:
                    shown[pos] = value if value in ("< 5", "s") else int(value)
    return shown, truth, signed


def rate_shown(tables, slug, row, column) -> float | None:
    text = exported(tables[slug])[row][column]
    return float(text.replace(",", ".")) if text else None


def what_a_reader_knows(report, tables) -> tuple[list, list]:
    """The sums and rates a reader finds in the tables' headings, rows and notes (written
    from the tables as published, not from ``Table.sums``)."""
    sums, ratios = [], []

    def column_totals(slug, columns):
        table = tables[slug]
        total = len(table.rows)
        for column in columns:
            parts = tuple((slug, row, column) for row in range(total))
            sums.append(((slug, total, column), parts))

    column_totals("parcours", (1, 2))
    column_totals("demandes", (1, 2, 3))
    column_totals("modalites", range(1, 7))
    column_totals("territoires", (1, 2, 3))
    column_totals("jalons", (1,))
    column_totals("satisfaction", (1, 3, 4))
    column_totals("presences", (1, 2, 3, 5))
    for row in range(len(tables["presences"].lines())):  # recorded = held + no-shows
        sums.append((("presences", row, 1), (("presences", row, 2), ("presences", row, 3))))
        shown = rate_shown(tables, "presences", row, 4)
        ratios.append((shown, [(("presences", row, 3), 1)], ("presences", row, 1), 100))
    for slug, figure, difference in (("entonnoir", 2, 4), ("etapes", 2, 3)):
        for row in range(1, len(tables[slug].rows)):
            sums.append(((slug, row - 1, figure), ((slug, row, figure), (slug, row, difference))))
    # Across tables: the same requests, sessions, pathway.
    demandes, territoires, modalites = (
        len(tables[s].rows) for s in ("demandes", "territoires", "modalites")
    )
    sums.append((("demandes", demandes, 1), (("territoires", territoires, 2),)))
    sums.append(
        (("territoires", territoires, 2), tuple(("modalites", modalites, c) for c in (1, 2, 3)))
    )
    sums.append(
        (("territoires", territoires, 3), tuple(("modalites", modalites, c) for c in (4, 5, 6)))
    )
    funnel_rows = tables["entonnoir"].rows
    if funnel_rows:
        row = [r[0].value for r in tables["parcours"].rows].index(report.selected.title)
        sums.append((("parcours", row, 1), (("entonnoir", 0, 2),)))
        sums.append((("parcours", row, 2), (("entonnoir", len(funnel_rows) - 1, 2),)))
        if report.filters.pathway_id:
            sums.append((("territoires", territoires, 1), (("entonnoir", 0, 2),)))
        # A module seen twice, a module of one step and its step: the same people.
        steps = {
            (r[0].value, r[1].value.split(". ", 1)[-1]): i
            for i, r in enumerate(tables["etapes"].rows)
        }
        first = {}
        for index, line in enumerate(funnel_rows):
            label = line[0].value
            if label.startswith("Module"):
                if label in first:
                    sums.append((("entonnoir", first[label], 2), (("entonnoir", index, 2),)))
                first.setdefault(label, index)
                ids = MODULES[int(label.split()[1])]
                if len(ids) == 1 and (label, f"Étape {ids[0]}") in steps:
                    sums.append(
                        (
                            ("entonnoir", index, 2),
                            (("etapes", steps[(label, f"Étape {ids[0]}")], 2),),
                        )
                    )
    # Rates: a part over a whole of the same row, or of the row before, or the first row.
    for slug, rate, part, whole in (("parcours", 3, 2, 1), ("modules", 3, 2, 1)):
        for row in range(len(tables[slug].lines())):
            shown = rate_shown(tables, slug, row, rate)
            ratios.append((shown, [((slug, row, part), 1)], (slug, row, whole), 100))
    for row in range(len(funnel_rows)):
        ratios.append(
            (
                rate_shown(tables, "entonnoir", row, 3),
                [(("entonnoir", row, 2), 1)],
                ("entonnoir", 0, 2),
                100,
            )
        )
    for slug, figure, difference, rate in (("entonnoir", 2, 4, 5), ("etapes", 2, 3, 4)):
        for row in range(1, len(tables[slug].rows)):
            shown = rate_shown(tables, slug, row, rate)
            ratios.append((shown, [((slug, row, difference), 1)], (slug, row - 1, figure), 100))
    for row in range(len(tables["satisfaction"].lines())):
        nps = rate_shown(tables, "satisfaction", row, 5)
        promoters, detractors = ("satisfaction", row, 3), ("satisfaction", row, 4)
        ratios.append((nps, [(promoters, 1), (detractors, -1)], ("satisfaction", row, 1), 100))
    return sums, ratios


@pytest.mark.filterwarnings("ignore")
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(programmes())
def test_no_small_count_comes_back_from_any_table_of_the_exports(report):
    tables = report.tables
    shown, truth, signed = shown_and_truth(tables)
    sums, ratios = what_a_reader_knows(report, tables)
    found = Reader(shown, signed).read(sums, ratios)
    assert all(found[pos] == truth[pos] for pos in found)  # the reader reads right...
    back = {pos: truth[pos] for pos in found if 0 < abs(truth[pos]) < 5}
    assert not back, back  # ...and never gets a count of 1 to 4 back
    # Rates and scores over a hidden count are blank.
    for slug, table in tables.items():
        for derived in table.derived:
            if any(shown.get((slug, *pos)) in ("< 5", "s") for pos in derived.inputs):
                assert exported(table)[derived.cell[0]][derived.cell[1]] == "", (slug, derived)
