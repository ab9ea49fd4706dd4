"""The SMS outbox: written with its cause for people who consented, sent once, swept,
dropped after « STOP »."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from lms.accounts.actions import stop_sms
from lms.accounts.models import ContactPreferences
from lms.notifications import actions, sms
from lms.notifications.models import Notification, TextMessage
from lms.notifications.tasks import deliver_sms_task
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

KIND = "sms_probe"  # tests/templates/notifications/sms_probe: subject, message and sms.txt


@pytest.fixture(autouse=True)
def _probe_is_a_reminder(monkeypatch):
    monkeypatch.setitem(actions.TOPIC_OF_KIND, KIND, "reminders")


@pytest.fixture
def sms_enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr(deliver_sms_task, "delay", calls.append)
    return calls


def consenting(**preferences) -> ContactPreferences:
    user = UserFactory(first_name="Léa")
    return ContactPreferences.objects.create(
        user=user, phone="+33612345678", sms_consent_at=timezone.now(), **preferences
    )


def test_an_sms_is_written_with_its_cause_and_sent_once(
    django_capture_on_commit_callbacks, sms_enqueued, enqueued
):
    preferences = consenting()
    with django_capture_on_commit_callbacks(execute=True):
        notification = actions.notify(preferences.user, KIND, {"word": "demain"})
    message = TextMessage.objects.get()
    assert message.notification == notification
    assert message.body == "Balise : essai demain"
    assert sms_enqueued == [message.pk]
    assert enqueued == [notification.pk]  # the e-mail too

    assert actions.deliver_sms(message.pk) is True
    assert actions.deliver_sms(message.pk) is False  # a second worker, a retry: nothing
    assert [(s.to, s.body) for s in sms.outbox] == [("+33612345678", "Balise : essai demain")]
    message.refresh_from_db()
    assert message.sent_at and message.sent_to == "+33612345678"


def test_no_sms_without_consent_or_number():
    without_consent = ContactPreferences.objects.create(user=UserFactory(), phone="+33612345678")
    without_number = ContactPreferences.objects.create(
        user=UserFactory(), sms_consent_at=timezone.now()
    )
    nobody = UserFactory()  # no preferences at all: e-mail only
    for person in (without_consent.user, without_number.user, nobody):
        actions.notify(person, KIND, {"word": "x"})
    assert not TextMessage.objects.exists()
    assert Notification.objects.filter(email=True).count() == 3


def test_channels_follow_the_persons_choice(
    sms_enqueued, enqueued, django_capture_on_commit_callbacks
):
    preferences = consenting(email_reminders=False, sms_reminders=True)
    with django_capture_on_commit_callbacks(execute=True):
        notification = actions.notify(preferences.user, KIND, {"word": "x"})
    assert notification.email is False and enqueued == []  # a notice in Balise, no e-mail
    assert actions.deliver(notification.pk) is False
    assert TextMessage.objects.count() == 1

    preferences.sms_reminders = False
    preferences.save()
    actions.notify(preferences.user, KIND, {"word": "x"})
    assert TextMessage.objects.count() == 1


def test_kinds_without_a_topic_are_never_texted():
    preferences = consenting()
    actions.notify(preferences.user, "request_opened", {"request": None})
    assert not TextMessage.objects.exists()


def test_a_rolled_back_cause_leaves_no_sms(sms_enqueued, django_capture_on_commit_callbacks):
    preferences = consenting()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        actions.notify(preferences.user, KIND, {"word": "x"})
        raise RuntimeError
    assert not TextMessage.objects.exists()
    assert sms_enqueued == []


def test_after_stop_a_queued_sms_is_dropped_never_sent():
    preferences = consenting()
    actions.notify(preferences.user, KIND, {"word": "x"})
    message = TextMessage.objects.get()
    stop_sms(preferences.user)
    assert actions.deliver_sms(message.pk) is False
    message.refresh_from_db()
    assert message.dropped_at and not message.sent_at
    assert sms.outbox == []
    actions.notify(preferences.user, KIND, {"word": "x"})
    assert TextMessage.objects.count() == 1  # nothing new is written either


class FlakyBackend(sms.BaseSmsBackend):
    """Times out after the request left (the SMS did leave), then tells the truth."""

    sent: list[sms.Sms] = []

    def send(self, message):
        FlakyBackend.sent.append(message)
        if len(FlakyBackend.sent) == 1:
            raise sms.SmsUncertain("read timeout")
        return "ref"

    def was_sent(self, message):
        return any(s.reference == message.reference for s in FlakyBackend.sent)


class DownBackend(sms.BaseSmsBackend):
    def send(self, message):
        raise sms.SmsNotSent("connection refused")


def test_a_timeout_keeps_the_sms_queued_and_never_sends_it_twice(settings):
    FlakyBackend.sent = []
    settings.SMS_BACKEND = "tests.notifications.test_sms.FlakyBackend"
    preferences = consenting()
    actions.notify(preferences.user, KIND, {"word": "x"})
    message = TextMessage.objects.get()

    with pytest.raises(sms.SmsUncertain):
        actions.deliver_sms(message.pk)
    message.refresh_from_db()
    assert message.uncertain_at and not message.sent_at and not message.claimed_at
    assert "read timeout" in message.last_error

    # The retry asks the provider first: it had the SMS, so it is marked sent, not resent.
    assert actions.deliver_sms(message.pk) is False
    message.refresh_from_db()
    assert message.sent_at
    assert len(FlakyBackend.sent) == 1


def test_a_provider_that_is_down_keeps_the_sms_for_a_retry(settings):
    settings.SMS_BACKEND = "tests.notifications.test_sms.DownBackend"
    preferences = consenting()
    actions.notify(preferences.user, KIND, {"word": "x"})
    message = TextMessage.objects.get()
    with pytest.raises(sms.SmsNotSent):
        actions.deliver_sms(message.pk)
    message.refresh_from_db()
    assert not message.sent_at and not message.claimed_at and message.attempts == 1

    settings.SMS_BACKEND = "locmem"
    assert actions.deliver_sms(message.pk) is True
    assert len(sms.outbox) == 1


def test_the_sweeper_takes_sms_left_unsent(monkeypatch, settings):
    settings.NOTIFICATIONS_SWEEP_AFTER = 60
    preferences = consenting()
    actions.notify(preferences.user, KIND, {"word": "x"})
    message = TextMessage.objects.get()
    enqueued = []
    monkeypatch.setattr(deliver_sms_task, "delay", enqueued.append)
    later = timezone.now() + timedelta(minutes=2)

    TextMessage.objects.filter(pk=message.pk).update(claimed_at=timezone.now())
    actions.sweep_unsent(now=later)
    assert enqueued == []  # a worker holds it

    TextMessage.objects.filter(pk=message.pk).update(claimed_at=later - timedelta(minutes=10))
    actions.sweep_unsent(now=later)
    assert enqueued == [message.pk]  # that worker died: taken again

    actions.deliver_sms(message.pk)
    enqueued.clear()
    actions.sweep_unsent(now=later + timedelta(hours=1))
    assert enqueued == []


def test_console_and_file_backends(settings, capsys, tmp_path):
    message = sms.Sms(to="+33612345678", body="Balise : essai", reference="balise-sms-9")
    settings.SMS_BACKEND = "console"
    sms.get_backend().send(message)
    assert "+33612345678" in capsys.readouterr().out

    settings.SMS_BACKEND = "file"
    backend = sms.get_backend()
    assert backend.was_sent(message) is False
    backend.send(message)
    assert backend.was_sent(message) is True
    (written,) = (tmp_path / "sms").iterdir()
    assert "Balise : essai" in written.read_text()


@pytest.mark.parametrize(
    ("text", "gsm"),
    [
        ("Balise : RDV demain à 18:30, détails", "Balise : RDV demain à 18:30, détails"),
        ("l’accompagnement « Être » ça", 'l\'accompagnement "Etre" ca'),
    ],
)
def test_texts_are_written_in_the_gsm_alphabet(text, gsm):
    assert sms.to_gsm7(text) == gsm
    assert sms.is_gsm7(gsm)


def test_a_worker_killed_after_the_provider_took_the_sms_does_not_send_it_again():
    preferences = consenting()
    actions.notify(preferences.user, KIND, {"word": "x"})
    message = TextMessage.objects.get()
    # The worker sent it, then died before writing sent_at; its claim expired since.
    sms.get_backend().send(
        sms.Sms(to="+33612345678", body=message.body, reference=message.client_reference)
    )
    TextMessage.objects.filter(pk=message.pk).update(
        attempts=1, claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert actions.deliver_sms(message.pk) is False
    message.refresh_from_db()
    assert message.sent_at is not None
    assert len(sms.outbox) == 1
