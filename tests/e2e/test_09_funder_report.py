"""Funder reports (issue 16): Hélène, manager of the CAE Drôme-Ardèche, asks for the
report of the last full quarter for her structure, with a few words for the funders.

Proves that she finds « Rapports pour les financeurs » from the dashboard, that the form
proposes her structure only and the last quarter, that the report's page shows its
progress and then « Prêt », and that the PDF (it starts with ``%PDF``) and the workbook
(one sheet per table, her structure and commentary on the cover, the quarter's three
months) download under clear names. No serious accessibility
violation, nothing wider than a 360 px screen.

The live server runs Celery tasks in the web process (``CELERY_TASK_ALWAYS_EAGER``): the
report is built while the form is sent, so the page may already say « Prêt »; on a real
worker it would first show its progress and reload itself.
"""

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from .flows import DASHBOARD_URL, SUPPRESSED, log_in_with_password
from .support import REPORT

pytestmark = pytest.mark.e2e

MANAGER = "helene@balise.test"
STRUCTURE = "CAE Drôme-Ardèche"
COMMENTARY = "Un trimestre marqué par l'ouverture de permanences à Aubenas."


def last_full_quarter(today: date) -> tuple[date, date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    end = date(today.year, first_month, 1) - timedelta(days=1)
    start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end


def test_manager_downloads_last_quarters_funder_report(journey):
    manager = journey("manager-funder-report")
    page = manager.page
    page.set_default_timeout(30_000)  # a report is built while the form is sent
    log_in_with_password(manager, MANAGER)
    page.goto(DASHBOARD_URL)
    page.get_by_role("link", name="Rapports pour les financeurs (PDF, XLSX)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapports pour les financeurs")

    form = page.get_by_role("form", name="Demander un rapport")
    structure = form.get_by_label("Structure")
    expect(structure.locator("option")).to_have_text([STRUCTURE])
    start, end = last_full_quarter(date.today())
    expect(form.get_by_label("Du")).to_have_value(start.isoformat())
    expect(form.get_by_label("Au")).to_have_value(end.isoformat())
    form.get_by_label("Commentaire de la structure").fill(COMMENTARY)
    manager.look("rapports pour les financeurs")
    form.get_by_role("button", name="Construire le rapport").click()

    # The report's page: its progress while it is built, then « Prêt ».
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport pour les financeurs")
    expect(page.get_by_text("Prêt", exact=True)).to_be_visible(timeout=120_000)
    expect(page.get_by_label("Commentaire de la structure")).to_have_value(COMMENTARY)
    manager.look("rapport prêt")

    quarter = f"{start.year}-T{(start.month - 1) // 3 + 1}"
    with page.expect_download() as pdf_info:
        page.get_by_role("link", name=re.compile("Télécharger le PDF")).click()
    pdf = pdf_info.value
    assert pdf.suggested_filename == f"balise-rapport-cae-drome-{quarter}.pdf"
    with open(pdf.path(), "rb") as data:
        assert data.read(5) == b"%PDF-"

    with page.expect_download() as xlsx_info:
        page.get_by_role("link", name=re.compile("Télécharger le classeur")).click()
    xlsx = xlsx_info.value
    assert xlsx.suggested_filename == f"balise-rapport-cae-drome-{quarter}.xlsx"
    with open(xlsx.path(), "rb") as data:
        book = load_workbook(io.BytesIO(data.read()))
    assert book.sheetnames[:3] == ["Rapport", "Chiffres clés", "Parcours"]
    assert "Mois par mois" in book.sheetnames and "Types de territoire" in book.sheetnames
    cover = {row[0]: row[1] for row in book["Rapport"].iter_rows(values_only=True) if row[0]}
    assert cover["Structure"] == STRUCTURE
    assert cover["Commentaire"] == COMMENTARY
    key = {row[0]: row[1:] for row in book["Chiffres clés"].iter_rows(values_only=True)}
    enrolments = key["Inscriptions aux parcours"][0]
    assert enrolments == SUPPRESSED or (isinstance(enrolments, int) and enrolments >= 0), key
    months = [row[0] for row in book["Mois par mois"].iter_rows(min_row=3, values_only=True)]
    assert len([m for m in months if m and re.fullmatch(r"\w+ \d{4}", m)]) == 3, months
    REPORT.notes.append(
        f"funder report {xlsx.suggested_filename}: {len(book.sheetnames)} sheets, "
        f"enrolments {enrolments}"
    )

    # Back to the list: the report is there, ready, newest first.
    page.get_by_role("link", name="Tous les rapports pour les financeurs").click()
    first = page.locator("table tbody tr").first
    expect(first).to_contain_text(STRUCTURE)
    expect(first).to_contain_text("Prêt")
    manager.assert_accessible()
