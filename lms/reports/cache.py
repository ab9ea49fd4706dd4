"""The computed figures of a selection, computed off the request path and kept in Django's
cache, so that managers never wait for a computation they did not start.

A ``Snapshot`` holds every table and the headline's cells of one selection, with the time
they were computed (the pages say it) and the generation it was computed in. Its key is a
hash of the validated filters, the scope among them (the structures whose figures they are:
a structure's managers never read the network's figures, nor another structure's), the
language (labels are translated when tables are built) and ``VERSION`` (the shape of what
is stored). A snapshot goes stale when it is older than
``BALISE_REPORTS_CACHE_SECONDS`` or when a page was published or unpublished since
(``invalidate`` bumps the generation: an outline or a module's steps changed). A stale
snapshot is still shown, with its time, while ``refresh_snapshot_task`` recomputes it in
the worker. A selection never computed before is sent to the worker too, and its pages say
the figures are being computed (they refresh themselves); it is computed during the request
only when the broker cannot be reached or no worker took it within ``PENDING_SECONDS``
(nothing is lost when the worker is down, it is only slower). An export of such a selection
is computed and kept at once (every table: their secrecy is decided together).
``precompute_reports_task`` (Celery beat, and after each publish) keeps the default
selection of the network and of each managed structure (in the site's language), and the
selections managers looked at recently, fresh.
``BALISE_REPORTS_CACHE_SECONDS = 0`` turns all of this off: each page computes what it
shows, an export only its table.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language

from lms.accounts.models import MemberRole, Membership, Structure, StructureKind

from .figures import Table
from .queries import Filters, Scope
from .tables import BUILDERS, Report

logger = logging.getLogger(__name__)

VERSION = 5  # bump when Snapshot, Table, Cell or Filters change shape
GENERATION_KEY = "balise:reports:generation"
RECENT_KEY = "balise:reports:recent"
RECENT_MAX = 30  # selections kept fresh by the scheduled task
KEEP_SECONDS = 7 * 24 * 3600  # how long a snapshot (stale or not) may be shown
PENDING_SECONDS = 30  # a selection no worker computed within this is computed by its page


@dataclass
class Snapshot:
    computed_at: datetime
    selected_id: int | None  # the detailed pathway (``Report.selected``)
    tables: dict[str, Table]  # by slug: every table, or only those asked for
    headline_cells: dict | None  # ``Report.headline_cells``; None with only some tables
    generation: int = 0


def seconds() -> int:
    return settings.BALISE_REPORTS_CACHE_SECONDS


def compute(report: Report, slugs: list[str] | None = None) -> Snapshot:
    """Every table and the headline's cells, from the database; or only the tables
    ``slugs`` (an export: every table is still built, their secrecy being decided
    together, but the headline is not)."""
    if slugs is not None:
        tables = {slug: BUILDERS[slug](report) for slug in slugs}
        return Snapshot(report.now, None, _lean(tables), None)
    return Snapshot(
        computed_at=report.now,
        selected_id=report.selected.pk if report.selected else None,
        tables=_lean({slug: builder(report) for slug, builder in BUILDERS.items()}),
        headline_cells=report.headline_cells(),
        generation=generation(),
    )


def _lean(tables: dict[str, Table]) -> dict[str, Table]:
    """The tables as pages and exports read them. How their figures hang together (sums,
    derived figures, row keys) served secrecy once, when they were built; kept, it made a
    snapshot six times slower to read back from the cache than all its cells
    (docs/benchmarks.md)."""
    for table in tables.values():
        table.sums, table.derived, table.keys = [], [], []
    return tables


def cache_key(filters: Filters, language: str | None = None) -> str:
    raw = repr((VERSION, language or get_language(), filters))
    return "balise:reports:" + hashlib.sha256(raw.encode()).hexdigest()


def generation() -> int:
    return cache.get(GENERATION_KEY, 0)


def is_stale(found: Snapshot, now=None) -> bool:
    age = ((now or timezone.now()) - found.computed_at).total_seconds()
    return found.generation != generation() or age >= seconds()


def store(report: Report) -> Snapshot:
    """Compute the selection now and keep it."""
    found = compute(report)
    cache.set(cache_key(report.filters), found, KEEP_SECONDS)
    return found


def snapshot(report: Report, slug: str | None = None) -> Snapshot | None:
    """Every table of the report's selection from the cache (a stale one asks the worker
    to recompute it). A selection never computed before is asked of the worker and None
    is returned while it computes, unless the worker is out of reach or late (computed
    now). With ``slug`` (an export), a missing selection is computed and kept at once.
    Without the cache, only the table ``slug`` when one is given."""
    if seconds() <= 0:
        return compute(report, None if slug is None else [slug])
    _remember(report.filters)
    key = cache_key(report.filters)
    found = cache.get(key)
    if isinstance(found, Snapshot):
        if is_stale(found):
            _ask_refresh(report.filters)
        return found
    if slug is not None:  # a download cannot wait on a page; every table is built anyway
        return store(report)
    asked_at = _ask_refresh(report.filters)
    if asked_at is None:  # the broker is down: the manager still gets the figures
        return store(report)
    found = cache.get(key)  # an eager worker has already computed it
    if isinstance(found, Snapshot):
        return found
    if (timezone.now() - asked_at).total_seconds() > PENDING_SECONDS:
        return store(report)  # no worker took it: compute it here rather than wait forever
    return None


def _remember(filters: Filters) -> None:
    """Note the selection among the recent ones the scheduled task keeps fresh. Two
    processes noting at once may lose one note: the next view notes it again."""
    language = get_language()
    recent = [item for item in cache.get(RECENT_KEY, []) if item != (filters, language)]
    cache.set(RECENT_KEY, [(filters, language), *recent][:RECENT_MAX], KEEP_SECONDS)


def recent_selections() -> list[tuple[Filters, str]]:
    return list(cache.get(RECENT_KEY, []))


def _ask_refresh(filters: Filters) -> datetime | None:
    """Enqueue one recomputation of the selection (one per staleness period, whoever
    asks) and return when it was first asked; None when the broker is down, which only
    leaves stale figures a little longer."""
    from .tasks import refresh_snapshot_task

    language = get_language()
    lock = f"{cache_key(filters, language)}:refreshing"
    now = timezone.now()
    if not cache.add(lock, now, max(seconds(), 60)):
        asked_at = cache.get(lock)
        return asked_at if isinstance(asked_at, datetime) else now
    try:
        refresh_snapshot_task.delay(filters.as_json(), language)
    except Exception:
        cache.delete(lock)
        logger.warning("Could not enqueue the refresh of a report selection", exc_info=True)
        return None
    return now


def refresh(filters: Filters, language: str) -> Snapshot:
    """Recompute a selection in ``language`` and keep it (the worker's side)."""
    from . import queries

    with translation.override(language):
        found = store(Report(filters, queries.pathways()))
        cache.delete(f"{cache_key(filters)}:refreshing")
    return found


def default_selections() -> list[Filters]:
    """The network's default selection and that of each active structure with a manager."""
    managed = Membership.objects.filter(role=MemberRole.MANAGER).values("structure_id")
    structures = (
        Structure.objects.active()
        .exclude(kind=StructureKind.NETWORK)
        .filter(pk__in=managed)
        .order_by("pk")
    )
    return [Filters(), *(Filters(scope=Scope.of([structure])) for structure in structures)]


def precompute(now=None) -> int:
    """Recompute the default selections in the site's language and the recent selections
    (whatever their language) that are stale; returns how many were computed. A default
    read in another language becomes a recent selection on its first reading."""
    wanted = [(filters, settings.LANGUAGE_CODE) for filters in default_selections()]
    wanted += [item for item in recent_selections() if item not in wanted]
    computed = 0
    for filters, language in wanted:
        found = cache.get(cache_key(filters, language))
        if isinstance(found, Snapshot) and not is_stale(found, now):
            continue
        refresh(filters, language)
        computed += 1
    return computed


def invalidate(**kwargs) -> None:
    """Mark every snapshot stale and recompute the usual selections in the worker once the
    publish commits (a signal receiver: ``kwargs`` are ignored)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not stored yet, or evicted
        cache.set(GENERATION_KEY, int(timezone.now().timestamp()), timeout=None)
    transaction.on_commit(_enqueue_precompute, robust=True)


def _enqueue_precompute() -> None:
    from .tasks import precompute_reports_task

    precompute_reports_task.delay()
