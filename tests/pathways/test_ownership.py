"""Content ownership in a network of structures, through Wagtail's real admin views: a
structure's editors edit its pathways and modules, its managers publish them, the
network's managers edit and publish everything, and the module library stays shared."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Page

from lms.accounts.models import MemberRole
from lms.accounts.roles import Role
from lms.accounts.structures import join
from pathways import actions
from pathways.models import ModulePage
from pathways.workflow import ensure_content_workflow
from tests.factories.accounts import UserFactory, learner, manager
from tests.factories.pathways import build_pathway, library, module
from tests.pathways.test_admin import (
    add_url,
    edit_url,
    module_form,
    pathway_form,
    refused,
    step_workshop_sheet,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def workflow():
    return ensure_content_workflow()


def editor_of(structure) -> Client:
    user = UserFactory(role=Role.EDITOR)
    join(user, structure, MemberRole.EDITOR)
    client = Client()
    client.force_login(user)
    return client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def steps():
    return [step_workshop_sheet()]


def module_of(structure, title) -> ModulePage:
    return module(1, title=title, structure=structure)


def fresh(page):
    return type(page).objects.get(pk=page.pk)


def publish(client, page) -> None:
    client.post(
        edit_url(page), {**module_form(steps(), page.title, page.slug), "action-publish": "1"}
    )


def test_an_editor_edits_their_structure_s_module_and_not_another_s(structures):
    alpha, beta = structures
    ours, theirs = module_of(alpha, "Notre module"), module_of(beta, "Leur module")
    editor = editor_of(alpha)

    assert editor.get(edit_url(ours)).status_code == 200
    response = editor.post(edit_url(ours), module_form(steps(), "Notre module revu", ours.slug))
    assert response.status_code == 302
    assert fresh(ours).get_latest_revision_as_object().title == "Notre module revu"
    assert fresh(ours).structure == alpha  # the draft keeps its structure

    assert refused(editor.get(edit_url(theirs)))
    response = editor.post(edit_url(theirs), module_form(steps(), "Piraté", theirs.slug))
    assert refused(response)
    theirs = fresh(theirs)
    assert theirs.get_latest_revision_as_object().title == "Leur module"
    assert theirs.latest_revision_id == theirs.live_revision_id
    # Nor can they delete it, move it or lock it.
    assert refused(editor.post(reverse("wagtailadmin_pages:delete", args=[theirs.pk])))
    assert refused(editor.post(reverse("wagtailadmin_pages:lock", args=[theirs.pk])))
    assert ModulePage.objects.filter(pk=theirs.pk, locked=False).exists()


def test_the_library_listing_shows_every_module_but_edit_links_only_to_one_s_own(structures):
    alpha, beta = structures
    ours, theirs = module_of(alpha, "Notre module"), module_of(beta, "Leur module")
    response = editor_of(alpha).get(reverse("wagtailadmin_explore", args=[library().pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Notre module" in body and "Leur module" in body
    assert edit_url(ours) in body
    assert edit_url(theirs) not in body


def test_a_new_page_belongs_to_its_editor_s_structure(structures):
    alpha, beta = structures
    editor = editor_of(alpha)
    form = module_form(steps(), "Tout neuf", "tout-neuf")
    assert editor.post(add_url(library()), {**form, "structure": str(beta.pk)}).status_code == 302
    # The structure cannot be chosen: it is the editor's own.
    assert ModulePage.objects.get(slug="tout-neuf").structure == alpha


def test_an_editor_puts_another_structure_s_live_module_in_their_pathway(structures):
    alpha, beta = structures
    ours = module_of(alpha, "Notre module")
    theirs = module_of(beta, "Leur module")
    pathway = build_pathway([ours], title="Notre parcours", structure=alpha)
    editor = editor_of(alpha)

    outline = [("module", str(ours.pk)), ("module", str(theirs.pk))]
    response = editor.post(edit_url(pathway), pathway_form(pathway, outline, "action-submit"))
    assert response.status_code == 302
    draft = fresh(pathway).get_latest_revision_as_object()
    assert draft.module_ids() == [ours.pk, theirs.pk]
    assert draft.structure == alpha


def test_a_manager_publishes_their_structure_s_page_but_not_another_s(structures):
    alpha, beta = structures
    ours = module_of(alpha, "Notre module")
    theirs = module_of(beta, "Leur module")
    boss = manager(alpha)
    client = signed_in(boss)

    publish(client, ours)  # the edit form's « Publier »
    ours = fresh(ours)
    assert ours.title == "Notre module" and not ours.has_unpublished_changes
    assert ours.latest_revision_id == ours.live_revision_id
    assert ours.permissions_for_user(boss).can_publish()

    assert refused(client.get(edit_url(theirs)))
    before = fresh(theirs).live_revision_id
    assert refused(client.post(reverse("wagtailadmin_pages:unpublish", args=[theirs.pk])))
    publish(client, theirs)
    theirs = fresh(theirs)
    assert theirs.live and theirs.live_revision_id == before
    assert not theirs.permissions_for_user(boss).can_publish()
    assert not theirs.permissions_for_user(boss).can_edit()


def test_a_network_manager_edits_and_publishes_both(structures):
    alpha, beta = structures
    head = manager()  # of the network's head
    client = signed_in(head)
    for structure, title in ((alpha, "Module alpha"), (beta, "Module bêta")):
        page = module_of(structure, title)
        assert client.get(edit_url(page)).status_code == 200
        data = {**module_form(steps(), f"{title} revu", page.slug), "structure": str(structure.pk)}
        response = client.post(edit_url(page), {**data, "action-publish": "1"})
        assert response.status_code == 302
        page = fresh(page)
        assert page.title == f"{title} revu" and page.structure == structure
        perms = page.permissions_for_user(head)
        assert perms.can_edit() and perms.can_publish() and perms.can_unpublish()


def test_a_network_manager_gives_a_page_to_another_structure(structures):
    alpha, beta = structures
    page = module_of(alpha, "Module à transmettre")
    data = {**module_form(steps(), page.title, page.slug), "structure": str(beta.pk)}
    signed_in(manager()).post(edit_url(page), {**data, "action-publish": "1"})
    assert fresh(page).structure == beta
    assert refused(editor_of(alpha).get(edit_url(page)))
    assert editor_of(beta).get(edit_url(page)).status_code == 200


def test_a_page_without_structure_stays_editable_by_any_editor(structures):
    alpha, beta = structures
    legacy = module(1, title="Module d'avant les structures")
    for editor in (editor_of(alpha), editor_of(beta), signed_in(UserFactory(role=Role.EDITOR))):
        assert editor.get(edit_url(legacy)).status_code == 200
    response = editor_of(beta).post(edit_url(legacy), module_form(steps(), "Revu", legacy.slug))
    assert response.status_code == 302
    assert fresh(legacy).get_latest_revision_as_object().title == "Revu"
    assert fresh(legacy).structure is None


def test_learners_see_which_structure_proposes_the_module(client, structures):
    alpha, _ = structures
    ours = module_of(alpha, "Notre module")
    legacy = module(1, title="Module sans structure")
    pathway = build_pathway([ours, legacy], structure=alpha)
    person = learner()
    actions.enroll(person, pathway)
    client.force_login(person)
    step = reverse("pathways:step", args=[pathway.pk, ours.pk, ours.step_ids[0]])
    assert "Proposé par Incubateur Alpha" in client.get(step).content.decode()
    assert "Proposé par Incubateur Alpha" in client.get(ours.url).content.decode()
    other = reverse("pathways:step", args=[pathway.pk, legacy.pk, legacy.step_ids[0]])
    assert "Proposé par" not in client.get(other).content.decode()


def test_the_page_permissions_of_base_pages_are_the_specific_ones(structures):
    alpha, beta = structures
    theirs = module_of(beta, "Leur module")
    user = UserFactory(role=Role.EDITOR)
    join(user, alpha, MemberRole.EDITOR)
    assert not Page.objects.get(pk=theirs.pk).permissions_for_user(user).can_edit()
    pathway = build_pathway([theirs], structure=alpha)
    assert Page.objects.get(pk=pathway.pk).permissions_for_user(user).can_edit()
