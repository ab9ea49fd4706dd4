"""CSV exports for funders: French Excel reads UTF-8 with a BOM, ``;`` between fields and a
decimal comma. Small cells, and those that would give them back, are hidden
(``figures.suppressed``)."""

import csv
from collections.abc import Iterator

from django.utils.translation import gettext as _

from .figures import Cell, Kind, Table, decimal_text, suppressed

BOM = "\ufeff"
# A text cell starting with one of these is a formula to a spreadsheet: it is quoted.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


def skipped(people: str) -> str:
    """A negative drop as what it means: more people than at the stage before."""
    return _("+ %(n)s (étapes sautées)") % {"n": people}


def export_value(cell: Cell) -> str:
    value = suppressed(cell)
    if value is None:
        return ""
    if isinstance(value, str):
        return f"'{value}" if cell.kind == Kind.TEXT and value.startswith(FORMULA_START) else value
    if cell.kind == Kind.DROP and value < 0:
        return skipped(str(-value))
    if cell.kind == Kind.MEAN:
        return decimal_text(float(value), 2)
    if cell.kind in (Kind.RATE, Kind.DECIMAL):
        return decimal_text(float(value), 1)
    return str(value)


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV lines: a header, the rows and the total, or a line saying there is
    no data. The first line starts with a byte order mark."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield BOM + writer.writerow([column.label for column in table.columns])
    if table.is_empty:
        yield writer.writerow([_("Aucune donnée pour ces filtres.")])
        return
    for row in table.rows:
        yield writer.writerow([export_value(cell) for cell in row])
    if table.total:
        yield writer.writerow([export_value(cell) for cell in table.total])
