"""Periodic accounts work, scheduled by Celery beat."""

from celery import shared_task

from . import gdpr


@shared_task(name="accounts.anonymise_inactive_task")
def anonymise_inactive_task() -> dict[str, int]:
    """Warn learners idle for two years (by default), then anonymise them a month later
    unless they came back (beat: daily). Idempotent: the warning's time is stored."""
    return gdpr.anonymise_inactive_learners()
