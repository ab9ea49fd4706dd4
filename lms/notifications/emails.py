"""Rendering of notifications, and the e-mail handed to the mail backend.

Each kind of notification has its copy in a folder of templates,
``notifications/<kind>/``: ``subject.txt`` and ``message.txt`` (plain text,
paragraphs separated by a blank line), optionally ``action.txt`` (the label of
the link, « Ouvrir dans Balise » otherwise) and ``message.html`` when the HTML
version needs more than the text's paragraphs. The shared layout
(``notifications/email/base.txt`` and ``.html``) adds the greeting, the link
and the signature. Actions pass data, never sentences.

A notification is rendered once, when it is written, in its reader's language
(``User.language``, the site's language otherwise): the actor who causes it (a
coach browsing in English) is not its reader. The e-mail and the in-app notice
say the same thing, and a retry days later sends what the person was told at
the time. Dates are shown in the site's time zone.
"""

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist, engines
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from .models import Notification

TEMPLATE_DIR = "notifications"
LAYOUT_DIR = "notifications/email"
ICS_FILENAME = "invite.ics"

_KIND = re.compile(r"^[a-z0-9_]+$")
_BLANK_LINES = re.compile(r"\n{3,}")
_METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def reader_language(recipient) -> str:
    """The language a person reads Balise in: their choice, else the site's."""
    language = getattr(recipient, "language", "") or ""
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def render_notification(kind: str, context: Mapping[str, Any]) -> Rendered:
    """Render the templates of ``kind`` for ``context["recipient"]``, in their language.

    ``kind`` is a bare name ("request_opened"), never a path; its folder must have
    ``subject.txt`` and ``message.txt``.
    """
    if not _KIND.match(kind):
        raise ValueError(f"Invalid notification kind: {kind!r}")
    recipient = context.get("recipient")
    with (
        translation.override(reader_language(recipient)),
        timezone.override(settings.TIME_ZONE),
    ):
        subject = " ".join(_render_text(f"{TEMPLATE_DIR}/{kind}/subject.txt", context).split())
        message = tidy_text(_render_text(f"{TEMPLATE_DIR}/{kind}/message.txt", context))
        try:
            message_html = get_template(f"{TEMPLATE_DIR}/{kind}/message.html").render(context)
        except TemplateDoesNotExist:
            message_html = mark_safe(linebreaks(message.strip(), autoescape=True))  # noqa: S308
        layout = {**context, "subject": subject, "message": message.strip()}
        with contextlib.suppress(TemplateDoesNotExist):
            layout["action_label"] = _render_text(
                f"{TEMPLATE_DIR}/{kind}/action.txt", context
            ).strip()
        text = _render_text(f"{LAYOUT_DIR}/base.txt", layout)
        html = render_to_string(f"{LAYOUT_DIR}/base.html", {**layout, "message_html": message_html})
    return Rendered(subject=subject, text=tidy_text(text), html=html.strip())


def _render_text(name: str, context: Mapping[str, Any]) -> str:
    """Plain text is never HTML-escaped: « & » must reach the reader as « & »."""
    template = engines["django"].engine.get_template(name)
    return template.render(Context(dict(context), autoescape=False))


def tidy_text(text: str) -> str:
    """Template tags leave blank lines behind: keep at most one between paragraphs."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines) + "\n"


def ics_mimetype(ics: str) -> str:
    """``text/calendar`` with the METHOD of the calendar (REQUEST, CANCEL...), as RFC 6047 asks."""
    found = _METHOD.search(ics)
    method = found.group(1) if found else "PUBLISH"
    return f"text/calendar; method={method}"


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
