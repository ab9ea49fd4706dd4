"""Forms of the learner pages: answers to guided exercises and to progression points."""

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ANSWER_LENGTH = 10_000


def answer_field(question) -> forms.Field:
    """The form field of one question (guided exercise or progression point)."""
    kind = question["kind"]
    common = {
        "label": question["label"],
        "required": False,
        "help_text": question.get("help_text") or "",
    }
    if kind in ("short_text", "long_text"):
        widget = forms.Textarea(attrs={"rows": 5}) if kind == "long_text" else forms.TextInput
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
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    choices = [(choice, choice) for choice in question.get("choices") or []]
    invalid = {"invalid_choice": _("« %(value)s » ne fait pas partie des choix proposés.")}
    if kind == "single_choice":
        return forms.ChoiceField(
            choices=choices, widget=forms.RadioSelect, error_messages=invalid, **common
        )
    return forms.MultipleChoiceField(
        choices=choices, widget=forms.CheckboxSelectMultiple, error_messages=invalid, **common
    )


class AnswersForm(forms.Form):
    """Answers keyed by stable question ids; fields are named ``q_<question id>``."""

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


class ExerciseForm(AnswersForm):
    def __init__(self, questions, *args, share_default=True, **kwargs):
        super().__init__(questions, *args, **kwargs)
        self.fields["share_with_coach"] = forms.BooleanField(
            label=_("Partager mes réponses avec mon accompagnateur·rice"),
            required=False,
            initial=share_default,
        )
