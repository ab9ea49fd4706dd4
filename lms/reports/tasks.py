"""The dashboard's figures, computed in the worker (see ``cache``)."""

from celery import shared_task

from . import cache
from .queries import Filters


@shared_task(name="reports.refresh_snapshot_task")
def refresh_snapshot_task(filters: dict, language: str) -> None:
    """Recompute one selection a manager looked at while its figures were stale."""
    cache.refresh(Filters.from_json(filters), language)


@shared_task(name="reports.precompute_reports_task")
def precompute_reports_task() -> int:
    """Keep the default and the recent selections fresh (beat, and after each publish)."""
    return cache.precompute()


@shared_task(name="reports.build_funder_report_task")
def build_funder_report_task(report_id: int, generation: int) -> bool:
    """Build a funder report's PDF and workbook (``actions.build_funder_report``); a
    failure is written on the report, which its manager can regenerate."""
    from .actions import build_funder_report

    return build_funder_report(report_id, generation)


@shared_task(name="reports.resume_stalled_funder_reports_task")
def resume_stalled_funder_reports_task() -> int:
    """Send again the funder reports whose build stalled (beat, every 5 minutes)."""
    from .actions import resume_stalled_funder_reports

    return resume_stalled_funder_reports()
