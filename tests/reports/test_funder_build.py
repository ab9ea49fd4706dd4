"""Building a funder report: the two periods, the PDF and the workbook, progress,
regeneration, failure and the files' names."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from lms.reports import actions
from lms.reports.models import FunderReport
from lms.reports.tasks import build_funder_report_task
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
    return StructureFactory(name="Drôme Initiatives", slug="drome", departements=["26"])


@pytest.fixture
def activity(drome):
    """Third quarter 2026: 8 Drôme learners (rural), 7 requests, 6 sessions; second
    quarter: 6 learners, 3 requests (a small count)."""
    pathway = build_pathway(["m:1"], title="Parcours P")
    for index in range(8):
        user = learner(departement="26", area_type="rural" if index < 6 else "qpv")
        enroll(user, pathway, "2026-07-1%d" % index)
        satisfaction(user, pathway, 9, day="2026-08-10")
        if index < 7:
            request = make_request(
                user, pathway, created="2026-08-05", response_hours=4, structure=drome
            )
            if index < 6:
                make_session(request, starts="2026-08-20")
    for index in range(6):
        user = learner(departement="26", area_type="urban")
        enroll(user, pathway, "2026-05-0%d" % (index + 1))
        if index < 3:
            make_request(user, pathway, created="2026-05-20", response_hours=30, structure=drome)
    return pathway


def ask(user, structure, period=Q3, commentary="Un trimestre riche."):
    return actions.request_funder_report(user, structure, *period, commentary, "fr")


def test_a_report_is_built_with_both_files(drome, activity, django_capture_on_commit_callbacks):
    manager = make_manager(drome)
    with django_capture_on_commit_callbacks(execute=True):
        report = ask(manager, drome)
    report.refresh_from_db()
    assert report.status == FunderReport.Status.DONE, report.error
    assert report.progress == 100
    assert report.pdf.name.endswith("balise-rapport-drome-2026-T3.pdf")
    assert report.xlsx.name.endswith("balise-rapport-drome-2026-T3.xlsx")
    with report.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    with report.xlsx.open("rb") as data:
        book = load_workbook(io.BytesIO(data.read()))
    open("/tmp/fa/r.pdf", "wb").write(report.pdf.open("rb").read())
    open("/tmp/fa/r.xlsx", "wb").write(report.xlsx.open("rb").read())
    assert book.sheetnames[0] == "Rapport"
