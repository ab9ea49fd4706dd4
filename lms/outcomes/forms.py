"""Forms of the learner's outcomes: self-diagnosis, milestone, satisfaction, module feedback.

Every value comes back validated or with an error in plain French: an answer out of the
scale, a missing answer, a question that is not (or no longer) in the questionnaire, a
number of jobs that is negative, too large or badly written.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import SCORE_MAX, SCORE_MIN, Area, Competence, Milestone, Satisfaction

QUESTION_PREFIX = "q_"


class DiagnosisForm(forms.Form):
    """One radio group (1-5, labelled with the competence's level descriptors) per question
    of the live questionnaire; fields are named ``q_<question pk>``."""

    def __init__(self, competences: list[Competence], *args, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.competences = competences
        answers = answers or {}
        for competence in competences:
            choices = [(level, f"{level} — {text}") for level, text in competence.levels()]
            for question in competence.questions.all():
                name = f"{QUESTION_PREFIX}{question.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=choices,
                    coerce=int,
                    widget=forms.RadioSelect,
                    initial=answers.get(str(question.pk)),
                    error_messages={
                        "required": _("Choisissez une réponse pour cette affirmation."),
                        "invalid_choice": _("Choisissez une réponse de %(min)s à %(max)s.")
                        % {"min": SCORE_MIN, "max": SCORE_MAX},
                    },
                )

    def clean(self):
        cleaned = super().clean()
        if not self.fields:
            raise ValidationError(_("Le questionnaire n'est pas encore prêt : revenez bientôt."))
        unknown = [
            key
            for key in (self.data or {})
            if key.startswith(QUESTION_PREFIX) and key not in self.fields
        ]
        if unknown:
            raise ValidationError(
                _(
                    "Le questionnaire a changé pendant que vous répondiez : vérifiez vos "
                    "réponses puis envoyez-les à nouveau."
                ),
                code="unknown_question",
            )
        return cleaned

    def answers(self) -> dict[int, int]:
        """``{question pk: score}`` of a valid form."""
        return {
            int(name.removeprefix(QUESTION_PREFIX)): value
            for name, value in self.cleaned_data.items()
            if name.startswith(QUESTION_PREFIX)
        }

    def areas(self):
        """``[(area label, [(competence, [bound fields])])]`` in questionnaire order, for
        fieldsets by area."""
        groups = []
        for area, label in Area.choices:
            competences = [
                (c, [self[f"{QUESTION_PREFIX}{q.pk}"] for q in c.questions.all()])
                for c in self.competences
                if c.area == area and c.questions.all()
            ]
            if competences:
                groups.append((label, competences))
        return groups


class JobsField(forms.DecimalField):
    """Jobs created, in full-time equivalents: ``1,5`` or ``1.5``, 0 to 999, one decimal."""

    def __init__(self, **kwargs):
        super().__init__(
            max_digits=None,
            decimal_places=1,
            min_value=Decimal(0),
            max_value=Decimal(999),
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            error_messages={
                "required": _("Indiquez un nombre d'emplois, 0 s'il n'y en a pas encore."),
                "invalid": _("Indiquez un nombre, par exemple 0, 1 ou 1,5."),
                "min_value": _("Le nombre d'emplois ne peut pas être négatif."),
                "max_value": _("Indiquez au plus 999 emplois."),
                "max_decimal_places": _(
                    "Un chiffre après la virgule suffit, par exemple 1,5 pour un temps plein "
                    "et un mi-temps."
                ),
            },
            **kwargs,
        )


class MilestoneForm(forms.ModelForm):
    """Where the project stands: its stage (required), and if the learner wishes, jobs,
    revenue bracket and legal form (optional: empty jobs count as 0)."""

    jobs_fte = JobsField(
        initial=Decimal(0),
        required=False,
        label=_("Emplois créés, en équivalents temps plein"),
        help_text=_("0 s'il n'y en a pas encore ; un mi-temps compte pour 0,5."),
    )

    class Meta:
        model = Milestone
        fields = ["stage", "jobs_fte", "revenue", "legal_form"]
        widgets = {"stage": forms.RadioSelect, "revenue": forms.RadioSelect}
        labels = {
            "stage": _("Où en est votre projet ?"),
            "revenue": _("Chiffre d'affaires"),
            "legal_form": _("Forme juridique"),
        }
        error_messages = {"stage": {"required": _("Choisissez l'étape de votre projet.")}}

    def __init__(self, *args, prefill: Milestone | None = None, **kwargs):
        if prefill is not None and kwargs.get("instance") is None:
            kwargs.setdefault(
                "initial",
                {f: getattr(prefill, f) for f in ("stage", "jobs_fte", "revenue", "legal_form")},
            )
        super().__init__(*args, **kwargs)
        for name in ("stage", "revenue", "legal_form"):
            field = self.fields[name]
            field.choices = [c for c in field.choices if c[0] != ""]
        self.fields["legal_form"].choices = [
            ("", _("Choisir…")),
            *self.fields["legal_form"].choices,
        ]

    def clean_jobs_fte(self):
        jobs = self.cleaned_data["jobs_fte"]
        return Decimal(0) if jobs is None else jobs


SCORE_LABELS = {0: _("Pas du tout"), 10: _("Tout à fait")}


class SatisfactionForm(forms.ModelForm):
    score = forms.TypedChoiceField(
        label=_("Recommanderiez-vous ce parcours à une personne qui a un projet comme le vôtre ?"),
        help_text=_("De 0 (pas du tout) à 10 (tout à fait)."),
        choices=[
            (n, f"{n} — {SCORE_LABELS[n]}" if n in SCORE_LABELS else str(n)) for n in range(11)
        ],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        error_messages={
            "required": _("Choisissez une note de 0 à 10."),
            "invalid_choice": _("Choisissez une note de 0 à 10."),
        },
    )

    class Meta:
        model = Satisfaction
        fields = ["score", "comment"]
        labels = {"comment": _("Qu'est-ce qui vous a aidé·e, ou manqué ? (facultatif)")}
        widgets = {"comment": forms.Textarea(attrs={"rows": 5, "maxlength": 2000})}
        error_messages = {
            "comment": {
                "max_length": _(
                    "Votre avis dépasse %(limit_value)d caractères (il en compte "
                    "%(show_value)d) : raccourcissez-le pour l'enregistrer."
                )
            }
        }

    def clean_comment(self):
        comment = self.cleaned_data["comment"]
        return "".join(ch for ch in comment if ch.isprintable() or ch in "\n\t").strip()


class ModuleFeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(
        choices=[("1", _("Utile")), ("0", _("Pas utile"))], coerce=lambda value: value == "1"
    )
