"""Periodic work of the content side."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from .actions import delete_abandoned_page
from .queries import abandoned_provisional_pages


@shared_task(name="pathways.publish_scheduled_task")
def publish_scheduled_task() -> None:
    """Publish the pages editors scheduled (go-live) and unpublish expired ones.

    Wagtail keeps scheduled publications as revisions with ``approved_go_live_at``;
    its ``publish_scheduled`` command is idempotent, so beat may run it every minute.
    """
    call_command("publish_scheduled")


@shared_task(name="pathways.delete_abandoned_pages_task")
def delete_abandoned_pages_task() -> int:
    """Delete the pages that Wagtail's autosave created and nobody saved (a first save
    that failed or was abandoned) once untouched for ``BALISE_ABANDONED_PAGE_HOURS``.
    The choosers already leave them out; this keeps the explorer clean too. Each page in
    its own transaction; idempotent (a page deleted or saved meanwhile is skipped)."""
    cutoff = timezone.now() - timedelta(hours=settings.BALISE_ABANDONED_PAGE_HOURS)
    page_ids = list(abandoned_provisional_pages(cutoff).values_list("pk", flat=True))
    return sum(delete_abandoned_page(page_id, cutoff) for page_id in page_ids)
