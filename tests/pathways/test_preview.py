"""Previews in Wagtail's admin, through its real views: a module's draft step by step as a
learner will see it, a pathway's outline with its unpublished modules marked, every
action disabled and nothing written, and only those who may edit or publish a page see
its preview (including under moderation, which the structures narrow)."""

import html
import re

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtailmedia.models import get_media_model

from lms.accounts.models import MemberRole
from lms.accounts.roles import Role
from lms.accounts.structures import join
from pathways.models import ModulePage, PathwayPage
from pathways.workflow import ensure_content_workflow
from tests.factories.accounts import UserFactory, learner, manager
from tests.factories.pathways import build_pathway, module, pathway_index, point
from tests.pathways.test_admin import (
    captions,  # noqa: F401 (a fixture)
    edit_url,
    module_form,
    pathway_form,
    progression_point,
    refused,
    step_guided_exercise,
    step_podcast,
    step_testimony,
    step_video,
)
from tests.pathways.test_admin import html as rich
from tests.pathways.test_ownership import editor_of, signed_in

pytestmark = pytest.mark.django_db

DRAFT = "brouillon, pas encore publié"
NOTICE = "Le brouillon tel qu’une personne accompagnée le verra une fois publié."
QUESTIONS = [
    "Qui sont les personnes concernées ?",
    "Le nom de votre projet",
    "Statut envisagé",
    "Vos ressources",
    "Votre confiance dans le projet",
]
# Every model whose rows a learner's action writes: progress, answers, passages,
# coaching requests and their events, outcomes' answers, notifications.
WRITTEN_BY_LEARNERS = ("pathways", "coaching", "outcomes", "notifications")


# --- Fixtures and helpers --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def workflow():
    return ensure_content_workflow()


@pytest.fixture
def document():
    return get_document_model().objects.create(
        title="Fiche besoin social", file=ContentFile(b"%PDF-1.4", name="fiche.pdf")
    )


@pytest.fixture
def audio():
    return get_media_model().objects.create(
        title="Épisode 1", type="audio", duration=365, file=ContentFile(b"RIFF", name="e1.wav")
    )


@pytest.fixture
def video_media():
    return get_media_model().objects.create(
        title="Pitch", type="video", duration=120, file=ContentFile(b"\0", name="pitch.mp4")
    )


@pytest.fixture
def draft_steps(document, audio, video_media, captions):  # noqa: F811
    """The five kinds of step, as the editor's form sends them (not saved yet)."""
    sheet = (
        "workshop_sheet",
        {
            "title": "Définir le besoin social",
            "body": rich("<p>À qui s’adresse votre projet, et quel problème résout-il ?</p>"),
            "document": str(document.pk),
        },
    )
    return [
        sheet,
        step_guided_exercise(),
        step_testimony(),
        step_podcast(audio),
        step_video(video_media, captions),
    ]


@pytest.fixture
def alpha_module(structures):
    """A live module of Incubateur Alpha, one sheet long: the draft previewed replaces it."""
    alpha, _ = structures
    return module(1, title="Construire son modèle économique", structure=alpha)


def preview_url(page) -> str:
    return reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])


def post_draft(client, page, data) -> None:
    """What the edit view's preview panel does: send the form, then load the preview."""
    response = client.post(preview_url(page), data)
    assert response.status_code == 200
    assert response.json()["is_valid"] is True


def get_preview(client, page, mode=None):
    url = preview_url(page) + (f"?mode={mode}" if mode is not None else "")
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    return response


def main_of(response) -> str:
    """The page's <main>, unescaped (the header and footer hold the logout and language
    forms of every page)."""
    body = response.content.decode()
    return html.unescape(body[body.index("<main") : body.index("</main>")])


def draft_form(page, steps):
    return module_form(steps, title=page.title, slug=page.slug)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for label in WRITTEN_BY_LEARNERS
        for model in apps.get_app_config(label).get_models()
    }


def assert_nothing_can_be_sent(main: str) -> None:
    """Every button disabled, no form that posts, no htmx request, no link to an action."""
    buttons = re.findall(r"<button[^>]*>", main)
    assert all("disabled" in button for button in buttons), buttons
    assert 'method="post"' not in main
    assert "hx-post" not in main and not re.search(r"data-autosave[\s>]", main)
    assert "csrfmiddlewaretoken" not in main
    for action in ("terminer/", "reponses/", "commencer/", "continuer/", "aide"):
        assert f'{action}"' not in main and f"{action}?" not in main


# --- 1. A module, step by step -----------------------------------------------------------------


def test_a_module_lists_a_mode_per_step_of_its_draft(structures, alpha_module, draft_steps):
    editor = editor_of(structures[0])
    editor.post(edit_url(alpha_module), draft_form(alpha_module, draft_steps))  # a draft
    draft = ModulePage.objects.get(pk=alpha_module.pk).get_latest_revision_as_object()

    assert [name for name, _ in draft.preview_modes] == [
        "learner",
        "overview",
        "step-1",
        "step-2",
        "step-3",
        "step-4",
        "step-5",
    ]
    assert draft.default_preview_mode == "learner"
    labels = dict(draft.preview_modes)
    assert labels["step-2"] == "Étape 2 : Mon public cible"
    assert str(labels["learner"]) == "Voir comme une personne accompagnée : toutes les étapes"
    # The edit view offers them in its preview panel.
    form = editor.get(edit_url(alpha_module)).content.decode()
    assert 'value="step-4"' in form and "Étape 4 : Trouver ses premiers soutiens" in form


def test_each_step_previews_as_its_learner_page(
    structures, alpha_module, draft_steps, document, audio, video_media
):
    editor = editor_of(structures[0])
    post_draft(editor, alpha_module, draft_form(alpha_module, draft_steps))

    sheet = main_of(get_preview(editor, alpha_module, "step-1"))
    assert NOTICE in sheet
    assert "Étape 1 sur 5 · Fiche atelier" in sheet
    assert '<h1 id="step-title">Définir le besoin social</h1>' in sheet
    assert "À qui s’adresse votre projet, et quel problème résout-il ?" in sheet
    assert f'href="{document.url}" download' in sheet
    # Its type and weight, before downloading it.
    assert (
        'Télécharger « Fiche besoin social » <span class="file-label">(PDF, 8\xa0octets)</span>'
        in sheet
    )
    assert re.search(r"<button[^>]*disabled>J’ai terminé cette étape</button>", sheet)
    assert 'href="?mode=step-2" rel="next"' in sheet  # the pager moves through the modes

    exercise = main_of(get_preview(editor, alpha_module, "step-2"))
    assert "Étape 2 sur 5 · Exercice guidé" in exercise
    assert "Décrivez les personnes à qui votre projet s’adresse." in exercise
    for label in QUESTIONS:
        assert label in exercise
    for choice in ("Association", "SCIC", "SCOP", "Local", "Bénévoles", "Subventions"):
        assert f'value="{choice}"' in exercise
    assert "Partager mes réponses avec mon accompagnateur·rice" in exercise
    fields = re.findall(r"<(?:input|textarea)[^>]*>", exercise)
    assert len(fields) > len(QUESTIONS) and all("disabled" in field for field in fields)
    assert re.search(r"<button[^>]*disabled>Enregistrer mes réponses</button>", exercise)
    assert re.search(r"<button[^>]*disabled>Enregistrer et terminer l’étape</button>", exercise)

    testimony = main_of(get_preview(editor, alpha_module, "step-3"))
    assert "On a commencé à trois, dans un garage." in testimony
    assert "Aïcha, La Recyclerie du Causse (Lozère, rural)" in testimony
    assert "Trois ans plus tard, la recyclerie emploie six salariés." in testimony

    podcast = main_of(get_preview(editor, alpha_module, "step-4"))
    audio_url = reverse("pathways:media_file", args=[audio.pk])
    assert f'<audio controls preload="none" src="{audio_url}">' in podcast
    assert "Durée : 6 min 05 s" in podcast
    assert "La mairie" in podcast  # a chapter
    assert "Transcription" in podcast
    assert "Bonjour et bienvenue dans ce podcast sur l’ESS." in podcast

    video = main_of(get_preview(editor, alpha_module, "step-5"))
    video_url = reverse("pathways:media_file", args=[video_media.pk])
    assert f'src="{video_url}"' in video
    assert "Transcription de la vidéo de présentation." in video
    assert 'href="?mode=step-4" rel="prev"' in video

    # The draft was previewed, not saved: the module is as it was.
    saved = ModulePage.objects.get(pk=alpha_module.pk)
    assert len(saved.get_latest_revision_as_object().step_ids) == 1


def test_the_default_mode_shows_every_step_one_after_another(
    structures, alpha_module, draft_steps, document
):
    editor = editor_of(structures[0])
    post_draft(editor, alpha_module, draft_form(alpha_module, draft_steps))

    main = main_of(get_preview(editor, alpha_module))  # moderation shows this one

    titles = [
        "Définir le besoin social",
        "Mon public cible",
        "Lancer une recyclerie",
        "Trouver ses premiers soutiens",
        "Présenter son projet en 2 minutes",
    ]
    positions = [main.index(f'<h1 id="step-title-{n}">{t}</h1>') for n, t in enumerate(titles, 1)]
    assert positions == sorted(positions)
    assert f'href="{document.url}" download' in main
    assert all(label in main for label in QUESTIONS)
    assert "Bonjour et bienvenue dans ce podcast sur l’ESS." in main
    assert "Transcription de la vidéo de présentation." in main
    assert '<a href="#etape-3">Lancer une recyclerie</a>' in main
    assert 'id="etape-3"' in main and 'href="#etape-4" rel="next"' in main
    ids = re.findall(r'\sid="([^"]+)"', main)
    assert len(ids) == len(set(ids))  # five step pages on one page, every id once
    # A step removed from the draft since its mode was listed: the whole module instead.
    assert 'id="step-title-5"' in main_of(get_preview(editor, alpha_module, "step-9"))


def test_the_overview_mode_is_the_module_s_own_page(structures, alpha_module, draft_steps):
    editor = editor_of(structures[0])
    post_draft(editor, alpha_module, draft_form(alpha_module, draft_steps))

    main = main_of(get_preview(editor, alpha_module, "overview"))

    assert NOTICE in main
    assert "<h1>Construire son modèle économique</h1>" in main
    assert "Proposé par Incubateur Alpha" in main
    assert "Les bases d’un modèle économique solidaire, pas à pas." in main
    assert "<li>Présenter son projet en 2 minutes</li>" in main
    assert "Transcription du podcast « Trouver ses premiers soutiens »" in main


# --- 2. A pathway, with its modules' drafts in place --------------------------------------------


@pytest.fixture
def pathway_with_drafts(structures):
    alpha, _ = structures
    published = module(2, title="Faire émerger son idée", structure=alpha)
    never_published = module(1, title="Trouver ses financements", live=False, structure=alpha)
    changed = module(1, title="Choisir son statut", structure=alpha)
    changed.title = "Choisir son statut juridique"
    changed.save_revision()
    pathway = build_pathway([published], title="Financer son projet", structure=alpha)
    outline = [
        ("module", str(published.pk)),
        progression_point(),
        ("module", str(never_published.pk)),
        ("module", str(changed.pk)),
    ]
    return pathway, outline


def test_a_pathway_shows_its_unpublished_modules_in_place_marked_as_drafts(
    structures, pathway_with_drafts
):
    pathway, outline = pathway_with_drafts
    editor = editor_of(structures[0])
    post_draft(editor, pathway, pathway_form(pathway, outline))

    main = main_of(get_preview(editor, pathway))

    assert NOTICE in main
    order = [
        "Faire émerger son idée",
        "Point d’étape avec un·e accompagnateur·rice",
        "Trouver ses financements",
        DRAFT,
        "Choisir son statut juridique",  # the draft's title, not the live one
        "modifications pas encore publiées",
    ]
    positions = [main.index(text) for text in order]
    assert positions == sorted(positions)
    assert main.count(DRAFT) == 1  # the published module is not marked
    assert "vous pourrez demander un rendez-vous avec un·e accompagnateur·rice" in main
    assert "2 étapes" in main and "1 étape" in main  # the drafts' own steps
    # As a learner who just started: nothing done, « Continuer » shown but inert.
    assert 'value="0"' in main  # the progress bar
    assert re.search(r'<a class="button" role="link" aria-disabled="true">Continuer</a>', main)
    assert "Pas commencé" in main
    # What learners get now is unchanged: the live outline, without the drafts.
    assert PathwayPage.objects.get(pk=pathway.pk).module_ids() == [int(outline[0][1])]


def test_a_pathway_before_starting_offers_a_disabled_start_button(structures, pathway_with_drafts):
    pathway, outline = pathway_with_drafts
    editor = editor_of(structures[0])
    post_draft(editor, pathway, pathway_form(pathway, outline))

    main = main_of(get_preview(editor, pathway, "visitor"))

    assert re.search(r"<button[^>]*disabled>Commencer ce parcours</button>", main)
    assert "Trouver ses financements" in main and DRAFT in main
    assert "Continuer" not in main


def test_modules_after_a_gate_are_shown_locked(structures):
    alpha, _ = structures
    first = module(1, title="Avant la validation", structure=alpha)
    second = module(1, title="Après la validation", live=False, structure=alpha)
    pathway = build_pathway([first, point("Validation", "gate"), second], structure=alpha)
    client = editor_of(alpha)

    # « Voir le brouillon »: the saved draft, without the edit form.
    main = main_of(client.get(reverse("wagtailadmin_pages:view_draft", args=[pathway.pk])))

    assert "Balise de validation : la suite s’ouvre après un échange" in main
    order = ["Avant la validation", "Pas commencé", "Après la validation", DRAFT, "Verrouillé"]
    positions = [main.index(text) for text in order]
    assert positions == sorted(positions)


def test_a_new_pathway_previews_before_its_first_save(structures):
    alpha, _ = structures
    draft_module = module(1, title="Trouver ses financements", live=False, structure=alpha)
    unsaved = PathwayPage(title="Parcours tout neuf", slug="parcours-tout-neuf")
    data = pathway_form(unsaved, [("module", str(draft_module.pk)), progression_point()])
    url = reverse(
        "wagtailadmin_pages:preview_on_add", args=["pathways", "pathwaypage", pathway_index().pk]
    )
    editor = editor_of(alpha)
    assert editor.post(url, data).json()["is_valid"] is True

    response = editor.get(url)

    assert response.status_code == 200
    main = main_of(response)
    assert "Trouver ses financements" in main and DRAFT in main
    assert not PathwayPage.objects.filter(slug="parcours-tout-neuf").exists()


# --- 3. Nothing is written ---------------------------------------------------------------------


def test_a_preview_writes_no_row_and_sends_nothing(
    structures, alpha_module, draft_steps, pathway_with_drafts
):
    pathway, outline = pathway_with_drafts
    editor = editor_of(structures[0])
    post_draft(editor, alpha_module, draft_form(alpha_module, draft_steps))
    post_draft(editor, pathway, pathway_form(pathway, outline))
    before = row_counts()

    module_modes = [None, "overview", *(f"step-{n}" for n in range(1, 6))]
    pages = [main_of(get_preview(editor, alpha_module, mode)) for mode in module_modes]
    pages += [main_of(get_preview(editor, pathway, mode)) for mode in (None, "visitor")]

    assert row_counts() == before
    for main in pages:
        assert NOTICE in main
        assert_nothing_can_be_sent(main)
    whole, _, *steps = pages[: len(module_modes)]
    for main in (whole, *steps):
        assert re.search(r"<button[^>]*disabled>(J’ai terminé cette étape|Enregistrer mes)", main)
        assert '<a role="link" aria-disabled="true">J’ai besoin d’aide</a>' in main


def test_a_preview_does_not_stop_at_the_name_prompt(structures, alpha_module, draft_steps):
    alpha, _ = structures
    nameless = UserFactory(role=Role.EDITOR, first_name="")
    join(nameless, alpha, MemberRole.EDITOR)
    client = signed_in(nameless)
    post_draft(client, alpha_module, draft_form(alpha_module, draft_steps))

    response = get_preview(client, alpha_module, "step-1")

    assert "Définir le besoin social" in main_of(response)
    nameless.refresh_from_db()
    assert nameless.name_asked_at is None  # asked on their next real page, not in the admin


# --- 4. Who may preview ------------------------------------------------------------------------


def test_only_those_who_may_edit_or_publish_a_page_preview_it(
    structures, alpha_module, draft_steps
):
    alpha, beta = structures
    author = editor_of(alpha)
    response = author.post(
        edit_url(alpha_module), {**draft_form(alpha_module, draft_steps), "action-submit": "1"}
    )
    assert response.status_code == 302
    task = ModulePage.objects.get(pk=alpha_module.pk).current_workflow_task
    moderation = reverse("wagtailadmin_pages:workflow_preview", args=[alpha_module.pk, task.pk])
    view_draft = reverse("wagtailadmin_pages:view_draft", args=[alpha_module.pk])

    # Alpha's manager approves what they can see: the submitted steps.
    boss = signed_in(manager(alpha))
    response = boss.get(moderation)
    assert response.status_code == 200
    assert "Bonjour et bienvenue dans ce podcast sur l’ESS." in main_of(response)
    assert boss.get(view_draft + "?mode=step-2").status_code == 200
    # The network's managers publish everything.
    assert signed_in(manager()).get(moderation).status_code == 200

    # Bêta's manager is in the approval group, but neither edits nor publishes Alpha's pages.
    other_manager = signed_in(manager(beta))
    response = other_manager.get(moderation)
    assert refused(response)  # the approval task or the preview's own check refuses
    assert "Bonjour et bienvenue" not in response.content.decode()
    assert refused(other_manager.get(view_draft))
    # Nor does Bêta's editor, through any preview view.
    other_editor = editor_of(beta)
    assert refused(other_editor.get(preview_url(alpha_module)))
    assert refused(other_editor.post(preview_url(alpha_module), draft_form(alpha_module, [])))
    assert refused(other_editor.get(view_draft))
    # Learners are kept out of the admin.
    response = signed_in(learner()).get(view_draft)
    assert response.status_code in (302, 403)
    assert "Bonjour et bienvenue" not in response.content.decode()
