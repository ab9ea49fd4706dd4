"""The dashboard, its print page and CSV exports through HTTP: who may see them, filters
typed wrong, exports' format, and secrecy that a subtraction cannot undo."""

import csv
import io
import re

import pytest
from django.urls import reverse

from lms.accounts.roles import Role
from pathways import actions
from tests.factories.accounts import UserFactory, coach, learner, manager
from tests.factories.pathways import build_pathway, modules_of

from .conftest import complete, enroll, make_request, satisfaction

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")
PRINT = reverse("reports:print")
EXPORT = reverse("reports:export")


@pytest.fixture
def cohort():
    """Seven learners in P (five in the Rhône, two in the Ardèche); three finish it."""
    pathway = build_pathway(["m:1", "p:offered", "m:1"], title="Parcours P")
    first, second = modules_of(pathway)
    users = [learner(departement="69") for _ in range(5)]
    users += [learner(departement="07") for _ in range(2)]
    for index, user in enumerate(users):
        enroll(user, pathway)
        complete(user, first)
        if index < 3:
            complete(user, second)
    for user, score in zip(users, [10, 10, 9, 8, 3, 10, 2], strict=True):
        satisfaction(user, pathway, score)
    make_request(users[0], pathway, response_hours=5)
    return pathway


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


# --- Who may see ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [DASHBOARD, PRINT, EXPORT, f"{EXPORT}?table=parcours"])
def test_managers_only(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/comptes/" in response["Location"]
    for user in (learner(), coach(), UserFactory(role=Role.EDITOR), UserFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(UserFactory(role=Role.MANAGER))  # a manager of no structure
    response = client.get(url)
    assert response.status_code == 403
    assert "vous n’êtes responsable d’aucune structure" in response.content.decode()
    client.force_login(manager())
    assert client.get(url).status_code == 200


def test_post_is_not_allowed(manager_client):
    assert manager_client.post(DASHBOARD).status_code == 405


# --- Dashboard -------------------------------------------------------------------------------


def test_dashboard_shows_every_section_with_exact_figures(manager_client, cohort):
    response = manager_client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Parcours : de l’inscription à la fin",
        "Accompagnement",
        "Territoires atteints",
        "Effets sur les projets",
    ):
        assert heading in html
    assert "Entonnoir du parcours « Parcours P »" in html
    assert '<th scope="col" class="num">Inscriptions</th>' in html
    assert ">&lt; 5</td>" not in html  # the dashboard is internal: exact figures
    assert '<td class="num">3</td>' in html
    assert "7 inscriptions à un parcours, dont 3 parcours terminés (42,9 %)" in html
    assert '<svg class="bar-chart" role="img"' in html
    assert f"{EXPORT}?table=parcours" in html


def test_filters_are_kept_in_export_and_print_links(manager_client, cohort):
    html = manager_client.get(
        DASHBOARD, {"departement": "69", "start": "2025-01-01"}
    ).content.decode()
    assert f"{EXPORT}?table=parcours&amp;start=2025-01-01&amp;departement=69" in html
    assert f"{PRINT}?start=2025-01-01&amp;departement=69" in html


def test_a_one_digit_departement_is_understood(manager_client, cohort):
    response = manager_client.get(DASHBOARD, {"departement": "7"})
    assert response.context["report"].filters.departement == "07"
    assert not response.context["ignored"]


@pytest.mark.parametrize(
    ("params", "ignored", "message"),
    [
        (
            {"departement": "999"},
            ["Département"],
            "« 999 » n’est pas un code de département connu.",
        ),
        (
            {"start": "2025-04-01", "end": "2025-03-01"},
            ["Du", "Au"],
            "La date de fin est avant la date de début.",
        ),
        ({"start": "hier"}, ["Du"], "Saisissez une date valide."),
        ({"end": "0001-01-01"}, ["Au"], "Choisissez une date entre 2000 et 2100."),
        ({"start": "9999-12-31"}, ["Du"], "Choisissez une date entre 2000 et 2100."),
        ({"pathway": "abc"}, ["Parcours"], "Ce parcours n’existe pas."),
        ({"pathway": "999999"}, ["Parcours"], "Ce parcours n’existe pas."),
        ({"area_type": "mars"}, ["Type de territoire"], "Type de territoire inconnu."),
        ({"departement": "\x00"}, ["Département"], "n’est pas un code de département connu"),
    ],
)
def test_bad_filters_are_explained_and_left_out(manager_client, cohort, params, ignored, message):
    response = manager_client.get(DASHBOARD, params)
    assert response.status_code == 200
    assert response.context["ignored"] == ignored
    html = response.content.decode()
    assert message.replace("’", "&#x27;") in html or message in html
    assert "Certains filtres sont invalides et n’ont pas été appliqués" in html
    # The figures are those of the selection without the wrong filter.
    assert response.context["headline"]["enrolled"] == 7


def test_inverted_period_on_exports_and_print_is_no_error(manager_client, cohort):
    params = {"start": "2025-04-01", "end": "2025-03-01", "departement": "zz"}
    assert manager_client.get(PRINT, params).status_code == 200
    response = manager_client.get(EXPORT, {"table": "parcours", **params})
    assert response.status_code == 200
    assert read_csv(response)[1][1] == "7"


def test_valid_filters_apply(manager_client, cohort):
    response = manager_client.get(DASHBOARD, {"departement": "07"})
    assert response.context["headline"]["enrolled"] == 2
    response = manager_client.get(DASHBOARD, {"start": "2030-01-01"})
    assert response.context["headline"]["enrolled"] == 0
    assert "Aucune donnée pour ces filtres." in response.content.decode()


# --- CSV exports -----------------------------------------------------------------------------


def test_csv_export_format(manager_client, cohort):
    response = manager_client.get(EXPORT, {"table": "parcours"})
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="balise-parcours-')
    rows = read_csv(response)
    assert rows[0] == ["Parcours", "Inscriptions", "Parcours terminés", "Taux de complétion (%)"]
    # 42,9 % of 7 would be 3: a rate over a hidden count is hidden too.
    assert rows[1] == ["Parcours P", "7", "< 5", ""]
    assert rows[-1] == ["Tous les parcours", "7", "< 5", ""]


def test_csv_small_cells_are_suppressed_and_small_bases_blanked(manager_client, cohort):
    rows = read_csv(manager_client.get(EXPORT, {"table": "satisfaction"}))
    # 7 answers; promoters 4 (10, 10, 9, 10): < 5; detractors 2 (3, 2): < 5; the NPS rests
    # on both.
    assert rows[1] == ["Parcours P", "7", "7,4", "< 5", "< 5", ""]
    rows = read_csv(manager_client.get(EXPORT, {"table": "satisfaction", "departement": "07"}))
    assert rows[1] == ["Parcours P", "< 5", "", "< 5", "< 5", ""]
    rows = read_csv(manager_client.get(EXPORT, {"table": "territoires"}))
    assert rows[1:] == [
        ["69 – Rhône", "s", "< 5", "0"],  # 7 - 5 would give the Ardèche's 2 back
        ["07 – Ardèche", "< 5", "0", "0"],
        ["Tous les départements", "7", "< 5", "0"],
    ]
    rows = read_csv(manager_client.get(EXPORT, {"table": "demandes"}))
    assert rows[-1] == ["Toutes les demandes", "< 5", "< 5", "< 5", "", "", ""]


def test_empty_selection_exports_the_header_and_a_sentence(manager_client, cohort):
    for table in ("parcours", "entonnoir", "etapes", "demandes", "competences", "trajectoires"):
        rows = read_csv(manager_client.get(EXPORT, {"table": table, "start": "2030-01-01"}))
        assert len(rows[0]) > 1
        assert rows[1:] == [["Aucune donnée pour ces filtres."]], table


def test_every_table_exports_on_an_empty_database(manager_client):
    for table in ("parcours", "entonnoir", "etapes", "demandes", "modalites", "territoires"):
        assert manager_client.get(EXPORT, {"table": table}).status_code == 200
    for table in ("competences", "jalons", "trajectoires", "satisfaction", "modules"):
        assert manager_client.get(EXPORT, {"table": table}).status_code == 200


def test_export_index_and_unknown_table(manager_client):
    response = manager_client.get(EXPORT, {"departement": "69"})
    assert response.status_code == 200
    assert f"{EXPORT}?table=territoires&amp;departement=69" in response.content.decode()
    response = manager_client.get(EXPORT, {"table": "salaires"})
    assert response.status_code == 400
    assert "Ce tableau n’existe pas" in response.content.decode()


# --- Print page ------------------------------------------------------------------------------


def test_print_page(manager_client, cohort):
    response = manager_client.get(PRINT, {"departement": "69", "start": "2025-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' not in html and "<nav" not in html
    assert "Période : depuis le 1 janvier 2025" in html
    assert "Département : 69 – Rhône" in html
    assert "Type de territoire : tous" in html
    assert "Établi le" in html
    assert "balise.css" in html
    for table in response.context["sections"]:
        for item in table[1]:
            assert f'id="table-{item.slug}"' in html
    assert '<td class="num">&lt; 5</td>' in html  # small cells suppressed, as in exports
    # No rate of a hidden count: 60 % of 5 would give the 3 back.
    assert "5 inscriptions à un parcours, dont &lt; 5 parcours terminés." in html
    assert "&lt; 5 demandes d’accompagnement." in html  # one, and no rate on one request


def test_print_page_describes_a_chosen_pathway_and_period(manager_client, cohort):
    params = {"pathway": cohort.pk, "start": "2025-01-01", "end": "2025-12-31", "area_type": "qpv"}
    html = manager_client.get(PRINT, params).content.decode()
    assert "Période : du 1 janvier 2025 au 31 décembre 2025" in html
    assert "Parcours détaillé : Parcours P" in html
    assert "Type de territoire : Quartier prioritaire de la ville (QPV)" in html


@pytest.mark.parametrize(
    ("enrolled", "completed", "expected"),
    [
        (5, 1, "5 inscriptions à un parcours, dont 1 parcours terminé"),
        (5, 2, "5 inscriptions à un parcours, dont 2 parcours terminés"),
        (1, 1, "1 inscription à un parcours, dont 1 parcours terminé"),
    ],
)
def test_the_headline_agrees_each_count_with_its_own_noun(enrolled, completed, expected):
    from django.template.loader import render_to_string

    headline = {
        "enrolled": enrolled,
        "enrolled_n": enrolled,
        "completed": completed,
        "completed_n": completed,
        "completion_rate": None,
        "requests": 0,
        "requests_n": 0,
        "sla_rate": None,
        "median_hours": None,
        "sessions": 0,
        "sessions_n": 0,
        "departements": 1,
        "nps": None,
        "answers": 0,
        "answers_n": 0,
    }
    html = " ".join(render_to_string("reports/_headline.html", {"headline": headline}).split())
    assert re.search(re.escape(expected) + r"(?!\w)", html), html


# --- Secrecy that a subtraction cannot undo ---------------------------------------------------


def test_a_total_minus_the_other_rows_never_gives_a_small_count_back(manager_client, cohort):
    rows = read_csv(manager_client.get(EXPORT, {"table": "territoires"}))
    *departements, total = rows[1:]
    for column in (1, 2, 3):
        hidden = [row[column] for row in departements if not row[column].isdigit()]
        assert len(hidden) != 1 or not total[column].isdigit(), (column, rows)


def test_the_requests_total_of_one_table_gives_no_modality_back(manager_client):
    """13 requests, 3 of them by video: the other tables show 13, so the telephone's 10
    cannot be shown next to the video's « < 5 »."""
    for index in range(13):
        user = learner(departement="69", area_type="rural")
        make_request(user, modality="video" if index < 3 else "phone")
    assert read_csv(manager_client.get(EXPORT, {"table": "demandes"}))[-1][1] == "13"
    rows = read_csv(manager_client.get(EXPORT, {"table": "modalites"}))
    assert rows[0][1:4] == [
        "Recommandé : Visioconférence",
        "Recommandé : Téléphone",
        "Recommandé : En présentiel",
    ]
    assert [row[1:4] for row in rows[1:]] == [["< 5", "s", "0"], ["< 5", "s", "0"]]


def test_skipped_steps_read_as_people_who_skipped_not_as_a_negative_loss(manager_client):
    pathway = build_pathway(["m:2"], title="Parcours sauté")
    (module,) = modules_of(pathway)
    first, second = module.step_ids
    for index in range(12):
        user = learner(departement="69")
        enroll(user, pathway)
        if index < 6:
            actions.complete_step(user, module, first)
        actions.complete_step(user, module, second)  # six of them skipped the first step
    params = {"table": "etapes", "pathway": pathway.pk}
    rows = read_csv(manager_client.get(EXPORT, params))
    assert rows[0][3] == "Écart avec l’étape précédente"
    assert [row[2:] for row in rows[1:]] == [["6", "", ""], ["12", "+ 6 (étapes sautées)", ""]]
    for url in (DASHBOARD, PRINT):
        html = manager_client.get(url, {"pathway": pathway.pk}).content.decode()
        assert '<td class="num">+ 6 (étapes sautées)</td>' in html
        assert '<td class="num">-6</td>' not in html
        assert "N personnes de plus qu’à l’étape précédente" in html


def test_print_page_and_dashboard_define_what_they_count(manager_client, cohort):
    for url in (DASHBOARD, PRINT):
        html = manager_client.get(url).content.decode()
        assert "<dt>Inscription</dt>" in html and "<dt>Personne</dt>" in html
        assert "Une personne inscrite à deux parcours compte deux inscriptions" in html
        assert "remplacés par « s »" in html
    html = manager_client.get(PRINT).content.decode()
    assert '<th scope="col" class="num">Inscriptions</th>' in html  # the pathways' table
    assert '<th scope="col" class="num">Personnes inscrites</th>' in html  # the territories'


def test_each_filter_shows_its_own_value_and_error_whatever_was_rendered_before(
    manager_client, cohort
):
    """The fields are kept rendered one by one (a new selection mostly reuses them): each
    shows the value and the error of the request it answers."""

    def selected(html, name):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
        return re.findall(r'<option value="([^"]*)"[^>]*selected', select)

    first = manager_client.get(DASHBOARD, {"departement": "07"}).content.decode()
    assert selected(first, "departement") == ["07"] and selected(first, "pathway") == [""]
    second = manager_client.get(
        DASHBOARD, {"departement": "69", "pathway": cohort.pk, "start": "hier"}
    ).content.decode()
    assert selected(second, "departement") == ["69"]
    assert selected(second, "pathway") == [str(cohort.pk)]
    assert "Saisissez une date valide." in second
    third = manager_client.get(DASHBOARD, {"departement": "07", "start": "2025-01-01"})
    html = third.content.decode()
    assert selected(html, "departement") == ["07"] and selected(html, "pathway") == [""]
    assert 'value="2025-01-01"' in html and "Saisissez une date valide." not in html
