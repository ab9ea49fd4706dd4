"""Rendering of notification e-mails, and the message handed to the mail backend.

Bodies are rendered once, when the notification is written, so the e-mail and
the in-app notice say the same thing and a retry days later sends what the
person was told at the time. They are rendered in the site's language: the
actor who triggers a notification (a coach browsing in English) is not its
reader, and recipients have no language preference yet. Dates are shown in the
site's time zone for the same reason.
"""

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification

TEMPLATE_DIR = "notifications/email"
ICS_FILENAME = "invite.ics"
# The attachment's ``method`` parameter must repeat the calendar's METHOD (RFC 6047): with
# REQUEST mail clients offer "accept / decline", with CANCEL they remove the event.
ICS_MIMETYPE = "text/calendar; method={method}"
_ICS_METHOD = re.compile(r"^METHOD:([A-Za-z-]+)\r?$", re.MULTILINE)

_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]+$")
_BLANK_LINES = re.compile(r"\n{3,}")


def render_email(template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """Render ``notifications/email/<template>.txt`` and ``.html``: (text, html).

    Both files must exist. ``template`` is a bare name ("generic",
    "session_proposed"), never a path.
    """
    if not _TEMPLATE_NAME.match(template):
        raise ValueError(f"Invalid notification template name: {template!r}")
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        text = render_to_string(f"{TEMPLATE_DIR}/{template}.txt", dict(context))
        html = render_to_string(f"{TEMPLATE_DIR}/{template}.html", dict(context))
    return tidy_text(text), html.strip()


def tidy_text(text: str) -> str:
    """Template tags leave blank lines behind: keep at most one between paragraphs."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines) + "\n"


def build_message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail of a notification: text body, HTML alternative, ``invite.ics`` when given."""
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient.email],
        # RFC 3834: tells auto-responders (holiday replies) not to answer.
        headers={"Auto-Submitted": "auto-generated"},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    if notification.ics:
        message.attach(ICS_FILENAME, notification.ics, ics_mimetype(notification.ics))
    return message


def ics_mimetype(ics: str) -> str:
    """``text/calendar; method=…`` with the METHOD of the calendar (REQUEST when it has none)."""
    found = _ICS_METHOD.search(ics)
    return ICS_MIMETYPE.format(method=found.group(1).upper() if found else "REQUEST")
