"""Editors see, in Wagtail's admin, where learners stop in a module."""

import pytest
from django.urls import reverse

from lms.accounts.roles import Role
from pathways import actions
from tests.factories.accounts import UserFactory, coach, learner
from tests.factories.pathways import build_pathway, library, modules_of

from .conftest import complete, enroll

pytestmark = pytest.mark.django_db


@pytest.fixture
def module_with_history():
    pathway = build_pathway(["m:3"])
    (module,) = modules_of(pathway)
    for done in (3, 3, 2, 1, 1, 1):
        user = learner()
        enroll(user, pathway)
        complete(user, module, steps=done)
    return module


def dropoff_url(module):
    return reverse("reports_module_dropoff", args=[module.pk])


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MANAGER])
def test_editors_and_managers_see_the_drop_off_per_step(client, module_with_history, role):
    client.force_login(UserFactory(role=role))
    response = client.get(dropoff_url(module_with_history))
    assert response.status_code == 200
    assert [row["learners"] for row in response.context["rows"]] == [6, 3, 2]
    assert [row["lost"] for row in response.context["rows"]] == [None, 3, 1]
    html = response.content.decode()
    assert "Décrochage" in html
    assert "1. Étape 1" in html
    assert "50,0" in html  # 3 of 6 lost after the first step


def test_the_button_shows_on_modules_only(client, module_with_history):
    client.force_login(UserFactory(role=Role.EDITOR))
    url = dropoff_url(module_with_history)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[module_with_history.pk]))
    assert url in edit.content.decode()
    listing = client.get(reverse("wagtailadmin_explore", args=[library().pk]))
    assert url in listing.content.decode()
    pathway_edit = client.get(reverse("wagtailadmin_pages:edit", args=[library().pk]))
    assert "/decrochage/" not in pathway_edit.content.decode()


@pytest.mark.parametrize("make_user", [learner, coach, lambda: UserFactory()])
def test_learners_and_coaches_stay_out(client, module_with_history, make_user):
    client.force_login(make_user())
    response = client.get(dropoff_url(module_with_history))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_anonymous_visitors_go_to_the_login(client, module_with_history):
    response = client.get(dropoff_url(module_with_history))
    assert response.status_code == 302


def test_a_page_that_is_not_a_module_is_a_404(client):
    pathway = build_pathway(["m:1"])
    client.force_login(UserFactory(role=Role.EDITOR))
    assert client.get(reverse("reports_module_dropoff", args=[pathway.pk])).status_code == 404


def test_a_step_done_by_more_people_than_the_one_before_reads_as_skipped(client):
    pathway = build_pathway(["m:2"])
    (module,) = modules_of(pathway)
    first, second = module.step_ids
    for index in range(4):
        user = learner()
        enroll(user, pathway)
        if index == 0:
            actions.complete_step(user, module, first)
        actions.complete_step(user, module, second)  # three skipped the first step
    client.force_login(UserFactory(role=Role.EDITOR))
    html = client.get(dropoff_url(module)).content.decode()
    assert '<td class="u-text-right">+ 3 (étapes sautées)</td>' in html
    assert '<td class="u-text-right">-3</td>' not in html
    assert '<td class="u-text-right">-300,0</td>' not in html  # no loss of -300 %
