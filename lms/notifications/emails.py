"""Rendering of notifications, and the e-mail handed to the mail backend.

Each kind of notification has its copy in a folder of templates,
``notifications/<kind>/``: ``subject.txt`` and ``message.txt`` (plain text,
paragraphs separated by a blank line), optionally ``action.txt`` (the label of
the link, « Ouvrir dans Balise » otherwise) and ``message.html`` when the HTML
version needs more than the text's paragraphs. The shared layout
(``notifications/email/base.txt`` and ``.html``) adds the greeting, the link
and the signature, and, when the message comes from an accompaniment structure
(``from_structure``, a ``StructureIdentity``), its name and logo. Actions pass
data, never sentences.

A notification is rendered once, when it is written, in its reader's language
(``User.language``, the site's language otherwise): the actor who causes it (a
coach browsing in English) is not its reader. The e-mail and the in-app notice
say the same thing, and a retry days later sends what the person was told at
the time. Dates are shown in the site's time zone.
"""

import contextlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, TemplateDoesNotExist, engines
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from wagtail.images.views.serve import generate_image_url

from .models import Notification
from .sms import to_gsm7

logger = logging.getLogger(__name__)

TEMPLATE_DIR = "notifications"
LAYOUT_DIR = "notifications/email"
ICS_FILENAME = "invite.ics"

_KIND = re.compile(r"^[a-z0-9_]+$")
_BLANK_LINES = re.compile(r"\n{3,}")
_METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)


# A structure's logo in e-mails: small, and PNG, which every mail client shows (WebP is not).
LOGO_FILTER = "max-160x80|format-png"
# The e-mail's card is white; a structure's colour is an accent only when text in it reads
# on white (WCAG 2 AA for normal text).
EMAIL_BACKGROUND = "#ffffff"
ACCENT_MIN_CONTRAST = 4.5
_HEX_COLOUR = re.compile(r"^#([0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class StructureIdentity:
    """How the layout shows the structure a message comes from: its name, and its logo and
    colour when it has them (a logo's URL is absolute, an accent is readable on white)."""

    name: str
    logo_url: str = ""
    logo_width: int = 0
    logo_height: int = 0
    accent: str = ""


def structure_identity(structure) -> StructureIdentity | None:
    """The identity of ``structure`` (an ``accounts.Structure``, or None) for the layout.

    The logo is a small rendition served by Wagtail's image view at a stable, signed
    address on ``SITE_URL``: the files' own addresses are signed for minutes with S3, and
    an e-mail is read days later. Notifications are written inside their cause's
    transaction: a logo that cannot be rendered leaves the name alone, never an error.
    """
    if structure is None:
        return None
    logo = {}
    if structure.logo_id:
        try:
            with transaction.atomic():  # a failed insert must not break the cause's transaction
                rendition = structure.logo.get_rendition(LOGO_FILTER)
            logo = {
                "logo_url": settings.SITE_URL + generate_image_url(structure.logo, LOGO_FILTER),
                "logo_width": rendition.width,
                "logo_height": rendition.height,
            }
        except Exception:
            logger.warning("No logo rendition for structure #%s.", structure.pk, exc_info=True)
    colour = structure.colour or ""
    readable = bool(_HEX_COLOUR.match(colour)) and (
        contrast_ratio(colour, EMAIL_BACKGROUND) >= ACCENT_MIN_CONTRAST
    )
    return StructureIdentity(name=structure.name, accent=colour.lower() if readable else "", **logo)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours, from 1 (none) to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    digits = colour.lstrip("#")
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


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


def render_sms(kind: str, context: Mapping[str, Any]) -> str:
    """The SMS of ``kind`` (``notifications/<kind>/sms.txt``) for ``context["recipient"]``,
    in their language, on one line in the GSM-7 alphabet; "" when the kind has no SMS."""
    if not _KIND.match(kind):
        raise ValueError(f"Invalid notification kind: {kind!r}")
    with (
        translation.override(reader_language(context.get("recipient"))),
        timezone.override(settings.TIME_ZONE),
    ):
        try:
            text = _render_text(f"{TEMPLATE_DIR}/{kind}/sms.txt", context)
        except TemplateDoesNotExist:
            return ""
    return to_gsm7(text)
