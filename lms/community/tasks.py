"""Community work for Celery: the thread's e-mail digests."""

from celery import shared_task

from . import actions


@shared_task(name="community.send_circle_digest_task")
def send_circle_digest_task(reader_row_id: int) -> bool:
    """E-mail one participant the unread posts of one circle once due (enqueued on commit
    with ``CIRCLE_DIGEST_DELAY`` as countdown). Safe to run twice."""
    return actions.send_circle_digest(reader_row_id)


@shared_task(name="community.send_due_digests_task")
def send_due_digests_task() -> int:
    """Send the circle digests left due by a lost task or a dead worker (beat: every
    minute)."""
    return actions.send_due_circle_digests()
