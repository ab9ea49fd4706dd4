"""An editor builds a module in the StreamField editor and puts it in a pathway (issue 7).

Proves that Claire (editor) can, in the Wagtail admin, add a module under « Bibliothèque
de modules » with one step of each of the five types (workshop sheet, guided exercise,
testimony, podcast, video), filled through the StreamField block picker, the Draftail
rich-text editors and the media chooser; save it and submit it to « Validation des
contenus »; then add it at the end of the outline of « Avancer le soir, à son rythme »
with the page chooser and submit that too. Until Marc (manager) approves, visitors do not
see it; once he approves and publishes both (the module first), the module closes the
pathway's outline, and a new learner who starts the pathway opens it and reads each of
its five steps.

Independent of ``test_06_editor`` (which renames a module of another pathway): its own
module, its own pathway, its own learner.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from .flows import log_in_with_password, onboard, sign_up, step_heading, text, unique_email
from .support import Autosaves

pytestmark = pytest.mark.e2e

PATHWAY = "Avancer le soir, à son rythme"
PATHWAY_URL = "/parcours/avancer-le-soir-a-son-rythme/"
MODULE = "Garder le cap quand les soirées sont courtes"
SUMMARY = "Cinq étapes pour tenir son projet dans la durée, avec un emploi et peu de temps."
AUDIO = "Épisode 5 — Porter un projet le soir et le week-end"  # demo media
VIDEO = "Tester avant de se lancer"
CAPTIONS = "Sous-titres — Tester avant de se lancer"  # demo document (WebVTT)

SHEET = "Faire le point en dix minutes"
SHEET_BODY = "Chaque dimanche soir, notez ce qui a avancé et la prochaine petite action."
EXERCISE = "Mes trois prochains pas"
EXERCISE_INSTRUCTIONS = "Choisissez des actions qui tiennent dans une soirée."
QUESTION = "Quelle action ferez-vous mardi soir ?"
TESTIMONY = "Un café associatif monté après le travail"
PERSON = "Samia, aide-soignante à Mende"
QUOTE = "J'avançais une heure par soir, jamais plus, mais tous les soirs."
TESTIMONY_STORY = "Samia a ouvert son café associatif en dix-huit mois, sans quitter son poste."
PODCAST = "Écouter : protéger ses soirées"
PODCAST_TRANSCRIPT = "Deux porteuses de projet racontent comment elles protègent leurs soirées."
VIDEO_STEP = "Voir : un test en une soirée"
VIDEO_TRANSCRIPT = "Trois voisins, une table, un carnet : un premier test mené en une soirée."


# --- The StreamField editor, as a person uses it ---------------------------------------------


def add_block(page: Page, field: Locator, kind: str) -> Locator:
    """The « + » (« Insérer un bloc ») after the field's last block, then ``kind`` in the
    block picker; returns the new block's panel."""
    field.get_by_title("Insérer un bloc").last.click()
    picker = page.get_by_role("listbox", name="Options de recherche…")
    picker.get_by_role("option", name=kind, exact=True).click()
    expect(picker).to_be_hidden()
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(kind)}")).last


def field(scope: Locator | Page, label: str, role: str = "textbox") -> Locator:
    """A form field by its label (Wagtail marks required ones with « * »)."""
    return scope.get_by_role(role, name=re.compile(rf"^{re.escape(label)}\*?$"))


def write_rich_text(page: Page, block: Locator, name: str, value: str) -> None:
    """Type into a Draftail editor of the block (``name``: the block field's name)."""
    editor = block.locator(f"[data-contentpath='{name}']").get_by_role("textbox")
    editor.click()
    page.keyboard.type(value)
    expect(editor).to_contain_text(value)


def choose_media(page: Page, block: Locator, button: str, title: str) -> None:
    """A chooser button of the block, then ``title`` in the chooser modal."""
    block.get_by_role("button", name=button).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("link", name=title).click()
    expect(dialog).to_be_hidden()
    expect(block.get_by_text(title)).to_be_visible()


def submit_for_review(page: Page) -> None:
    page.get_by_role("button", name=text("Plus d'actions")).click()
    page.locator("footer").get_by_role("button", name="Soumettre à Validation des contenus").click()
    # The submission tells the approvers by e-mail within the request (eager tasks here):
    # under a loaded CI machine it took more than the default 10 s once.
    expect(page.get_by_text(re.compile(r"a été soumise pour modération"))).to_be_visible(
        timeout=30_000
    )


def approve_and_publish(page: Page, edit_url: str) -> None:
    page.goto(edit_url)
    page.get_by_role("button", name=text("Plus d'actions")).click()
    page.get_by_role("button", name="Approuver et Publier", exact=True).click()
    expect(page.get_by_text(re.compile(r"a été (mise à jour|publiée|approuvée)"))).to_be_visible()


def outline_titles(page: Page) -> list[str]:
    page.goto(PATHWAY_URL)
    return page.locator(".outline__module h3").all_inner_texts()


# --- The journey -------------------------------------------------------------------------------


def test_editor_builds_a_module_and_adds_it_to_a_pathway(journey):
    # Claire adds a module under the library.
    editor = journey("editor-module")
    page = editor.page
    # Saving while Wagtail's first autosave is still creating the page posts the « add »
    # form a second time (a 500 on the slug): wait for the autosaves before saving.
    autosaves = Autosaves(page)
    log_in_with_password(editor, "claire@balise.test")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.goto("/admin/pages/search/?q=Bibliothèque")
    page.locator("table").get_by_role("link", name="Bibliothèque de modules").first.click()
    page.get_by_role("button", name="Actions", exact=True).click()
    page.get_by_role("link", name="Ajouter une sous-page").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/add/pathways/modulepage/\d+/$"))
    field(page, "Titre").fill(MODULE)
    field(page, "Résumé").fill(SUMMARY)
    field(page, "Durée (minutes)", "spinbutton").fill("45")
    steps = page.get_by_role("region", name=re.compile(r"^Étapes"))

    # One step of each type, through the block picker.
    sheet = add_block(page, steps, "Fiche atelier")
    field(sheet, "Titre de l'étape").fill(SHEET)
    write_rich_text(page, sheet, "body", SHEET_BODY)

    exercise = add_block(page, steps, "Exercice guidé")
    field(exercise, "Titre de l'étape").fill(EXERCISE)
    write_rich_text(page, exercise, "instructions", EXERCISE_INSTRUCTIONS)
    question = exercise.get_by_role("region", name=re.compile(r"^Question"))  # one to start
    field(question, "Question").fill(QUESTION)
    field(question, "Type de réponse", "combobox").select_option(label="Réponse courte")

    testimony = add_block(page, steps, "Témoignage")
    field(testimony, "Titre de l'étape").fill(TESTIMONY)
    field(testimony, "Personne").fill(PERSON)
    field(testimony, "Citation").fill(QUOTE)
    write_rich_text(page, testimony, "story", TESTIMONY_STORY)

    podcast = add_block(page, steps, "Podcast")
    field(podcast, "Titre de l'étape").fill(PODCAST)
    choose_media(page, podcast, "Choisir un fichier audio", AUDIO)
    write_rich_text(page, podcast, "transcript", PODCAST_TRANSCRIPT)

    video = add_block(page, steps, "Vidéo")
    field(video, "Titre de l'étape").fill(VIDEO_STEP)
    choose_media(page, video, "Choisir une vidéo", VIDEO)
    choose_media(page, video, "Choisir un document", CAPTIONS)  # required to publish
    write_rich_text(page, video, "transcript", VIDEO_TRANSCRIPT)

    editor.axe("nouveau module, cinq étapes", enforce=False)
    editor.shot("nouveau module, cinq étapes")
    autosaves.settle()
    page.locator("footer").get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(page.get_by_text(re.compile(r"(créée|a été mise à jour)")).first).to_be_visible()
    module_edit_url = page.url
    submit_for_review(page)
    editor.shot("module soumis à validation")

    # Claire puts the module at the end of the pathway's outline.
    page.goto("/admin/pages/search/?q=Avancer le soir")
    page.locator("table").get_by_role("link", name=PATHWAY, exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    pathway_edit_url = page.url
    outline = page.get_by_role("region", name=re.compile(r"^Déroulé"))
    item = add_block(page, outline, "Module")
    item.get_by_role("button", name=re.compile(r"Choisissez une page")).click()
    chooser = page.get_by_role("dialog")
    expect(chooser.get_by_text(re.compile(r"Choisir Module"))).to_be_visible()
    editor.shot("sélecteur de module")
    chooser.get_by_role("link", name=MODULE).click()
    expect(chooser).to_be_hidden()
    expect(item.get_by_text(MODULE)).to_be_visible()
    editor.axe("parcours avec le nouveau module", enforce=False)
    submit_for_review(page)
    editor.shot("parcours soumis à validation")

    # Until approved, visitors do not see it.
    visitor = journey("visitor-module")
    before = outline_titles(visitor.page)
    assert before and MODULE not in before, before

    # Marc approves and publishes the module, then the pathway.
    manager = journey("manager-module")
    admin = manager.page
    log_in_with_password(manager, "marc@balise.test")
    review = admin.locator("section, .panel, table", has_text="En attente de votre vérification")
    expect(review.get_by_text(MODULE).first).to_be_visible()
    expect(review.get_by_text(PATHWAY).first).to_be_visible()
    manager.shot("module et parcours à valider")
    approve_and_publish(admin, module_edit_url)
    approve_and_publish(admin, pathway_edit_url)
    manager.shot("parcours approuvé et publié")

    # The module now closes the pathway's outline.
    after = outline_titles(visitor.page)
    assert after == [*before, MODULE], after
    visitor.look("parcours avec le nouveau module")

    # A new learner starts the pathway, opens the module and reads its five steps.
    learner = journey("learner-module")
    lpage = learner.page
    sign_up(learner, unique_email("samir"))
    onboard(learner)
    lpage.goto(PATHWAY_URL)
    lpage.get_by_role("button", name="Commencer ce parcours").click()
    lpage.goto(PATHWAY_URL)
    lpage.locator(".outline__module").get_by_role("link", name=MODULE).click()
    expect(step_heading(lpage)).to_have_text(SHEET)
    expect(lpage.get_by_text("Étape 1 sur 5 · Fiche atelier")).to_be_visible()
    expect(lpage.get_by_text(SHEET_BODY)).to_be_visible()
    learner.look("première étape du nouveau module")

    lpage.get_by_role("link", name="Étape suivante").first.click()
    expect(step_heading(lpage)).to_have_text(EXERCISE)
    expect(lpage.get_by_text(EXERCISE_INSTRUCTIONS)).to_be_visible()
    expect(lpage.get_by_label(QUESTION)).to_be_editable()

    lpage.get_by_role("link", name="Étape suivante").first.click()
    expect(step_heading(lpage)).to_have_text(TESTIMONY)
    expect(lpage.get_by_text(text(QUOTE))).to_be_visible()
    expect(lpage.get_by_text(TESTIMONY_STORY)).to_be_visible()

    lpage.get_by_role("link", name="Étape suivante").first.click()
    expect(step_heading(lpage)).to_have_text(text(PODCAST))
    expect(lpage.locator("audio")).to_have_count(1)
    expect(lpage.get_by_text(PODCAST_TRANSCRIPT)).to_be_visible()
    learner.look("podcast du nouveau module")

    lpage.get_by_role("link", name="Étape suivante").first.click()
    expect(step_heading(lpage)).to_have_text(VIDEO_STEP)
    expect(lpage.get_by_text("Étape 5 sur 5 · Vidéo")).to_be_visible()
    expect(lpage.locator("video")).to_have_count(1)
    lpage.get_by_text("Transcription", exact=True).click()  # folded under the video
    expect(lpage.get_by_text(VIDEO_TRANSCRIPT)).to_be_visible()

    visitor.assert_accessible()
    learner.assert_accessible()
