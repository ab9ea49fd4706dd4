"""No count of 1 to 4 people can be worked back from a funder report's workbook.

A reader opens the XLSX and tries what one does with a spreadsheet: every column's rows
against its total (this period's and the period before's), the funnel's stages minus their
losses, the months against the quarter's totals and the kinds of territory against the
départements (the same people counted twice), every combination of these
(``suppression.recover``: Gaussian elimination and bounds, knowing that « < 5 » is 0 to 4
and « s » 5 or more), then rates and evolutions times the figures they rest on. The truth
is the report's own unprotected figures; the reader only sees the workbook."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from lms.reports import actions
from lms.reports.figures import MASKED, SUPPRESSED, Kind
from lms.reports.funder.content import build_content
from lms.reports.funder.documents import sheet_titles
from lms.reports.models import FunderReport
from lms.reports.queries import Filters, Scope
from lms.reports.suppression import Sum, recover
from tests.factories.accounts import StructureFactory, learner
from tests.factories.pathways import build_pathway, modules_of

from .conftest import complete, enroll, make_request, make_session, satisfaction

pytestmark = pytest.mark.django_db

Q3 = (date(2026, 7, 1), date(2026, 9, 30))
MARKS = (SUPPRESSED, MASKED)


@pytest.fixture
def structure():
    """Two quarters of a structure with small groups everywhere: a kind of territory, an
    origin of requests, a month, a stage of the funnel, a département."""
    drome = StructureFactory(name="Drôme Initiatives", slug="drome", departements=["26", "07"])
    pathway = build_pathway(["m:1", "p:offered", "m:1"], title="Parcours P")
    first, second = modules_of(pathway)
    plan = [  # (quarter's month, département, territory, modules done, request origin)
        *[("07", "26", "rural", 2, "help")] * 6,
        *[("07", "26", "urban", 1, "help")] * 3,
        *[("08", "07", "qpv", 0, "point")] * 2,
        *[("09", "26", "rural", 1, "inactivity")] * 7,
        *[("09", "07", "urban", 2, None)] * 1,
    ]
    for index, (month, departement, area, done, origin) in enumerate(plan):
        user = learner(departement=departement, area_type=area)
        enroll(user, pathway, f"2026-{month}-1{index % 9}")
        for module in (first, second)[:done]:
            complete(user, module)
        if index % 3:
            satisfaction(user, pathway, 10 if index % 2 else 5, day=f"2026-{month}-20")
        if origin:
            request = make_request(user, pathway, origin=origin, created=f"2026-{month}-15",
                                   response_hours=index + 2, structure=drome)  # fmt: skip
            if index % 2:
                make_session(request, starts=f"2026-{month}-25")
    for index in range(9):  # the quarter before
        user = learner(departement="26", area_type="rural" if index < 7 else "qpv")
        enroll(user, pathway, f"2026-05-1{index}")
        if index < 2:
            make_request(user, pathway, created="2026-05-20", response_hours=3, structure=drome)
    return drome


def parse(sheet, content, slug):
    """The reader's positions of a table's sheet, with the truth behind each: ((sheet,
    row, column), Cell) for the table and the comparison, and the rows of each part."""
    table, comparison = content.tables[slug], content.comparisons.get(slug)
    cells, parts = {}, []
    lines = [*table.rows, *([table.total] if table.total and table.rows else [])]
    main = []
    for offset, line in enumerate(lines):
        row = 3 + offset
        for column, cell in enumerate(line):
            cells[(sheet.title, row, column + 1)] = cell
        main.append(row)
    parts.append(("main", main, bool(table.total and table.rows), table))
    if comparison is not None:
        start = next(
            index
            for index, (first, *_r) in enumerate(sheet.iter_rows(values_only=True), start=1)
            if isinstance(first, str) and first.startswith("Comparaison avec la période")
        )
        compared = [*comparison.rows, *([comparison.total] if comparison.total else [])]
        rows = []
        for offset, line in enumerate(compared):
            row = start + 2 + offset
            for index, (now, before, _change) in enumerate(line.figures):
                cells[(sheet.title, row, 2 + 3 * index)] = now
                cells[(sheet.title, row, 3 + 3 * index)] = before
            rows.append(row)
        parts.append(("comparison", rows, comparison.total is not None, comparison))
    return cells, parts


def test_no_hidden_count_can_be_worked_back_from_the_workbook(
    structure, django_capture_on_commit_callbacks
):
    filters = Filters(start=Q3[0], end=Q3[1], scope=Scope.of([structure]))
    report = FunderReport.objects.create(structure=structure, start=Q3[0], end=Q3[1])
    assert actions.build_funder_report(report.pk, 1)
    report.refresh_from_db()
    with report.xlsx.open("rb") as data:
        book = load_workbook(io.BytesIO(data.read()))
    content = build_content(filters)  # the same figures (the same rule: the same marks)

    shown, truth, sums, signed = {}, {}, [], set()
    positions = {}
    for slug, title in sheet_titles().items():
        sheet = book[title]
        cells, parts = parse(sheet, content, slug)
        for pos, cell in cells.items():
            value = sheet.cell(row=pos[1], column=pos[2]).value
            if cell.kind in Kind.COUNTS and cell.value is not None:
                truth[pos], shown[pos] = cell.value, value
                if cell.kind == Kind.DROP:
                    signed.add(pos)
                # What is written is the figure or its mark, never another number.
                assert (
                    value in MARKS
                    or value == cell.value
                    or (cell.kind == Kind.DROP and "étapes sautées" in str(value))
                ), (pos, value, cell)
                if value in MARKS:
                    assert value == SUPPRESSED or cell.value >= 5, (pos, value)
            elif cell.is_numeric:
                shown[pos] = value
        positions[slug] = parts
        # The reader's subtractions: each column's rows against its total, when they add up.
        for _name, rows, has_total, _part in parts:
            if not has_total or len(rows) < 2:
                continue
            *body, total = rows
            for column in range(2, sheet.max_column + 1):
                if (sheet.title, total, column) not in truth:
                    continue
                members = [(sheet.title, r, column) for r in body]
                if all(m in truth for m in members) and truth[(sheet.title, total, column)] == sum(
                    truth[m] for m in members
                ):
                    sums.append(Sum((sheet.title, total, column), tuple(members)))
        # The funnel and the steps: each stage is the next one plus its loss.
        if slug in ("entonnoir", "etapes"):
            figure, loss = (3, 5) if slug == "entonnoir" else (3, 4)
            rows = parts[0][1]
            for before, after in zip(rows, rows[1:], strict=False):
                sums.append(
                    Sum((sheet.title, before, figure),
                        ((sheet.title, after, figure), (sheet.title, after, loss)))
                )  # fmt: skip

    def total(slug, column):
        title = sheet_titles()[slug]
        return (title, max(positions[slug][0][1]), column)

    # Across sheets: the months add up to the quarter; the kinds of territory and the
    # départements count the same people.
    for a, b in (
        (total("mois", 2), total("parcours", 2)),
        (total("mois", 3), total("demandes", 2)),
        (total("mois", 4), total("territoires", 4)),
        (total("types_territoire", 2), total("territoires", 2)),
    ):
        assert truth[a] == truth[b]
        sums.append(Sum(a, (b,)))

    hidden = {pos: "hidden" for pos, value in shown.items() if pos in truth and value in MARKS}
    small = [pos for pos in hidden if 0 < abs(truth[pos]) < 5]
    assert len(small) >= 5, "the data should hide several small counts"
    recovered = recover(truth, hidden, sums, signed)
    leaked = {pos: value for pos, value in recovered.items() if 0 < abs(value) < 5}
    assert not leaked, leaked

    # Rates, means and evolutions: blank as soon as a count they rest on is hidden.
    for slug, parts in positions.items():
        title = sheet_titles()[slug]
        table = content.tables[slug]
        for derived in table.derived:
            row, column = derived.cell
            if row >= len(parts[0][1]):
                continue
            pos = (title, parts[0][1][row], column + 1)
            inputs = [
                (title, parts[0][1][r], c + 1) for r, c in derived.inputs if r < len(parts[0][1])
            ]
            if any(shown.get(i) in MARKS for i in inputs):
                assert shown.get(pos) is None, (pos, shown.get(pos))
        if len(parts) > 1:
            sheet = book[title]
            for row in parts[1][1]:
                for index in range(len(parts[1][3].indicators)):
                    now = sheet.cell(row=row, column=2 + 3 * index).value
                    before = sheet.cell(row=row, column=3 + 3 * index).value
                    change = sheet.cell(row=row, column=4 + 3 * index).value
                    if now in MARKS or before in MARKS or now is None or before is None:
                        assert change is None, (title, row, now, before, change)
