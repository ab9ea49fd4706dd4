"""Figures as French readers expect them: grouped thousands, decimal comma."""

from django import template
from django.utils.formats import number_format

from ..exports import skipped
from ..figures import Cell, Kind, suppressed

register = template.Library()

PLACES = {Kind.COUNT: 0, Kind.DROP: 0, Kind.RATE: 1, Kind.DECIMAL: 1, Kind.MEAN: 2}


@register.filter
def figure(cell: Cell, suppress: bool = False) -> str:
    """A cell's value for a page; with ``suppress``, hidden as in exports (« < 5 », « s »,
    blank)."""
    value = suppressed(cell) if suppress else cell.value
    if value is None:
        return "–" if cell.is_numeric else ""
    if isinstance(value, str):
        return value
    if cell.kind == Kind.DROP and value < 0:
        return skipped(_format(-value, 0))
    return _format(value, PLACES.get(cell.kind, 0))


def _format(value, places: int) -> str:
    """Rounded (``number_format`` alone would truncate 42.86 to "42,8")."""
    return number_format(round(float(value), places), places, force_grouping=True)


@register.filter
def number(value, places: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):  # "< 5", "s"
        return value
    return _format(value, places)


@register.filter
def drop(value) -> str:
    """A difference with the stage before: a loss, or (negative) people who skipped it."""
    if isinstance(value, int) and value < 0:
        return skipped(_format(-value, 0))
    return number(value)
