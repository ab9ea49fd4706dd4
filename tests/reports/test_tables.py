"""The report tables (``lms/reports/tables.py``) built from plain figures: what a
manager reads, and what leaves Balise suppressed."""

from types import SimpleNamespace

from lms.reports.figures import SMALL_CELL, SUPPRESSED, Cell, Column, Kind, Table, count, rate
from lms.reports.queries import PathwayRef
from lms.reports.tables import departement_bars, headline_figures, pathways_table

PATHWAYS = [
    PathwayRef(1, "Faire émerger son projet", True),
    PathwayRef(2, "Brouillon jamais suivi", False),
    PathwayRef(3, "Ancien parcours retiré", False),
    PathwayRef(4, "Avancer le soir", True),
]


def test_the_pathways_table_lists_live_and_followed_pathways_with_totals():
    summary = {
        1: {"enrolled": 40, "completed": 10},
        3: {"enrolled": 2, "completed": 2},  # unpublished since, but it had learners
    }
    table = pathways_table(SimpleNamespace(pathways=PATHWAYS, summary=summary))
    assert [row[0].value for row in table.rows] == [
        "Faire émerger son projet",
        "Ancien parcours retiré",
        "Avancer le soir",
    ]
    assert [(row[1].value, row[2].value, row[3].value) for row in table.rows] == [
        (40, 10, 25.0),
        (2, 2, 100.0),
        (0, 0, None),  # no learner: no rate, rather than 0 %
    ]
    assert [cell.value for cell in table.total[1:3]] == [42, 12]
    assert round(table.total[3].value, 1) == 28.6


def test_a_selection_without_learners_has_an_empty_table():
    table = pathways_table(SimpleNamespace(pathways=PATHWAYS, summary={}))
    assert table.is_empty and table.total[1].value == 0


def cells(**values):
    base = {"departements": 3}
    base.update(
        {
            key: values.get(key, count(0))
            for key in ("enrolled", "completed", "requests", "sessions", "answers")
        }
    )
    base["completion_rate"] = values.get("completion_rate", rate(0, 0))
    return base


def test_the_headline_is_exact_inside_and_suppressed_on_paper():
    figures = cells(enrolled=count(3), completed=count(0), completion_rate=rate(0, 3))
    inside = headline_figures(figures)
    assert inside["enrolled"] == 3 and inside["enrolled_n"] == 3
    assert inside["completion_rate"] == 0.0
    printed = headline_figures(figures, suppress=True)
    assert printed["enrolled"] == SUPPRESSED and printed["enrolled_n"] == SMALL_CELL
    assert printed["completed"] == 0  # zero names nobody
    assert printed["completion_rate"] is None  # a rate over 3 people would name them
    assert printed["departements"] == 3


def test_counts_from_the_threshold_up_are_shown_as_they_are():
    printed = headline_figures(cells(enrolled=count(SMALL_CELL)), suppress=True)
    assert printed["enrolled"] == SMALL_CELL


def territories(*rows):
    return Table(
        slug="territoires",
        caption="",
        columns=[Column("Département"), Column("Inscrit·es", Kind.COUNT)],
        rows=[[Cell(label), count(n)] for label, n in rows],
    )


def test_bars_are_proportional_to_the_largest_departement():
    bars = departement_bars(territories(("Lozère", 40), ("Rhône", 10), ("Ardèche", 0)), width=200)
    assert [(bar.label, bar.width) for bar in bars] == [("Lozère", 200), ("Rhône", 50)]
    assert [bar.y for bar in bars] == [0, 26]  # one step apart; empty rows left out


def test_a_tiny_departement_still_shows_a_visible_bar_and_the_limit_holds():
    rows = [("Paris", 10_000)] + [(f"D{i}", 1) for i in range(20)]
    bars = departement_bars(territories(*rows), limit=15)
    assert len(bars) == 15 and min(bar.width for bar in bars) == 2
