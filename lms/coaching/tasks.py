"""Periodic coaching work, scheduled by Celery beat."""

from celery import shared_task

from . import actions


@shared_task(name="coaching.escalate_overdue_task")
def escalate_overdue_task() -> int:
    """Tell managers once about requests past their first-response due time."""
    return actions.escalate_overdue_requests()


@shared_task(name="coaching.nudge_inactive_task")
def nudge_inactive_task() -> int:
    """Remind idle learners; after the last reminder open a request where the pathway says so."""
    return actions.nudge_inactive_learners()


@shared_task(name="coaching.repair_requests_task")
def repair_requests_task() -> dict:
    """Open the requests of points reached whose opening failed, and announce requests left
    unannounced (beat: every minute). Safe to run twice."""
    repaired = actions.repair_requests()
    return {
        "requests_opened": repaired.requests_opened,
        "events_announced": repaired.events_announced,
        "failures": repaired.failures,
    }


@shared_task(name="coaching.send_session_reminders_task")
def send_session_reminders_task() -> dict:
    """Remind accepted sessions the day before and two hours before (beat: every 5 minutes).
    Each reminder is written once, with its notifications; safe to run twice or to kill."""
    reminded = actions.send_session_reminders()
    return {"sessions": reminded.sessions, "failures": reminded.failures}
