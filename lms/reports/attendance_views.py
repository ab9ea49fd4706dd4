"""The session attendance sheet (``attendance``): a page, its CSV and its PDF, for managers
(their structures' sessions) and coaches (their own)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import attendance


def _refuse_fetch(url, *args, **kwargs):
    """WeasyPrint URL fetcher: the sheet is self-contained, so nothing is fetched."""
    raise ValueError(f"The attendance sheet fetches no external resource: {url}")


@login_required
@require_GET
@never_cache
def attendance_sheet(request):
    """``?start=&end=&structure=`` (a month to date by default); ``format=csv`` or ``pdf``
    downloads it. Dates a person typed wrong are said on the page, nothing is downloaded."""
    reader = attendance.reader(request.user)
    if reader is None:
        raise PermissionDenied
    form = attendance.AttendanceFilterForm(request.GET, reader)
    if not form.is_valid():
        return render(request, "reports/attendance.html", {"form": form, "rows": None}, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    rows = attendance.all_lines(reader, start, end, form.cleaned_data.get("structure"))
    name = f"balise-presences-{start:%Y-%m-%d}-{end:%Y-%m-%d}"
    chosen = reader.visibility.get(form.cleaned_data.get("structure")) if reader.manager else None
    context = {
        "form": form,
        "rows": rows,
        "start": start,
        "end": end,
        "structure": chosen.name if chosen else "",
        "coach_only": not reader.manager,
        "made_at": timezone.localtime(),
        "query": urlencode(
            {k: v for k, v in form.cleaned_data.items() if v is not None and k != "format"}
        ),
    }
    output = request.GET.get("format")
    if output == "csv":
        response = StreamingHttpResponse(
            attendance.csv_lines(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.csv")
        return response
    if output == "pdf":
        from weasyprint import HTML  # heavy import, only where it is used

        html = render_to_string("reports/attendance_pdf.html", context)
        pdf = HTML(
            string=html, base_url=request.build_absolute_uri("/"), url_fetcher=_refuse_fetch
        ).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.pdf")
        return response
    return render(request, "reports/attendance.html", context)
