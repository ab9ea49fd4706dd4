"""Wagtail admin, through its real HTTP views: an editor drafts a module with every kind of
step and submits a pathway, a manager approves it, previews render, bad content is refused
in French, and learners and coaches stay out of the admin."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield
from wagtailmedia.models import get_media_model

from lms.accounts.roles import Role
from lms.outcomes.models import Competence
from pathways.blocks import RICH_FEATURES
from pathways.models import INTRO_FEATURES, ModulePage, PathwayPage
from pathways.workflow import ensure_content_workflow
from tests.factories.accounts import UserFactory, coach, learner
from tests.factories.pathways import build_pathway, home, library, module, pathway_index

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-test"  # the password UserFactory gives everyone

CHOICE_ERROR = "Une question à choix propose au moins 2 choix."
VIDEO_ERROR = "Choisissez une vidéo ou donnez un lien."


# --- Form data ---------------------------------------------------------------------------


def list_block(items):
    """ListBlock form data (wagtail.test.utils.form_data has no helper for it)."""
    data = {str(i): {"value": item, "deleted": "", "order": str(i)} for i, item in enumerate(items)}
    data["count"] = str(len(items))
    return data


def html(value, features=RICH_FEATURES):
    return rich_text(value, features=features)


def question(label, kind, choices=(), required=False):
    return {
        "label": label,
        "kind": kind,
        "help_text": "",
        "choices": list_block(choices),
        "required": required,
    }


def step_workshop_sheet():
    return (
        "workshop_sheet",
        {
            "title": "Définir le besoin social",
            "body": html("<p>À qui s’adresse votre projet, et quel problème résout-il ?</p>"),
            "document": "",
        },
    )


def step_guided_exercise(questions=None):
    questions = questions or [
        question("Qui sont les personnes concernées ?", "long_text", required=True),
        question("Le nom de votre projet", "short_text"),
        question("Statut envisagé", "single_choice", ["Association", "SCIC", "SCOP"]),
        question("Vos ressources", "multiple_choice", ["Local", "Bénévoles", "Subventions"]),
        question("Votre confiance dans le projet", "scale"),
    ]
    return (
        "guided_exercise",
        {
            "title": "Mon public cible",
            "instructions": html("<p>Décrivez les personnes à qui votre projet s’adresse.</p>"),
            "questions": list_block(questions),
            "share_with_coach": True,
        },
    )


def step_testimony(audio=None, transcript=""):
    return (
        "testimony",
        {
            "title": "Lancer une recyclerie",
            "person": "Aïcha",
            "structure": "La Recyclerie du Causse",
            "territory": "Lozère, rural",
            "quote": "On a commencé à trois, dans un garage.",
            "story": html("<p>Trois ans plus tard, la recyclerie emploie six salariés.</p>"),
            "photo": "",
            "audio": str(audio.pk) if audio else "",
            "video": "",
            "transcript": html(transcript or ""),
        },
    )


def step_podcast(audio):
    return (
        "podcast",
        {
            "title": "Trouver ses premiers soutiens",
            "audio": str(audio.pk),
            "summary": "Comment convaincre sa commune et ses premiers partenaires.",
            "chapters": list_block(
                [
                    {"start": "00:00", "title": "Introduction"},
                    {"start": "04:30", "title": "La mairie"},
                ]
            ),
            "transcript": html("<p>Bonjour et bienvenue dans ce podcast sur l’ESS.</p>"),
        },
    )


def step_video(media=None, captions=None):
    return (
        "video",
        {
            "title": "Présenter son projet en 2 minutes",
            "video": str(media.pk) if media else "",
            "embed": "",
            "transcript": html("<p>Transcription de la vidéo de présentation.</p>"),
            "captions": str(captions.pk) if captions else "",
            "captions_language": "fr",
        },
    )


def module_form(steps, title="Construire son modèle économique", slug="modele-economique"):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": "Les bases d’un modèle économique solidaire, pas à pas.",
            "duration_minutes": "45",
            "steps": streamfield(steps),
        }
    )


def progression_point():
    return (
        "progression_point",
        {
            "title": "Point d’étape avec un·e accompagnateur·rice",
            "trigger": "offered",
            "learner_message": html("<p>Bravo, vous avez avancé !</p>", ["bold", "italic"]),
            "coach_brief": "Relire le modèle économique ensemble.",
            "recommended_modality": "any",
            "questions": list_block([]),
        },
    )


COACHED = ["finances", "planifier"]  # EntreComp competences of the default questionnaire


def pathway_form(pathway, outline, action=None):
    data = nested_form_data(
        {
            "title": pathway.title,
            "slug": pathway.slug,
            "intro": html(
                "<p>Un parcours pour financer votre projet solidaire.</p>", INTRO_FEATURES
            ),
            "theme": "funding",
            "estimated_hours": "6",
            "outline": streamfield(outline),
            "coaching_threshold": "2",
            "self_assessment_coaching": "open",
        }
    )
    data["audiences"] = ["rural", "qpv"]
    data["coaching_competences"] = [
        str(pk) for pk in Competence.objects.filter(code__in=COACHED).values_list("pk", flat=True)
    ]
    if action:
        data[action] = "1"
    return data


# --- URLs and checks ---------------------------------------------------------------------


def add_url(parent, model="modulepage"):
    return reverse("wagtailadmin_pages:add", args=["pathways", model, parent.pk])


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def refused(response) -> bool:
    """Wagtail turns a PermissionDenied in its admin into a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def block_errors(response, field):
    """Every message of the admin form's block errors on ``field``, flattened."""
    form = response.context["form"]
    assert not form.is_valid()
    messages = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            messages.append(node)

    for error in form.errors.as_data()[field]:
        walk(error.as_json_data())
    return messages


def latest(page):
    """The page's latest revision, as a page object (draft content)."""
    return Page.objects.get(pk=page.pk).specific.get_latest_revision_as_object()


# --- Fixtures ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def workflow():
    """Editors submit, managers approve: the same workflow as the demo site's."""
    return ensure_content_workflow()


@pytest.fixture
def tree():
    """The module library and a live pathway with one module, as an editor finds them."""
    library()
    pathway_index()
    existing = module(1, title="Faire émerger son idée")
    pathway = build_pathway([existing, "p:automatic"], title="Financer son projet")
    return pathway, existing


@pytest.fixture
def audio():
    return get_media_model().objects.create(
        title="Épisode 1", type="audio", duration=360, file=ContentFile(b"RIFF", name="e1.wav")
    )


@pytest.fixture
def video_media():
    return get_media_model().objects.create(
        title="Pitch", type="video", duration=120, file=ContentFile(b"\0", name="pitch.mp4")
    )


def logged_in(role) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


@pytest.fixture
def editor():
    return logged_in(Role.EDITOR)


@pytest.fixture
def manager():
    return logged_in(Role.MANAGER)


WEBVTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nBonjour.\n"


def document(name, content):
    return get_document_model().objects.create(
        title=name, file=ContentFile(content, name=name), file_size=len(content)
    )


@pytest.fixture
def captions():
    return document("pitch.fr.vtt", WEBVTT)


@pytest.fixture
def all_steps(audio, video_media, captions):
    return [
        step_workshop_sheet(),
        step_guided_exercise(),
        step_testimony(),
        step_podcast(audio),
        step_video(video_media, captions),
    ]


# --- 1. The editor drafts and submits ---------------------------------------------------


def test_editor_logs_in_and_drafts_a_module_with_every_kind_of_step(
    client, tree, all_steps, audio, video_media
):
    user = UserFactory(role=Role.EDITOR)
    response = client.post(
        reverse("wagtailadmin_login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    lib = library()
    assert client.get(add_url(lib)).status_code == 200

    response = client.post(add_url(lib), module_form(all_steps))

    assert response.status_code == 302, block_errors(response, "steps")
    page = ModulePage.objects.get(slug="modele-economique")
    assert response.url == edit_url(page)
    assert page.get_parent().pk == lib.pk
    assert not page.live and page.has_unpublished_changes
    assert page.owner == user
    draft = latest(page)
    assert [step.block_type for step in draft.steps] == [
        "workshop_sheet",
        "guided_exercise",
        "testimony",
        "podcast",
        "video",
    ]
    sheet, exercise, story, episode, clip = (step.value for step in draft.steps)
    assert "À qui s’adresse votre projet" in sheet["body"].source
    assert [q["kind"] for q in exercise["questions"]] == [
        "long_text",
        "short_text",
        "single_choice",
        "multiple_choice",
        "scale",
    ]
    assert list(exercise["questions"][2]["choices"]) == ["Association", "SCIC", "SCOP"]
    assert exercise["questions"][0]["required"] and exercise["share_with_coach"]
    assert story["person"] == "Aïcha" and story["audio"] is None
    assert episode["audio"] == audio
    assert [c["start"] for c in episode["chapters"]] == ["00:00", "04:30"]
    assert clip["video"] == video_media and clip["embed"] is None


def test_editor_cannot_publish(editor, tree, all_steps):
    pathway, existing = tree
    lib = library()
    form = editor.get(add_url(lib)).content.decode()
    assert 'name="action-submit"' in form
    assert 'name="action-publish"' not in form

    # Asking to publish anyway only saves a draft.
    response = editor.post(add_url(lib), {**module_form(all_steps), "action-publish": "1"})
    assert response.status_code == 302
    assert not ModulePage.objects.get(slug="modele-economique").live

    form = editor.get(edit_url(pathway)).content.decode()
    assert 'name="action-submit"' in form
    assert 'name="action-publish"' not in form
    live_revision = pathway.live_revision_id
    response = editor.post(
        edit_url(pathway),
        pathway_form(pathway, [("module", str(existing.pk))], action="action-publish"),
    )
    assert response.status_code == 302
    pathway.refresh_from_db()
    assert pathway.live_revision_id == live_revision
    assert pathway.has_unpublished_changes
    assert refused(editor.post(reverse("wagtailadmin_pages:unpublish", args=[pathway.pk])))
    assert PathwayPage.objects.get(pk=pathway.pk).live


def test_editor_submits_pathway_and_manager_approves_it(
    editor, manager, client, workflow, tree, all_steps
):
    pathway, existing = tree
    client.force_login(learner())  # reads the learner-facing pathway page
    lib = library()
    assert editor.post(add_url(lib), module_form(all_steps)).status_code == 302
    new_module = ModulePage.objects.get(slug="modele-economique")
    assert not new_module.live

    # The editor submits the module, then adds it to the pathway's outline and submits that.
    response = editor.post(edit_url(new_module), {**module_form(all_steps), "action-submit": "1"})
    assert response.status_code == 302
    outline = [("module", str(existing.pk)), progression_point(), ("module", str(new_module.pk))]
    response = editor.post(edit_url(pathway), pathway_form(pathway, outline, "action-submit"))
    assert response.status_code == 302, block_errors(response, "outline")

    pathway.refresh_from_db()
    state = pathway.current_workflow_state
    assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow == workflow
    assert pathway.live and pathway.module_ids() == [existing.pk]  # live content unchanged
    assert latest(pathway).module_ids() == [existing.pk, new_module.pk]
    assert new_module.title not in client.get(pathway.url).content.decode()

    # The editor cannot approve their own submission.
    task_state = pathway.current_workflow_task_state
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[pathway.pk, "approve", task_state.pk]
    )
    assert refused(editor.post(approve))
    assert PathwayPage.objects.get(pk=pathway.pk).current_workflow_state is not None

    # The manager approves the module, then the pathway.
    module_task = ModulePage.objects.get(pk=new_module.pk).current_workflow_task_state
    module_approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[new_module.pk, "approve", module_task.pk]
    )
    assert manager.post(module_approve).status_code == 302
    assert manager.post(approve).status_code == 302

    new_module = ModulePage.objects.get(pk=new_module.pk)
    pathway = PathwayPage.objects.get(pk=pathway.pk)
    assert new_module.live
    assert pathway.live and not pathway.has_unpublished_changes
    assert pathway.current_workflow_state is None
    assert pathway.module_ids() == [existing.pk, new_module.pk]
    # The self-diagnosis settings went through moderation with the rest.
    assert sorted(c.code for c in pathway.coaching_competences.all()) == sorted(COACHED)
    assert pathway.self_assessment_coaching == "open"
    assert pathway.theme == "funding" and pathway.audiences == ["rural", "qpv"]

    page = client.get(pathway.url)
    assert page.status_code == 200
    body = page.content.decode()
    assert existing.title in body
    assert "Construire son modèle économique" in body
    assert "Point d’étape avec un·e accompagnateur·rice" in body


# --- 3. Previews -------------------------------------------------------------------------


def test_module_preview_on_add_renders_the_french_content(editor, tree, all_steps):
    url = reverse(
        "wagtailadmin_pages:preview_on_add", args=["pathways", "modulepage", library().pk]
    )

    response = editor.post(url, module_form(all_steps))
    assert response.status_code == 200
    assert response.json()["is_valid"] is True

    response = editor.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Construire son modèle économique" in body
    assert "Les étapes" in body
    assert "Présenter son projet en 2 minutes" in body
    assert "Bonjour et bienvenue dans ce podcast sur l’ESS." in body  # the podcast transcript
    assert not ModulePage.objects.filter(slug="modele-economique").exists()


def test_pathway_preview_on_edit_renders_the_new_outline(editor, tree):
    pathway, existing = tree
    extra = module(1, title="Trouver ses financements")
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[pathway.pk])
    outline = [("module", str(existing.pk)), progression_point(), ("module", str(extra.pk))]

    response = editor.post(url, pathway_form(pathway, outline))
    assert response.status_code == 200
    assert response.json()["is_valid"] is True

    response = editor.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Un parcours pour financer votre projet solidaire." in body
    assert "Le déroulé" in body
    assert "Trouver ses financements" in body
    assert "Territoires ruraux" in body
    assert PathwayPage.objects.get(pk=pathway.pk).module_ids() == [existing.pk]


# --- 4. Validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_step", "message"),
    [
        (
            step_guided_exercise([question("Statut envisagé", "single_choice", ["SCIC"])]),
            CHOICE_ERROR,
        ),
        (step_video(), VIDEO_ERROR),
    ],
    ids=["single-choice-with-one-choice", "video-without-video-or-link"],
)
@pytest.mark.parametrize("action", [None, "action-submit"], ids=["draft", "submit"])
def test_invalid_steps_are_refused_in_french(editor, tree, bad_step, message, action):
    data = module_form([step_workshop_sheet(), bad_step])
    if action:
        data[action] = "1"

    response = editor.post(add_url(library()), data)

    assert response.status_code == 200
    assert "La page ne peut être créée du fait d&#x27;erreurs de validation." in (
        response.content.decode()
    )
    assert message in block_errors(response, "steps")
    assert not ModulePage.objects.filter(slug="modele-economique").exists()


def test_a_module_is_created_only_in_the_module_library(editor, tree, all_steps):
    pathway, _ = tree
    for parent in (home(), pathway_index(), pathway):
        assert refused(editor.get(add_url(parent)))
        assert refused(editor.post(add_url(parent), module_form(all_steps)))
    assert not ModulePage.objects.filter(slug="modele-economique").exists()


def test_the_outline_module_chooser_accepts_only_modules(editor, tree):
    pathway, existing = tree
    other = build_pathway(["m:1"], title="Un autre parcours")
    for not_a_module in (other, library()):
        outline = [("module", str(existing.pk)), ("module", str(not_a_module.pk))]

        response = editor.post(edit_url(pathway), pathway_form(pathway, outline, "action-submit"))
        assert response.status_code == 200
        assert "Champ requis." in block_errors(response, "outline")
        assert PathwayPage.objects.get(pk=pathway.pk).current_workflow_state is None

        # A draft may keep an empty chooser, but never points at a page that is not a module.
        assert editor.post(edit_url(pathway), pathway_form(pathway, outline)).status_code == 302
        assert [item["value"] for item in latest(pathway).outline.raw_data] == [existing.pk, None]
    assert PathwayPage.objects.get(pk=pathway.pk).module_ids() == [existing.pk]


# --- 5. Who gets into the admin -------------------------------------------------------


@pytest.mark.parametrize("make_user", [learner, coach], ids=["learner", "coach"])
def test_learners_and_coaches_get_no_admin_access(client, tree, make_user):
    pathway, _ = tree
    client.force_login(make_user())
    login = reverse("wagtailadmin_login")
    for url in (reverse("wagtailadmin_home"), add_url(library()), edit_url(pathway)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(login)
    response = client.post(add_url(library()), module_form([step_workshop_sheet()]))
    assert response.status_code == 302 and response.url.startswith(login)
    assert not ModulePage.objects.filter(slug="modele-economique").exists()


def test_editor_is_warned_when_the_outline_uses_unpublished_modules(editor, tree, all_steps):
    pathway, existing = tree
    assert editor.post(add_url(library()), module_form(all_steps)).status_code == 302
    draft = ModulePage.objects.get(slug="modele-economique")
    outline = [("module", str(existing.pk)), ("module", str(draft.pk))]
    response = editor.post(edit_url(pathway), pathway_form(pathway, outline), follow=True)
    body = response.content.decode()
    assert "Modules pas encore publiés" in body and draft.title in body
    assert existing.title not in body.split("Modules pas encore publiés")[1].split("</")[0]


# --- 6. A pathway that makes sense (issue 16) ------------------------------------------

NO_MODULE = "Un parcours contient au moins un module"
WARNING = "Modules pas encore publiés"
AUTOSAVE = {"Accept": "application/json"}  # Wagtail's autosave posts in the background


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    ("role", "action"),
    [(Role.MANAGER, "action-publish"), (Role.EDITOR, "action-submit")],
    ids=["publish", "submit"],
)
def test_an_outline_without_a_module_is_refused(tree, role, action):
    pathway, existing = tree
    client = logged_in(role)
    for outline in ([], [progression_point()]):
        response = client.post(edit_url(pathway), pathway_form(pathway, outline, action))

        assert response.status_code == 200
        errors = block_errors(response, "outline")
        assert any(NO_MODULE in error for error in errors), errors
    pathway = PathwayPage.objects.get(pk=pathway.pk)
    assert pathway.module_ids() == [existing.pk] and pathway.current_workflow_state is None
    assert latest(pathway).module_ids() == [existing.pk]


def test_a_new_pathway_without_a_module_cannot_be_published(tree):
    response = logged_in(Role.MANAGER).post(
        add_url(pathway_index(), "pathwaypage"),
        {
            **pathway_form(PathwayPage(title="Vide", slug="vide"), [progression_point()]),
            "action-publish": "1",
        },
    )
    assert response.status_code == 200
    assert any(NO_MODULE in error for error in block_errors(response, "outline"))
    assert not PathwayPage.objects.filter(slug="vide").exists()


def test_a_draft_without_a_module_is_kept_and_the_editor_told(editor, tree):
    pathway, existing = tree

    response = editor.post(
        edit_url(pathway), pathway_form(pathway, [progression_point()]), follow=True
    )

    assert response.status_code == 200
    assert any("aucun module" in text for text in messages_of(response))
    assert latest(pathway).module_ids() == []
    assert PathwayPage.objects.get(pk=pathway.pk).module_ids() == [existing.pk]  # live kept


def test_editor_is_warned_about_a_repeated_module_and_a_point_placed_first(editor, tree):
    pathway, existing = tree
    other = module(1, title="Trouver ses financements")
    outline = [
        progression_point(),
        ("module", str(existing.pk)),
        ("module", str(other.pk)),
        ("module", str(existing.pk)),
    ]

    response = editor.post(edit_url(pathway), pathway_form(pathway, outline), follow=True)

    texts = messages_of(response)
    repeated = [text for text in texts if "deux fois" in text]
    assert len(repeated) == 1 and existing.title in repeated[0]
    assert other.title not in repeated[0]
    first = [text for text in texts if "avant tout module" in text]
    assert len(first) == 1 and "Point d’étape avec un·e accompagnateur·rice" in first[0]
    assert latest(pathway).module_ids() == [existing.pk, other.pk, existing.pk]  # not refused

    # A sensible outline brings no warning.
    outline = [("module", str(existing.pk)), progression_point(), ("module", str(other.pk))]
    response = editor.post(edit_url(pathway), pathway_form(pathway, outline), follow=True)
    assert not [t for t in messages_of(response) if "deux fois" in t or "avant tout" in t]


def test_unpublished_modules_are_named_once_however_often_autosave_runs(editor, tree, all_steps):
    pathway, existing = tree
    assert editor.post(add_url(library()), module_form(all_steps)).status_code == 302
    draft = ModulePage.objects.get(slug="modele-economique")
    outline = [("module", str(existing.pk)), ("module", str(draft.pk))]
    editor.get(edit_url(pathway))  # the editor opens the pathway: earlier messages are read

    for _ in range(3):
        response = editor.post(edit_url(pathway), pathway_form(pathway, outline), headers=AUTOSAVE)
        assert response.status_code == 200 and response.json()["success"] is True
    response = editor.post(edit_url(pathway), pathway_form(pathway, outline), follow=True)

    assert [t for t in messages_of(response) if WARNING in t] == [
        f"{WARNING} : « {draft.title} ». Ils n'apparaîtront dans le parcours qu'une fois "
        "publiés (faites-les valider aussi)."
    ]
    # Read once: the next page shows nothing more.
    assert not [t for t in messages_of(editor.get(edit_url(pathway))) if WARNING in t]


# --- 7. Admin polish (issue 16) -----------------------------------------------------------


def chooser_titles(client, **params) -> str:
    """What the page chooser lists: browsing the module library, and searching."""
    browse = client.get(
        reverse("wagtailadmin_choose_page_child", args=[library().pk]),
        {"page_type": "pathways.modulepage"},
    )
    search = client.get(
        reverse("wagtailadmin_choose_page_search"),
        {"page_type": "pathways.modulepage", "q": params.get("q", "Modèle")},
    )
    assert browse.status_code == search.status_code == 200
    return "".join(
        r.json()["html"] if r["Content-Type"] == "application/json" else r.content.decode()
        for r in (browse, search)
    )


def test_a_first_save_abandoned_after_autosave_stays_out_of_the_choosers(editor, tree, all_steps):
    data = module_form(all_steps, title="Modèle abandonné", slug="modele-abandonne")

    response = editor.post(add_url(library()), data, headers=AUTOSAVE)  # Wagtail's autosave

    assert response.status_code == 200 and response.json()["success"] is True
    page = ModulePage.objects.get(slug="modele-abandonne")  # Wagtail created it as a draft
    assert not page.live
    assert "Modèle abandonné" not in chooser_titles(editor)
    assert "Modèle abandonné" not in chooser_titles(logged_in(Role.MANAGER))
    # Further autosaves leave it provisional.
    editor.post(edit_url(page), data, headers=AUTOSAVE)
    assert "Modèle abandonné" not in chooser_titles(editor)


def test_a_first_save_that_failed_stays_out_of_the_choosers_until_saved(editor, tree, all_steps):
    data = module_form(all_steps, title="Modèle raté", slug="modele-rate")
    editor.post(add_url(library()), data, headers=AUTOSAVE)
    page = ModulePage.objects.get(slug="modele-rate")

    # The editor submits it with a broken step: refused, and the page stays hidden.
    bad = module_form([step_video()], title="Modèle raté", slug="modele-rate")
    response = editor.post(edit_url(page), {**bad, "action-submit": "1"})
    assert response.status_code == 200
    assert "Modèle raté" not in chooser_titles(editor)

    # Saved for real: choosers offer it.
    assert editor.post(edit_url(page), data).status_code == 302
    assert "Modèle raté" in chooser_titles(editor)


def test_pages_created_by_a_real_save_are_in_the_choosers(editor, tree, all_steps):
    assert editor.post(add_url(library()), module_form(all_steps)).status_code == 302
    assert "Construire son modèle économique" in chooser_titles(editor, q="Construire")


def test_new_pages_get_ascii_slugs(editor, tree, all_steps):
    # In the browser, the slug is made from the title without accents...
    form = editor.get(add_url(library())).content.decode()
    assert 'data-controller="w-slug"' in form
    assert "data-w-slug-allow-unicode-value" not in form  # absent: the script's default, False
    # ...and on the server, whatever the browser sends.
    data = module_form(all_steps, title="Créer son activité", slug="créer-son-activité-œuvre")
    assert editor.post(add_url(library()), data).status_code == 302
    page = ModulePage.objects.get(title="Créer son activité")
    assert page.slug == "creer-son-activite-oeuvre"
    assert page.url_path.endswith("/creer-son-activite-oeuvre/")


def test_collapsed_steps_and_points_are_labelled_by_their_title(editor, tree):
    pathway, existing = tree
    module_form_html = editor.get(edit_url(existing)).content.decode()
    pathway_form_html = editor.get(edit_url(pathway)).content.decode()
    # Each of the five kinds of step names itself by its title when collapsed, not by the
    # value of its first filled field (a new exercise read « Réponse longue »); so does a
    # point of the outline, and a question by its wording.
    assert module_form_html.count("&quot;labelFormat&quot;: &quot;{title}&quot;") == 5
    assert module_form_html.count("&quot;labelFormat&quot;: &quot;{label}&quot;") == 1
    assert pathway_form_html.count("&quot;labelFormat&quot;: &quot;{title}&quot;") == 1


def test_the_module_summary_says_what_it_is_for(editor, tree):
    help_text = ModulePage._meta.get_field("summary").help_text
    assert "déroulé du parcours" in help_text
    assert str(help_text) in editor.get(add_url(library())).content.decode().replace("&#x27;", "'")
