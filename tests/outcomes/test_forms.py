"""Validation of the outcomes forms: every bad input is a French error, never an exception."""

from decimal import Decimal

import pytest
from django.utils import translation

from lms.outcomes.forms import DiagnosisForm, MilestoneForm, SatisfactionForm
from lms.outcomes.queries import questionnaire

from .conftest import ALL_THREES, answers_for, post_data, questions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def test_every_question_is_a_radio_group_labelled_with_the_levels(competences):
    form = DiagnosisForm(questionnaire())
    assert len(form.fields) == 5
    html = str(form[f"q_{questions(competences['vision'])[0]}"])
    assert html.count('type="radio"') == 5
    assert "1 — Je ne l&#x27;ai jamais fait" in html and "5 — Je pourrais" in html
    assert [area for area, _ in form.areas()] == [
        "Idées et opportunités",
        "Ressources",
        "Passage à l'action",
    ]


def test_valid_answers(competences):
    answers = answers_for(competences, vision=[1, 2], confiance=[5], planifier=[3, 4])
    form = DiagnosisForm(questionnaire(), post_data(answers))
    assert form.is_valid(), form.errors
    assert form.answers() == answers


@pytest.mark.parametrize("bad", ["0", "6", "abc", "", "2.5", "-1"])
def test_out_of_scale_answers_are_errors(competences, bad):
    data = post_data(answers_for(competences, **ALL_THREES))
    target = f"q_{questions(competences['confiance'])[0]}"
    data[target] = bad
    form = DiagnosisForm(questionnaire(), data)
    assert not form.is_valid()
    assert list(form.errors) == [target]
    assert "Choisissez une réponse" in form.errors[target][0]


def test_a_missing_answer_is_an_error(competences):
    data = post_data(answers_for(competences, **ALL_THREES))
    missing = f"q_{questions(competences['planifier'])[1]}"
    del data[missing]
    form = DiagnosisForm(questionnaire(), data)
    assert not form.is_valid()
    assert form.errors[missing] == ["Choisissez une réponse pour cette affirmation."]


@pytest.mark.parametrize("unknown", ["q_999999", "q_abc", "q_"])
def test_an_unknown_question_is_an_error(competences, unknown):
    data = post_data(answers_for(competences, **ALL_THREES)) | {unknown: "3"}
    form = DiagnosisForm(questionnaire(), data)
    assert not form.is_valid()
    assert "Le questionnaire a changé" in form.non_field_errors()[0]


def test_an_empty_questionnaire_cannot_be_sent(competences):
    for competence in competences.values():
        competence.delete()
    form = DiagnosisForm(questionnaire(), {})
    assert not form.is_valid() and "pas encore prêt" in form.non_field_errors()[0]


def test_previous_answers_prefill_the_form(competences):
    first = questions(competences["vision"])[0]
    form = DiagnosisForm(questionnaire(), answers={str(first): 4})
    assert form[f"q_{first}"].initial == 4


MILESTONE = {"stage": "study", "revenue": "none", "legal_form": "association"}


@pytest.mark.parametrize(
    ("jobs", "expected"),
    [
        ("0", Decimal("0")),
        ("1,5", Decimal("1.5")),
        ("2.5", Decimal("2.5")),
        ("999", 999),
        ("", Decimal("0")),  # optional: none yet
    ],
)
def test_milestone_accepts_french_decimals(jobs, expected):
    form = MilestoneForm(MILESTONE | {"jobs_fte": jobs})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["jobs_fte"] == expected


@pytest.mark.parametrize(
    ("jobs", "message"),
    [
        ("-1", "ne peut pas être négatif"),
        ("1000", "au plus 999"),
        ("1e9", "au plus 999"),
        ("1,25", "Un chiffre après la virgule"),
        ("abc", "Indiquez un nombre"),
        ("NaN", "Indiquez un nombre"),
    ],
)
def test_milestone_refuses_bad_jobs(jobs, message):
    form = MilestoneForm(MILESTONE | {"jobs_fte": jobs})
    assert not form.is_valid()
    assert message in " ".join(form.errors["jobs_fte"])


def test_milestone_refuses_unknown_choices():
    form = MilestoneForm({"stage": "rêve", "revenue": "x", "legal_form": "y", "jobs_fte": "0"})
    assert not form.is_valid()
    assert set(form.errors) == {"stage", "revenue", "legal_form"}


@pytest.mark.parametrize("score", ["0", "5", "10"])
def test_satisfaction_accepts_0_to_10(score):
    form = SatisfactionForm({"score": score, "comment": "Très utile"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["score"] == int(score)


@pytest.mark.parametrize("score", ["-1", "11", "abc", "", "5.5"])
def test_satisfaction_refuses_out_of_range(score):
    form = SatisfactionForm({"score": score})
    assert not form.is_valid()
    assert form.errors["score"] == ["Choisissez une note de 0 à 10."]


def test_satisfaction_labels_its_ends_and_limits_the_comment():
    html = str(SatisfactionForm()["score"])
    assert html.count('type="radio"') == 11
    assert "0 — Pas du tout" in html and "10 — Tout à fait" in html
    form = SatisfactionForm({"score": "7", "comment": "x" * 2001})
    assert not form.is_valid() and "2000 caractères" in form.errors["comment"][0]
    form = SatisfactionForm({"score": "7", "comment": " Bien\x07\r\nmerci "})
    assert form.is_valid() and form.cleaned_data["comment"] == "Bien\nmerci"
    form = SatisfactionForm({"score": "7", "comment": "Bien\x00"})  # refused by PostgreSQL
    assert not form.is_valid() and form.errors["comment"]
