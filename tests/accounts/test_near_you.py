"""« Près de chez vous »: anyone finds the structures of the network that cover their
département, and how to reach them."""

import pytest
from django.urls import reverse

from lms.accounts.models import StructureKind
from tests.factories.accounts import StructureFactory, coach, learner, network

pytestmark = pytest.mark.django_db

URL = reverse("structures")
NO_STRUCTURE_HERE = "Aucune structure ne couvre encore ce département"


@pytest.fixture
def structures():
    network()
    StructureFactory(
        name="Fabrique de Lyon",
        kind=StructureKind.FABRIQUE,
        departements=["69", "01"],
        presentation="Nous aidons à faire naître des projets.",
        address="3 rue de la Part-Dieu, Lyon",
        email="bonjour@fabrique.test",
        phone="04 00 00 00 00",
        website="https://fabrique.test",
        modalities=["in_person", "video"],
    )
    StructureFactory(name="CAE Drôme", kind=StructureKind.CAE, departements=["26"])
    StructureFactory(name="Couveuse fermée", departements=["69"], active=False)


def captions(response):
    return [name for _code, name, _found in response.context["groups"]]


def test_a_visitor_sees_active_structures_by_departement_with_how_to_reach_them(
    client, structures, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client.get(URL)
    assert response.status_code == 200
    assert captions(response) == ["Ain", "Drôme", "Rhône"]
    html = response.content.decode()
    assert '<caption id="caption-69">Rhône (69)</caption>' in html
    assert '<th scope="row">Fabrique de Lyon</th>' in html
    assert "Nous aidons à faire naître des projets." in html
    assert 'href="mailto:bonjour@fabrique.test"' in html
    assert 'href="tel:0400000000"' in html
    assert 'href="https://fabrique.test"' in html
    assert "En présentiel, Visioconférence" in html
    assert "Coopérative d&#x27;activité et d&#x27;emploi (CAE)" in html
    assert "Couveuse fermée" not in html
    assert "Réseau Balise" not in html


def test_a_visitor_filters_by_departement_without_javascript(client, structures):
    response = client.get(URL, {"departement": "26"})
    assert captions(response) == ["Drôme"]
    html = response.content.decode()
    assert '<option value="26" selected>' in html
    assert "Fabrique de Lyon" not in html


def test_a_departement_nobody_covers_says_what_to_do(client, structures):
    response = client.get(URL, {"departement": "2A"})
    assert response.status_code == 200
    assert response.context["groups"] == []
    html = response.content.decode()
    assert NO_STRUCTURE_HERE in html
    assert "la file nationale vous répondra" in html


def test_an_unknown_departement_gets_a_clear_message(client, structures):
    response = client.get(URL, {"departement": "999"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "« 999 » n’est pas un code de département connu" in html
    assert 'aria-invalid="true"' in html
    assert captions(response) == ["Ain", "Drôme", "Rhône"]


def test_a_learner_sees_their_departement_first_and_may_choose_another(client, structures):
    client.force_login(learner(departement="26"))
    response = client.get(URL)
    assert captions(response) == ["Drôme"]
    assert '<option value="26" selected>' in response.content.decode()
    assert captions(client.get(URL, {"departement": ""})) == ["Ain", "Drôme", "Rhône"]


def test_people_without_a_learner_profile_see_every_departement(client, structures):
    client.force_login(coach(departements=["26"]))
    assert "Rhône" in captions(client.get(URL))


def test_the_footer_links_to_the_page(client):
    response = client.get(reverse("accounts:privacy"))
    assert f'href="{URL}"' in response.content.decode()


def test_the_page_is_read_only(client):
    assert client.post(URL).status_code == 405
