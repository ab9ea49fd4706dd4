"""Periodic work of the content side."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="pathways.publish_scheduled_task")
def publish_scheduled_task() -> None:
    """Publish the pages editors scheduled (go-live) and unpublish expired ones.

    Wagtail keeps scheduled publications as revisions with ``approved_go_live_at``;
    its ``publish_scheduled`` command is idempotent, so beat may run it every minute.
    """
    call_command("publish_scheduled")
