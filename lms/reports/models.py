"""Funder reports: a PDF and a workbook of one period's figures for one structure (or the
network), built by the worker (``funder.build``) and kept for download."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FunderReportQuerySet(models.QuerySet):
    def visible_to(self, seen):
        """The reports a manager may read (``scope.Visibility``): the network's managers
        read every report; a structure's managers, the reports of their structures."""
        if seen.network:
            return self
        return self.filter(structure_id__in=[structure.pk for structure in seen.structures])


def _upload_to(report, filename: str) -> str:
    # An unguessable folder: the files are only ever served through the download view.
    return f"rapports-financeurs/{uuid.uuid4().hex}/{filename}"


class FunderReport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("en attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("prêt")
        FAILED = "failed", _("échec")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Vide : tout le réseau."),
    )
    start = models.DateField(_("début de la période"))
    end = models.DateField(_("fin de la période"))
    commentary = models.TextField(_("commentaire"), blank=True, max_length=4000)
    language = models.CharField(_("langue"), max_length=10, default="fr")
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    step = models.CharField(_("étape en cours"), max_length=120, blank=True)
    # Each « Régénérer » bumps it: a build started for an older generation stops quietly.
    generation = models.PositiveIntegerField(default=1)
    pdf = models.FileField(_("PDF"), upload_to=_upload_to, blank=True, max_length=255)
    xlsx = models.FileField(_("classeur"), upload_to=_upload_to, blank=True, max_length=255)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    # Written when the build is asked for and at each step of it: a report whose build
    # gave no sign of life for BALISE_FUNDER_REPORT_STALL_MINUTES (a worker killed, a lost
    # message) is sent again by ``resume_stalled_funder_reports``, at most ``MAX_ATTEMPTS``.
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    objects = FunderReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("rapport pour les financeurs")
        verbose_name_plural = _("rapports pour les financeurs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lte=models.F("end")), name="funder_report_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="funder_report_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.structure or _('Tout le réseau')} {self.start}–{self.end}"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def ready(self) -> bool:
        return self.status == self.Status.DONE and bool(self.pdf) and bool(self.xlsx)
