"""A small questionnaire replaces the 15 default competences, so scores are computed by hand:

- « Vision » (ideas): two questions;
- « Confiance » (resources): one question;
- « Planifier » (action): two questions.
"""

import pytest

from lms.outcomes.models import Competence, CompetenceQuestion
from pathways import actions as pathway_actions
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, modules_of


def make_competence(area, code, name, statements, sort_order=0):
    competence = Competence.objects.create(
        area=area,
        code=code,
        name=name,
        description=f"Description de {name}.",
        sort_order=sort_order,
    )
    for index, text in enumerate(statements):
        CompetenceQuestion.objects.create(competence=competence, text=text, sort_order=index)
    return competence


@pytest.fixture
def competences(db):
    Competence.objects.all().delete()
    return {
        "vision": make_competence(
            "ideas", "vision", "Vision", ["Je sais où je vais.", "Je vois loin."], 1
        ),
        "confiance": make_competence("resources", "confiance", "Confiance", ["J'ose."], 2),
        "planifier": make_competence(
            "action", "planifier", "Planifier", ["Je fais un plan.", "Je tiens mes délais."], 3
        ),
    }


def questions(competence) -> list[int]:
    return list(competence.questions.order_by("sort_order").values_list("pk", flat=True))


def answers_for(competences, **scores) -> dict[int, int]:
    """``answers_for(c, vision=[1, 2], confiance=[5])`` -> {question pk: score}."""
    answers = {}
    for code, values in scores.items():
        answers.update(dict(zip(questions(competences[code]), values, strict=True)))
    return answers


def post_data(answers: dict) -> dict[str, str]:
    return {f"q_{pk}": str(score) for pk, score in answers.items()}


ALL_THREES = {"vision": [3, 3], "confiance": [3], "planifier": [3, 3]}


@pytest.fixture
def person(db):
    return learner()


@pytest.fixture
def pathway(db):
    return build_pathway(["m:1", "p:offered", "m:1"], title="Parcours autodiagnostic")


@pytest.fixture
def enrolled(person, pathway):
    pathway_actions.enroll(person, pathway)
    return person


def finish(person, pathway):
    pathway_actions.enroll(person, pathway)
    for module in modules_of(pathway):
        for step_id in module.step_ids:
            pathway_actions.complete_step(person, module, step_id)
