"""The fast form renderer writes exactly what Django's widget templates write.

Every widget the renderer knows is rendered twice, by ``FastWidgetRenderer`` and by
Django's own ``DjangoTemplates`` renderer (the templates, as this project's apps may
override them), and the two strings must be equal: names, values and labels come from
Hypothesis (markup, quotes, ampersands, safe strings, numbers), with and without ids,
classes, boolean attributes, choice groups and selected values.
"""

from datetime import date

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lms.forms_renderer import WIDGETS, WRITERS, FastWidgetRenderer
from pathways.forms import ExerciseForm

FAST = FastWidgetRenderer()
DJANGO = DjangoTemplates()

texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(['<b>"x"</b>', "a & b", "l'été", "{{ x }}", "", " ", "0"]),
    st.text(max_size=6).map(mark_safe),
)
values = st.one_of(texts, st.none(), st.integers(-5, 5), st.sampled_from([1.5, date(2026, 1, 2)]))
attr_values = st.one_of(texts, st.booleans(), st.integers(0, 3))
attrs = st.dictionaries(
    st.sampled_from(["id", "class", "required", "disabled", "rows", "aria-describedby", "data-x"]),
    attr_values,
    max_size=4,
)
choices = st.lists(st.tuples(texts, texts), max_size=4)
grouped = st.lists(st.tuples(texts, st.lists(st.tuples(texts, texts), max_size=3)), max_size=2)

INPUT_WIDGETS = [
    forms.TextInput,
    forms.EmailInput,
    forms.NumberInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.TimeInput,
    forms.Textarea,
    forms.CheckboxInput,
    forms.FileInput,
]
CHOICE_WIDGETS = [forms.RadioSelect, forms.CheckboxSelectMultiple, forms.Select]


def both(widget, name, value, attrs=None):
    return (
        widget.render(name, value, attrs, renderer=FAST),
        widget.render(name, value, attrs, renderer=DJANGO),
    )


def assert_same(widget, name, value, attrs=None):
    fast, django = both(widget, name, value, attrs)
    assert fast == django


SETTINGS = hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.parametrize("widget_class", INPUT_WIDGETS)
@SETTINGS
@given(name=texts, value=values, widget_attrs=attrs, render_attrs=attrs)
def test_inputs_are_written_as_the_templates_write_them(
    widget_class, name, value, widget_attrs, render_attrs
):
    assert_same(widget_class(attrs=widget_attrs), name, value, render_attrs)


@pytest.mark.parametrize("widget_class", CHOICE_WIDGETS + [forms.SelectMultiple])
@SETTINGS
@given(
    name=texts,
    options=st.one_of(choices, grouped),
    picked=st.lists(texts, max_size=2),
    widget_attrs=attrs,
    render_attrs=attrs,
)
def test_choices_are_written_as_the_templates_write_them(
    widget_class, name, options, picked, widget_attrs, render_attrs
):
    widget = widget_class(attrs=widget_attrs, choices=options)
    value = picked if widget.allow_multiple_selected else (picked[0] if picked else None)
    assert_same(widget, name, value, render_attrs)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_numbers_and_dates_are_localised_like_the_templates(language):
    widget = forms.RadioSelect(choices=[(1.5, 2.5), (date(2026, 3, 4), date(2026, 3, 4))])
    with translation.override(language):
        fast, django = both(widget, "q", 1.5, {"id": "id_q"})
    assert fast == django
    assert ("2,5" if language == "fr" else "2.5") in fast


def test_a_custom_option_template_goes_through_django_templates():
    class Custom(forms.RadioSelect):
        option_template_name = "django/forms/widgets/select_option.html"

    # The option template is known, but not as the radio's: written in Python as well.
    assert_same(Custom(choices=[("a", "A")]), "q", "a", {"id": "id_q"})

    class Unknown(forms.RadioSelect):
        option_template_name = "tests/no_such_option.html"

    widget = Unknown(choices=[("a", "A")])
    with pytest.raises(Exception, match="no_such_option"):
        widget.render("q", "a", renderer=FAST)  # Django's renderer was asked for it


def test_every_input_template_only_includes_input_html():
    """A Django upgrade that gives one of these templates markup of its own fails here."""
    engine = DJANGO.engine
    for template_name, write in WRITERS.items():
        if write is WRITERS[WIDGETS + "input.html"] and not template_name.endswith("input.html"):
            source = engine.get_template(template_name).template.source
            assert source == '{% include "django/forms/widgets/input.html" %}\n', template_name


def test_the_project_renders_forms_with_it():
    assert settings.FORM_RENDERER == "lms.forms_renderer.FastWidgetRenderer"
    assert isinstance(get_default_renderer(), FastWidgetRenderer)


def test_an_exercise_form_renders_as_before():
    questions = [
        ("a1", {"kind": "short_text", "label": "Votre idée", "help_text": "Une phrase"}),
        ("b2", {"kind": "long_text", "label": "Votre public"}),
        ("c3", {"kind": "scale", "label": "Votre envie"}),
        ("d4", {"kind": "single_choice", "label": "Statut", "choices": ["SCOP", "Asso <1901>"]}),
        ("e5", {"kind": "multiple_choice", "label": "Lieux", "choices": ["Bourg", "Ferme"]}),
    ]
    answers = {"a1": "Un café", "b2": "Les <voisins>", "c3": "4", "d4": "SCOP", "e5": ["Ferme"]}
    form = ExerciseForm(questions, answers=answers, share_default=True)
    rendered = {name: str(form[name]) for name in form.fields}
    form.renderer = DJANGO
    assert rendered == {name: str(form[name]) for name in form.fields}
    assert 'value="4" id="id_q_c3_3" checked' in rendered["q_c3"]
    assert "Les &lt;voisins&gt;" in rendered["q_b2"]
