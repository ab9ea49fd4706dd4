"""The funder reports' pages: who may ask for which report, follow it and download it."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lms.accounts.roles import Role
from lms.reports import actions
from lms.reports.models import FunderReport
from lms.reports.tasks import build_funder_report_task
from tests.factories.accounts import StructureFactory, UserFactory, learner
from tests.factories.accounts import manager as make_manager
from tests.factories.pathways import build_pathway

from .conftest import enroll

pytestmark = pytest.mark.django_db

LIST = reverse("reports:funder_reports")


@pytest.fixture
def sent(monkeypatch):
    """What reaches the worker, not run."""
    calls = []
    monkeypatch.setattr(build_funder_report_task, "delay", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def drome():
    return StructureFactory(name="Drôme Initiatives", slug="drome", departements=["26"])


@pytest.fixture
def lyon():
    return StructureFactory(name="Lyon Fabrique", slug="lyon", departements=["69"])


def client_of(client, user):
    client.force_login(user)
    return client


def built(structure, period=(date(2026, 7, 1), date(2026, 9, 30))):
    report = FunderReport.objects.create(structure=structure, start=period[0], end=period[1])
    assert actions.build_funder_report(report.pk, report.generation)
    report.refresh_from_db()
    return report


def test_the_form_proposes_the_last_full_quarter_and_the_managers_structures(client, drome, lyon):
    response = client_of(client, make_manager(drome)).get(LIST)
    assert response.status_code == 200
    form = response.context["form"]
    assert [label for _value, label in form.fields["structure"].choices] == ["Drôme Initiatives"]
    start, end = form.initial["start"], form.initial["end"]
    assert start.day == 1 and start.month in (1, 4, 7, 10) and (end - start).days in range(89, 92)
    assert "Aucun rapport pour l’instant" in response.content.decode()


def test_the_network_may_ask_for_the_whole_network(client, drome, lyon):
    response = client_of(client, make_manager()).get(LIST)
    labels = [label for _value, label in response.context["form"].fields["structure"].choices]
    assert labels == ["Tout le réseau", "Drôme Initiatives", "Lyon Fabrique"]


def test_a_manager_asks_for_a_report_and_it_is_sent_to_the_worker(
    client, drome, sent, django_capture_on_commit_callbacks
):
    manager = make_manager(drome)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(client, manager).post(
            LIST,
            {
                "structure": drome.pk,
                "start": "2026-07-01",
                "end": "2026-09-30",
                "commentary": "Un trimestre riche.",
            },
        )
    report = FunderReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:funder_report", args=[report.pk])
    assert (report.structure, report.requested_by, report.commentary) == (
        drome,
        manager,
        "Un trimestre riche.",
    )
    assert sent == [(report.pk, 1)]
    # While it waits, its page says so, shows its progress and reloads itself.
    page = client.get(response["Location"])
    html = page.content.decode()
    assert '<meta http-equiv="refresh"' in html
    assert "<progress" in html and "En attente du service de calcul" in html
    assert "Télécharger le PDF" not in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"start": "2026-09-30", "end": "2026-07-01"}, "end", "La date de fin est avant"),
        ({"start": "2020-01-01", "end": "2026-07-01"}, "end", "trois ans au plus"),
        ({"start": "", "end": "2026-07-01"}, "start", "premier jour de la période"),
    ],
)
def test_a_wrong_period_is_explained(client, drome, sent, data, field, message):
    response = client_of(client, make_manager(drome)).post(LIST, {"structure": drome.pk, **data})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not FunderReport.objects.exists() and not sent


def test_a_structure_manager_cannot_ask_for_another_structure_or_the_network(
    client, drome, lyon, sent
):
    client_of(client, make_manager(drome))
    for value in (lyon.pk, "reseau"):
        response = client.post(
            LIST, {"structure": value, "start": "2026-07-01", "end": "2026-09-30"}
        )
        assert response.status_code == 400
        assert "ne vous sont pas ouverts" in " ".join(response.context["form"].errors["structure"])
    assert not FunderReport.objects.exists()


def test_people_who_are_not_managers_are_refused(client, drome):
    assert client.get(LIST).status_code == 302  # to the login page
    assert client_of(client, learner()).get(LIST).status_code == 403
    assert client_of(client, UserFactory()).get(LIST).status_code == 403


def test_downloads_are_named_and_scoped(client, drome, lyon):
    pathway = build_pathway(["m:1"])
    for _ in range(6):
        enroll(learner(departement="26"), pathway, "2026-08-03")
    report = built(drome)
    other = built(lyon)
    client_of(client, make_manager(drome))

    pdf = client.get(reverse("reports:funder_download", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == ('attachment; filename="balise-rapport-drome-2026-T3.pdf"')
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    xlsx = client.get(reverse("reports:funder_download", args=[report.pk, "xlsx"]))
    assert xlsx["Content-Disposition"] == (
        'attachment; filename="balise-rapport-drome-2026-T3.xlsx"'
    )
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book["Parcours"]["B4"].value == 6  # the « Tous les parcours » row

    # Lyon's report does not exist for Drôme's manager: not listed, no page, no file.
    listing = client.get(LIST).content.decode()
    assert "Drôme Initiatives" in listing and "Lyon Fabrique" not in listing
    for url in (
        reverse("reports:funder_report", args=[other.pk]),
        reverse("reports:funder_download", args=[other.pk, "pdf"]),
        reverse("reports:funder_download", args=[other.pk, "xlsx"]),
        reverse("reports:funder_download", args=[report.pk, "docx"]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("reports:funder_regenerate", args=[other.pk])).status_code == 404
    # The network's managers read every report.
    client_of(client, make_manager())
    assert client.get(reverse("reports:funder_download", args=[other.pk, "pdf"])).status_code == 200


def test_files_are_offered_only_once_ready(client, drome):
    report = FunderReport.objects.create(
        structure=drome, start=date(2026, 7, 1), end=date(2026, 9, 30), status="failed",
        error="La construction du rapport a échoué (ValueError).",
    )  # fmt: skip
    client_of(client, make_manager(drome))
    page = client.get(reverse("reports:funder_report", args=[report.pk])).content.decode()
    assert "La construction du rapport a échoué (ValueError)." in page
    assert 'http-equiv="refresh"' not in page
    assert (
        client.get(reverse("reports:funder_download", args=[report.pk, "pdf"])).status_code == 404
    )


def test_regenerate_keeps_the_new_commentary_and_sends_a_new_build(
    client, drome, sent, django_capture_on_commit_callbacks
):
    report = built(drome)
    client_of(client, make_manager(drome))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:funder_regenerate", args=[report.pk]),
            {"commentary": "Nouveau texte."},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.progress, report.commentary) == ("queued", 0, "Nouveau texte.")
    assert sent == [(report.pk, 2)]
    page = client.get(response["Location"]).content.decode()
    assert "Le rapport est en cours de reconstruction." in page
    assert "Télécharger le PDF" not in page  # the older files are not offered meanwhile


def test_wagtails_menu_leads_managers_to_the_funder_reports(client, drome):
    editor = UserFactory(role=Role.EDITOR)
    assert (
        reverse("reports:funder_reports")
        not in client_of(client, editor).get("/admin/").content.decode()
    )
    admin = client_of(client, make_manager(drome)).get("/admin/")
    assert admin.status_code == 200
    assert reverse("reports:funder_reports") in admin.content.decode()
