"""Delivery and sweeping, task bodies called directly (no worker, no broker)."""

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from icalendar import Calendar, Event

from lms.celery import app as celery_app
from lms.notifications import actions
from lms.notifications.models import Notification
from lms.notifications.tasks import deliver_notification_task, sweep_unsent_task

pytestmark = pytest.mark.django_db


def notify(recipient, **overrides):
    kwargs = {
        "kind": "test_message",
        "context": {
            "subject": "Rendez-vous proposé",
            "message": "Votre accompagnatrice vous propose un rendez-vous.",
        },
        "url": "/accompagnement/",
    }
    return actions.notify(recipient, **(kwargs | overrides))


def invite_ics(method: str = "REQUEST") -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//Balise//Tests//FR")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", "session-1@balise.test")
    event.add("summary", "Rendez-vous Balise")
    event.add("dtstart", timezone.now() + timedelta(days=2))
    event.add("dtend", timezone.now() + timedelta(days=2, hours=1))
    event.add("dtstamp", timezone.now())
    calendar.add_component(event)
    return calendar.to_ical().decode()


def test_delivering_twice_sends_one_email(person, enqueued, mailoutbox):
    notification = notify(person)

    deliver_notification_task(notification.pk)
    deliver_notification_task.apply(args=[notification.pk])  # a duplicate message

    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.attempts == 1
    assert notification.last_error == ""


def test_the_email_has_text_and_html(person, enqueued, mailoutbox):
    notification = notify(person)
    deliver_notification_task(notification.pk)

    message = mailoutbox[0]
    assert message.body == notification.body_text
    assert [(a.content, a.mimetype) for a in message.alternatives] == [
        (notification.body_html, "text/html")
    ]
    assert message.attachments == []
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_an_smtp_failure_is_recorded_and_a_later_run_sends(
    person, enqueued, mailoutbox, monkeypatch
):
    notification = notify(person)

    def refuse(self, fail_silently=False):
        raise SMTPException("421 service not available")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", refuse)
        with pytest.raises(SMTPException):
            deliver_notification_task(notification.pk)

    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.claimed_at is None  # released: the retry may claim it at once
    assert notification.attempts == 1
    assert "421 service not available" in notification.last_error
    assert mailoutbox == []

    deliver_notification_task(notification.pk)

    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.attempts == 2
    assert notification.last_error == ""
    assert len(mailoutbox) == 1


def test_transient_errors_are_retried_by_celery():
    options = deliver_notification_task
    assert set(options.autoretry_for) == {SMTPException, OSError, ConnectionError}
    assert options.max_retries == 8
    assert options.retry_backoff is True
    assert options.retry_backoff_max == 600


def test_the_invite_is_attached_as_a_calendar_request(person, enqueued, mailoutbox):
    ics = invite_ics()
    notification = notify(person, ics=ics)
    deliver_notification_task(notification.pk)

    message = mailoutbox[0]
    assert message.attachments == [("invite.ics", ics, "text/calendar; method=REQUEST")]
    parts = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == "invite.ics"
    calendar = Calendar.from_ical(parts[0].get_payload(decode=True))
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Rendez-vous Balise"]


def test_a_cancellation_is_attached_as_a_calendar_cancel(person, enqueued, mailoutbox):
    notification = notify(person, ics=invite_ics("CANCEL"))
    deliver_notification_task(notification.pk)

    parts = [p for p in mailoutbox[0].message().walk() if p.get_content_type() == "text/calendar"]
    # A "method=REQUEST" part holding a METHOD:CANCEL calendar is an invalid iMIP message:
    # mail clients then offer to accept the cancelled meeting instead of removing it.
    assert [part.get_param("method") for part in parts] == ["CANCEL"]


def test_a_row_another_worker_is_sending_is_skipped_until_its_claim_expires(
    person, enqueued, mailoutbox
):
    notification = notify(person)
    Notification.objects.filter(pk=notification.pk).update(claimed_at=timezone.now())

    assert actions.deliver(notification.pk) is False
    assert mailoutbox == []

    # That worker died: after five minutes the row may be claimed again.
    Notification.objects.filter(pk=notification.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=6)
    )
    assert actions.deliver(notification.pk) is True
    assert len(mailoutbox) == 1


def test_a_deleted_notification_is_not_an_error(enqueued, mailoutbox):
    deliver_notification_task(123456789)
    assert mailoutbox == []


def _aged(notification, seconds, **fields):
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds), **fields
    )
    return notification.pk


def test_the_sweeper_enqueues_only_old_unsent_unclaimed_rows(person, enqueued, settings):
    settings.NOTIFICATIONS_SWEEP_AFTER = 300
    now = timezone.now()
    lost = _aged(notify(person), 600)
    stale_claim = _aged(notify(person), 900, claimed_at=now - timedelta(minutes=10))
    _aged(notify(person), 60)  # young: its on-commit task is probably queued
    _aged(notify(person), 600, sent_at=now)  # sent
    _aged(notify(person), 600, claimed_at=now - timedelta(minutes=1))  # being sent
    enqueued.clear()

    assert sweep_unsent_task() == 2
    assert enqueued == [stale_claim, lost]  # oldest first


def test_the_sweeper_works_in_bounded_batches(person, enqueued, monkeypatch, settings):
    settings.NOTIFICATIONS_SWEEP_AFTER = 60
    monkeypatch.setattr(actions, "SWEEP_BATCH", 2)
    ids = [_aged(notify(person), 600 - i) for i in range(3)]
    enqueued.clear()

    assert sweep_unsent_task() == 2
    assert enqueued == ids[:2]


def test_the_sweeper_honours_its_setting(person, enqueued, settings):
    pk = _aged(notify(person), 120)
    enqueued.clear()
    settings.NOTIFICATIONS_SWEEP_AFTER = 300
    assert sweep_unsent_task() == 0
    settings.NOTIFICATIONS_SWEEP_AFTER = 60
    assert sweep_unsent_task() == 1
    assert enqueued == [pk]


def test_tasks_are_autodiscovered_and_scheduled(settings):
    celery_app.loader.import_default_modules()
    assert "notifications.deliver_notification_task" in celery_app.tasks
    assert "notifications.sweep_unsent_task" in celery_app.tasks
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-unsent-notifications"]
    assert entry == {"task": "notifications.sweep_unsent_task", "schedule": 60.0}
