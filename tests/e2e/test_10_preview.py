"""An editor previews a draft module as a learner, and a manager approves it from the
preview (issue 16).

Proves that Claire (editor) builds a module in the Wagtail admin with one step of each
type (a workshop sheet with its PDF to download, a guided exercise, a testimony, a podcast
and a video with their transcripts), saves it as a draft and previews each step as the
learner will see it, every action disabled; puts it at the end of the outline of
« Mesurer et piloter son impact social » and previews the pathway, where the module shows
in its place marked as a draft, and the pathway's progression point as the learner reaches
it; then submits both. Marc (a manager who may approve them, as
``pathways.workflow.StructureApprovalTask`` decides) opens each from « En attente de votre
vérification », reads the learner preview and approves it from the bar above it, without
going through the edit form. A visitor then finds the module in the pathway, live, and
reads its steps.

Independent of the other journeys: its own module, a pathway no other journey edits.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from .flows import log_in_with_password, step_heading, text
from .support import Autosaves
from .test_07_editor_builds_module import (
    add_block,
    choose_media,
    field,
    submit_for_review,
    write_rich_text,
)

pytestmark = pytest.mark.e2e

PATHWAY = "Mesurer et piloter son impact social"
PATHWAY_URL = "/parcours/mesurer-et-piloter-son-impact-social/"
POINT = "Relire ses indicateurs avec un·e accompagnateur·rice"
MODULE = "Suivre son impact au fil des mois"
SUMMARY = "Cinq étapes pour garder un œil sur vos indicateurs sans y passer vos soirées."
DOCUMENT = "Fiche atelier — Formuler son besoin social"  # demo document
AUDIO = "Épisode 4 — Raconter son impact sans jargon"  # demo media
VIDEO = "Tester avant de se lancer"
CAPTIONS = "Sous-titres — Tester avant de se lancer"  # demo document (WebVTT)

SHEET = "Un tableau de bord sur une page"
SHEET_BODY = "Trois indicateurs, une colonne par trimestre, et c'est tout."
EXERCISE = "Mes indicateurs du trimestre"
EXERCISE_INSTRUCTIONS = "Notez ce que vous mesurerez d'ici trois mois."
QUESTION = "Quel indicateur suivrez-vous en premier ?"
TESTIMONY = "Une épicerie qui compte ses sourires"
PERSON = "Lucas, épicerie solidaire à Privas"
QUOTE = "On ne compte pas tout, on compte ce qui nous aide à décider."
TESTIMONY_STORY = "Lucas relit ses trois indicateurs avec son équipe chaque trimestre."
PODCAST = "Écouter : raconter ses chiffres"
PODCAST_TRANSCRIPT = "Deux fondatrices expliquent comment elles présentent leurs chiffres."
VIDEO_STEP = "Voir : un bilan en cinq minutes"
VIDEO_TRANSCRIPT = "Un bilan d'impact présenté en cinq minutes devant le conseil."

NOTICE = text("Le brouillon tel qu'une personne accompagnée le verra une fois publié.")
DRAFT = "brouillon, pas encore publié"
# Wagtail's autosave and submissions (which e-mail the approvers) are slow on a loaded machine.
SLOW = 30_000


def page_id(url: str) -> str:
    match = re.search(r"/admin/pages/(\d+)/", url)
    assert match, url
    return match.group(1)


def view_draft(page: Page, pk: str, mode: str | None = None) -> None:
    """« Voir le brouillon »: the saved draft in one of its preview modes."""
    suffix = f"?mode={mode}" if mode else ""
    page.goto(f"/admin/pages/{pk}/view_draft/{suffix}")
    expect(page.get_by_text(NOTICE)).to_be_visible(timeout=SLOW)


def expect_inert(page: Page) -> None:
    """The learner's page of a preview: nothing can be sent from it."""
    main = page.locator("main")
    expect(main.locator("form[method=post]")).to_have_count(0)
    for button in main.get_by_role("button").all():
        expect(button).to_be_disabled()


def approve_from_preview(manager, pk: str, title: str) -> None:
    """From « En attente de votre vérification », the page's preview (a new tab), then
    « Approuver et publier » in the bar above the learner's page."""
    admin = manager.page
    admin.goto("/admin/")
    review = admin.locator("section, .panel, table", has_text="En attente de votre vérification")
    expect(review.get_by_text(title).first).to_be_visible(timeout=SLOW)
    # Its « Prévisualisation » link (in the row's menu; the submission e-mail has it too)
    # opens a new tab.
    link = review.locator(f"a[href*='/workflow/preview/{pk}/']").first
    expect(link).to_have_attribute("target", "_blank")
    preview = admin.context.new_page()
    preview.goto(link.get_attribute("href"))
    bar = preview.get_by_role("region", name="Validation : ce contenu attend votre décision")
    expect(bar).to_be_visible(timeout=SLOW)
    expect(bar.get_by_role("button", name="Demander des modifications")).to_be_visible()
    expect(preview.get_by_text(NOTICE)).to_be_visible()
    manager.look(f"aperçu à valider : {title}", preview)
    bar.get_by_role("button", name="Approuver et publier").click()
    expect(preview).to_have_url(re.compile(rf"/admin/pages/{pk}/edit/$"), timeout=SLOW)
    preview.close()


def test_editor_previews_each_step_and_manager_approves_from_the_preview(journey):
    # Claire builds a module with one step of each type.
    editor = journey("editor-preview")
    page = editor.page
    log_in_with_password(editor, "claire@balise.test")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    autosaves = Autosaves(page)
    page.goto("/admin/pages/search/?q=Bibliothèque")
    page.locator("table").get_by_role("link", name="Bibliothèque de modules").first.click()
    page.get_by_role("button", name="Actions", exact=True).click()
    page.get_by_role("link", name="Ajouter une sous-page").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/add/pathways/modulepage/\d+/$"))
    field(page, "Titre").fill(MODULE)
    field(page, "Résumé").fill(SUMMARY)
    steps = page.get_by_role("region", name=re.compile(r"^Étapes"))

    sheet = add_block(page, steps, "Fiche atelier")
    field(sheet, "Titre de l'étape").fill(SHEET)
    write_rich_text(page, sheet, "body", SHEET_BODY)
    choose_media(page, sheet, "Choisir un document", DOCUMENT)

    exercise = add_block(page, steps, "Exercice guidé")
    field(exercise, "Titre de l'étape").fill(EXERCISE)
    write_rich_text(page, exercise, "instructions", EXERCISE_INSTRUCTIONS)
    question = exercise.get_by_role("region", name=re.compile(r"^Question"))
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
    # Draftail writes into the form's hidden input a moment after typing.
    expect(video.locator("input[name$='-value-transcript']")).to_have_value(
        re.compile("cinq minutes devant le conseil"), timeout=SLOW
    )
    field(page, "Durée (minutes)", "spinbutton").fill("40")  # leaves the rich text
    autosaves.settle()

    page.locator("footer").get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"), timeout=SLOW)
    expect(page.get_by_text(re.compile(r"(créée|a été mise à jour)")).first).to_be_visible()
    module_edit_url = page.url
    module_pk = page_id(module_edit_url)

    # She previews each step as the learner will see it.
    view_draft(page, module_pk, "step-1")
    expect(step_heading(page)).to_have_text(SHEET)
    expect(page.get_by_text("Étape 1 sur 5 · Fiche atelier")).to_be_visible()
    expect(page.get_by_text(text(SHEET_BODY))).to_be_visible()
    download = page.get_by_role("link", name=re.compile(rf"Télécharger « {re.escape(DOCUMENT)} »"))
    expect(download).to_have_attribute("href", re.compile(r"/documents/"))
    expect(page.get_by_role("button", name=text("J'ai terminé cette étape"))).to_be_disabled()
    expect_inert(page)
    editor.look("aperçu : fiche atelier")

    view_draft(page, module_pk, "step-2")
    expect(step_heading(page)).to_have_text(EXERCISE)
    expect(page.get_by_text(text(EXERCISE_INSTRUCTIONS))).to_be_visible()
    expect(page.get_by_label(QUESTION)).to_be_visible()
    expect(page.get_by_label(QUESTION)).to_be_disabled()
    expect(page.get_by_role("button", name="Enregistrer mes réponses")).to_be_disabled()
    expect_inert(page)
    editor.look("aperçu : exercice guidé")

    view_draft(page, module_pk, "step-3")
    expect(step_heading(page)).to_have_text(TESTIMONY)
    expect(page.get_by_text(text(QUOTE))).to_be_visible()
    expect(page.get_by_text(PERSON)).to_be_visible()
    expect(page.get_by_text(TESTIMONY_STORY)).to_be_visible()

    view_draft(page, module_pk, "step-4")
    expect(step_heading(page)).to_have_text(text(PODCAST))
    expect(page.locator("main audio")).to_have_count(1)
    expect(page.locator("main audio")).to_have_attribute("src", re.compile(r"/apprendre/medias/"))
    expect(page.get_by_text(PODCAST_TRANSCRIPT)).to_be_visible()
    editor.look("aperçu : podcast")

    view_draft(page, module_pk, "step-5")
    expect(step_heading(page)).to_have_text(VIDEO_STEP)
    expect(page.get_by_text("Étape 5 sur 5 · Vidéo")).to_be_visible()
    expect(page.locator("main video")).to_have_count(1)
    expect(page.locator("main video track[kind=captions][srclang=fr]")).to_have_count(1)
    page.locator("main details summary", has_text="Transcription").click()  # folded
    expect(page.get_by_text(text(VIDEO_TRANSCRIPT))).to_be_visible()
    expect_inert(page)
    # An editor does not approve: no moderation bar.
    expect(page.locator(".moderation-bar")).to_have_count(0)

    # She puts the module at the end of the pathway's outline and previews the pathway.
    page.goto("/admin/pages/search/?q=Mesurer et piloter")
    page.locator("table").get_by_role("link", name=PATHWAY, exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    pathway_edit_url = page.url
    pathway_pk = page_id(pathway_edit_url)
    outline = page.get_by_role("region", name=re.compile(r"^Déroulé"))
    item = add_block(page, outline, "Module")
    item.get_by_role("button", name=re.compile(r"Choisissez une page")).click()
    chooser = page.get_by_role("dialog")
    chooser.get_by_role("link", name=MODULE).click()
    expect(chooser).to_be_hidden()
    autosaves.settle()
    page.locator("footer").get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text(re.compile(r"a été mise à jour"))).to_be_visible(timeout=SLOW)

    view_draft(page, pathway_pk)
    modules = page.locator(".outline__module")
    expect(modules.last.get_by_role("heading")).to_have_text(MODULE)  # in its place: last
    expect(modules.last.get_by_text(DRAFT)).to_be_visible()
    expect(page.get_by_text(DRAFT)).to_have_count(1)  # the published modules are not marked
    expect(page.get_by_text(POINT)).to_be_visible()
    editor.look("aperçu du parcours avec le module en brouillon")
    view_draft(page, pathway_pk, "point-1")
    expect(page.get_by_role("heading", level=1)).to_contain_text(POINT)
    expect(page.get_by_role("button", name="Oui, je demande un échange")).to_be_disabled()
    expect_inert(page)
    editor.look("aperçu de la balise")

    # She submits both for review.
    page.goto(module_edit_url)
    submit_for_review(page)
    page.goto(pathway_edit_url)
    submit_for_review(page)

    # Until approved, visitors do not see the module.
    visitor = journey("visitor-preview")
    visitor.page.goto(PATHWAY_URL)
    expect(visitor.page.get_by_role("heading", level=1, name=PATHWAY)).to_be_visible()
    expect(visitor.page.get_by_text(MODULE)).to_have_count(0)

    # Marc approves each from its preview: the module first, then the pathway.
    manager = journey("manager-preview")
    log_in_with_password(manager, "marc@balise.test")
    approve_from_preview(manager, module_pk, MODULE)
    approve_from_preview(manager, pathway_pk, PATHWAY)

    # The module is live, in its place, for a visitor.
    vpage = visitor.page
    vpage.goto(PATHWAY_URL)
    modules = vpage.locator(".outline__module")
    expect(modules.last.get_by_role("heading")).to_have_text(MODULE)
    expect(vpage.get_by_text(DRAFT)).to_have_count(0)
    expect(vpage.locator(".moderation-bar")).to_have_count(0)
    modules.last.get_by_role("link", name=MODULE).click()
    expect(vpage.get_by_role("heading", level=1)).to_have_text(MODULE)
    for title in (SHEET, EXERCISE, TESTIMONY, PODCAST, VIDEO_STEP):
        expect(vpage.get_by_text(text(title)).first).to_be_visible()
    visitor.look("module approuvé depuis l'aperçu")

    editor.assert_accessible()
    manager.assert_accessible()
    visitor.assert_accessible()
