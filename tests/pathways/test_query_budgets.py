"""Constant queries: pathway page, step page and dashboard at three data sizes."""

import pytest
from django.urls import reverse

from pathways import actions
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, modules_of

pytestmark = pytest.mark.django_db

SIZES = [1, 4, 10]  # modules per pathway, pathways per learner, and steps done


def world(size):
    """A learner in `size` pathways of `size` modules of `size` steps, with history."""
    user = learner()
    pathways = [build_pathway([f"m:{size}", "p:automatic"] * size) for _ in range(size)]
    for pathway in pathways:
        actions.enroll(user, pathway)
        mod = modules_of(pathway)[0]
        for step_id in mod.step_ids:
            actions.complete_step(user, mod, step_id)
    return user, pathways


@pytest.mark.parametrize("size", SIZES)
def test_pathway_page(client, django_assert_max_num_queries, size):
    user, pathways = world(size)
    client.force_login(user)
    # The modules come from the cache after one light query of their live revisions; the
    # glossary (linked in the intro) costs one query on a cold cache.
    with django_assert_max_num_queries(19):
        assert client.get(pathways[-1].url).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_step_page(client, django_assert_max_num_queries, size):
    user, pathways = world(size)
    client.force_login(user)
    mod = modules_of(pathways[-1])[-1]
    url = reverse("pathways:step", args=[pathways[-1].pk, mod.pk, mod.step_ids[-1]])
    # 12, plus the glossary's one query on a cold cache (its version keys the step's content).
    with django_assert_max_num_queries(13):
        assert client.get(url).status_code in (200, 403)


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(client, django_assert_max_num_queries, size):
    user, _ = world(size)
    client.force_login(user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("pathways:dashboard")).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_complete_step(
    client, django_assert_max_num_queries, size, django_capture_on_commit_callbacks
):
    user, pathways = world(size)
    client.force_login(user)
    mod = modules_of(pathways[-1])[-1]
    url = reverse("pathways:complete_step", args=[pathways[-1].pk, mod.pk, mod.step_ids[0]])
    # The modules come from the cache after one light query of their live revisions.
    with django_assert_max_num_queries(24):
        assert client.post(url).status_code == 302


def test_a_sheet_read_again_does_not_look_up_its_document(client):
    """The content of a step comes from the cache: its document is looked up only when the
    step is rendered, not each time its page is served."""
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.documents import get_document_model

    from tests.factories.pathways import module, sheet

    document = get_document_model().objects.create(
        title="Grille du modèle économique", file=ContentFile(b"%PDF-1.4", name="grille.pdf")
    )
    title, value = sheet("Votre modèle économique")
    mod = module(steps=[(title, {**value, "document": document})])
    pathway = build_pathway([mod])
    user = learner()
    actions.enroll(user, pathway)
    client.force_login(user)
    url = reverse("pathways:step", args=[pathway.pk, mod.pk, mod.step_ids[0]])
    first = client.get(url)
    assert "Grille du modèle économique" in first.content.decode()
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url)
    assert "Grille du modèle économique" in second.content.decode()
    assert not [q for q in captured.captured_queries if "wagtaildocs_document" in q["sql"]]
