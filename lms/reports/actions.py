"""Funder reports' state changes: asked for, regenerated, built (by the worker).

A report is built outside any long transaction: its progress is written as the build goes
(the page that waits for it reads it), then the finished files and « prêt » in one short
transaction. Each « Régénérer » bumps the row's ``generation``; a build carries the
generation it was started for and stops, writing nothing, once another has been asked for,
so that a slow older build never overwrites a newer one. A failure is written on the row
with its reason; the files of an earlier build stay in storage until a new build replaces
them, but are offered only while the report is « prêt ».

Nothing is lost when a worker dies during a build or a message never reaches one: each
step of a build writes a sign of life (``heartbeat_at``), and
``resume_stalled_funder_reports`` (Celery beat) sends a report that stayed silent for
``BALISE_FUNDER_REPORT_STALL_MINUTES`` again, under a new generation (a build that was only
slow stops at its next step); stalled again after ``MAX_ATTEMPTS`` of these, it is marked failed
with its reason, and its manager can regenerate it."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lms.accounts.models import Structure

from .models import FunderReport
from .queries import Filters, Scope

logger = logging.getLogger(__name__)

Status = FunderReport.Status
MAX_ATTEMPTS = 3  # times a stalled report is sent again before it is failed


class Superseded(Exception):
    """Another build of the report was asked for: this one stops."""


@transaction.atomic(durable=True)
def request_funder_report(
    user, structure: Structure | None, start: date, end: date, commentary: str, language: str
) -> FunderReport:
    """A new report of ``structure`` (None: the network) for the period; its build is
    enqueued once the row is committed. The caller checked that ``user`` may see it."""
    report = FunderReport.objects.create(
        requested_by=user,
        structure=structure,
        start=start,
        end=end,
        commentary=commentary.strip(),
        language=language,
        heartbeat_at=timezone.now(),
    )
    _enqueue_on_commit(report.pk, report.generation)
    return report


@transaction.atomic(durable=True)
def regenerate_funder_report(report: FunderReport, commentary: str | None = None) -> None:
    """Build the report again (new data, a new commentary), whatever its state: a build
    under way for the earlier generation stops without writing."""
    fields = {
        "status": Status.QUEUED,
        "progress": 0,
        "step": "",
        "error": "",
        "started_at": None,
        "finished_at": None,
        "generation": F("generation") + 1,
        "heartbeat_at": timezone.now(),
        "attempts": 0,
    }
    if commentary is not None:
        fields["commentary"] = commentary.strip()
    FunderReport.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
    _enqueue_on_commit(report.pk, report.generation)


def _enqueue_on_commit(report_id: int, generation: int) -> None:
    def enqueue():
        from .tasks import build_funder_report_task

        try:
            build_funder_report_task.delay(report_id, generation)
        except Exception:
            logger.warning("Could not enqueue funder report #%s", report_id, exc_info=True)
            FunderReport.objects.filter(pk=report_id, generation=generation).update(
                status=Status.FAILED,
                error=_(
                    "Le service de calcul est injoignable : la construction n’a pas pu "
                    "commencer. Réessayez avec « Régénérer » dans quelques minutes."
                ),
                finished_at=timezone.now(),
            )

    transaction.on_commit(enqueue, robust=True)


def _filters(report: FunderReport) -> Filters:
    scope = None if report.structure is None else Scope.of([report.structure])
    return Filters(start=report.start, end=report.end, scope=scope)


def file_stem(report: FunderReport) -> str:
    """« balise-rapport-cae-drome-2026-T3 »: whose, which period."""
    from .funder.periods import period_slug

    whose = report.structure.slug if report.structure else "reseau"
    return f"balise-rapport-{slugify(whose)}-{period_slug(report.start, report.end)}"


def _identity(report: FunderReport):
    from .funder.documents import Identity

    structure = report.structure
    if structure is None:
        return Identity(name=_("Tout le réseau"))
    logo, logo_type = None, ""
    if structure.logo_id:
        try:
            rendition = structure.logo.get_rendition("max-400x200|format-png")
            with rendition.file.open("rb") as image:
                logo, logo_type = image.read(), "image/png"
        except Exception:  # a missing file leaves the name alone, as in e-mails
            logger.warning("No logo for the report of structure #%s", structure.pk, exc_info=True)
    return Identity(structure.name, logo, logo_type, structure.colour or "")


def _definitions() -> list[tuple[str, str]]:
    from django.template.loader import render_to_string

    rule = " ".join(render_to_string("reports/_secrecy_rule.html").split())
    return [
        (
            _("Inscription"),
            _(
                "L’inscription d’une personne à un parcours. Une personne inscrite à deux "
                "parcours compte deux inscriptions."
            ),
        ),
        (
            _("Personne"),
            _(
                "Une personne distincte, comptée une seule fois même si elle suit "
                "plusieurs parcours."
            ),
        ),
        (_("Secret statistique"), rule[:1].upper() + rule[1:]),
        (
            _("Évolution"),
            _(
                "En % pour un effectif, en points pour un taux ; laissée vide quand l’un des "
                "deux chiffres est masqué ou nul."
            ),
        ),
    ]


def build_funder_report(report_id: int, generation: int) -> bool:
    """Compute both periods, write the PDF and the workbook, keep them: the worker's side.
    Idempotent: building a report again replaces its files. Returns whether this build
    finished (False: superseded or failed, the row says which)."""
    from .funder.content import build_content
    from .funder.documents import render_pdf, render_xlsx

    now = timezone.now()
    started = FunderReport.objects.filter(pk=report_id, generation=generation).update(
        status=Status.RUNNING,
        progress=2,
        step="",
        error="",
        started_at=now,
        heartbeat_at=now,
    )
    if not started:
        return False  # deleted, or regenerated since: the newer build does the work
    report = FunderReport.objects.select_related("structure", "structure__logo").get(pk=report_id)

    def progress(percent: int, step: str) -> None:
        moved = FunderReport.objects.filter(pk=report_id, generation=generation).update(
            progress=percent, step=str(step)[:120], heartbeat_at=timezone.now()
        )
        if not moved:
            raise Superseded

    try:
        with translation.override(report.language or "fr"):
            identity = _identity(report)
            content = build_content(_filters(report), progress)
            made_at = timezone.localtime()
            progress(65, _("Mise en page du PDF"))
            pdf = render_pdf(content, identity, report.commentary, made_at)
            progress(90, _("Écriture du classeur"))
            xlsx = render_xlsx(content, identity, report.commentary, made_at, _definitions())
            _keep(report, generation, pdf, xlsx)
    except Superseded:
        return False
    except Exception as error:
        logger.exception("Funder report #%s failed", report_id)
        with translation.override(report.language or "fr"):
            message = _(
                "La construction du rapport a échoué (%(reason)s). Réessayez avec "
                "« Régénérer » ; si l’échec se répète, signalez-le à l’équipe technique."
            ) % {"reason": type(error).__name__}
        FunderReport.objects.filter(pk=report_id, generation=generation).update(
            status=Status.FAILED, error=message, finished_at=timezone.now()
        )
        return False
    return True


def _keep(report: FunderReport, generation: int, pdf: bytes, xlsx: bytes) -> None:
    """Store the new files, then mark the report « prêt » with them in one short
    transaction, if no newer build was asked for meanwhile; the older files go once that
    commits (the new ones, if it does not)."""
    stem = file_stem(report)
    storage = FunderReport._meta.get_field("pdf").storage
    pdf_field, xlsx_field = (
        FunderReport._meta.get_field("pdf"),
        FunderReport._meta.get_field("xlsx"),
    )
    pdf_name = storage.save(pdf_field.generate_filename(report, f"{stem}.pdf"), ContentFile(pdf))
    xlsx_name = storage.save(
        xlsx_field.generate_filename(report, f"{stem}.xlsx"), ContentFile(xlsx)
    )
    with transaction.atomic():
        current = (
            FunderReport.objects.select_for_update()
            .filter(pk=report.pk, generation=generation)
            .first()
        )
        if current is None:
            storage.delete(pdf_name)
            storage.delete(xlsx_name)
            raise Superseded
        old = [name for name in (current.pdf.name, current.xlsx.name) if name]
        FunderReport.objects.filter(pk=report.pk).update(
            status=Status.DONE,
            progress=100,
            step="",
            error="",
            pdf=pdf_name,
            xlsx=xlsx_name,
            finished_at=timezone.now(),
        )
        transaction.on_commit(lambda: [storage.delete(name) for name in old], robust=True)


def resume_stalled_funder_reports(now=None) -> int:
    """Send again the reports waiting or building with no sign of life for
    ``BALISE_FUNDER_REPORT_STALL_MINUTES``; fail those already built ``MAX_ATTEMPTS`` times.
    Returns how many were sent again."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.BALISE_FUNDER_REPORT_STALL_MINUTES)
    stalled = FunderReport.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff),
        status__in=[Status.QUEUED, Status.RUNNING],
    )
    resumed = 0
    for report in stalled.only("pk", "generation", "attempts", "language"):
        resumed += _resume(report, cutoff, now)
    return resumed


@transaction.atomic(durable=True)
def _resume(report: FunderReport, cutoff, now) -> bool:
    """One stalled report: failed after its last attempt, else sent again under a new
    generation, so that a build that was only slow writes nothing once it wakes up. The
    conditional UPDATE makes two sweepers at once resume it once."""
    still_stalled = FunderReport.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True),
        pk=report.pk,
        generation=report.generation,
        status__in=[Status.QUEUED, Status.RUNNING],
    )
    if report.attempts >= MAX_ATTEMPTS:
        with translation.override(report.language or "fr"):
            message = _(
                "La construction du rapport a été interrompue %(count)s fois. Réessayez avec "
                "« Régénérer » ; si l’échec se répète, signalez-le à l’équipe technique."
            ) % {"count": report.attempts + 1}
        still_stalled.update(status=Status.FAILED, error=message, finished_at=now)
        return False
    generation = report.generation + 1
    moved = still_stalled.update(
        status=Status.QUEUED,
        progress=0,
        step="",
        generation=generation,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    )
    if moved:
        logger.warning("Funder report #%s stalled: sent to the worker again", report.pk)
        _enqueue_on_commit(report.pk, generation)
    return bool(moved)
