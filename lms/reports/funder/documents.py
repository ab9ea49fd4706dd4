"""The two files of a funder report: a PDF (WeasyPrint, from
``templates/reports/funder/report.html``) and a workbook (openpyxl), one sheet per table.
Figures leave Balise here: every count goes through ``figures.suppressed``, so a hidden
one is written as its mark (« < 5 », « s ») or left blank, never as a number."""

import io
from dataclasses import dataclass
from datetime import date, datetime

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..figures import MASKED, SUPPRESSED, Cell, Column, Kind, Table, suppressed
from ..templatetags.reports import PLACES, figure
from .charts import Chart, bar_chart
from .content import SERIES, ComparedRow, Comparison, Content, Evolution

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Identity:
    """Whose report it is: a structure's name and logo (bytes read from storage), or the
    network's."""

    name: str
    logo: bytes | None = None
    logo_type: str = ""
    colour: str = ""


def day(value: date) -> str:
    return formats.date_format(value, "j F Y")


def period_text(start: date, end: date) -> str:
    return _("du %(start)s au %(end)s") % {"start": day(start), "end": day(end)}


def evolution_text(change: Evolution) -> str:
    if change.value is None:
        return "–"
    sign = "+" if change.value > 0 else ("−" if change.value < 0 else "")
    magnitude = formats.number_format(round(abs(change.value), 1), 1)
    if change.unit == "percent":
        return f"{sign}{magnitude} %"
    if change.unit == "points":
        return _("%(sign)s%(value)s pts") % {"sign": sign, "value": magnitude}
    return f"{sign}{magnitude}"


def series_charts(table: Table) -> list[Chart]:
    titles = {
        "enrolments": _("Inscriptions par mois"),
        "requests": _("Demandes d’accompagnement par mois"),
        "sessions": _("Rendez-vous tenus par mois"),
    }
    charts = []
    for name, column in SERIES:
        points = [
            (row[0].value, figure(row[column], True), suppressed(row[column])) for row in table.rows
        ]
        charts.append(bar_chart(name, titles[name], points))
    return charts


# --- PDF -------------------------------------------------------------------------------------

LOGO_URL = "balise-logo:"


def _fetcher(identity: Identity):
    """WeasyPrint's URL fetcher: the logo read from storage, nothing else (the report
    fetches no address)."""

    def fetch(url, *args, **kwargs):
        if url == LOGO_URL and identity.logo:
            return {"string": identity.logo, "mime_type": identity.logo_type}
        raise ValueError(f"The funder report fetches no external resource: {url}")

    return fetch


def css_string(text: str) -> str:
    """``text`` as the inside of a double-quoted CSS string in a ``<style>`` element: CSS
    escapes (HTML escaping does not apply there), nothing that closes the element."""
    escaped = []
    for char in text:
        if char in '\\"<>&' or ord(char) < 0x20:
            escaped.append(f"\\{ord(char):x} ")
        else:
            escaped.append(char)
    return mark_safe("".join(escaped))  # noqa: S308 - every special character is escaped


def _rows_for_template(comparison: Comparison | None):
    if comparison is None:
        return None

    def line(row: ComparedRow):
        return {
            "label": row.label,
            "figures": [
                (figure(a, True), figure(b, True), evolution_text(change))
                for a, b, change in row.figures
            ],
        }

    return {
        "caption": comparison.caption,
        "heading": comparison.heading,
        "indicators": [column.label for column in comparison.indicators],
        "rows": [line(row) for row in comparison.rows],
        "total": line(comparison.total) if comparison.total else None,
    }


def report_html(content: Content, identity: Identity, commentary: str, made_at: datetime) -> str:
    """The PDF's HTML: a cover (name, logo, commentary, key figures), the months' charts
    and their table, then each section's tables with their comparison."""
    sections = [
        {
            "slug": slug,
            "title": title,
            "tables": [
                (content.tables[s], _rows_for_template(content.comparisons.get(s))) for s in slugs
            ],
        }
        for slug, title, slugs in content.sections()
    ]
    context = {
        "identity": identity,
        "logo_url": LOGO_URL if identity.logo else "",
        "commentary": commentary,
        "period": period_text(content.start, content.end),
        "footer": css_string(f"{identity.name} · {period_text(content.start, content.end)}"),
        "previous_period": period_text(content.previous_start, content.previous_end),
        "made_at": made_at,
        "key_figures": _rows_for_template(
            Comparison("cles", "", _("Indicateur"), [], content.key_figures, None)
        )["rows"],
        "sections": sections,
        "months": content.tables["mois"],
        "charts": series_charts(content.tables["mois"]),
        "selected_title": content.selected_title,
        "small": SUPPRESSED,
        "masked": MASKED,
    }
    return render_to_string("reports/funder/report.html", context)


def render_pdf(content: Content, identity: Identity, commentary: str, made_at: datetime) -> bytes:
    from weasyprint import HTML  # heavy import, only where it is used

    html = report_html(content, identity, commentary, made_at)
    return HTML(string=html, base_url="balise-report:/", url_fetcher=_fetcher(identity)).write_pdf()


# --- Workbook --------------------------------------------------------------------------------

NUMBER_FORMATS = {
    Kind.COUNT: "# ##0",
    Kind.DROP: "# ##0",
    Kind.RATE: "0.0",
    Kind.DECIMAL: "0.0",
    Kind.MEAN: "0.00",
}


def sheet_value(cell: Cell):
    """What a workbook cell holds: the figure as shown outside Balise (a mark for a hidden
    count, nothing for a blank figure)."""
    value = suppressed(cell)
    if value is None or isinstance(value, str):
        return value
    if cell.kind == Kind.DROP and value < 0:
        return figure(cell, True)  # « + N (étapes sautées) »
    if cell.kind in PLACES and isinstance(value, float):
        return round(value, PLACES[cell.kind])
    return value


def sheet_titles() -> dict[str, str]:
    """Short names of the tables' sheets (31 characters at most)."""
    return {
        "parcours": _("Parcours"),
        "entonnoir": _("Entonnoir"),
        "etapes": _("Étapes"),
        "demandes": _("Demandes et délais"),
        "modalites": _("Modalités"),
        "presences": _("Présence aux rendez-vous"),
        "collectif": _("Collectif et individuel"),
        "territoires": _("Départements"),
        "types_territoire": _("Types de territoire"),
        "competences": _("Compétences"),
        "jalons": _("Jalons et emplois"),
        "trajectoires": _("Trajectoires"),
        "satisfaction": _("Satisfaction"),
        "modules": _("Utilité des modules"),
        "cercles": _("Cercles de pairs"),
        "mois": _("Mois par mois"),
    }


def _sheet_title(text: str, used: set[str]) -> str:
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    base = text[:31].strip()
    title, index = base, 2
    while title.lower() in used:
        suffix = f" ({index})"
        title = base[: 31 - len(suffix)] + suffix
        index += 1
    used.add(title.lower())
    return title


def _put(sheet, row: int, column: int, value, kind: str = Kind.TEXT, bold: bool = False):
    from openpyxl.styles import Alignment, Font

    target = sheet.cell(row=row, column=column)
    target.value = value
    if isinstance(value, str):
        target.data_type = "s"  # never a formula, whatever the text starts with
        if kind != Kind.TEXT:
            target.alignment = Alignment(horizontal="right")
    elif value is not None and kind in NUMBER_FORMATS:
        target.number_format = NUMBER_FORMATS[kind]
    if bold:
        target.font = Font(bold=True)
    return target


def _write_table(sheet, row: int, table: Table) -> int:
    from openpyxl.styles import Font

    sheet.cell(row=row, column=1, value=table.caption).font = Font(bold=True, size=12)
    row += 1
    for column, heading in enumerate(table.columns, start=1):
        _put(sheet, row, column, heading.label, bold=True)
    row += 1
    if table.is_empty:
        _put(sheet, row, 1, _("Aucune donnée pour cette période."))
        row += 1
    for line in table.rows:
        for column, cell in enumerate(line, start=1):
            _put(sheet, row, column, sheet_value(cell), cell.kind)
        row += 1
    if table.total and table.rows:
        for column, cell in enumerate(table.total, start=1):
            _put(sheet, row, column, sheet_value(cell), cell.kind, bold=True)
        row += 1
    if table.note:
        _put(sheet, row, 1, table.note)
        row += 1
    return row


def _evolution_value(change: Evolution):
    return None if change.value is None else round(change.value, 1)


def _write_comparison(
    sheet, row: int, comparison: Comparison, previous_period: str, evolution_as_text=False
) -> int:
    """``evolution_as_text``: rows of different kinds (the key figures), each evolution
    written with its unit."""
    from openpyxl.styles import Font

    title = _("Comparaison avec la période précédente (%(period)s)") % {"period": previous_period}
    sheet.cell(row=row, column=1, value=title).font = Font(bold=True, size=12)
    row += 1
    _put(sheet, row, 1, comparison.heading, bold=True)
    column = 2
    if evolution_as_text:
        for offset, label in enumerate((_("Période"), _("Période précédente"), _("Évolution"))):
            _put(sheet, row, column + offset, label, bold=True)
    for indicator in comparison.indicators if not evolution_as_text else ():
        _put(sheet, row, column, indicator.label, bold=True)
        _put(
            sheet,
            row,
            column + 1,
            _("%(label)s : période précédente") % {"label": indicator.label},
            bold=True,
        )
        if indicator.kind in Kind.COUNTS:
            unit = _("Évolution (%)")
        elif indicator.kind == Kind.RATE:
            unit = _("Évolution (points)")
        else:
            unit = _("Évolution")
        _put(sheet, row, column + 2, f"{indicator.label} : {unit}", bold=True)
        column += 3
    row += 1
    lines = [*comparison.rows, *([comparison.total] if comparison.total else [])]
    for index, line in enumerate(lines):
        total = comparison.total is not None and index == len(lines) - 1
        _put(sheet, row, 1, line.label, bold=total)
        column = 2
        for current, previous, change in line.figures:
            _put(sheet, row, column, sheet_value(current), current.kind, bold=total)
            _put(sheet, row, column + 1, sheet_value(previous), previous.kind, bold=total)
            if evolution_as_text:
                _put(sheet, row, column + 2, evolution_text(change), Kind.DECIMAL, bold=total)
            else:
                _put(sheet, row, column + 2, _evolution_value(change), Kind.DECIMAL, bold=total)
            column += 3
        row += 1
    return row


def render_xlsx(
    content: Content, identity: Identity, commentary: str, made_at: datetime, definitions: list
) -> bytes:
    """The workbook: a cover sheet (whose figures, which period, the manager's commentary,
    definitions and the secrecy rule), the key figures, then one sheet per table with its
    comparison with the period before."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    cover = book.active
    used: set[str] = set()
    cover.title = _sheet_title(_("Rapport"), used)
    cover.column_dimensions["A"].width = 28
    cover.column_dimensions["B"].width = 90
    cover.cell(row=1, column=1, value=_("Balise : rapport pour les financeurs")).font = Font(
        bold=True, size=14
    )
    lines = [
        (_("Structure"), identity.name),
        (_("Période"), period_text(content.start, content.end)),
        (_("Comparée à"), period_text(content.previous_start, content.previous_end)),
        (_("Établi le"), formats.date_format(made_at, "j F Y à H:i")),
        (_("Commentaire"), commentary or _("(aucun)")),
        *definitions,
    ]
    for index, (label, text) in enumerate(lines, start=3):
        _put(cover, index, 1, label, bold=True)
        target = _put(cover, index, 2, text)
        target.alignment = Alignment(wrap_text=True, vertical="top")

    key = book.create_sheet(_sheet_title(_("Chiffres clés"), used))
    key.column_dimensions["A"].width = 44
    _write_comparison(
        key,
        1,
        Comparison(
            "cles", "", _("Indicateur"), [Column(_("Valeur"), Kind.TEXT)], content.key_figures
        ),
        period_text(content.previous_start, content.previous_end),
        evolution_as_text=True,
    )

    for _slug, _title, slugs in content.sections():
        for slug in slugs:
            _table_sheet(book, used, content, slug)
    _table_sheet(book, used, content, "mois")

    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _table_sheet(book, used, content: Content, slug: str) -> None:
    table = content.tables[slug]
    sheet = book.create_sheet(_sheet_title(sheet_titles().get(slug, table.caption), used))
    sheet.column_dimensions["A"].width = 40
    row = _write_table(sheet, 1, table) + 1
    comparison = content.comparisons.get(slug)
    if comparison is not None:
        _write_comparison(
            sheet, row, comparison, period_text(content.previous_start, content.previous_end)
        )
