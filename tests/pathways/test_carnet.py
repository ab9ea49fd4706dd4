"""« Mon carnet »: the learner's own answers for a pathway, as text and PDF."""

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from pathways.actions import save_answers
from pathways.carnet import Answer, answer_text, build_carnet
from pathways.models import CheckpointPassage
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, exercise, module, point, sheet

pytestmark = pytest.mark.django_db

NO_ANSWER = "(pas encore de réponse)"
EMPTY_MESSAGE = "Vous n’avez encore répondu à aucune question de ce parcours."


def question(label, kind="long_text", choices=()):
    return {
        "label": label,
        "kind": kind,
        "help_text": "",
        "choices": list(choices),
        "required": False,
    }


def question_ids(mod, step_index):
    return [qid for qid, _value in mod.steps[step_index].value.questions_with_ids()]


@pytest.fixture
def course():
    """A pathway: module « Idée » (sheet, exercise of 3 questions), a point with a question,
    module « Public » (one exercise), and a module without exercise."""
    idea = module(
        title="Idée",
        steps=[
            sheet(),
            exercise(
                "Mon besoin social",
                questions=[
                    question("Quel problème votre projet résout-il ?"),
                    question("Pour qui ?", "multiple_choice", ["Jeunes", "Aînés", "Familles"]),
                    question("Une question restée vide"),
                ],
            ),
        ],
    )
    audience = module(title="Public", steps=[exercise("Mon public cible")])
    no_exercise = module(title="Sans exercice", steps=[sheet()])
    checkpoint = point(
        title="Premier rendez-vous",
        questions=[
            {"label": "Qu'attendez-vous du rendez-vous ?", "kind": "long_text", "choices": []}
        ],
    )
    pathway = build_pathway([idea, checkpoint, audience, no_exercise], title="Créer une recyclerie")
    return pathway, idea, audience


@pytest.fixture
def alice(course):
    pathway, idea, audience = course
    person = learner(user__first_name="Alice", user__last_name="Martin")
    first, second, _third = question_ids(idea, 1)
    save_answers(
        person,
        idea,
        idea.steps[1].id,
        {
            first: "Trop de déchets dans le quartier.\nEt peu de réemploi.",
            second: ["Jeunes", "Aînés"],
        },
        shared_with_coach=True,
    )
    point_id = next(b.id for b in pathway.outline if b.block_type == "progression_point")
    point_question = pathway.point_value(point_id).questions_with_ids()[0][0]
    CheckpointPassage.objects.create(
        learner=person,
        pathway=pathway,
        point_id=point_id,
        trigger="automatic",
        answers={point_question: "Un avis sur mes statuts."},
    )
    return person


def carnet_url(name, pathway_id):
    return reverse(f"pathways:{name}", kwargs={"pathway_id": pathway_id})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Oui ", "Oui"),
        ("un\r\ndeux", "un\ndeux"),
        (["A", " ", "B"], "A, B"),
        ([], ""),
        (None, ""),
        (4, "4"),
        ("", ""),
    ],
)
def test_answer_text(value, expected):
    assert answer_text(value) == expected


def test_build_carnet_follows_outline_and_step_order(course, alice):
    pathway, _idea, _audience = course

    carnet = build_carnet(alice, pathway)

    assert carnet.pathway_title == "Créer une recyclerie"
    assert carnet.learner_name == "Alice Martin"
    assert not carnet.is_empty
    assert [m.title for m in carnet.modules] == ["Idée", "Public"]  # no empty section
    idea_exercise = carnet.modules[0].exercises[0]
    assert idea_exercise.title == "Mon besoin social"
    assert idea_exercise.answers == [
        Answer(
            "Quel problème votre projet résout-il ?",
            "Trop de déchets dans le quartier.\nEt peu de réemploi.",
        ),
        Answer("Pour qui ?", "Jeunes, Aînés"),
        Answer("Une question restée vide", ""),
    ]
    assert carnet.modules[1].exercises[0].answers == [Answer("Votre idée ?", "")]
    assert [(p.title, p.answers) for p in carnet.points] == [
        (
            "Premier rendez-vous",
            [Answer("Qu'attendez-vous du rendez-vous ?", "Un avis sur mes statuts.")],
        )
    ]


def test_answers_key_on_question_ids_not_positions(course, alice):
    pathway, idea, _audience = course
    idea.steps = [
        idea.steps.raw_data[0],
        {
            **idea.steps.raw_data[1],
            "value": {
                **idea.steps.raw_data[1]["value"],
                "questions": list(reversed(idea.steps.raw_data[1]["value"]["questions"])),
            },
        },
    ]
    idea.save_revision().publish()

    answers = build_carnet(alice, pathway).modules[0].exercises[0].answers

    assert [a.label for a in answers][0] == "Une question restée vide"
    assert answers[2] == Answer(
        "Quel problème votre projet résout-il ?",
        "Trop de déchets dans le quartier.\nEt peu de réemploi.",
    )


def test_text_export_contains_the_learners_answers(client, course, alice):
    pathway, _idea, _audience = course
    client.force_login(alice)

    response = client.get(carnet_url("carnet_text", pathway.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="carnet-{pathway.slug}.txt"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    text = response.content.decode("utf-8")
    for expected in [
        "Créer une recyclerie",
        "Alice Martin",
        "== Idée ==",
        "-- Mon besoin social --",
        "Alice Martin · carnet édité le",
        "* Quel problème votre projet résout-il ?\n  Trop de déchets dans le quartier.\n"
        "  Et peu de réemploi.",
        "* Pour qui ?\n  Jeunes, Aînés",
        f"* Une question restée vide\n  {NO_ANSWER}",
        "== Public ==",
        "Premier rendez-vous",
        "Un avis sur mes statuts.",
    ]:
        assert expected in text
    assert text.index("== Idée ==") < text.index("== Public ==") < text.index("Premier rendez-vous")
    assert "Sans exercice" not in text
    assert EMPTY_MESSAGE not in text
    assert "&" not in text  # plain text: nothing HTML-escaped


def test_text_is_not_html_escaped_and_html_is(course):
    pathway, idea, _audience = course
    person = learner()
    first = question_ids(idea, 1)[0]
    save_answers(person, idea, idea.steps[1].id, {first: "<b>Moi & vous</b>"}, True)
    carnet = build_carnet(person, pathway)

    assert "<b>Moi & vous</b>" in render_to_string("pathways/carnet.txt", {"carnet": carnet})
    html = render_to_string("pathways/carnet.html", {"carnet": carnet})
    assert "&lt;b&gt;Moi &amp; vous&lt;/b&gt;" in html
    assert "<b>Moi" not in html


def test_pdf_is_produced_for_the_learner(client, course, alice):
    pathway, _idea, _audience = course
    client.force_login(alice)

    response = client.get(carnet_url("carnet_pdf", pathway.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="carnet-{pathway.slug}.pdf"'
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 5_000


def test_pdf_is_rendered_from_the_learners_carnet_without_fetching(
    client, course, alice, monkeypatch
):
    import weasyprint

    pathway, idea, _audience = course
    bob = learner()
    save_answers(bob, idea, idea.steps[1].id, {question_ids(idea, 1)[0]: "SECRET DE BOB"}, True)
    calls = []
    real_html = weasyprint.HTML

    def spy(**kwargs):
        calls.append(kwargs)
        return real_html(**kwargs)

    monkeypatch.setattr(weasyprint, "HTML", spy)
    client.force_login(alice)

    assert client.get(carnet_url("carnet_pdf", pathway.pk)).content.startswith(b"%PDF")

    [kwargs] = calls
    assert "Trop de déchets dans le quartier." in kwargs["string"]
    assert "SECRET DE BOB" not in kwargs["string"]
    with pytest.raises(ValueError):
        kwargs["url_fetcher"]("https://example.org/font.woff2")


def test_pdf_template_is_self_contained_and_accessible(course, alice):
    pathway, _idea, _audience = course
    html = render_to_string("pathways/carnet.html", {"carnet": build_carnet(alice, pathway)})

    assert '<html lang="fr">' in html
    assert "<h1>Créer une recyclerie</h1>" in html
    assert "Trop de déchets dans le quartier." in html
    assert "Un avis sur mes statuts." in html
    assert NO_ANSWER in html
    for external in ("<link", "<script", "<img", "url(", "http://", "https://"):
        assert external not in html


def test_another_learners_answers_never_appear(client, course, alice):
    pathway, idea, audience = course
    bob = learner(user__first_name="Bob", user__last_name="Durand")
    save_answers(bob, idea, idea.steps[1].id, {question_ids(idea, 1)[0]: "SECRET DE BOB"}, True)
    save_answers(bob, audience, audience.steps[0].id, {question_ids(audience, 0)[0]: "BOB 2"}, True)

    client.force_login(alice)
    text = client.get(carnet_url("carnet_text", pathway.pk)).content.decode()
    assert "SECRET DE BOB" not in text and "BOB 2" not in text and "Bob" not in text
    assert "Trop de déchets" in text

    client.force_login(bob)
    text = client.get(carnet_url("carnet_text", pathway.pk)).content.decode()
    assert "SECRET DE BOB" in text and "BOB 2" in text
    assert "Trop de déchets" not in text and "Un avis sur mes statuts." not in text
    assert "Premier rendez-vous" not in text  # Bob has not reached the point


def test_empty_carnet_still_renders_and_says_so(client, course):
    pathway, _idea, _audience = course
    client.force_login(learner())

    text = client.get(carnet_url("carnet_text", pathway.pk)).content.decode()
    assert EMPTY_MESSAGE in text
    assert NO_ANSWER in text  # questions listed, ready to be answered

    response = client.get(carnet_url("carnet_pdf", pathway.pk))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_carnet_of_a_pathway_without_exercise(client):
    pathway = build_pathway(["m:2"])
    client.force_login(learner())

    text = client.get(carnet_url("carnet_text", pathway.pk)).content.decode()

    assert EMPTY_MESSAGE in text
    assert NO_ANSWER not in text


@pytest.mark.parametrize("name", ["carnet_text", "carnet_pdf"])
def test_anonymous_is_sent_to_login(client, course, name):
    pathway, _idea, _audience = course

    response = client.get(carnet_url(name, pathway.pk))

    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("name", ["carnet_text", "carnet_pdf"])
def test_unknown_or_unpublished_pathway_is_404(client, course, name):
    pathway, _idea, _audience = course
    client.force_login(learner())

    assert client.get(carnet_url(name, pathway.pk + 1000)).status_code == 404
    pathway.unpublish()
    assert client.get(carnet_url(name, pathway.pk)).status_code == 404


@pytest.mark.parametrize("size", [1, 5])
def test_build_carnet_reads_in_constant_queries(django_assert_num_queries, size):
    modules = [
        module(
            steps=[
                exercise("A"),
                sheet(),
                exercise("B", questions=[question("Q1"), question("Q2")]),
            ]
        )
        for _ in range(size)
    ]
    pathway = build_pathway([*modules, "p:automatic"])
    person = learner()
    for mod in modules:
        save_answers(person, mod, mod.steps[0].id, {question_ids(mod, 0)[0]: "ok"}, True)

    # live modules of the outline, exercise responses, checkpoint passages
    with django_assert_num_queries(3):
        carnet = build_carnet(person, pathway)

    assert len(carnet.modules) == size
    assert sum(a.is_answered for a in carnet.all_answers) == size


@pytest.mark.parametrize("size", [1, 5])
def test_text_view_query_budget(client, django_assert_max_num_queries, size):
    pathway = build_pathway([module(steps=[exercise()]) for _ in range(size)])
    client.force_login(learner())

    # session + user (2), pathway (1), build_carnet (3)
    with django_assert_max_num_queries(6):
        assert client.get(carnet_url("carnet_text", pathway.pk)).status_code == 200
