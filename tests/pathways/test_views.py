"""Learner pages: what visitors and learners see and do, bad input, and who sees what."""

import re

import pytest
from django.urls import reverse

from pathways import actions
from pathways.models import CheckpointPassage, ExerciseResponse, StepCompletion
from tests.factories.accounts import learner
from tests.factories.pathways import (
    build_pathway,
    exercise,
    module,
    modules_of,
    point,
    point_ids,
    sheet,
)

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"label": "Votre idée", "kind": "long_text", "help_text": "", "choices": [], "required": False},
    {
        "label": "Statut envisagé",
        "kind": "single_choice",
        "help_text": "",
        "choices": ["Association", "SCIC"],
        "required": False,
    },
    {"label": "Confiance", "kind": "scale", "help_text": "", "choices": [], "required": False},
]


def step_url(pathway, mod, step_id, action=""):
    names = {"": "step", "done": "complete_step", "answers": "save_answers"}
    return reverse(f"pathways:{names[action]}", args=[pathway.pk, mod.pk, step_id])


@pytest.fixture
def user(client):
    person = learner()
    client.force_login(person)
    return person


@pytest.fixture
def course():
    """A pathway: exercise module, automatic point, one-sheet module, gate, last module."""
    first = module(steps=[sheet("Lire"), exercise("Écrire", QUESTIONS)])
    return build_pathway([first, "p:automatic", "m:1", "p:gate", "m:1"])


def enrolled(client, pathway):
    response = client.post(reverse("pathways:enroll", args=[pathway.pk]))
    assert response.status_code == 302
    return response


def answer_names(mod):
    step = mod.find_step(mod.step_ids[1])
    return [f"q_{qid}" for qid, _ in step.value.questions_with_ids()]


# --- Visitors ----------------------------------------------------------------------------


def test_anonymous_reads_the_pathway_intro_and_outline(client, course):
    page = client.get(course.url).content.decode()
    assert "Un parcours de test." in page
    assert modules_of(course)[0].title in page
    assert "Créer un compte" in page
    assert reverse("pathways:pathway_podcasts_feed", args=[course.pk]) in page
    assert client.get(modules_of(course)[0].url).status_code == 200


def test_anonymous_cannot_open_steps(client, course):
    mod = modules_of(course)[0]
    response = client.get(step_url(course, mod, mod.step_ids[0]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    response = client.post(step_url(course, mod, mod.step_ids[0], "done"))
    assert response.status_code == 302
    assert not StepCompletion.objects.exists()


def test_index_filters_by_theme_and_audience(client):
    build_pathway(["m:1"], title="Émerger", theme="emergence", audiences=["rural"])
    build_pathway(["m:1"], title="Piloter", theme="impact", audiences=[])
    index = build_pathway(["m:1"]).get_parent()
    assert "Piloter" not in client.get(index.url + "?theme=emergence").content.decode()
    page = client.get(index.url + "?public=qpv").content.decode()
    assert "Piloter" in page and "Émerger" not in page
    page = client.get(index.url + "?theme=<script>&public=nope").content.decode()
    assert "Piloter" in page and "Émerger" in page and "<script>" not in page


# --- Following a pathway --------------------------------------------------------------------


def test_start_then_continue_leads_to_the_first_step(client, user, course):
    response = client.post(reverse("pathways:enroll", args=[course.pk]), follow=True)
    first = modules_of(course)[0]
    assert response.redirect_chain[-1][0] == step_url(course, first, first.step_ids[0])
    assert "J’ai terminé cette étape" in response.content.decode()


def test_complete_step_without_js_goes_to_the_next_step(client, user, course):
    enrolled(client, course)
    first = modules_of(course)[0]
    response = client.post(step_url(course, first, first.step_ids[0], "done"))
    assert response.url == step_url(course, first, first.step_ids[1])
    assert client.post(step_url(course, first, first.step_ids[0], "done")).status_code == 302
    assert StepCompletion.objects.filter(learner=user).count() == 1


def test_complete_step_with_htmx_moves_on_with_the_checklist_and_bar_updated(client, user, course):
    """« J'ai terminé » with JavaScript: as short as without, and the page tells the truth."""
    enrolled(client, course)
    first = modules_of(course)[0]
    response = client.post(
        step_url(course, first, first.step_ids[0], "done"), headers={"HX-Request": "true"}
    )
    next_step = step_url(course, first, first.step_ids[1])
    assert response.headers["HX-Redirect"] == next_step
    page = client.get(next_step).content.decode()
    assert "Étape terminée, bravo !" in page
    checklist = page[page.index('class="step-list"') :]
    done = checklist[: checklist.index('aria-current="step"')]
    assert "badge--done" in done  # the first step is ticked
    assert 'value="0"' not in checklist[checklist.index("<progress") :]


def test_reaching_a_point_shows_it(client, user, course, django_capture_on_commit_callbacks):
    enrolled(client, course)
    first = modules_of(course)[0]
    client.post(step_url(course, first, first.step_ids[0], "done"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            step_url(course, first, first.step_ids[1], "answers"), {"complete": "1"}
        )
    point_url = reverse("pathways:point", args=[course.pk, point_ids(course)[0]])
    assert response.url == point_url
    page = client.get(point_url).content.decode()
    assert "va vous contacter" in page
    assert CheckpointPassage.objects.filter(learner=user).count() == 1


def test_reaching_a_point_with_htmx_redirects_the_browser(client, user):
    pathway = build_pathway(["m:1", "p:offered"])
    enrolled(client, pathway)
    (mod,) = modules_of(pathway)
    response = client.post(
        step_url(pathway, mod, mod.step_ids[0], "done"), headers={"HX-Request": "true"}
    )
    assert response.headers["HX-Redirect"] == reverse(
        "pathways:point", args=[pathway.pk, point_ids(pathway)[0]]
    )


def test_gate_locks_the_following_module(client, user, course):
    enrolled(client, course)
    last = modules_of(course)[2]
    response = client.get(step_url(course, last, last.step_ids[0]))
    assert response.status_code == 403
    assert "pas encore ouvert" in response.content.decode()
    assert client.post(step_url(course, last, last.step_ids[0], "done")).status_code == 403
    assert not StepCompletion.objects.exists()


def test_steps_need_enrollment(client, user, course):
    first = modules_of(course)[0]
    response = client.get(step_url(course, first, first.step_ids[0]))
    assert response.url == course.url


def test_dashboard_lists_pathways_with_progress(client, user, course):
    page = client.get(reverse("pathways:dashboard")).content.decode()
    assert "pas encore commencé de parcours" in page
    enrolled(client, course)
    page = client.get(reverse("pathways:dashboard")).content.decode()
    assert course.title in page and "Prochaine étape : Lire" in page


# --- Bad input ---------------------------------------------------------------------------------


def test_unknown_step_another_module_or_pathway_is_a_404(client, user, course):
    enrolled(client, course)
    first, second, _ = modules_of(course)
    outsider = module(1)
    assert client.get(step_url(course, first, "not-a-step")).status_code == 404
    assert client.get(step_url(course, first, second.step_ids[0])).status_code == 404
    assert client.get(step_url(course, outsider, outsider.step_ids[0])).status_code == 404
    response = client.post(step_url(course, outsider, outsider.step_ids[0], "done"))
    assert response.status_code == 404
    assert "Cette page n’existe pas" in response.content.decode()


def test_too_long_answer_is_refused_and_kept_in_the_form(client, user, course):
    enrolled(client, course)
    first = modules_of(course)[0]
    text_field, choice_field, _ = answer_names(first)
    long_text = "é" * 10_001
    response = client.post(
        step_url(course, first, first.step_ids[1], "answers"), {text_field: long_text}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "dépasse 10000 caractères (elle en compte 10001)" in html
    assert long_text in html
    assert not ExerciseResponse.objects.exists()


def test_choice_not_offered_is_refused(client, user, course):
    enrolled(client, course)
    first = modules_of(course)[0]
    _, choice_field, _ = answer_names(first)
    response = client.post(
        step_url(course, first, first.step_ids[1], "answers"), {choice_field: "SARL"}
    )
    assert response.status_code == 422
    assert "ne fait pas partie des choix proposés" in response.content.decode()


def test_autosave_with_htmx_saves_and_says_when(client, user, course):
    enrolled(client, course)
    first = modules_of(course)[0]
    text_field, choice_field, scale_field = answer_names(first)
    response = client.post(
        step_url(course, first, first.step_ids[1], "answers"),
        {
            text_field: "Une recyclerie",
            choice_field: "SCIC",
            scale_field: "4",
            "share_with_coach": "on",
        },
        headers={"HX-Request": "true"},
    )
    assert "Enregistré à" in response.content.decode()
    saved = ExerciseResponse.objects.get(learner=user)
    assert sorted(saved.answers.values()) == ["4", "SCIC", "Une recyclerie"]
    assert saved.shared_with_coach


def test_autosave_error_with_htmx_says_so(client, user, course):
    enrolled(client, course)
    first = modules_of(course)[0]
    text_field, _, _ = answer_names(first)
    response = client.post(
        step_url(course, first, first.step_ids[1], "answers"),
        {text_field: "x" * 10_001},
        headers={"HX-Request": "true"},
    )
    assert "Pas encore enregistré" in response.content.decode()


def test_learner_never_sees_another_learners_answers(client, course):
    first = modules_of(course)[0]
    alice, bob = learner(), learner()
    actions.enroll(alice, course)
    actions.save_answers(alice, first, first.step_ids[1], {"x": "secret d'Alice"}, True)
    text_field = answer_names(first)[0]
    actions.save_answers(
        alice, first, first.step_ids[1], {text_field[2:]: "Le secret d'Alice"}, True
    )
    client.force_login(bob)
    enrolled(client, course)
    page = client.get(step_url(course, first, first.step_ids[1])).content.decode()
    assert "secret d" not in page
    client.force_login(alice)
    page = client.get(step_url(course, first, first.step_ids[1])).content.decode()
    assert "Le secret d&#x27;Alice" in page


def test_point_not_reached_or_unknown(client, user, course):
    enrolled(client, course)
    assert (
        client.get(reverse("pathways:point", args=[course.pk, point_ids(course)[0]])).status_code
        == 403
    )
    assert client.get(reverse("pathways:point", args=[course.pk, "nope"])).status_code == 404


def test_point_questions_are_saved(client, user, django_capture_on_commit_callbacks):
    question = {"label": "Où en êtes-vous ?", "kind": "short_text", "choices": []}
    pathway = build_pathway(["m:1", point(trigger="offered", questions=[question])])
    enrolled(client, pathway)
    (mod,) = modules_of(pathway)
    client.post(step_url(pathway, mod, mod.step_ids[0], "done"))
    url = reverse("pathways:point", args=[pathway.pk, point_ids(pathway)[0]])
    page = client.get(url).content.decode()
    assert "Où en êtes-vous ?" in page
    name = next(
        line.split('name="')[1].split('"')[0] for line in page.splitlines() if 'name="q_' in line
    )
    assert client.post(url, {name: "Je cherche un local"}).status_code == 302
    assert list(CheckpointPassage.objects.get().answers.values()) == ["Je cherche un local"]


def test_unpublished_module_drops_out_without_breaking_pages(client, user, course):
    enrolled(client, course)
    second = modules_of(course)[1]
    second.unpublish()
    assert client.get(course.url).status_code == 200
    assert client.get(reverse("pathways:dashboard")).status_code == 200
    assert client.get(step_url(course, second, second.step_ids[0])).status_code == 404


def test_the_step_list_links_every_step_of_the_module(client, user, course):
    enrolled(client, course)
    first = modules_of(course)[0]
    body = client.get(step_url(course, first, first.step_ids[1])).content.decode()
    aside = body[body.index('class="step-list"') :]
    for step_id in first.step_ids:
        assert f'href="{step_url(course, first, step_id)}"' in aside
    assert "__step__" not in body


# --- Exercise answers: nothing lost, sharing chosen ----------------------------------------


def _share_box(page: str) -> str:
    return next(line for line in page.splitlines() if 'name="share_with_coach"' in line)


def test_sharing_with_the_coach_is_never_ticked_in_advance(client, user, course):
    enrolled(client, course)
    first = modules_of(course)[0]
    url = step_url(course, first, first.step_ids[1])
    assert "checked" not in _share_box(client.get(url).content.decode())
    text_field = answer_names(first)[0]
    client.post(step_url(course, first, first.step_ids[1], "answers"), {text_field: "Idée"})
    assert ExerciseResponse.objects.get(learner=user).shared_with_coach is False
    # A learner's choice to share is kept, and shown ticked.
    ExerciseResponse.objects.filter(learner=user).update(shared_with_coach=True)
    assert "checked" in _share_box(client.get(url).content.decode())


def test_autosave_carrying_no_field_is_refused_and_writes_nothing(client, user, course):
    enrolled(client, course)
    first = modules_of(course)[0]
    text_field, _, _ = answer_names(first)
    actions.save_answers(user, first, first.step_ids[1], {text_field[2:]: "Mon idée"}, True)
    response = client.post(
        step_url(course, first, first.step_ids[1], "answers"), {}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    saved = ExerciseResponse.objects.get(learner=user)
    assert saved.answers == {text_field[2:]: "Mon idée"}
    assert saved.shared_with_coach is True


def test_a_stale_form_never_erases_the_answer_to_a_question_it_lacks(client, user, course):
    enrolled(client, course)
    first = modules_of(course)[0]
    text_field, choice_field, scale_field = answer_names(first)
    stored = {text_field[2:]: "Mon idée", choice_field[2:]: "SCIC", scale_field[2:]: "4"}
    actions.save_answers(user, first, first.step_ids[1], stored, True)
    # A page opened before the editor added the scale question: it lists the fields it shows.
    response = client.post(
        step_url(course, first, first.step_ids[1], "answers"),
        {
            "shown": [text_field, choice_field, "share_with_coach"],
            text_field: "Une recyclerie",
            "share_with_coach": "on",
        },
        headers={"HX-Request": "true"},
    )
    assert "Enregistré à" in response.content.decode()
    saved = ExerciseResponse.objects.get(learner=user)
    assert (
        saved.answers
        == {
            text_field[2:]: "Une recyclerie",
            choice_field[2:]: "",  # shown and sent empty: cleared on purpose
            scale_field[2:]: "4",
        }
    )
    assert saved.shared_with_coach is True


def test_the_page_lists_its_fields_in_one_input_that_its_submission_honours(client, user, course):
    enrolled(client, course)
    first = modules_of(course)[0]
    text_field, choice_field, scale_field = answer_names(first)
    actions.save_answers(user, first, first.step_ids[1], {scale_field[2:]: "4"}, False)
    page = client.get(step_url(course, first, first.step_ids[1])).content.decode()
    shown = re.findall(r'<input type="hidden" name="shown" value="([^"]*)"', page)
    assert len(shown) == 1
    assert set(shown[0].split()) == {text_field, choice_field, scale_field, "share_with_coach"}
    # The scale is on the page and sent empty (a radio left unticked sends nothing): cleared.
    client.post(
        step_url(course, first, first.step_ids[1], "answers"),
        {"shown": shown[0], text_field: "Une épicerie"},
    )
    answers = ExerciseResponse.objects.get(learner=user).answers
    assert answers[scale_field[2:]] == "" and answers[text_field[2:]] == "Une épicerie"


def test_unticking_sharing_on_the_page_stops_sharing(client, user, course):
    enrolled(client, course)
    first = modules_of(course)[0]
    text_field, _, _ = answer_names(first)
    actions.save_answers(user, first, first.step_ids[1], {text_field[2:]: "Mon idée"}, True)
    client.post(
        step_url(course, first, first.step_ids[1], "answers"),
        {"shown": [text_field, "share_with_coach"], text_field: "Mon idée"},
    )
    assert ExerciseResponse.objects.get(learner=user).shared_with_coach is False


def test_point_page_says_who_reads_the_answers(client, user, django_capture_on_commit_callbacks):
    question = {"label": "Où en êtes-vous ?", "kind": "short_text", "choices": []}
    pathway = build_pathway(["m:1", point(trigger="offered", questions=[question])])
    enrolled(client, pathway)
    (mod,) = modules_of(pathway)
    client.post(step_url(pathway, mod, mod.step_ids[0], "done"))
    page = client.get(reverse("pathways:point", args=[pathway.pk, point_ids(pathway)[0]]))
    assert "accompagnateurs de votre territoire" in page.content.decode()
