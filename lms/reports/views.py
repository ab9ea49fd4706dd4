"""The programme's dashboard, its print page and CSV exports (managers only), and the
drop-off of a module in Wagtail's admin (whoever may edit the module). Thin: parse the
filters, build the tables of ``tables.Report``, render. Every figure is scoped by the
manager's structures (``scope.visibility``); a manager of none gets a refusal page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lms.accounts.roles import Role, has_role
from pathways.models import ModulePage

from . import cache as report_cache
from . import queries
from .cache import snapshot
from .exports import csv_lines
from .figures import percent
from .forms import ReportFilterForm, describe
from .scope import visibility
from .tables import BUILDERS, Report, departement_bars, headline_figures, sections

BAR_STEP = 26  # px between the bars of the territories' chart
COMPUTING_REFRESH = 3  # seconds between two looks of a page waiting for its figures


def manager_required(view):
    """Managers of a structure (or of the network) only; other people get a 403 page,
    visitors the login page, managers of no structure a 403 page saying why. The view
    gets what the manager sees (``visibility``)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not has_role(request.user, Role.MANAGER):
            raise PermissionDenied
        seen = visibility(request.user)
        if seen.sees_nothing:
            return render(request, "reports/no_structure.html", status=403)
        return view(request, seen, *args, **kwargs)

    return wrapper


def _selection(request, seen) -> tuple[ReportFilterForm, Report]:
    pathways = queries.pathways()
    form = ReportFilterForm(request.GET or None, pathways=pathways, visibility=seen)
    return form, Report(form.filters(), pathways)


def _computing(request, form, report, printing: bool):
    """The page of a selection the worker is computing: it says so and reloads itself
    (a meta refresh: no JavaScript needed) until the figures are there."""
    # Only the chosen pathway: the most followed one would need the figures themselves.
    chosen = next((p for p in report.pathways if p.pk == report.filters.pathway_id), None)
    context = {
        "form": form,
        "printing": printing,
        "structure_label": form.structure_label(),
        "description": describe(
            report.filters,
            chosen.title if chosen else None,
            form.structure_label(),
        ),
        "query_string": form.query_string(),
        "refresh_seconds": COMPUTING_REFRESH,
    }
    return render(request, "reports/computing.html", context)


def _report_page(request, seen, template: str, suppress: bool = False):
    """The dashboard or its print page; while the worker computes a selection never seen
    before, a page that says so."""
    form, report = _selection(request, seen)
    figures = snapshot(report)
    if figures is None:
        return _computing(request, form, report, printing=suppress)
    return render(request, template, _report_context(form, report, figures, suppress))


def _report_context(form, report, figures, suppress: bool) -> dict:
    tables = figures.tables
    selected = next((p for p in report.pathways if p.pk == figures.selected_id), None)
    bars = departement_bars(tables["territoires"], step=BAR_STEP)
    return {
        "form": form,
        "report": report,
        "headline": headline_figures(figures.headline_cells, suppress=suppress),
        "selected": selected,
        "sections": [
            (section, [tables[slug] for slug in section.tables]) for section in sections()
        ],
        "bars": bars,
        "chart_height": len(bars) * BAR_STEP + 8,
        "structure_label": form.structure_label(),
        "description": describe(
            report.filters, selected.title if selected else None, form.structure_label()
        ),
        "ignored": form.ignored(),
        "query_string": form.query_string(),
        "snapshot_key": report_cache.cache_key(report.filters),  # the scope is in the key
        "generated_at": timezone.localtime(figures.computed_at),
        "computed_stamp": figures.computed_at.timestamp(),
        "cache_seconds": report_cache.seconds(),
        "refreshing": report_cache.seconds() > 0 and report_cache.is_stale(figures),
    }


@manager_required
@require_GET
def dashboard(request, seen):
    """The funnel, coaching, territories and outcomes of the selection."""
    return _report_page(request, seen, "reports/dashboard.html")


@manager_required
@require_GET
def print_report(request, seen):
    """Every table on one page without navigation, small cells suppressed, for printing."""
    return _report_page(request, seen, "reports/print.html", suppress=True)


@manager_required
@require_GET
def export(request, seen):
    """One table as CSV (``?table=<slug>``, with the dashboard's filters); without a known
    table, the list of exports."""
    slug = request.GET.get("table", "")
    form, report = _selection(request, seen)
    if slug not in BUILDERS:
        context = {
            "unknown": bool(slug),
            "query_string": form.query_string(),
            "sections": sections(),
        }
        status = 400 if slug else 200
        return render(request, "reports/export_index.html", context, status=status)
    table = snapshot(report, slug).tables[slug]
    filename = f"balise-{slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- Wagtail admin ---------------------------------------------------------------------------


def module_dropoff(request, page_id: int):
    """How many learners completed each step of a module, in order (every pathway, all
    time): where people stop. For whoever may edit the module."""
    module = get_object_or_404(ModulePage, pk=page_id)
    if not module.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    counts = queries.module_step_counts(module)
    rows, previous = [], None
    first = counts.get(module.step_ids[0], 0) if module.step_ids else 0
    for index, step_id in enumerate(module.step_ids):
        learners = counts.get(step_id, 0)
        lost = None if previous is None else previous - learners
        rows.append(
            {
                "number": index + 1,
                "title": module.step_titles.get(step_id) or _("Étape sans titre"),
                "learners": learners,
                "share_of_first": percent(learners, first),
                "lost": lost,
                "lost_share": None if previous is None else percent(lost, previous),
            }
        )
        previous = learners
    return render(
        request,
        "reports/admin/module_dropoff.html",
        {
            "module": module,
            "rows": rows,
            "page_title": _("Décrochage"),
            "page_subtitle": module.title,
            "header_title": _("Décrochage : %(title)s") % {"title": module.title},
            "header_icon": "order",
        },
    )
