"""The dashboard's filter form is rendered once per submitted values, choices and language,
then read from the cache: what it shows follows every change of those."""

import pytest
from django.urls import reverse

from tests.factories.pathways import build_pathway

from .conftest import programme

pytestmark = pytest.mark.django_db

FIELDS = "components/form_fields.html"


def look(client, **params):
    response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 200
    return response, response.content.decode(), [t.name for t in response.templates]


def test_the_same_selection_reuses_the_rendered_fields(manager_client, cache_on):
    programme(1)
    _, first, rendered = look(manager_client, departement="69")
    _, second, reused = look(manager_client, departement="69")
    assert FIELDS in rendered and FIELDS not in reused
    assert second.count("<option") == first.count("<option") > 100
    assert '<option value="69" selected>' in second


def test_another_selection_shows_its_own_values(manager_client, cache_on):
    programme(1)
    look(manager_client, departement="69")
    _, body, rendered = look(manager_client, departement="07")
    assert FIELDS in rendered
    assert '<option value="07" selected>' in body
    assert '<option value="69" selected>' not in body


def test_a_wrong_value_shows_its_error_each_time(manager_client, cache_on):
    programme(1)
    look(manager_client, departement="999")
    _, body, _ = look(manager_client, departement="999")
    assert "« 999 » n’est pas un code de département connu." in body


def test_a_new_pathway_appears_in_the_choices(manager_client, cache_on):
    programme(1)
    look(manager_client)
    build_pathway(["m:1"], title="Parcours tout neuf")
    _, body, rendered = look(manager_client)
    assert FIELDS in rendered
    assert "Parcours tout neuf" in body


def test_each_language_has_its_own_fields(manager_client, cache_on):
    programme(1)
    look(manager_client)
    manager_client.cookies["django_language"] = "en"
    _, body, _ = look(manager_client)
    assert "All departments" in body
    assert "Tous les départements" not in body
