"""Offline reading and sync: a learner's module saved for offline reading (its size first),
and what was written offline sent when the network returns, applied once, never lost."""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pathways import actions
from pathways.models import ExerciseResponse, OfflineSync, StepCompletion
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, exercise, module, modules_of, sheet

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
]
SYNC = "/apprendre/hors-connexion/envois/"


@pytest.fixture
def course():
    first = module(steps=[sheet("Lire"), exercise("Écrire", QUESTIONS)])
    return build_pathway([first, "p:gate", "m:1"])


@pytest.fixture
def user(client, course):
    person = learner()
    client.force_login(person)
    actions.enroll(person, course)
    return person


def fields_of(mod):
    step = mod.find_step(mod.step_ids[1])
    return [f"q_{qid}" for qid, _ in step.value.questions_with_ids()]


def answers_item(course, mod, fields, *, key=None, based_on="", user=None, **extra):
    item = {
        "key": str(key or uuid.uuid4()),
        "kind": "answers",
        "pathway": course.pk,
        "module": mod.pk,
        "step": mod.step_ids[1],
        "fields": {"shown": list(fields), **fields},
        "labels": {name: f"Question {name}" for name in fields},
        "based_on": based_on,
        "typed_at": "2026-12-04T10:15:00+01:00",
        **extra,
    }
    if user is not None:
        item["user"] = user.pk
    return item


def send(client, item):
    return client.post(SYNC, json.dumps(item), content_type="application/json")


def stored(user):
    return ExerciseResponse.objects.get(learner=user).answers


def test_answers_typed_offline_are_saved_and_a_replay_is_applied_once(client, user, course):
    mod = modules_of(course)[0]
    text, choice = fields_of(mod)
    item = answers_item(course, mod, {text: "Une recyclerie", choice: "SCIC"}, user=user)
    first = send(client, item)
    assert first.status_code == 200
    assert first.json()["outcome"] == "saved"
    assert first.json()["version"]
    assert stored(user) == {text[2:]: "Une recyclerie", choice[2:]: "SCIC"}
    # The answer was lost on the way back: the phone sends it again, after a change made
    # online in between. The replay changes nothing.
    actions.save_answers(user, mod, mod.step_ids[1], {text[2:]: "Revu en ligne"}, False)
    again = send(client, item)
    assert again.status_code == 200
    assert again.json()["outcome"] == "saved"
    assert stored(user) == {text[2:]: "Revu en ligne"}
    assert OfflineSync.objects.filter(learner=user).count() == 1
    # The step page shows the answer the learner typed.
    page = client.get(reverse("pathways:step", args=[course.pk, mod.pk, mod.step_ids[1]]))
    assert "Revu en ligne" in page.content.decode()


def test_a_newer_answer_on_the_server_keeps_both_texts(client, user, course):
    mod = modules_of(course)[0]
    text, choice = fields_of(mod)
    actions.save_answers(user, mod, mod.step_ids[1], {text[2:]: "Début"}, False)
    seen = ExerciseResponse.objects.get(learner=user).updated_at.isoformat()
    # Meanwhile, on another device: a new text and a choice.
    actions.save_answers(user, mod, mod.step_ids[1], {text[2:]: "Écrit sur l'ordinateur"}, False)
    ExerciseResponse.objects.filter(learner=user).update(
        answers={text[2:]: "Écrit sur l'ordinateur", choice[2:]: "Association"}
    )
    response = send(
        client,
        answers_item(course, mod, {text: "Écrit dans le train", choice: "SCIC"}, based_on=seen),
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "merged"
    assert "relisez" in response.json()["message"]
    answers = stored(user)
    assert answers[text[2:]].startswith("Écrit sur l'ordinateur")
    assert "Écrit hors connexion le" in answers[text[2:]]
    assert answers[text[2:]].endswith("Écrit dans le train")
    assert answers[choice[2:]] == "Association"  # the choice made elsewhere stays
    record = OfflineSync.objects.get(learner=user)
    assert record.answers[choice[2:]] == "SCIC"  # and the offline one is kept on record
    page = client.get(reverse("pathways:step", args=[course.pk, mod.pk, mod.step_ids[1]]))
    assert "Écrit dans le train" in page.content.decode()


def test_no_conflict_when_the_page_showed_the_latest_answers(client, user, course):
    mod = modules_of(course)[0]
    text, _ = fields_of(mod)
    actions.save_answers(user, mod, mod.step_ids[1], {text[2:]: "Début"}, False)
    seen = ExerciseResponse.objects.get(learner=user).updated_at.isoformat()
    response = send(
        client, answers_item(course, mod, {text: "Début, puis la suite"}, based_on=seen)
    )
    assert response.json()["outcome"] == "saved"
    assert stored(user)[text[2:]] == "Début, puis la suite"


def test_answers_to_removed_questions_are_kept_and_shown(client, user, course):
    mod = modules_of(course)[0]
    text, _ = fields_of(mod)
    page_url = reverse("pathways:step", args=[course.pk, mod.pk, mod.step_ids[1]])
    assert "hors connexion à des questions" not in client.get(page_url).content.decode()
    removed = f"q_{uuid.uuid4()}"
    item = answers_item(
        course, mod, {text: "Toujours là", removed: "Réponse à une question retirée"}
    )
    item["labels"][removed] = "Qui finance votre projet ?"
    response = send(client, item)
    assert response.status_code == 200
    assert response.json()["outcome"] == "questions_changed"
    assert "questions" in response.json()["message"]
    assert stored(user) == {text[2:]: "Toujours là"}
    html = client.get(page_url).content.decode()  # the learner's progress, cached, is renewed
    assert "Réponses écrites hors connexion à des questions qui ont changé" in html
    assert "Qui finance votre projet ?" in html
    assert "Réponse à une question retirée" in html


def test_a_step_done_offline_is_recorded_once(client, user, course):
    mod = modules_of(course)[0]
    item = {
        "key": str(uuid.uuid4()),
        "kind": "complete",
        "pathway": course.pk,
        "module": mod.pk,
        "step": mod.step_ids[0],
        "user": user.pk,
    }
    assert send(client, item).json()["outcome"] == "saved"
    assert send(client, item).json()["outcome"] == "saved"
    assert StepCompletion.objects.filter(learner=user).count() == 1
    assert OfflineSync.objects.filter(learner=user, kind="complete").count() == 1


def test_the_same_key_from_another_learner_is_refused(client, user, course):
    mod = modules_of(course)[0]
    text, _ = fields_of(mod)
    item = answers_item(course, mod, {text: "À moi"})
    send(client, item)
    intruder = learner()
    actions.enroll(intruder, course)
    client.force_login(intruder)
    assert send(client, item).status_code == 403
    assert not ExerciseResponse.objects.filter(learner=intruder).exists()


def test_answers_written_under_another_account_are_refused(client, user, course):
    mod = modules_of(course)[0]
    text, _ = fields_of(mod)
    other = learner()
    response = send(client, answers_item(course, mod, {text: "Pas à moi"}, user=other))
    assert response.status_code == 403
    assert not ExerciseResponse.objects.exists()


def test_a_learner_not_enrolled_gets_a_404(client, course):
    stranger = learner()
    client.force_login(stranger)
    mod = modules_of(course)[0]
    text, _ = fields_of(mod)
    assert send(client, answers_item(course, mod, {text: "Intrus"})).status_code == 404
    assert not ExerciseResponse.objects.exists()


def test_a_locked_module_is_refused(client, user, course):
    locked = modules_of(course)[1]
    item = {
        "key": str(uuid.uuid4()),
        "kind": "complete",
        "pathway": course.pk,
        "module": locked.pk,
        "step": locked.step_ids[0],
    }
    assert send(client, item).status_code == 403
    assert not StepCompletion.objects.exists()


def test_anonymous_is_sent_to_login(client, course):
    mod = modules_of(course)[0]
    response = send(client, answers_item(course, mod, {}))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_without_csrf_token_nothing_is_written(course):
    from django.test import Client

    person = learner()
    actions.enroll(person, course)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    mod = modules_of(course)[0]
    text, _ = fields_of(mod)
    assert send(strict, answers_item(course, mod, {text: "x"})).status_code == 403
    assert not ExerciseResponse.objects.exists()


def test_unreadable_or_too_long_answers_are_refused_with_a_reason(client, user, course):
    mod = modules_of(course)[0]
    text, _ = fields_of(mod)
    assert client.post(SYNC, "pas du json", content_type="application/json").status_code == 400
    response = send(client, answers_item(course, mod, {text: "x" * 10_001}))
    assert response.status_code == 422
    assert "10000" in response.json()["message"].replace("\u202f", "").replace(" ", "")
    assert not ExerciseResponse.objects.exists()


def test_sync_is_rate_limited(client, user, course, settings):
    settings.BALISE_RATE_LIMITS = {**settings.BALISE_RATE_LIMITS, "offline_sync": "2/600"}
    mod = modules_of(course)[0]
    item = {"kind": "complete", "pathway": course.pk, "module": mod.pk, "step": mod.step_ids[0]}
    codes = [send(client, {**item, "key": str(uuid.uuid4())}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


# --- Saving a module for offline reading ----------------------------------------------------


def test_a_module_lists_its_pages_with_their_size(client, user, course):
    mod = modules_of(course)[0]
    response = client.get(reverse("pathways:offline_module", args=[course.pk, mod.pk]))
    assert response.status_code == 200
    data = response.json()
    urls = [item["url"] for item in data["resources"]]
    assert urls == [
        reverse("pathways:step", args=[course.pk, mod.pk, step_id]) for step_id in mod.step_ids
    ]
    for item in data["resources"]:
        page = client.get(item["url"])
        assert abs(len(page.content) - item["bytes"]) < 200  # the same page, its own token
    assert data["total_bytes"] == sum(item["bytes"] for item in data["resources"])
    assert data["total"].endswith("ko")
    assert response["Cache-Control"].startswith("max-age=0")


def test_measuring_a_module_keeps_the_learners_messages(client, user, course):
    mod = modules_of(course)[0]
    client.post(reverse("pathways:complete_step", args=[course.pk, mod.pk, mod.step_ids[0]]))
    client.get(reverse("pathways:offline_module", args=[course.pk, mod.pk]))
    page = client.get(reverse("pathways:step", args=[course.pk, mod.pk, mod.step_ids[1]]))
    assert "Étape terminée, bravo !" in page.content.decode()


def test_a_module_of_a_pathway_not_started_or_locked_is_not_listed(client, user, course):
    locked = modules_of(course)[1]
    url = reverse("pathways:offline_module", args=[course.pk, locked.pk])
    assert client.get(url).status_code == 403
    client.force_login(learner())
    first = modules_of(course)[0]
    assert (
        client.get(reverse("pathways:offline_module", args=[course.pk, first.pk])).status_code
        == 404
    )


def test_the_step_page_offers_offline_reading_and_carries_the_answers_version(client, user, course):
    mod = modules_of(course)[0]
    text, _ = fields_of(mod)
    actions.save_answers(user, mod, mod.step_ids[1], {text[2:]: "Début"}, False)
    version = ExerciseResponse.objects.get(learner=user).updated_at.isoformat()
    page = client.get(reverse("pathways:step", args=[course.pk, mod.pk, mod.step_ids[1]]))
    html = page.content.decode()
    assert "Enregistrer pour lire hors connexion" in html
    assert reverse("pathways:offline_module", args=[course.pk, mod.pk]) in html
    assert f'data-version="{version}"' in html
    assert "en attente d’envoi" in html


def test_a_sheets_document_is_listed_with_its_size(client, user):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model().objects.create(
        title="Fiche besoin", file=ContentFile(b"%PDF-1.4 " + b"x" * 3000, name="fiche.pdf")
    )
    mod = module(
        steps=[("workshop_sheet", {"title": "Lire", "body": "<p>Lire.</p>", "document": document})]
    )
    pathway = build_pathway([mod])
    actions.enroll(user, pathway)
    data = client.get(reverse("pathways:offline_module", args=[pathway.pk, mod.pk])).json()
    assert {"url": document.url, "bytes": 3009} in data["resources"]
    assert data["total_bytes"] > 3009


def test_an_exercise_page_asks_for_answers_kept_offline_only_when_there_are_some(
    client, user, course
):
    """The step page is the most read page: whether answers typed offline wait to be shown
    comes with the learner's cached progress (read with the steps done when it is not
    cached, in the same query); the kept rows are read only when there are some."""
    mod = modules_of(course)[0]
    text, _ = fields_of(mod)
    actions.save_answers(user, mod, mod.step_ids[1], {text[2:]: "Début"}, False)
    url = reverse("pathways:step", args=[course.pk, mod.pk, mod.step_ids[1]])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200  # the progress read and cached
    reads = [q["sql"] for q in queries if "pathways_offlinesync" in q["sql"]]
    assert len(reads) == 1 and "pathways_stepcompletion" in reads[0], reads
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert not [q for q in queries if "pathways_offlinesync" in q["sql"]]

    removed = f"q_{uuid.uuid4()}"
    send(client, answers_item(course, mod, {text: "Suite", removed: "Gardée"}))
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert "Gardée" in client.get(url).content.decode()
    reads = [q["sql"] for q in queries if "pathways_offlinesync" in q["sql"]]
    assert len(reads) == 1 and "pathways_exerciseresponse" not in reads[0], reads
