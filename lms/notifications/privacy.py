"""Notifications in a person's data (see ``lms/accounts/privacy.py``)."""

import re

from django.db.models import Q
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.accounts.privacy import Declaration, Section, register

from .models import Notification, TextMessage


def erase_notices(urls) -> None:
    """Delete every notice that points at one of ``urls`` (other people's notices about
    the person's files), whoever received it."""
    Notification.objects.filter(url__in=list(urls)).delete()


def erase(user) -> None:
    """Delete the person's notifications; replace their e-mail and full name in anyone
    else's notice."""
    TextMessage.objects.filter(recipient=user).delete()
    Notification.objects.filter(recipient=user).delete()
    mentions = {m for m in (user.email, user.get_full_name()) if m}
    mentions |= {str(escape(m)) for m in mentions}
    if not mentions:
        return
    anywhere = Q()
    for mention in mentions:
        anywhere |= (
            Q(subject__icontains=mention)
            | Q(body_text__icontains=mention)
            | Q(body_html__icontains=mention)
        )
    replacement = _("une personne")
    for notification in Notification.objects.filter(anywhere):
        for field in ("subject", "body_text", "body_html"):
            text = getattr(notification, field)
            for mention in sorted(mentions, key=len, reverse=True):
                text = re.sub(re.escape(mention), replacement, text, flags=re.IGNORECASE)
            setattr(notification, field, text)
        notification.save(update_fields=["subject", "body_text", "body_html"])


register(
    Declaration(
        "notifications",
        sections=(
            # Every message Balise wrote to the person (e-mails and reminders), with dates.
            Section(
                "notifications",
                "notifications.Notification",
                "recipient",
                withheld={
                    "ics": gettext_lazy(
                        "fichier d’agenda joint à l’e-mail : son contenu (date, lieu, personne "
                        "qui vous accompagne) est dans « coaching_requests », rendez-vous par "
                        "rendez-vous"
                    )
                },
            ),
            # Every SMS written to the person: text, number it was sent to, dates.
            Section("text_messages", "notifications.TextMessage", "recipient"),
        ),
        excluded={
            "notifications.TextMessage.notification": (
                "the notice an SMS repeats: exported in « notifications », its id in the SMS row"
            ),
        },
        erase=erase,
    )
)
