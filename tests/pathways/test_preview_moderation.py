"""Approving from the preview, and previewing progression points, through Wagtail's real
views: a page awaiting review shows its structure's managers a moderation bar above the
learner's page, whose forms post to Wagtail's own workflow action view; nobody else sees
it, and a forged post is refused there. A pathway's points preview as the page a learner
reaches, every action disabled."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from pathways.models import ModulePage, PathwayPage
from pathways.workflow import ensure_content_workflow
from tests.factories.accounts import manager
from tests.factories.pathways import build_pathway, module, point
from tests.pathways.test_admin import edit_url, module_form, refused, step_workshop_sheet
from tests.pathways.test_ownership import editor_of, signed_in
from tests.pathways.test_preview import assert_nothing_can_be_sent, main_of, row_counts

pytestmark = pytest.mark.django_db

APPROVE = "Approuver et publier"
REQUEST_CHANGES = "Demander des modifications"
BAR_TITLE = "Validation : ce contenu attend votre décision"


@pytest.fixture(autouse=True)
def workflow():
    return ensure_content_workflow()


def submitted(structure, title="Module à valider", live=False):
    """A module of ``structure`` (never published unless ``live``), whose editor submits a
    draft for review."""
    page = module(1, title=title, structure=structure, live=live)
    form = module_form([step_workshop_sheet()], title, page.slug)
    response = editor_of(structure).post(edit_url(page), {**form, "action-submit": "1"})
    assert response.status_code == 302
    return ModulePage.objects.get(pk=page.pk)


def moderation_preview_url(page) -> str:
    return reverse(
        "wagtailadmin_pages:workflow_preview", args=[page.pk, page.current_workflow_task.pk]
    )


def action_url(page, action) -> str:
    state = page.current_workflow_task_state
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, state.pk])


def bar_of(response) -> str:
    """The moderation bar, before the learner's page ("" if none)."""
    body = response.content.decode()
    start = body.find('<section class="moderation-bar"')
    return "" if start < 0 else html.unescape(body[start : body.index("</section>", start)])


def form_of(bar: str, action: str) -> dict:
    """The action and hidden fields of the bar's form that posts to ``action``'s URL."""
    for form in re.findall(r"<form .*?</form>", bar, re.S):
        target = re.search(r'action="([^"]+)"', form).group(1)
        if f"/{action}/" in target:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            return {"url": target, "csrfmiddlewaretoken": token, "form": form}
    raise AssertionError(f"no {action} form in the bar")


def strict_client(user) -> Client:
    """A browser: CSRF checked, as it is for real."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


# --- The bar: who sees it -------------------------------------------------------------------


def test_the_structure_s_manager_sees_the_bar_above_the_learner_page(structures):
    alpha, _ = structures
    page = submitted(alpha)
    boss = signed_in(manager(alpha))

    response = boss.get(moderation_preview_url(page))

    assert response.status_code == 200
    bar = bar_of(response)
    assert BAR_TITLE in bar
    assert APPROVE in bar and REQUEST_CHANGES in bar
    approve = form_of(bar, "approve")
    assert approve["url"] == action_url(page, "approve")
    assert 'method="post"' in approve["form"] and 'target="_top"' in approve["form"]
    reject = form_of(bar, "reject")
    assert re.search(
        r'<textarea id="moderation-comment" name="comment"[^>]*required', reject["form"]
    )
    assert '<label for="moderation-comment">' in reject["form"]
    # Outside the learner's page, which stays inert.
    main = main_of(response)
    assert APPROVE not in main
    assert_nothing_can_be_sent(main)
    assert response.content.decode().index(BAR_TITLE) < response.content.decode().index(
        '<header class="site-header">'
    )
    # The other previews of the draft show it too; in the edit form's panel, with a word
    # on what approval publishes.
    view_draft = reverse("wagtailadmin_pages:view_draft", args=[page.pk])
    assert APPROVE in bar_of(boss.get(view_draft + "?mode=step-1"))
    form = module_form([step_workshop_sheet()], page.title, page.slug)
    boss.post(reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]), form)
    panel = boss.get(
        reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]) + "?in_preview_panel=true"
    )
    assert "modifications de ce formulaire qui ne sont pas enregistrées" in bar_of(panel)
    # The network's managers moderate every page.
    assert APPROVE in bar_of(signed_in(manager()).get(moderation_preview_url(page)))


def test_nobody_else_sees_the_bar(structures):
    alpha, beta = structures
    page = submitted(alpha)
    view_draft = reverse("wagtailadmin_pages:view_draft", args=[page.pk])

    # The author's structure's editors preview it, without the bar: they do not approve.
    response = editor_of(alpha).get(view_draft)
    assert response.status_code == 200
    assert "Module à valider" in main_of(response)
    assert bar_of(response) == ""
    # Another structure's manager sees no preview at all.
    assert refused(signed_in(manager(beta)).get(moderation_preview_url(page)))
    # A page that awaits nobody's review: no bar, even for its manager.
    draft = module(1, title="Brouillon tranquille", structure=alpha, live=False)
    response = signed_in(manager(alpha)).get(
        reverse("wagtailadmin_pages:view_draft", args=[draft.pk])
    )
    assert response.status_code == 200 and bar_of(response) == ""


def test_a_published_page_never_shows_the_bar(structures):
    alpha, _ = structures
    page = submitted(alpha, "Module en ligne", live=True)  # its changes await review
    boss = signed_in(manager(alpha))
    assert APPROVE in bar_of(boss.get(moderation_preview_url(page)))

    response = boss.get(page.url)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Module en ligne" in body and "moderation-bar" not in body and APPROVE not in body


# --- The bar: what it does ------------------------------------------------------------------


def test_approving_from_the_bar_publishes_the_page(structures):
    alpha, _ = structures
    page = submitted(alpha)
    boss = strict_client(manager(alpha))
    approve = form_of(bar_of(boss.get(moderation_preview_url(page))), "approve")

    response = boss.post(approve["url"], {"csrfmiddlewaretoken": approve["csrfmiddlewaretoken"]})

    assert response.status_code == 302
    assert response["Location"] == edit_url(page)
    page = ModulePage.objects.get(pk=page.pk)
    assert page.live and page.current_workflow_state is None
    state = TaskState.objects.get(workflow_state__object_id=str(page.pk))
    assert state.status == TaskState.STATUS_APPROVED


def test_requesting_changes_from_the_bar_sends_the_page_back_with_the_comment(structures):
    alpha, _ = structures
    page = submitted(alpha)
    boss = strict_client(manager(alpha))
    reject = form_of(bar_of(boss.get(moderation_preview_url(page))), "reject")

    response = boss.post(
        reject["url"],
        {
            "csrfmiddlewaretoken": reject["csrfmiddlewaretoken"],
            "comment": "Ajoutez la fiche à télécharger, s’il vous plaît.",
        },
    )

    assert response.status_code == 302
    page = ModulePage.objects.get(pk=page.pk)
    assert not page.live
    assert page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    state = TaskState.objects.get(workflow_state__object_id=str(page.pk))
    assert state.status == TaskState.STATUS_REJECTED
    assert state.comment == "Ajoutez la fiche à télécharger, s’il vous plaît."
    # Sent back: no bar any more, the author edits again.
    assert (
        bar_of(
            signed_in(manager(alpha)).get(reverse("wagtailadmin_pages:view_draft", args=[page.pk]))
        )
        == ""
    )


def test_a_post_without_the_bar_s_token_is_refused(structures):
    alpha, _ = structures
    page = submitted(alpha)

    response = strict_client(manager(alpha)).post(action_url(page, "approve"))

    assert response.status_code == 403
    assert not ModulePage.objects.get(pk=page.pk).live


def test_another_structure_s_manager_is_refused_by_wagtail(structures):
    alpha, beta = structures
    page = submitted(alpha)
    # Bêta's manager copies the form of Alpha's manager's bar, with a token of their own.
    outsider = strict_client(manager(beta))
    outsider.get(reverse("wagtailadmin_home"))
    token = outsider.cookies["csrftoken"].value

    for action in ("approve", "reject"):
        response = outsider.post(
            action_url(page, action), {"csrfmiddlewaretoken": token, "comment": "Non."}
        )
        assert refused(response)

    page = ModulePage.objects.get(pk=page.pk)
    assert not page.live
    assert page.current_workflow_task_state.status == TaskState.STATUS_IN_PROGRESS


# --- Progression points ---------------------------------------------------------------------


@pytest.fixture
def pathway_with_points(structures):
    alpha, _ = structures
    questions = [
        {"label": "Où en êtes-vous de votre projet ?", "kind": "short_text", "choices": []}
    ]
    return build_pathway(
        [
            module(1, title="Faire émerger son idée", structure=alpha),
            point("Premier échange", trigger="offered", questions=questions),
            module(1, title="Choisir son statut", structure=alpha),
            point("Validation du statut", trigger="gate"),
        ],
        title="Créer son activité",
        structure=alpha,
    )


def test_a_pathway_lists_a_mode_per_progression_point(pathway_with_points):
    draft = PathwayPage.objects.get(pk=pathway_with_points.pk).get_latest_revision_as_object()

    assert [name for name, _ in draft.preview_modes] == ["learner", "visitor", "point-1", "point-2"]
    assert dict(draft.preview_modes)["point-2"] == "Balise 2 : Validation du statut"


def test_a_point_previews_as_the_page_the_learner_reaches(structures, pathway_with_points):
    editor = editor_of(structures[0])
    view_draft = reverse("wagtailadmin_pages:view_draft", args=[pathway_with_points.pk])
    before = row_counts()

    offered = editor.get(view_draft + "?mode=point-1")
    gate = editor.get(view_draft + "?mode=point-2")

    assert offered.status_code == gate.status_code == 200
    main = main_of(offered)
    assert "Le brouillon tel qu’une personne accompagnée le verra une fois publié." in main
    assert "Premier échange" in main and "Bravo, vous avez atteint une balise." in main
    assert "Vous pouvez demander un échange avec une accompagnatrice" in main
    assert re.search(r"<textarea[^>]*disabled", main)
    assert re.search(r"<button[^>]*disabled>Oui, je demande un échange</button>", main)
    assert "Où en êtes-vous de votre projet ?" in main
    assert re.search(r'<input type="text" name="q_[^"]+"[^>]*disabled', main)
    assert re.search(r"<button[^>]*disabled>Enregistrer mes réponses</button>", main)
    assert '<a class="button button--secondary" role="link" aria-disabled="true">' in main
    assert "Où en est votre projet ?" not in main  # outcomes' prompt is left out
    assert_nothing_can_be_sent(main)
    main = main_of(gate)
    assert "La suite du parcours s’ouvrira après un échange" in main
    assert_nothing_can_be_sent(main)
    assert row_counts() == before
    # A point removed since the mode was listed: the pathway instead.
    assert "Le déroulé" in main_of(editor.get(view_draft + "?mode=point-7"))


def test_a_point_is_previewed_only_by_those_who_edit_or_publish_it(structures, pathway_with_points):
    _, beta = structures
    view_draft = reverse("wagtailadmin_pages:view_draft", args=[pathway_with_points.pk])

    assert refused(editor_of(beta).get(view_draft + "?mode=point-1"))
