"""Platform-wide maintenance tasks (``lms/tasks.py``), bodies called directly."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from lms.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db


def test_clear_expired_sessions_keeps_current_ones():
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="x", expire_date=now - timedelta(1))
    Session.objects.create(session_key="current", session_data="x", expire_date=now + timedelta(1))

    clear_expired_sessions()
    clear_expired_sessions()  # idempotent: a repeated or late run does no harm

    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]


def test_the_dashboards_computations_have_a_queue_of_their_own():
    """A deployment gives the reports' queue a worker of one process: managers exploring
    new selections never hold up the e-mails, nor more than one core."""
    from pathlib import Path

    from lms.celery import app

    def queue(name: str) -> str:
        return app.amqp.router.route({}, name)["queue"].name

    assert queue("reports.refresh_snapshot_task") == "reports"
    assert queue("reports.precompute_reports_task") == "reports"
    assert queue("notifications.deliver_notification_task") == "celery"
    assert queue("coaching.repair_requests_task") == "celery"
    # `make run`'s one worker serves both.
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert "worker -Q celery,reports" in makefile
