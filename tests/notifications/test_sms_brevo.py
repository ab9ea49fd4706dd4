"""The Brevo backend against a fake Brevo on 127.0.0.1: the request it sends, a provider
that times out (queued, retried, asked before resending: sent once), one that refuses."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from lms.accounts.models import ContactPreferences
from lms.notifications import actions, sms
from lms.notifications.models import TextMessage
from tests.factories.accounts import UserFactory


class FakeBrevo(BaseHTTPRequestHandler):
    """Answers like Brevo; ``mode`` says how: "ok", "slow" (answers after the client gave
    up, having taken the SMS), "error" (500), "refuse" (400)."""

    mode = "ok"
    received: list[dict] = []
    release = threading.Event()

    def log_message(self, *args):
        pass

    def _answer(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers["content-length"])
        payload = json.loads(self.rfile.read(length))
        FakeBrevo.received.append(
            {"path": self.path, "api_key": self.headers["api-key"], **payload}
        )
        if FakeBrevo.mode == "slow":
            FakeBrevo.release.wait(5)
            return
        if FakeBrevo.mode == "error":
            return self._answer(500, {"message": "internal"})
        if FakeBrevo.mode == "refuse":
            return self._answer(400, {"code": "invalid_parameter"})
        self._answer(201, {"reference": "ab1", "messageId": 1511882900176220})

    def do_GET(self):
        query = parse_qs(urlsplit(self.path).query)
        tags = query.get("tags", [""])[0]
        events = [
            {"event": "sent", "tag": r["tag"], "phoneNumber": r["recipient"]}
            for r in FakeBrevo.received
            if r["tag"] == tags
        ]
        self._answer(200, {"events": events})


@pytest.fixture
def brevo(settings):
    FakeBrevo.mode = "ok"
    FakeBrevo.received = []
    FakeBrevo.release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBrevo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "brevo"
    settings.SMS_BREVO_URL = f"http://127.0.0.1:{server.server_port}/v3"
    settings.SMS_BREVO_API_KEY = "test-key"
    settings.SMS_SENDER = "Balise"
    settings.SMS_TIMEOUT = 0.5
    yield FakeBrevo
    FakeBrevo.release.set()
    server.shutdown()
    server.server_close()


MESSAGE = sms.Sms(to="+33612345678", body="Balise : RDV demain", reference="balise-sms-4")


def test_sends_a_transactional_sms_with_our_reference(brevo):
    reference = sms.get_backend().send(MESSAGE)
    assert reference == "1511882900176220"
    (request,) = brevo.received
    assert request == {
        "path": "/v3/transactionalSMS/send",
        "api_key": "test-key",
        "sender": "Balise",
        "recipient": "33612345678",
        "content": "Balise : RDV demain",
        "type": "transactional",
        "tag": "balise-sms-4",
    }


def test_a_timeout_is_uncertain_and_the_provider_is_asked(brevo):
    brevo.mode = "slow"
    backend = sms.get_backend()
    with pytest.raises(sms.SmsUncertain):
        backend.send(MESSAGE)
    brevo.release.set()
    assert backend.was_sent(MESSAGE) is True
    assert backend.was_sent(sms.Sms(to="+33612345678", body="x", reference="other")) is False


def test_a_server_error_is_uncertain_a_refusal_is_not_sent(brevo):
    brevo.mode = "error"
    with pytest.raises(sms.SmsUncertain):
        sms.get_backend().send(MESSAGE)
    brevo.mode = "refuse"
    with pytest.raises(sms.SmsNotSent):
        sms.get_backend().send(MESSAGE)


def test_nobody_listening_is_not_sent(settings):
    settings.SMS_BACKEND = "brevo"
    settings.SMS_BREVO_URL = "http://127.0.0.1:9/v3"  # discard port: connection refused
    settings.SMS_TIMEOUT = 0.5
    with pytest.raises(sms.SmsNotSent):
        sms.get_backend().send(MESSAGE)
    assert sms.get_backend().was_sent(MESSAGE) is None


@pytest.mark.django_db
def test_a_provider_timeout_keeps_the_sms_queued_and_sends_it_once(brevo, monkeypatch):
    monkeypatch.setitem(actions.TOPIC_OF_KIND, "sms_probe", "reminders")
    user = UserFactory()
    ContactPreferences.objects.create(user=user, phone="0612345678", sms_consent_at=timezone.now())
    actions.notify(user, "sms_probe", {"word": "demain"})
    message = TextMessage.objects.get()

    brevo.mode = "slow"
    with pytest.raises(sms.SmsUncertain):
        actions.deliver_sms(message.pk)
    brevo.release.set()
    message.refresh_from_db()
    assert message.sent_at is None and message.uncertain_at is not None  # still queued

    brevo.mode = "ok"
    actions.deliver_sms(message.pk)  # the retry asks Brevo, which had it
    message.refresh_from_db()
    assert message.sent_at is not None
    assert [r["tag"] for r in brevo.received] == [f"balise-sms-{message.pk}"]  # sent once
