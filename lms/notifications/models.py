"""The outbox: one row per message to a person, written in the transaction of its event.

A row is both the e-mail waiting to be delivered (``sent_at`` is null until a
worker has handed it to the mail server) and the in-app notice the recipient
reads in Balise (``read_at``). Delivery state lives on the row, not in the
broker, so a broker that is down or a worker that dies loses nothing: the
sweeper finds unsent rows and enqueues them again.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# A worker that claimed a row this long ago without marking it sent is presumed
# dead (killed mid-send, lost connection): another worker may claim it again.
CLAIM_TIMEOUT = timedelta(minutes=5)


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NotificationQuerySet":
        """Only the recipient ever sees a notification (anonymous visitors see none)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def unsent(self) -> "NotificationQuerySet":
        """E-mails still to deliver (a notice whose reader wants no e-mail has none)."""
        return self.filter(sent_at__isnull=True, email=True)

    def claimable(self, now: datetime) -> "NotificationQuerySet":
        """Rows no worker is delivering: never claimed, or claimed by a worker presumed dead."""
        return self.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))

    def to_sweep(self, now: datetime, older_than: timedelta) -> "NotificationQuerySet":
        """Unsent rows whose delivery task should have run by now, oldest first.

        Young rows are left alone: their on-commit task is probably still queued.
        """
        return (
            self.unsent()
            .claimable(now)
            .filter(created_at__lt=now - older_than)
            .order_by("created_at", "pk")
        )


class Notification(models.Model):
    """A message to one person: an e-mail to deliver and a notice to read in Balise."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("destinataire"),
    )
    # Free string ("request_opened", "session_proposed", ...): the app that
    # notifies owns its kinds; no choices here, so no migration when one is added.
    kind = models.CharField(_("type"), max_length=64)
    subject = models.CharField(_("objet"), max_length=200)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    url = models.CharField(
        _("lien"),
        max_length=500,
        blank=True,
        help_text=_("Lien relatif au site (« /… ») ouvert depuis la notification."),
    )
    ics = models.TextField(
        _("invitation iCalendar"),
        blank=True,
        help_text=_("Texte iCalendar joint à l’e-mail (invite.ics)."),
    )
    # False: a notice in Balise only, the reader turned e-mails of this topic off.
    email = models.BooleanField(_("par e-mail"), default=True, db_default=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("prise en charge le"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("tentatives d’envoi"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The nav's unread count and the list page.
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read_idx"),
            # The sweeper's scan for unsent rows.
            models.Index(fields=["sent_at", "created_at"], name="notif_sent_created_idx"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}: {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def absolute_url(self) -> str:
        return f"{settings.SITE_URL}{self.url}" if self.url else ""

    @property
    def excerpt(self) -> str:
        """The message alone, for the in-app list, where greeting, link and signature are noise.

        Relies on the layout of ``notifications/email/base.txt``: greeting first,
        then the content, the link line (when there is a url), the signature last.
        """
        paragraphs = [p for p in self.body_text.split("\n\n") if p.strip()]
        content = paragraphs[1:-1]
        if content and self.url and content[-1].endswith(self.absolute_url):
            content = content[:-1]
        return "\n\n".join(content) or self.body_text


class TextMessageQuerySet(models.QuerySet):
    def pending(self) -> "TextMessageQuerySet":
        """Neither sent nor dropped."""
        return self.filter(sent_at__isnull=True, dropped_at__isnull=True)

    def claimable(self, now: datetime) -> "TextMessageQuerySet":
        return self.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))

    def to_sweep(self, now: datetime, older_than: timedelta) -> "TextMessageQuerySet":
        return (
            self.pending()
            .claimable(now)
            .filter(created_at__lt=now - older_than)
            .order_by("created_at", "pk")
        )


class TextMessage(models.Model):
    """An SMS to one person: the SMS outbox, beside the e-mails' (``Notification``).

    Written by ``notify`` in the cause's transaction when the person gave a mobile number
    and consent and wants SMS for that topic. The text is rendered then, in their language;
    the number is read again at delivery, so a number changed or a « STOP » in between is
    honoured (the row is dropped, never sent).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="text_messages",
        verbose_name=_("destinataire"),
    )
    notification = models.ForeignKey(
        Notification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="text_messages",
        verbose_name=_("notification"),
    )
    kind = models.CharField(_("type"), max_length=64)
    body = models.CharField(_("texte"), max_length=480)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("tentatives d’envoi"), default=0)
    # Set when an attempt's outcome is unknown (the provider timed out after receiving the
    # request): the next attempt asks the provider before sending again.
    uncertain_at = models.DateTimeField(_("envoi incertain le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    sent_to = models.CharField(_("envoyé au"), max_length=20, blank=True)
    provider_reference = models.CharField(_("référence du prestataire"), max_length=100, blank=True)
    dropped_at = models.DateTimeField(_("abandonné le"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)

    objects = TextMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS")
        indexes = [
            models.Index(fields=["sent_at", "created_at"], name="sms_sent_created_idx"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"

    @property
    def client_reference(self) -> str:
        """Our reference for this SMS at the provider (tag), stable across attempts."""
        return f"balise-sms-{self.pk}"
