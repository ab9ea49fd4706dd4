"""Delivery of the outbox. Both tasks are safe to run twice or late: the row decides."""

from smtplib import SMTPException

from celery import shared_task

from . import actions
from .sms import SmsNotSent, SmsUncertain


@shared_task(
    bind=True,
    name="notifications.deliver_notification_task",
    autoretry_for=(SMTPException, OSError, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def deliver_notification_task(self, notification_id: int) -> None:
    """Send one notification's e-mail, at most once per row.

    Enqueued on commit by ``actions.notify`` and again by the sweeper; a row
    already sent, or claimed by another worker, is skipped. Mail-server and
    network errors are retried with exponential backoff (up to 10 minutes apart);
    once retries run out the sweeper keeps trying, so nothing is lost.
    """
    actions.deliver(notification_id)


@shared_task(name="notifications.sweep_unsent_task")
def sweep_unsent_task() -> int:
    """Re-enqueue notifications whose delivery task never ran or was lost (beat: every minute).

    This is what makes a broker outage harmless: rows written meanwhile are
    committed, and their e-mails leave once the broker is back.
    """
    return actions.sweep_unsent()


@shared_task(
    bind=True,
    name="notifications.deliver_sms_task",
    autoretry_for=(SmsNotSent, SmsUncertain, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def deliver_sms_task(self, message_id: int) -> None:
    """Send one SMS, at most once per row (see ``actions.deliver_sms``).

    Enqueued on commit by ``notify`` and again by the sweeper. A provider that fails or
    times out is retried with exponential backoff; after an uncertain attempt the provider
    is asked first. Once retries run out the sweeper keeps trying.
    """
    actions.deliver_sms(message_id)
