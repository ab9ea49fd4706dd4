"""What a funder report says: every table of the period with its secrecy, two tables of
its own (people by kind of territory, the months' series), the same for the period of the
same length before, and the comparison of the two, row by row.

Each period's tables are protected together, as the dashboard's exports are
(``figures.protect_tables``), the two new tables included: the months add up to the
period's enrolments, requests and sessions, the kinds of territory to its people, and a
reader may subtract across them. The two periods hold different people (one ends the day
before the other starts), so no relation runs from one to the other. An evolution is
computed only from two figures both shown.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.utils import formats
from django.utils.translation import gettext as _

from lms.accounts.models import AreaType

from .. import queries
from ..figures import (
    Cell,
    Column,
    Kind,
    Table,
    column_sums,
    count,
    protect_tables,
    rate,
    suppressed,
    text,
)
from ..queries import Filters
from ..suppression import Derived, Sum
from ..tables import TABLE_BUILDERS, Report, _label, links, sections
from . import periods

# The columns compared with the period before, by table (positions in the table).
COMPARED: dict[str, tuple[int, ...]] = {
    "parcours": (1, 2),
    "entonnoir": (2,),
    "etapes": (2,),
    "demandes": (1, 4),
    "modalites": (),
    "territoires": (1, 3),
    "types_territoire": (1, 2),
    "competences": (1, 4),
    "jalons": (1, 2),
    "trajectoires": (),
    "satisfaction": (1, 5),
    "modules": (1, 3),
    "mois": (),
}

SERIES = (("enrolments", 1), ("requests", 2), ("sessions", 3))  # (series, column of ``mois``)


class FunderFigures(Report):
    """A ``Report`` with the funder report's two tables of its own, protected with the
    others."""

    @cached_property
    def tables(self) -> dict[str, Table]:
        built = {slug: builder(self) for slug, builder in TABLE_BUILDERS.items()}
        built["types_territoire"] = area_types_table(self)
        built["mois"] = months_table(self)
        return protect_tables(built, [*links(self, built), *funder_links(built)])

    @cached_property
    def learners_by_area_type(self) -> dict[str | None, int]:
        return queries.learners_by_area_type(self.filters)

    @cached_property
    def monthly(self) -> dict[str, dict[date, int]]:
        return queries.monthly_series(self.filters, self.now)


def area_types_table(report: FunderFigures) -> Table:
    learners = report.learners_by_area_type
    areas = [area for area in AreaType.values if area in learners]
    if None in learners:
        areas.append(None)
    total = sum(learners.values())
    n = len(areas)
    rows = [
        [text(_label(AreaType, area)), count(learners[area]), rate(learners[area], total)]
        for area in areas
    ]
    return Table(
        slug="types_territoire",
        caption=_("Personnes inscrites par type de territoire (communes rurales, QPV)"),
        columns=[
            Column(_("Type de territoire")),
            Column(_("Personnes inscrites"), Kind.COUNT),
            Column(_("Part des personnes (%)"), Kind.RATE),
        ],
        rows=rows,
        total=[text(_("Tous les territoires")), count(total), rate(total, total)],
        note=_(
            "Type de territoire du profil des personnes inscrites pendant la période "
            "(QPV : quartier prioritaire de la politique de la ville)."
        ),
        sums=column_sums(n, (1,)),
        derived=[Derived((row, 2), ((row, 1), (n, 1))) for row in range(n + 1)],
        keys=areas,
    )


def month_label(month: date) -> str:
    return formats.date_format(month, "F Y")


def months_table(report: FunderFigures) -> Table:
    filters = report.filters
    months = periods.months(filters.start, filters.end) if filters.start and filters.end else []
    series = report.monthly
    rows = [
        [text(month_label(month)), *(count(series[name].get(month, 0)) for name, _c in SERIES)]
        for month in months
    ]
    totals = [sum(series[name].values()) for name, _c in SERIES]
    return Table(
        slug="mois",
        caption=_("Mois par mois : inscriptions, demandes d’accompagnement et rendez-vous tenus"),
        columns=[
            Column(_("Mois")),
            Column(_("Inscriptions"), Kind.COUNT),
            Column(_("Demandes d’accompagnement"), Kind.COUNT),
            Column(_("Rendez-vous tenus"), Kind.COUNT),
        ],
        rows=rows,
        total=[text(_("Toute la période")), *(count(n) for n in totals)],
        note=_(
            "Inscriptions à tous les parcours (date d’inscription), demandes (date de la "
            "demande), rendez-vous acceptés dont l’heure est passée (date du rendez-vous)."
        ),
        sums=column_sums(len(rows), (1, 2, 3)),
        keys=months,
    )


def funder_links(tables: dict[str, Table]) -> list[Sum]:
    """What the funder report's own tables share with the others: the months add up to the
    period's enrolments, requests and sessions; the kinds of territory to its people."""
    months, areas = tables["mois"], tables["types_territoire"]
    pathways, requests = tables["parcours"], tables["demandes"]
    territories = tables["territoires"]
    return [
        Sum(("parcours", pathways.total_row, 1), (("mois", months.total_row, 1),)),
        Sum(("demandes", requests.total_row, 1), (("mois", months.total_row, 2),)),
        Sum(("territoires", territories.total_row, 3), (("mois", months.total_row, 3),)),
        Sum(
            ("territoires", territories.total_row, 1),
            (("types_territoire", areas.total_row, 1),),
        ),
    ]


# --- The comparison ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Evolution:
    """How a figure moved: a change in % for a count, in points for a rate, in units else."""

    value: float | None
    unit: str  # "percent" | "points" | "units"


@dataclass
class ComparedRow:
    label: str
    figures: list[tuple[Cell, Cell, Evolution]]  # (this period, the one before, evolution)


@dataclass
class Comparison:
    slug: str
    caption: str
    heading: str  # the rows' heading
    indicators: list[Column]
    rows: list[ComparedRow] = field(default_factory=list)
    total: ComparedRow | None = None


def shown(cell: Cell) -> float | None:
    """The number a reader sees in a cell (None when hidden or blank)."""
    value = suppressed(cell)
    return None if value is None or isinstance(value, str) else float(value)


def evolution(current: Cell, previous: Cell) -> Evolution:
    """From two figures both shown outside Balise; none otherwise (nothing hidden shows
    through an evolution)."""
    now, before = shown(current), shown(previous)
    if current.kind in Kind.COUNTS:
        value = None if now is None or not before else 100.0 * (now - before) / before
        return Evolution(value, "percent")
    value = None if now is None or before is None else now - before
    return Evolution(value, "points" if current.kind == Kind.RATE else "units")


def _absent(kind: str) -> Cell:
    """A row missing from a period: nobody counted (0) there, hence no rate or mean."""
    return count(0) if kind in Kind.COUNTS else Cell(None, kind, 0)


def compare(current: Table, previous: Table, columns: tuple[int, ...]) -> Comparison | None:
    """``current``'s rows (then the rows found only in ``previous``, by key), with the
    figures of ``columns`` in both periods and their evolution."""
    if not columns:
        return None
    indicators = [current.columns[column] for column in columns]
    before = dict(zip(previous.keys, previous.rows, strict=False))

    def line(label: str, now: list[Cell] | None, then: list[Cell] | None) -> ComparedRow:
        figures = []
        for column in columns:
            kind = current.columns[column].kind
            a = now[column] if now is not None else _absent(kind)
            b = then[column] if then is not None else _absent(kind)
            figures.append((a, b, evolution(a, b)))
        return ComparedRow(label, figures)

    rows = []
    aligned = len(current.keys) == len(current.rows) and len(previous.keys) == len(previous.rows)
    if aligned:  # every table names its rows; a period without data has none
        for key, row in zip(current.keys, current.rows, strict=True):
            rows.append(line(row[0].value, row, before.get(key)))
        rows += [
            line(row[0].value, None, row)
            for key, row in zip(previous.keys, previous.rows, strict=False)
            if key not in set(current.keys)
        ]
    else:  # rows that cannot be matched: compared by position
        for index, row in enumerate(current.rows):
            rows.append(
                line(
                    row[0].value, row, previous.rows[index] if index < len(previous.rows) else None
                )
            )
    total = None
    if current.total is not None and (current.rows or previous.rows):
        total = line(current.total[0].value, current.total, previous.total)
    return Comparison(
        slug=current.slug,
        caption=current.caption,
        heading=current.columns[0].label,
        indicators=indicators,
        rows=rows,
        total=total,
    )


# --- The whole report --------------------------------------------------------------------------

KEY_FIGURES = (
    ("enrolled", Kind.COUNT),
    ("completed", Kind.COUNT),
    ("completion_rate", Kind.RATE),
    ("requests", Kind.COUNT),
    ("sla_rate", Kind.RATE),
    ("median_hours", Kind.DECIMAL),
    ("sessions", Kind.COUNT),
    ("answers", Kind.COUNT),
    ("nps", Kind.DECIMAL),
)


def key_figure_labels() -> dict[str, str]:
    return {
        "enrolled": _("Inscriptions aux parcours"),
        "completed": _("Parcours terminés"),
        "completion_rate": _("Taux de complétion (%)"),
        "requests": _("Demandes d’accompagnement"),
        "sla_rate": _("Réponses dans le délai (%)"),
        "median_hours": _("Délai médian de première réponse (heures)"),
        "sessions": _("Rendez-vous tenus"),
        "answers": _("Avis de satisfaction"),
        "nps": _("NPS (de -100 à 100)"),
    }


@dataclass
class Content:
    start: date
    end: date
    previous_start: date
    previous_end: date
    tables: dict[str, Table]  # this period's, protected
    previous_tables: dict[str, Table]  # the period before's, protected
    key_figures: list[ComparedRow]
    comparisons: dict[str, Comparison | None]
    selected_title: str | None  # the pathway the funnel details

    def sections(self) -> list[tuple[str, str, list[str]]]:
        """(slug, title, table slugs) in reading order: the dashboard's sections, the kinds
        of territory with the territories."""
        found = []
        for section in sections():
            slugs = list(section.tables)
            if section.slug == "territoires":
                slugs.append("types_territoire")
            found.append((section.slug, section.title, slugs))
        return found


def figures_for(filters: Filters, now=None) -> FunderFigures:
    return FunderFigures(filters, queries.pathways(), now)


def build_content(filters: Filters, progress=lambda percent, step: None, now=None) -> Content:
    """Both periods' figures and their comparison. ``filters`` has a start and an end;
    ``progress(percent, step)`` is told as the reads go."""
    previous_start, previous_end = periods.previous_period(filters.start, filters.end)
    current = figures_for(filters, now)
    progress(10, _("Chiffres de la période"))
    tables = current.tables
    previous = figures_for(
        Filters(
            start=previous_start,
            end=previous_end,
            pathway_id=filters.pathway_id,
            departement=filters.departement,
            area_type=filters.area_type,
            scope=filters.scope,
        ),
        now,
    )
    # The funnel details the same pathway in both periods, so that its stages compare.
    previous.__dict__["selected"] = current.selected
    progress(35, _("Chiffres de la période précédente"))
    previous_tables = previous.tables
    progress(55, _("Comparaison des deux périodes"))
    labels = key_figure_labels()
    now_cells, then_cells = current.headline_cells(), previous.headline_cells()
    key_figures = [
        ComparedRow(
            labels[key],
            [(now_cells[key], then_cells[key], evolution(now_cells[key], then_cells[key]))],
        )
        for key, _kind in KEY_FIGURES
    ]
    comparisons = {
        slug: compare(table, previous_tables[slug], COMPARED.get(slug, ()))
        for slug, table in tables.items()
    }
    return Content(
        start=filters.start,
        end=filters.end,
        previous_start=previous_start,
        previous_end=previous_end,
        tables=tables,
        previous_tables=previous_tables,
        key_figures=key_figures,
        comparisons=comparisons,
        selected_title=current.selected.title if current.selected else None,
    )
