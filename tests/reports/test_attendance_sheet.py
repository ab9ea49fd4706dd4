"""The session attendance sheet for funders: the sessions of a period with learner, date,
duration, modality, coach, structure and attendance; a manager of B never sees A's sessions,
a coach sees their own; CSV for French spreadsheets and a PDF."""

import csv
import io

import pytest
from django.urls import reverse

from lms.coaching.models import Attendance, SessionStatus
from tests.factories.accounts import StructureFactory, coach, learner, manager
from tests.factories.pathways import build_pathway

from .conftest import make_request, make_session

pytestmark = pytest.mark.django_db
SHEET = reverse("reports:attendance")
PERIOD = {"start": "2025-03-01", "end": "2025-03-31"}


@pytest.fixture
def sessions():
    """Drôme holds Alice's request (held, then a no-show), Lyon holds Bruno's (held); Chloé
    declined hers (not on the sheet); one session of Alice is in April."""
    drome = StructureFactory(name="Drôme Initiatives", slug="drome", departements=["26"])
    lyon = StructureFactory(name="Lyon Fabrique", slug="lyon", departements=["69"])
    pathway = build_pathway(["m:1"])
    ines = coach(
        departements=["26"], structure=drome, user__first_name="Inès", user__last_name="Martin"
    )
    alice = learner(departement="26", user__first_name="Alice", user__last_name="Durand")
    bruno = learner(departement="69", user__first_name="=Bruno", user__last_name="Leroy")
    chloe = learner(departement="26", user__first_name="Chloé", user__last_name="Petit")
    request_a = make_request(alice, pathway, response_hours=5, structure=drome)
    request_a.coach = ines
    request_a.save()
    held = make_session(request_a, starts="2025-03-12", modality="in_person")
    held.attendance = Attendance.HELD
    held.save()
    absent = make_session(request_a, starts="2025-03-19")
    absent.attendance = Attendance.NO_SHOW
    absent.save()
    make_session(request_a, starts="2025-04-02")
    make_session(
        make_request(bruno, pathway, response_hours=5, structure=lyon), starts="2025-03-14"
    )
    make_session(
        make_request(chloe, pathway, response_hours=5, structure=drome),
        starts="2025-03-15",
        status=SessionStatus.DECLINED,
    )
    return {"drome": drome, "lyon": lyon, "ines": ines}


def rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_a_manager_of_b_never_sees_a_sessions(client, sessions):
    client.force_login(manager(sessions["lyon"]))
    response = client.get(SHEET, {**PERIOD, "format": "csv"})
    header, *lines = rows(response)
    assert header == [
        "Personne accompagnée", "Date", "Heure", "Durée (minutes)", "Modalité",
        "Accompagnateur·rice", "Structure", "Présence",
    ]  # fmt: skip
    assert [line[0] for line in lines] == ["'=Bruno Leroy"]  # a formula, quoted
    assert all(line[6] == "Lyon Fabrique" for line in lines)
    assert "Alice" not in client.get(SHEET, PERIOD).content.decode()


def test_a_drome_manager_gets_each_session_with_its_attendance(client, sessions):
    client.force_login(manager(sessions["drome"]))
    header, *lines = rows(client.get(SHEET, {**PERIOD, "format": "csv"}))

    common = ["Alice Durand", "60", "Inès Martin", "Drôme Initiatives"]
    assert [[line[0], line[3], line[5], line[6]] for line in lines] == [common, common]
    assert [(line[1], line[4], line[7]) for line in lines] == [
        ("12/03/2025", "En présentiel", "Tenu"),
        ("19/03/2025", "Visioconférence", "Absence"),
    ]


def test_the_network_manager_chooses_a_structure(client, sessions):
    client.force_login(manager())
    everything = rows(client.get(SHEET, {**PERIOD, "format": "csv"}))[1:]
    lyon_only = rows(
        client.get(SHEET, {**PERIOD, "structure": sessions["lyon"].pk, "format": "csv"})
    )[1:]
    assert len(everything) == 3 and len(lyon_only) == 1


def test_a_coach_sees_only_their_own_sessions(client, sessions):
    client.force_login(sessions["ines"])
    page = client.get(SHEET, PERIOD).content.decode()
    assert "Alice Durand" in page and "Leroy" not in page
    assert "2 rendez-vous du 01/03/2025 au 31/03/2025" in page


def test_a_cell_starting_like_a_formula_is_quoted(client, sessions):
    client.force_login(manager(sessions["lyon"]))
    [_header, line] = rows(client.get(SHEET, {**PERIOD, "format": "csv"}))
    assert line[0] == "'=Bruno Leroy"


def test_the_pdf_is_a_pdf(client, sessions):
    client.force_login(manager(sessions["drome"]))
    response = client.get(SHEET, {**PERIOD, "format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "balise-presences-2025-03-01-2025-03-31.pdf" in response["Content-Disposition"]


def test_learners_are_refused_and_bad_dates_are_explained(client, sessions):
    client.force_login(learner())
    assert client.get(SHEET).status_code == 403
    client.force_login(manager(sessions["drome"]))
    response = client.get(SHEET, {"start": "2025-03-31", "end": "2025-03-01", "format": "csv"})
    assert response.status_code == 400
    assert "La date de fin précède la date de début." in response.content.decode()


def test_an_empty_period_says_what_to_do(client, sessions):
    client.force_login(manager(sessions["drome"]))
    page = client.get(SHEET, {"start": "2024-01-01", "end": "2024-01-31"}).content.decode()
    assert "Aucun rendez-vous sur cette période" in page


# --- The dashboard's table: no-show rate, days to the first session held -----------------------


def _record(session, attendance):
    session.attendance = attendance
    session.save(update_fields=["attendance"])


def test_the_presences_table_gives_the_no_show_rate_and_the_days_to_the_first_held():
    from lms.reports.exports import export_value
    from lms.reports.queries import Filters
    from lms.reports.tables import Report

    pathway = build_pathway(["m:1"])
    for index in range(6):
        request = make_request(learner(departement="69"), pathway, response_hours=5)
        _record(make_session(request, starts=f"2025-03-{11 + index}"), Attendance.HELD)
        if index == 0:
            _record(make_session(request, starts="2025-03-20"), Attendance.NO_SHOW)
    make_session(make_request(learner(departement="69"), pathway, response_hours=5))  # not recorded

    table = Report(Filters(), []).tables["presences"]
    total = table.lines()[-1]
    assert [cell.value for cell in total[1:4]] == [7, 6, 1]
    assert round(total[4].value, 1) == 14.3  # 1 no-show in 7 recorded sessions
    assert total[5].value == 6
    # Requests opened on 10/03 at noon, first sessions held from 11/03 to 16/03.
    assert 3 <= total[6].value <= 4 and 5 <= total[7].value <= 6
    # Outside Balise the single no-show is hidden, and the rate resting on it is blank.
    assert export_value(total[3]) in ("< 5", "s") and export_value(total[4]) == ""


def test_no_show_and_late_cancellation_are_not_counted_as_held_sessions():
    from lms.reports.queries import Filters, held_sessions

    request = make_request(learner(departement="69"), build_pathway(["m:1"]), response_hours=5)
    kept = make_session(request, starts="2025-03-11")
    _record(make_session(request, starts="2025-03-12"), Attendance.NO_SHOW)
    _record(make_session(request, starts="2025-03-13"), Attendance.LATE_CANCELLED)
    assert list(held_sessions(Filters())) == [kept]
