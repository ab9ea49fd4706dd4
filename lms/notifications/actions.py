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

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lms.accounts import facts
from lms.accounts.actions import stop_sms_for_number
from lms.accounts.models import (
    ContactPreferences,
    MessageTopic,
    Structure,
    User,
    contact_preferences_of,
)

from . import emails, sms, tasks
from .models import Notification, TextMessage

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
LAST_ERROR_MAX_LENGTH = 2000
SUBJECT_MAX_LENGTH = Notification._meta.get_field("subject").max_length
SMS_MAX_LENGTH = TextMessage._meta.get_field("body").max_length

# Kinds whose reader chooses the channels (« Mon compte »), by topic. Other kinds are
# always e-mailed and never texted. A kind here is texted when it has an ``sms.txt``.
TOPIC_OF_KIND = {
    "session_reminder": MessageTopic.REMINDERS,
    "session_reminder_coach": MessageTopic.REMINDERS,
    "session_proposed": MessageTopic.SESSION_CHANGES,
    "session_cancelled": MessageTopic.SESSION_CHANGES,
    "session_moved": MessageTopic.SESSION_CHANGES,
    "group_reminder": MessageTopic.REMINDERS,
    "group_cancelled": MessageTopic.SESSION_CHANGES,
}


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
    topic = TOPIC_OF_KIND.get(kind)
    preferences = contact_preferences_of(recipient) if topic else None
    if preferences is not None:
        notification.email = preferences.wants_email(topic)
    notification.save()
    facts.changed(recipient.pk)
    if notification.email:
        _deliver_on_commit([notification.pk])
    if preferences is not None and preferences.wants_sms(topic):
        _write_sms(notification, context, url)
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
    recipients = list(recipients)
    topic = TOPIC_OF_KIND.get(kind)
    if topic and recipients:
        return [notify(r, kind, context, url, ics, structure) for r in recipients]
    identity = emails.structure_identity(structure)
    rows = [_build(r, kind, context, url, ics, identity) for r in recipients]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    facts.changed(*(row.recipient_id for row in created))
    _deliver_on_commit([row.pk for row in created])
    return created


def _write_sms(notification: Notification, context, url: str) -> TextMessage | None:
    """The SMS of ``notification`` when its kind has an ``sms.txt``; delivered on commit."""
    body = emails.render_sms(
        notification.kind,
        {
            **(context or {}),
            "recipient": notification.recipient,
            "site_url": settings.SITE_URL,
            "url": f"{settings.SITE_URL}{url}" if url else "",
        },
    )
    if not body:
        return None
    message = TextMessage.objects.create(
        recipient=notification.recipient,
        notification=notification,
        kind=notification.kind,
        body=body[:SMS_MAX_LENGTH],
    )
    transaction.on_commit(lambda: tasks.deliver_sms_task.delay(message.pk), robust=True)
    return message


def deliver_sms(message_id: int) -> bool:
    """Send one SMS unless it was sent, dropped, or another worker holds it.

    Returns whether this call sent it. Claimed by one conditional UPDATE, as e-mails are.
    Consent and number are read now: after a « STOP », or with no number left, the row is
    dropped, never sent. A provider that surely did not take it (``SmsNotSent``) releases
    the claim for a retry; one that may have taken it (``SmsUncertain``, a timeout after the
    request left) marks the row uncertain, and the next attempt asks the provider
    (``was_sent``, by our reference) before sending: sent once, never twice, never lost.
    When the provider cannot tell, the row waits (the sweeper tries again later). Any
    attempt after the first asks too, which covers a worker killed mid-send.
    """
    now = timezone.now()
    claimed = (
        TextMessage.objects.filter(pk=message_id)
        .pending()
        .claimable(now)
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    message = TextMessage.objects.get(pk=message_id)
    preferences = ContactPreferences.objects.filter(user_id=message.recipient_id).first()
    if preferences is None or not preferences.sms_allowed:
        TextMessage.objects.filter(pk=message_id).update(
            dropped_at=now, claimed_at=None, last_error="no number or consent withdrawn"
        )
        return False
    out = sms.Sms(
        to=preferences.phone.as_e164, body=message.body, reference=message.client_reference
    )
    backend = sms.get_backend()
    # An uncertain attempt, or an earlier claim that expired (a worker killed mid-send): ask.
    if message.uncertain_at is not None or message.attempts > 1:
        already = backend.was_sent(out)
        if already:
            _mark_sms_sent(message_id, out.to, "")
            return False
        if already is None and message.uncertain_at is not None:
            _release_sms(message_id, now, "provider cannot tell whether it was sent")
            raise sms.SmsNotSent("uncertain earlier attempt, provider cannot tell yet")
    try:
        reference = backend.send(out)
    except sms.SmsUncertain as exc:
        TextMessage.objects.filter(pk=message_id, claimed_at=now).update(
            claimed_at=None, uncertain_at=timezone.now(), last_error=_error(exc)
        )
        raise
    except Exception as exc:
        _release_sms(message_id, now, _error(exc))
        raise
    _mark_sms_sent(message_id, out.to, reference)
    return True


def _mark_sms_sent(message_id: int, to: str, reference: str) -> None:
    TextMessage.objects.filter(pk=message_id).update(
        sent_at=timezone.now(), sent_to=to, provider_reference=reference[:100], last_error=""
    )


def _release_sms(message_id: int, claimed_at, error: str) -> None:
    TextMessage.objects.filter(pk=message_id, claimed_at=claimed_at).update(
        claimed_at=None, last_error=error
    )


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:LAST_ERROR_MAX_LENGTH]


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
    sms_ids = list(
        TextMessage.objects.to_sweep(now, older_than).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in sms_ids:
        tasks.deliver_sms_task.delay(pk)
    if sms_ids:
        logger.info("Re-enqueued %d unsent SMS.", len(sms_ids))
    return len(ids) + len(sms_ids)


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


STOP_WORDS = {"stop", "stop sms", "arret", "arrêt", "arreter", "arrêter", "unsubscribe", "end"}


def receive_sms(sender: str, text: str) -> int:
    """A reply from ``sender`` (the provider's inbound webhook). « STOP » (or « ARRET »)
    withdraws the consent of every account with that number: no SMS leaves for them
    afterwards (pending ones are dropped at delivery). Returns how many accounts stopped;
    any other reply is ignored (nobody reads SMS replies: the texts say so).
    """
    if " ".join(text.lower().split()).strip(" .!") not in STOP_WORDS:
        return 0
    phone = parse_phone(sender)
    if phone is None:
        logger.warning("STOP from a number that is not one: %r", sender[:30])
        return 0
    stopped = stop_sms_for_number(phone)
    logger.info("STOP received: SMS stopped for %d account(s).", stopped)
    return stopped


def parse_phone(value: str):
    """A phone number from a provider's webhook ("33612345678", "+336…", "0612…"), or None."""
    value = (value or "").strip()
    if value.isdigit() and not value.startswith("0"):
        value = f"+{value}"
    try:
        number = phonenumbers.parse(value, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
