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


@shared_task(name="coaching.send_message_digest_task")
def send_message_digest_task(reader_row_id: int) -> bool:
    """E-mail one reader the unread messages of one thread, once its digest is due
    (enqueued on commit with ``MESSAGE_DIGEST_DELAY`` as countdown). Safe to run twice."""
    return actions.send_message_digest(reader_row_id)


@shared_task(name="coaching.send_due_digests_task")
def send_due_digests_task() -> int:
    """Send the message digests left due by a lost task or a dead worker (beat: every
    minute)."""
    return actions.send_due_digests()


@shared_task(name="coaching.send_session_reminders_task")
def send_session_reminders_task() -> dict:
    """Remind accepted sessions and group sessions' registrants the day before and two hours
    before (beat: every 5 minutes). Each reminder is written once, with its notifications;
    safe to run twice or to kill."""
    reminded = actions.send_session_reminders()
    groups = actions.send_group_reminders()
    return {
        "sessions": reminded.sessions,
        "failures": reminded.failures + groups.failures,
        "group_sessions": groups.sessions,
    }
