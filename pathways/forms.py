"""Forms of the learner pages: answers to guided exercises and to progression points."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

MAX_ANSWER_LENGTH = 10_000


# Django's widgets, rendered from the project's templates (``templates/forms/widgets``): the
# same markup from one template each, where Django's own render four nested includes per
# choice, the largest part of an exercise page's rendering.
class TextInput(forms.TextInput):
    template_name = "forms/widgets/input.html"


class HiddenInput(forms.HiddenInput):
    template_name = "forms/widgets/input.html"


class CheckboxInput(forms.CheckboxInput):
    template_name = "forms/widgets/input.html"


class Textarea(forms.Textarea):
    template_name = "forms/widgets/textarea.html"


class RadioSelect(forms.RadioSelect):
    template_name = "forms/widgets/choices.html"


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    template_name = "forms/widgets/choices.html"


def answer_field(question) -> forms.Field:
    """The form field of one question (guided exercise or progression point)."""
    kind = question["kind"]
    common = {
        "label": question["label"],
        "required": False,
        "help_text": question.get("help_text") or "",
    }
    if kind in ("short_text", "long_text"):
        widget = Textarea(attrs={"rows": 5}) if kind == "long_text" else TextInput
        return forms.CharField(
            max_length=MAX_ANSWER_LENGTH,
            widget=widget,
            strip=False,
            error_messages={
                "max_length": _(
                    "Votre réponse dépasse %(limit_value)s caractères "
                    "(elle en compte %(show_value)s) : raccourcissez-la pour l'enregistrer."
                )
            },
            **common,
        )
    if kind == "scale":
        choices = [(str(i), str(i)) for i in range(1, 6)]
        return forms.ChoiceField(choices=choices, widget=RadioSelect, **common)
    choices = [(choice, choice) for choice in question.get("choices") or []]
    invalid = {"invalid_choice": _("« %(value)s » ne fait pas partie des choix proposés.")}
    if kind == "single_choice":
        return forms.ChoiceField(
            choices=choices, widget=RadioSelect, error_messages=invalid, **common
        )
    return forms.MultipleChoiceField(
        choices=choices, widget=CheckboxSelectMultiple, error_messages=invalid, **common
    )


class AnswersForm(forms.Form):
    """Answers keyed by stable question ids; fields are named ``q_<question id>``."""

    # The project's template engine, which finds the widgets' templates above.
    default_renderer = TemplatesSetting

    def __init__(self, questions, *args, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_ids = []
        answers = answers or {}
        for question_id, question in questions:
            name = f"q_{question_id}"
            self.fields[name] = answer_field(question)
            self.fields[name].initial = answers.get(question_id)
            self.question_ids.append(question_id)

    def answers(self) -> dict:
        """Cleaned answers by question id; empty answers are kept so that clearing works."""
        return {qid: self.cleaned_data.get(f"q_{qid}") or "" for qid in self.question_ids}


SHOWN = "shown"


class ExerciseForm(AnswersForm):
    """A guided exercise's answers and the learner's choice to share them with a coach.

    Each rendering lists the fields it shows (hidden ``shown`` inputs, needed because an
    unticked box or an empty choice sends nothing): a field missing from a submission is
    not a cleared answer, so a stale page (opened before the editor added a question)
    never erases a stored answer, and a submission carrying none of the fields changes
    nothing (see ``submitted``).

    Sharing is never ticked in advance. The box shows when the exercise offers sharing,
    or when the learner already shares (so that they can always withdraw).
    """

    def __init__(
        self,
        questions,
        *args,
        stored_answers=None,
        shared: bool = False,
        share_offered: bool = True,
        **kwargs,
    ):
        super().__init__(questions, *args, answers=stored_answers, **kwargs)
        self.stored_answers = dict(stored_answers or {})
        self.shared = shared
        if share_offered or shared:
            self.fields["share_with_coach"] = forms.BooleanField(
                label=_("Partager mes réponses avec mon accompagnateur·rice"),
                widget=CheckboxInput,
                required=False,
                initial=shared,
            )
        # One input listing the names (one input per name costs a widget each to render);
        # pages rendered before, with one input per name, are read too.
        self.fields[SHOWN] = forms.CharField(
            widget=HiddenInput, required=False, initial=" ".join(self.fields)
        )

    def submitted(self) -> set[str]:
        """Names of the fields this submission carries: those its page showed and, for a
        page rendered before the list existed, those that sent a value."""
        values = self.data.getlist(SHOWN) if hasattr(self.data, "getlist") else self.data.get(SHOWN)
        if isinstance(values, str):
            values = [values]
        shown = {name for value in values or () for name in str(value).split()}
        return (shown | set(self.data)) & (set(self.fields) - {SHOWN})

    def merged_answers(self) -> dict:
        """The stored answers, updated with those of the fields this submission carries."""
        sent = self.submitted()
        answers = super().answers()
        return {
            **self.stored_answers,
            **{qid: value for qid, value in answers.items() if f"q_{qid}" in sent},
        }

    def share_choice(self) -> bool:
        if "share_with_coach" in self.submitted():
            return self.cleaned_data["share_with_coach"]
        return self.shared
