"""Building a funder report: the two periods, the PDF and the workbook, progress,
regeneration, failure and the files' names."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl import load_workbook

from lms.reports import actions
from lms.reports.funder import documents
from lms.reports.funder.content import build_content
from lms.reports.models import FunderReport
from lms.reports.queries import Filters, Scope
from lms.reports.tasks import build_funder_report_task, resume_stalled_funder_reports_task
from tests.factories.accounts import StructureFactory, learner, logo
from tests.factories.accounts import manager as make_manager
from tests.factories.pathways import build_pathway

from .conftest import enroll, make_request, make_session, satisfaction

pytestmark = pytest.mark.django_db

Q3 = (date(2026, 7, 1), date(2026, 9, 30))


@pytest.fixture(autouse=True)
def worker(monkeypatch):
    """The worker runs what it is sent at once; the calls are kept."""
    calls = []

    def run(*args):
        calls.append(args)
        return build_funder_report_task(*args)

    monkeypatch.setattr(build_funder_report_task, "delay", run)
    return calls


@pytest.fixture
def drome():
    return StructureFactory(
        name="Drôme Initiatives", slug="drome", departements=["26"], colour="#8a3b12"
    )


@pytest.fixture
def activity(drome):
    """Third quarter 2026: 8 Drôme learners (6 rural, 2 in a QPV), 7 requests, 6 sessions;
    second quarter: 6 learners, 3 requests (a small count)."""
    pathway = build_pathway(["m:1"], title="Parcours P")
    for index in range(8):
        user = learner(departement="26", area_type="rural" if index < 6 else "qpv")
        enroll(user, pathway, f"2026-07-1{index}")
        satisfaction(user, pathway, 9, day="2026-08-10")
        if index < 7:
            request = make_request(
                user, pathway, created="2026-08-05", response_hours=4, structure=drome
            )
            if index < 6:
                make_session(request, starts="2026-08-20")
    for index in range(6):
        user = learner(departement="26", area_type="urban")
        enroll(user, pathway, f"2026-05-0{index + 1}")
        if index < 3:
            make_request(user, pathway, created="2026-05-20", response_hours=30, structure=drome)
    return pathway


def ask(user, structure, period=Q3, commentary="Un trimestre riche."):
    return actions.request_funder_report(user, structure, *period, commentary, "fr")


def workbook(report) -> dict[str, list[tuple]]:
    with report.xlsx.open("rb") as data:
        book = load_workbook(io.BytesIO(data.read()))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def row_of(rows, label):
    return next(row for row in rows if row[0] == label)


def test_a_report_is_built_with_both_files(
    drome, activity, worker, django_capture_on_commit_callbacks
):
    manager = make_manager(drome)
    with django_capture_on_commit_callbacks(execute=True):
        report = ask(manager, drome)
    report.refresh_from_db()
    assert worker == [(report.pk, 1)]
    assert report.status == FunderReport.Status.DONE, report.error
    assert (report.progress, report.ready, report.error) == (100, True, "")
    assert report.finished_at is not None
    assert re.fullmatch(r"rapports-financeurs/[0-9a-f]{32}/balise-rapport-drome-2026-T3\.pdf",
                        report.pdf.name)  # fmt: skip
    assert report.xlsx.name.endswith("/balise-rapport-drome-2026-T3.xlsx")
    with report.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    sheets = workbook(report)
    assert list(sheets) == [
        "Rapport", "Chiffres clés", "Parcours", "Entonnoir", "Étapes", "Demandes et délais",
        "Modalités", "Présence aux rendez-vous", "Collectif et individuel", "Départements",
        "Types de territoire",
        "Compétences", "Jalons et emplois", "Trajectoires", "Satisfaction", "Utilité des modules",
        "Cercles de pairs", "Mois par mois",
    ]  # fmt: skip
    cover = sheets["Rapport"]
    assert row_of(cover, "Structure")[1] == "Drôme Initiatives"
    assert row_of(cover, "Période")[1] == "du 1 juillet 2026 au 30 septembre 2026"
    assert row_of(cover, "Comparée à")[1] == "du 1 avril 2026 au 30 juin 2026"
    assert row_of(cover, "Commentaire")[1] == "Un trimestre riche."
    assert "« < 5 »" in row_of(cover, "Secret statistique")[1]
    # The key figures: this quarter against the one before.
    key = sheets["Chiffres clés"]
    assert row_of(key, "Inscriptions aux parcours")[1:] == (8, 6, "+33,3 %")
    assert row_of(key, "Demandes d’accompagnement")[1:] == (7, "< 5", "–")
    assert row_of(key, "Rendez-vous tenus")[1:4] == (6, 0, "–")
    # Kinds of territory, months.
    areas = sheets["Types de territoire"]
    # Two people in a QPV: « < 5 »; the rural six would give them back from the total.
    assert row_of(areas, "Quartier prioritaire de la ville (QPV)")[1:3] == ("< 5", None)
    assert row_of(areas, "Commune rurale")[1:3] == ("s", None)
    assert row_of(areas, "Tous les territoires")[1:3] == (8, 100)
    months = sheets["Mois par mois"]
    assert row_of(months, "juillet 2026")[1:4] == (8, 0, 0)
    assert row_of(months, "août 2026")[1:4] == (0, 7, 6)
    assert row_of(months, "Toute la période")[1:4] == (8, 7, 6)


def test_the_pdf_has_a_cover_accessible_charts_and_the_comparison(drome, activity):
    drome.logo = logo()
    drome.save()
    report = FunderReport.objects.create(structure=drome, start=Q3[0], end=Q3[1])
    filters = Filters(start=Q3[0], end=Q3[1], scope=Scope.of([drome]))
    identity = actions._identity(report)
    assert identity.logo.startswith(b"\x89PNG")  # read from storage, not fetched
    html = documents.report_html(
        build_content(filters), identity, "Mot & <b>gras</b>", timezone.now()
    )
    assert "Drôme Initiatives" in html and "Mot &amp; &lt;b&gt;gras&lt;/b&gt;" in html
    assert 'src="balise-logo:"' in html
    assert html.count('<svg role="img"') == 3
    assert '<title id="chart-enrolments-title">Inscriptions par mois</title>' in html
    assert "juillet 2026 : 8 ; août 2026 : 0 ; septembre 2026 : 0" in html
    # Coordinates are SVG numbers, never French decimals (« 34,5 » would draw nothing).
    assert re.search(r'<rect x="\d+(\.\d+)?" y="\d+(\.\d+)?"', html)
    assert not re.search(r'(x|y|width|height)="\d+,\d', html)
    assert "Comparaison avec la période précédente" in html
    assert "+33,3 %" in html
    pdf = documents.render_pdf(build_content(filters), identity, "Mot", timezone.now())
    assert pdf.startswith(b"%PDF-") and b"/Subtype /Image" in pdf  # the logo is in it


def test_a_hidden_month_has_no_bar(drome, activity):
    """A bar's height would give the count back: a hidden month shows its mark only."""
    content = build_content(Filters(start=date(2026, 4, 1), end=date(2026, 9, 30),
                                    scope=Scope.of([drome])))  # fmt: skip
    chart = next(c for c in documents.series_charts(content.tables["mois"]) if c.slug == "requests")
    may = next(bar for bar in chart.bars if bar.label == "mai 2026")
    assert (may.text, may.hidden, may.height) == ("< 5", True, 0)
    assert "mai 2026 : < 5" in chart.description


def test_progress_is_written_as_the_build_goes(drome, activity, monkeypatch):
    report = FunderReport.objects.create(structure=drome, start=Q3[0], end=Q3[1])
    seen = []
    real = documents.render_pdf

    def spy(*args):
        seen.append(FunderReport.objects.values_list("status", "progress", "step").get())
        return real(*args)

    monkeypatch.setattr(documents, "render_pdf", spy)
    assert actions.build_funder_report(report.pk, report.generation)
    assert seen == [("running", 65, "Mise en page du PDF")]


def test_a_failure_is_written_on_the_report(
    drome, activity, monkeypatch, django_capture_on_commit_callbacks
):
    report = FunderReport.objects.create(structure=drome, start=Q3[0], end=Q3[1])
    assert actions.build_funder_report(report.pk, 1)
    report.refresh_from_db()
    files = (report.pdf.name, report.xlsx.name)

    def broken(*args):
        raise ValueError("boom")

    monkeypatch.setattr(documents, "render_xlsx", broken)
    with django_capture_on_commit_callbacks(execute=True):
        actions.regenerate_funder_report(report)
    report.refresh_from_db()
    assert report.status == "failed"
    assert report.error.startswith("La construction du rapport a échoué (ValueError).")
    assert "Régénérer" in report.error
    assert not report.ready  # the earlier files are not offered as this build's
    assert (report.pdf.name, report.xlsx.name) == files


def test_a_build_asked_again_meanwhile_stops_without_writing(drome, activity, monkeypatch):
    report = FunderReport.objects.create(structure=drome, start=Q3[0], end=Q3[1])
    real = documents.render_xlsx
    monkeypatch.setattr(build_funder_report_task, "delay", lambda *args: None)

    def regenerated_meanwhile(*args):
        actions.regenerate_funder_report(report, "Nouveau texte.")
        return real(*args)

    # After the last progress step: the files are written, then found superseded.
    monkeypatch.setattr(documents, "render_xlsx", regenerated_meanwhile)
    before = stored()
    assert not actions.build_funder_report(report.pk, 1)
    report.refresh_from_db()
    assert (report.status, report.generation, report.pdf.name) == ("queued", 2, "")
    assert stored() == before  # the superseded build's files were removed


def stored() -> list[str]:
    try:
        folders = default_storage.listdir("rapports-financeurs")[0]
    except FileNotFoundError:
        return []
    return [
        name
        for folder in folders
        for name in default_storage.listdir(f"rapports-financeurs/{folder}")[1]
    ]


def test_building_again_replaces_the_files(drome, activity, django_capture_on_commit_callbacks):
    report = FunderReport.objects.create(structure=drome, start=Q3[0], end=Q3[1])
    assert actions.build_funder_report(report.pk, 1)
    report.refresh_from_db()
    first = report.pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.build_funder_report(report.pk, 1)  # the task run twice: rebuilt
    report.refresh_from_db()
    assert report.status == "done" and report.pdf.name != first
    assert default_storage.exists(report.pdf.name) and not default_storage.exists(first)


def test_a_network_report_is_named_after_the_network(activity):
    report = FunderReport.objects.create(structure=None, start=date(2026, 8, 1),
                                         end=date(2026, 8, 31))  # fmt: skip
    assert actions.build_funder_report(report.pk, 1)
    report.refresh_from_db()
    assert report.pdf.name.endswith("/balise-rapport-reseau-2026-08.pdf")
    assert row_of(workbook(report)["Rapport"], "Structure")[1] == "Tout le réseau"


def test_a_quarter_without_data_still_shows_the_one_before(drome, activity):
    """Nothing in the fourth quarter: its rows are the third quarter's, with zeros."""
    content = build_content(
        Filters(start=date(2026, 10, 1), end=date(2026, 12, 31), scope=Scope.of([drome]))
    )
    assert (content.previous_start, content.previous_end) == Q3
    compared = content.comparisons["parcours"]
    assert [row.label for row in compared.rows] == ["Parcours P"]
    now, before, change = compared.rows[0].figures[0]
    assert (now.value, before.value, change.value) == (0, 8, -100.0)


def test_names_reach_the_pdfs_footer_as_css_escapes():
    assert documents.css_string('A "B" </style> C-D') == "A \\22 B\\22  \\3c /style\\3e  C-D"


def test_a_title_that_looks_like_a_formula_stays_text_in_the_workbook(drome):
    pathway = build_pathway(["m:1"], title='=HYPERLINK("http://x.test","clic")')
    for index in range(5):
        enroll(learner(departement="26"), pathway, f"2026-07-1{index}")
    report = FunderReport.objects.create(structure=drome, start=Q3[0], end=Q3[1])
    assert actions.build_funder_report(report.pk, 1)
    report.refresh_from_db()
    with report.xlsx.open("rb") as data:
        cell = load_workbook(io.BytesIO(data.read()))["Parcours"]["A3"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x.test","clic")', "s")


# --- A build that stalls (its worker killed, its message lost) is sent again -------------


def _silent_since(report, minutes: int, **fields) -> None:
    FunderReport.objects.filter(pk=report.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=minutes), **fields
    )


def test_a_build_whose_worker_died_is_sent_again_and_finishes(
    drome, activity, worker, monkeypatch, django_capture_on_commit_callbacks
):
    manager = make_manager(drome)
    monkeypatch.setattr(build_funder_report_task, "delay", lambda *args: None)  # lost
    with django_capture_on_commit_callbacks(execute=True):
        report = ask(manager, drome)
    # The worker started it, wrote a step, then was killed: « en cours » for ever, before.
    _silent_since(report, 11, status="running", progress=40, step="Secret statistique")
    monkeypatch.setattr(build_funder_report_task, "delay", build_funder_report_task)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_stalled_funder_reports_task() == 1
    report.refresh_from_db()
    assert report.status == "done", report.error
    assert report.generation == 2 and report.attempts == 1
    assert default_storage.exists(report.pdf.name) and default_storage.exists(report.xlsx.name)


def test_a_slow_build_that_was_sent_again_writes_nothing(drome, activity, monkeypatch):
    monkeypatch.setattr(build_funder_report_task, "delay", lambda *args: None)
    report = FunderReport.objects.create(structure=drome, start=Q3[0], end=Q3[1])
    _silent_since(report, 30, status="running")
    assert actions.resume_stalled_funder_reports() == 1
    assert not actions.build_funder_report(report.pk, 1)  # the first build wakes up
    report.refresh_from_db()
    assert (report.status, report.generation, report.pdf.name) == ("queued", 2, "")


def test_a_build_still_giving_news_or_finished_is_left_alone(drome, monkeypatch):
    sent = []
    monkeypatch.setattr(build_funder_report_task, "delay", lambda *args: sent.append(args))
    busy = FunderReport.objects.create(structure=drome, start=Q3[0], end=Q3[1])
    _silent_since(busy, 4, status="running")
    done = FunderReport.objects.create(structure=drome, start=Q3[0], end=Q3[1])
    _silent_since(done, 60, status="done")
    failed = FunderReport.objects.create(structure=drome, start=Q3[0], end=Q3[1])
    _silent_since(failed, 60, status="failed")
    assert actions.resume_stalled_funder_reports() == 0
    assert not sent
    assert list(FunderReport.objects.order_by("pk").values_list("status", "generation")) == [
        ("running", 1),
        ("done", 1),
        ("failed", 1),
    ]


def test_a_report_that_keeps_stalling_is_failed_with_its_reason(drome, monkeypatch):
    sent = []
    monkeypatch.setattr(build_funder_report_task, "delay", lambda *args: sent.append(args))
    report = FunderReport.objects.create(structure=drome, start=Q3[0], end=Q3[1])
    _silent_since(report, 15, status="running", attempts=actions.MAX_ATTEMPTS)
    assert actions.resume_stalled_funder_reports() == 0
    report.refresh_from_db()
    assert report.status == "failed" and not sent
    assert "interrompue 4 fois" in report.error and "Régénérer" in report.error
