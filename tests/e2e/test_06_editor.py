"""Content moderation: an editor's change reaches learners only once a manager approves it.

Proves that Claire (editor) can change a module of « Faire émerger son projet ESS » in
the Wagtail admin but cannot publish it herself: she submits it to the « Validation des
contenus » workflow; learners still see the published title; Marc (manager) finds it
« En attente de votre vérification » on his admin home, approves and publishes it; the
learner then sees the new title in the pathway's outline.

Building a new module with one step of each type in the StreamField editor is
``test_07_editor_builds_module``; the manager's dashboard and its CSV export in
``test_08_outcomes``.
"""

import re

import pytest
from playwright.sync_api import expect

from .flows import EMERGENCE_URL, log_in_with_password, text

pytestmark = pytest.mark.e2e

MODULE = "Mobiliser une équipe et des bénévoles"
NEW_TITLE = "Mobiliser une équipe, des bénévoles et des partenaires"


def outline_titles(page) -> list[str]:
    page.goto(EMERGENCE_URL)
    return page.locator(".outline__module h3").all_inner_texts()


def test_editor_submits_manager_approves_learner_sees(journey):
    visitor = journey("visitor")
    assert MODULE in outline_titles(visitor.page)

    # Claire edits the title and can only submit it for review.
    editor = journey("editor")
    page = editor.page
    log_in_with_password(editor, "claire@balise.test")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.goto(f"/admin/pages/search/?q={MODULE.split()[0]}")
    page.get_by_role("link", name=MODULE).first.click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    edit_url = page.url
    title = page.locator("#id_title")
    expect(title).to_have_value(MODULE)
    editor.axe("édition du module", enforce=False)
    title.fill(NEW_TITLE)
    page.get_by_role("button", name=text("Plus d'actions")).click()
    actions = page.locator("footer")
    expect(
        actions.get_by_role("button", name="Soumettre à Validation des contenus")
    ).to_be_visible()
    expect(actions.locator("[name=action-publish]")).to_have_count(0)  # editors do not publish
    editor.shot("module modifié, soumission à validation")
    actions.get_by_role("button", name="Soumettre à Validation des contenus").click()
    expect(page.get_by_text(re.compile(r"a été soumise pour modération"))).to_be_visible()
    editor.shot("module soumis à validation")

    # Until approved, learners see the published title.
    titles = outline_titles(visitor.page)
    assert MODULE in titles and NEW_TITLE not in titles, titles

    # Marc finds it waiting for his review, approves and publishes.
    manager = journey("manager")
    admin = manager.page
    log_in_with_password(manager, "marc@balise.test")
    review = admin.locator("section, .panel, table", has_text="En attente de votre vérification")
    expect(review.get_by_text(NEW_TITLE).first).to_be_visible()
    manager.axe("accueil de l'administration (à valider)", enforce=False)
    manager.shot("en attente de vérification")
    admin.goto(edit_url)
    admin.get_by_role("button", name=text("Plus d'actions")).click()
    admin.get_by_role("button", name="Approuver et Publier", exact=True).click()
    expect(admin.get_by_text(re.compile(r"a été (mise à jour|publiée|approuvée)"))).to_be_visible()
    manager.shot("module approuvé et publié")

    # The learner sees the new title.
    titles = outline_titles(visitor.page)
    assert NEW_TITLE in titles and MODULE not in titles, titles
    visitor.look("parcours avec le module renommé")
    visitor.assert_accessible()
