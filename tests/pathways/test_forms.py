"""The learner forms' widgets render from the project's flat templates
(``templates/forms/widgets``): the same markup as Django's own widget templates."""

import pytest
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html

from pathways.forms import ExerciseForm

QUESTIONS = [
    ("a1", {"kind": "short_text", "label": "Votre projet en une phrase"}),
    ("a2", {"kind": "long_text", "label": "Qui en a besoin ?", "help_text": "Pensez au"}),
    ("a3", {"kind": "scale", "label": "Votre envie d'avancer"}),
    ("a4", {"kind": "single_choice", "label": "Statut", "choices": ["SCIC", "Association"]}),
    ("a5", {"kind": "multiple_choice", "label": "Lieux", "choices": ["Bourg", "QPV", "<b>"]}),
]


def as_django(form: ExerciseForm) -> ExerciseForm:
    """The same form, rendered by Django's widget classes and templates."""
    form.renderer = DjangoTemplates()
    for field in form.fields.values():
        assert type(field.widget).__module__ == "pathways.forms"  # each extends Django's own
        django_class = next(
            c for c in type(field.widget).__mro__ if c.__module__ == "django.forms.widgets"
        )
        widget = django_class(attrs=field.widget.attrs)
        if hasattr(field.widget, "choices"):
            widget.choices = field.widget.choices
        widget.is_required = field.widget.is_required
        field.widget = widget
    return form


@pytest.mark.parametrize(
    ("data", "answers", "disabled"),
    [
        (None, None, False),
        (None, {"a1": "Une épicerie", "a2": "Les « voisins »", "a3": "4", "a4": "SCIC"}, False),
        ({"q_a3": "9", "q_a5": ["QPV", "<b>"], "share_with_coach": "on"}, None, False),
        (None, {"a5": ["Bourg"]}, True),
    ],
)
def test_every_field_renders_what_djangos_templates_render(data, answers, disabled):
    def make():
        form = ExerciseForm(QUESTIONS, data, stored_answers=answers, shared=bool(answers))
        for field in form.fields.values():
            field.disabled = disabled
        if data is not None:
            form.is_valid()
        return form

    ours, theirs = make(), as_django(make())
    for name in ours.fields:
        mine, django = str(ours[name]), str(theirs[name])
        assert parse_html(mine) == parse_html(django), name
        assert mine.count("<input") + mine.count("<textarea") >= 1


def test_choices_show_the_stored_answer_checked():
    form = ExerciseForm(QUESTIONS, stored_answers={"a4": "Association", "a5": ["QPV", "Bourg"]})
    single = parse_html(str(form["q_a4"]))
    multiple = str(form["q_a5"])

    assert parse_html('<input type="radio" name="q_a4" value="Association" id="id_q_a4_1"'
                      " checked>") in single  # fmt: skip
    assert multiple.count("checked") == 2
    assert "&lt;b&gt;" in multiple  # a choice's text is escaped
