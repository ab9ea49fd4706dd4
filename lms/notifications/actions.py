"""State changes of notifications: write to the outbox, deliver, sweep, mark read.

``notify`` is called by other apps' actions, inside their transaction, so the
notice exists if and only if the event that causes it was committed. E-mail
delivery is deferred to a Celery task enqueued on commit; the row, not the
broker message, is the source of truth, hence idempotent delivery and a sweeper.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lms.accounts import facts
from lms.accounts.models import Structure, User

from . import emails, tasks
from .models import Notification

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
LAST_ERROR_MAX_LENGTH = 2000
SUBJECT_MAX_LENGTH = Notification._meta.get_field("subject").max_length


def notify(
    recipient: User,
    kind: str,
    context: Mapping[str, Any] | None = None,
    url: str = "",
    ics: str = "",
    structure: Structure | None = None,
) -> Notification:
    """Write a notification for ``recipient`` and send its e-mail once the transaction commits.

    Call it inside the transaction of the event it tells about: if that
    transaction rolls back, no row remains and no e-mail leaves. The copy comes
    from the templates of ``kind`` (``notifications/<kind>/``), rendered with
    ``context`` in the recipient's language; ``url`` is site-relative
    ("/apprendre/..."): templates receive it absolute as ``url``, with
    ``recipient`` and ``site_url``. ``ics`` is an iCalendar text attached as
    ``invite.ics``. ``structure`` is the accompaniment structure the message comes
    from: the layout shows its name, and its logo in the HTML part (templates receive it
    as ``from_structure``); its ``logo`` is read unless loaded with it.
    """
    notification = _build(recipient, kind, context, url, ics, emails.structure_identity(structure))
    notification.save()
    facts.changed(recipient.pk)
    _deliver_on_commit([notification.pk])
    return notification


def notify_many(
    recipients: Iterable[User],
    kind: str,
    context: Mapping[str, Any] | None = None,
    url: str = "",
    ics: str = "",
    structure: Structure | None = None,
) -> list[Notification]:
    """``notify`` for several people (each rendered for its reader), one INSERT; the
    structure's logo is looked up once for all of them."""
    identity = emails.structure_identity(structure)
    rows = [_build(r, kind, context, url, ics, identity) for r in recipients]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    facts.changed(*(row.recipient_id for row in created))
    _deliver_on_commit([row.pk for row in created])
    return created


def mark_read(user: User, ids: Iterable[int] | Literal["all"]) -> int:
    """Mark the user's unread notifications ``ids`` (or ``"all"``) read; return how many changed.

    Ids of other people's notifications are ignored, so callers may pass
    unchecked ids; already-read rows keep their first ``read_at``.
    """
    rows = Notification.objects.visible_to(user).unread()
    if ids != "all":
        rows = rows.filter(pk__in=list(ids))
    count = rows.update(read_at=timezone.now())
    if count:
        facts.changed(user.pk)
    return count


def deliver(notification_id: int) -> bool:
    """Send the notification's e-mail unless it was sent or another worker is sending it.

    Returns whether this call sent it. The claim is one conditional UPDATE,
    committed before sending (no surrounding transaction), so two workers
    given the same id never both send. On failure the error is recorded, the
    claim released and the exception re-raised for the task to retry. A crash
    between sending and recording ``sent_at`` can still send twice once the
    claim expires: delivery is at least once, never "at most once".
    """
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id)
        .unsent()
        .claimable(now)
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        emails.build_message(notification).send()
    except Exception as exc:
        Notification.objects.filter(pk=notification_id, claimed_at=now).update(
            claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:LAST_ERROR_MAX_LENGTH]
        )
        raise
    Notification.objects.filter(pk=notification_id).update(sent_at=timezone.now(), last_error="")
    return True


def sweep_unsent(now=None) -> int:
    """Enqueue delivery again for rows left unsent (broker down, task lost); return how many.

    Only rows older than ``NOTIFICATIONS_SWEEP_AFTER`` seconds and not being
    delivered are taken, oldest first, at most ``SWEEP_BATCH`` per run: beat
    runs this every minute, and ``deliver`` makes any duplicate harmless.
    """
    now = now or timezone.now()
    older_than = timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER)
    ids = list(
        Notification.objects.to_sweep(now, older_than).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in ids:
        tasks.deliver_notification_task.delay(pk)
    if ids:
        logger.info("Re-enqueued %d unsent notification(s).", len(ids))
    return len(ids)


def _build(recipient, kind, context, url, ics, identity=None) -> Notification:
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValueError(f"A notification url must be site-relative, got {url!r}")
    rendered = emails.render_notification(
        kind,
        {
            **(context or {}),
            "recipient": recipient,
            "site_url": settings.SITE_URL,
            "url": f"{settings.SITE_URL}{url}" if url else "",
            "from_structure": identity,
        },
    )
    return Notification(
        recipient=recipient,
        kind=kind,
        subject=rendered.subject[:SUBJECT_MAX_LENGTH],
        body_text=rendered.text,
        body_html=rendered.html,
        url=url,
        ics=ics,
    )


def _deliver_on_commit(ids: list[int]) -> None:
    """Enqueue after commit; ``robust`` so a broker that is down fails no request: the
    rows are committed and the sweeper will enqueue them."""

    def enqueue():
        for pk in ids:
            tasks.deliver_notification_task.delay(pk)

    transaction.on_commit(enqueue, robust=True)
