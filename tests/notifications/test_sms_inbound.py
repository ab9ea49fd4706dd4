"""« STOP » by SMS: the provider's webhook, authenticated by a secret in its address."""

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts.models import ContactPreferences
from lms.notifications import actions
from lms.notifications.models import TextMessage
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def consenting():
    return ContactPreferences.objects.create(
        user=UserFactory(), phone="+33612345678", sms_consent_at=timezone.now()
    )


def url(token="s3cret"):  # noqa: S107
    return reverse("notifications:sms_inbound", args=[token])


@pytest.fixture(autouse=True)
def _token(settings, monkeypatch):
    settings.SMS_INBOUND_TOKEN = "s3cret"
    monkeypatch.setitem(actions.TOPIC_OF_KIND, "sms_probe", "reminders")


@pytest.mark.parametrize(
    "payload",
    [
        {"from": "33612345678", "text": "STOP"},
        {"msisdn": "+33612345678", "message": " stop "},
        {"sender": "0612345678", "content": "Arrêt"},
    ],
)
def test_stop_withdraws_consent_and_no_sms_follows(client, consenting, payload):
    actions.notify(consenting.user, "sms_probe", {"word": "x"})
    queued = TextMessage.objects.get()

    response = client.post(url(), payload, content_type="application/json")

    assert response.status_code == 204
    consenting.refresh_from_db()
    assert consenting.sms_consent_at is None and consenting.sms_stopped_at is not None
    assert actions.deliver_sms(queued.pk) is False  # the queued one is dropped
    actions.notify(consenting.user, "sms_probe", {"word": "x"})
    assert TextMessage.objects.count() == 1  # and nothing new is written


def test_a_form_encoded_stop_works_too(client, consenting):
    assert client.post(url(), {"from": "+33612345678", "text": "STOP"}).status_code == 204
    consenting.refresh_from_db()
    assert consenting.sms_consent_at is None


def test_other_replies_change_nothing(client, consenting):
    client.post(url(), {"from": "33612345678", "text": "Merci, à demain"})
    consenting.refresh_from_db()
    assert consenting.sms_consent_at is not None


def test_a_wrong_or_missing_token_is_refused(client, consenting, settings):
    assert client.post(url("guess"), {"from": "33612345678", "text": "STOP"}).status_code == 404
    settings.SMS_INBOUND_TOKEN = ""  # not configured: the endpoint does not exist
    assert client.post(url(), {"from": "33612345678", "text": "STOP"}).status_code == 404
    consenting.refresh_from_db()
    assert consenting.sms_consent_at is not None


def test_bad_input_is_answered_not_crashed(client, consenting):
    response = client.post(url(), "not json", content_type="application/json")
    assert response.status_code == 400
    response = client.post(url(), {"from": "not a number", "text": "STOP"})
    assert response.status_code == 204
    consenting.refresh_from_db()
    assert consenting.sms_consent_at is not None
