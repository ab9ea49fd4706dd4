"""SMS: the texts (short, plain, GSM-7) and the backends that send them.

``SMS_BACKEND`` chooses the backend as ``EMAIL_BACKEND`` does for e-mail: ``console``
(development: the worker prints each SMS), ``locmem`` (tests: ``outbox``), ``file`` (one
file per SMS in ``SMS_FILE_PATH``) and ``brevo`` (Brevo's transactional SMS over HTTPS,
with ``SMS_TIMEOUT``), or a dotted path to a class of one's own.

A backend's ``send`` returns the provider's reference, or raises:
- ``SmsNotSent``: the provider surely did not take the SMS (no connection, refused):
  sending again is safe;
- ``SmsUncertain``: the request reached the provider and no answer came back (a read
  timeout, a 5xx): the SMS may have left. The next attempt first asks ``was_sent``.
"""

import json
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

# The GSM 03.38 alphabet: a text made of these fits 160 characters in one SMS; any other
# character turns the whole SMS to UCS-2 (70 characters).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€"  # two septets each
SMS_SINGLE_LENGTH = 160

# French typography outside GSM-7, written with its nearest GSM-7 letters.
_TO_GSM7 = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "«": '"',
        "»": '"',
        "“": '"',
        "”": '"',
        "\u00a0": " ",
        "\u202f": " ",
        "–": "-",
        "—": "-",
        "…": "...",
        "â": "a",
        "ê": "e",
        "ë": "e",
        "î": "i",
        "ï": "i",
        "ô": "o",
        "û": "u",
        "ü": "u",
        "ç": "c",
        "œ": "oe",
        "À": "A",
        "Â": "A",
        "È": "E",
        "Ê": "E",
        "Î": "I",
        "Ô": "O",
        "Û": "U",
        "Œ": "OE",
        "·": ".",
    }
)
_SPACES = re.compile(r"\s+")
_GUILLEMETS = re.compile(r"«\s*|\s*»")


def to_gsm7(text: str) -> str:
    """One line of plain text in the GSM-7 alphabet where French allows it."""
    text = _GUILLEMETS.sub('"', text)
    return _SPACES.sub(" ", text.translate(_TO_GSM7)).strip()


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def septets(text: str) -> int:
    """Length of a GSM-7 text as the network counts it (extension characters count two)."""
    return sum(2 if c in GSM7_EXTENDED else 1 for c in text)


class SmsNotSent(Exception):
    """The SMS did not leave: sending again is safe."""


class SmsUncertain(Exception):
    """The provider may have taken the SMS: ask it before sending again."""


@dataclass(frozen=True)
class Sms:
    to: str  # E.164, "+33612345678"
    body: str
    reference: str  # ours, stable across attempts


class BaseSmsBackend:
    def send(self, sms: Sms) -> str:
        raise NotImplementedError

    def was_sent(self, sms: Sms) -> bool | None:
        """Whether an earlier attempt of ``sms`` reached the person's operator; None when the
        backend cannot tell (the caller then keeps the row waiting)."""
        return False


class ConsoleBackend(BaseSmsBackend):
    """Development: the worker prints each SMS."""

    def send(self, sms: Sms) -> str:
        sys.stdout.write(f"--- SMS to {sms.to} ({sms.reference}) ---\n{sms.body}\n---\n")
        sys.stdout.flush()
        return sms.reference


outbox: list[Sms] = []


class LocmemBackend(BaseSmsBackend):
    """Tests: SMS are appended to ``lms.notifications.sms.outbox``."""

    def send(self, sms: Sms) -> str:
        outbox.append(sms)
        return sms.reference

    def was_sent(self, sms: Sms) -> bool:
        return any(sent.reference == sms.reference for sent in outbox)


class FileBackend(BaseSmsBackend):
    """One text file per SMS in ``SMS_FILE_PATH`` (named by its reference)."""

    def send(self, sms: Sms) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        (folder / f"{stamp}-{sms.reference}.txt").write_text(
            f"To: {sms.to}\nReference: {sms.reference}\n\n{sms.body}\n", encoding="utf-8"
        )
        return sms.reference

    def was_sent(self, sms: Sms) -> bool:
        return any(Path(settings.SMS_FILE_PATH).glob(f"*-{sms.reference}.txt"))


class BrevoBackend(BaseSmsBackend):
    """Brevo's transactional SMS (``POST /transactionalSMS/send``, ``api-key`` header).

    Brevo takes no idempotency key; our reference goes in the SMS's ``tag``, and after an
    uncertain attempt ``was_sent`` looks that tag up in Brevo's SMS events before sending
    again. ``SMS_BREVO_URL`` is Brevo's API root (a local fake server in tests).
    """

    def _request(self, method: str, path: str, payload: dict | None = None) -> dict:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(  # noqa: S310 (the URL is a setting, https)
            settings.SMS_BREVO_URL.rstrip("/") + path,
            data=data,
            method=method,
            headers={
                "api-key": settings.SMS_BREVO_API_KEY,
                "accept": "application/json",
                "content-type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:  # noqa: S310
            body = response.read()
        return json.loads(body or b"{}")

    def send(self, sms: Sms) -> str:
        payload = {
            "sender": settings.SMS_SENDER,
            "recipient": sms.to.lstrip("+"),
            "content": sms.body,
            "type": "transactional",
            "tag": sms.reference,
        }
        try:
            answer = self._request("POST", "/transactionalSMS/send", payload)
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise SmsUncertain(f"HTTP {exc.code}") from exc
            raise SmsNotSent(f"HTTP {exc.code}: {exc.read()[:300]!r}") from exc
        except urllib.error.URLError as exc:
            # No connection was made (refused, DNS, connect timeout): nothing left.
            raise SmsNotSent(str(exc.reason)) from exc
        except (TimeoutError, ConnectionError, OSError) as exc:
            # The request was sent and the answer never came (read timeout, reset).
            raise SmsUncertain(f"{type(exc).__name__}: {exc}") from exc
        return str(answer.get("messageId") or answer.get("reference") or sms.reference)

    def was_sent(self, sms: Sms) -> bool | None:
        try:
            answer = self._request(
                "GET", f"/transactionalSMS/statistics/events?tags={sms.reference}&limit=1"
            )
        except (urllib.error.URLError, OSError, ValueError):
            return None
        return bool(answer.get("events"))


BACKENDS = {
    "console": ConsoleBackend,
    "locmem": LocmemBackend,
    "file": FileBackend,
    "brevo": BrevoBackend,
}


def get_backend() -> BaseSmsBackend:
    name = settings.SMS_BACKEND
    backend_class = BACKENDS.get(name) or import_string(name)
    return backend_class()
