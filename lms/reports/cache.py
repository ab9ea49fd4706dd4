"""The computed figures of a selection, kept in Django's cache so that managers reading the
same dashboard (and its print page and exports) do not recompute it.

A ``Snapshot`` holds every table and the headline's cells of one selection, with the time
they were computed (the pages say it). Its key is a hash of the validated filters, the
language (labels are translated when tables are built), ``VERSION`` (the shape of what is
stored) and a generation that ``invalidate`` bumps, on publishing or unpublishing a page
(an outline or a module's steps changed). Figures are otherwise at most
``BALISE_REPORTS_CACHE_SECONDS`` old (0 turns the cache off: each page computes what it
shows, an export only its table).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from .figures import Table
from .queries import Filters
from .tables import BUILDERS, Report

VERSION = 1  # bump when Snapshot, Table or Cell change shape
GENERATION_KEY = "balise:reports:generation"


@dataclass
class Snapshot:
    computed_at: datetime
    selected_id: int | None  # the detailed pathway (``Report.selected``)
    tables: dict[str, Table]  # by slug: every table, or only those asked for
    headline_cells: dict | None  # ``Report.headline_cells``; None with only some tables


def seconds() -> int:
    return settings.BALISE_REPORTS_CACHE_SECONDS


def compute(report: Report, slugs: list[str] | None = None) -> Snapshot:
    """Every table and the headline's cells, from the database; or only the tables
    ``slugs`` (an export without the cache: nothing else is read)."""
    if slugs is not None:
        tables = {slug: BUILDERS[slug](report) for slug in slugs}
        return Snapshot(report.now, None, tables, None)
    return Snapshot(
        computed_at=report.now,
        selected_id=report.selected.pk if report.selected else None,
        tables={slug: builder(report) for slug, builder in BUILDERS.items()},
        headline_cells=report.headline_cells(),
    )


def cache_key(filters: Filters, generation: int) -> str:
    raw = repr((VERSION, generation, get_language(), filters))
    return "balise:reports:" + hashlib.sha256(raw.encode()).hexdigest()


def snapshot(report: Report, slug: str | None = None) -> Snapshot:
    """Every table of the report's selection, from the cache or computed and stored there.
    Without the cache, only the table ``slug`` when one is given (an export)."""
    timeout = seconds()
    if timeout <= 0:
        return compute(report, None if slug is None else [slug])
    key = cache_key(report.filters, cache.get(GENERATION_KEY, 0))
    found = cache.get(key)
    if not isinstance(found, Snapshot):
        found = compute(report)
        cache.set(key, found, timeout)
    return found


def invalidate(**kwargs) -> None:
    """Forget every stored snapshot (a signal receiver: ``kwargs`` are ignored)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not stored yet, or evicted
        cache.set(GENERATION_KEY, int(timezone.now().timestamp()), timeout=None)
