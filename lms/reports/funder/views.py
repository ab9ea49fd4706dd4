"""Funder reports in the manager area: ask for one, follow its build, download its files,
regenerate it. Every report is read through ``FunderReport.objects.visible_to``: a manager
of another structure gets a 404."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.accounts.models import Structure

from .. import actions
from ..models import FunderReport
from ..views import manager_required
from .documents import XLSX_TYPE
from .forms import CommentaryForm, FunderReportForm

REFRESH_SECONDS = 2  # between two looks of a page waiting for a report
LISTED = 30  # the most recent reports listed

FILES = {
    "pdf": ("pdf", "application/pdf"),
    "xlsx": ("xlsx", XLSX_TYPE),
}


def _visible(seen):
    return FunderReport.objects.visible_to(seen).select_related("structure", "requested_by")


@manager_required
@never_cache
@require_http_methods(["GET", "POST"])
def funder_reports(request, seen):
    """The form asking for a report, and the reports already asked for, newest first."""
    form = FunderReportForm(request.POST if request.method == "POST" else None, visibility=seen)
    if request.method == "POST" and form.is_valid():
        structure_id = form.structure_id()
        structure = None if structure_id is None else get_object_or_404(Structure, pk=structure_id)
        report = actions.request_funder_report(
            request.user,
            structure,
            form.cleaned_data["start"],
            form.cleaned_data["end"],
            form.cleaned_data["commentary"],
            get_language(),
        )
        return redirect("reports:funder_report", pk=report.pk)
    reports = list(_visible(seen)[:LISTED])
    pending = any(report.pending for report in reports)
    return render(
        request,
        "reports/funder/list.html",
        {
            "form": form,
            "reports": reports,
            "refresh_seconds": REFRESH_SECONDS if pending else None,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@manager_required
@never_cache
@require_GET
def funder_report(request, seen, pk: int):
    """One report: its build's progress (the page reloads itself until it is done), its
    files, its commentary to edit and regenerate."""
    report = get_object_or_404(_visible(seen), pk=pk)
    return render(
        request,
        "reports/funder/detail.html",
        {
            "report": report,
            "form": CommentaryForm(initial={"commentary": report.commentary}),
            "refresh_seconds": REFRESH_SECONDS if report.pending else None,
        },
    )


@manager_required
@require_POST
def regenerate(request, seen, pk: int):
    """Build the report again, with the commentary sent (new data, or a new text)."""
    report = get_object_or_404(_visible(seen), pk=pk)
    form = CommentaryForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "reports/funder/detail.html",
            {"report": report, "form": form, "refresh_seconds": None},
            status=400,
        )
    actions.regenerate_funder_report(report, form.cleaned_data["commentary"])
    messages.success(request, _("Le rapport est en cours de reconstruction."))
    return redirect("reports:funder_report", pk=report.pk)


@manager_required
@never_cache
@require_GET
def download(request, seen, pk: int, kind: str):
    """The PDF or the workbook of a report that is ready."""
    if kind not in FILES:
        raise Http404
    report = get_object_or_404(_visible(seen), pk=pk)
    if not report.ready:
        raise Http404
    extension, content_type = FILES[kind]
    field = report.pdf if kind == "pdf" else report.xlsx
    response = FileResponse(field.open("rb"), content_type=content_type)
    filename = f"{actions.file_stem(report)}.{extension}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
