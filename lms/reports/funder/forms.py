"""Asking for a funder report, and editing its commentary before regenerating it."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..forms import FIRST_YEAR, LAST_YEAR
from ..scope import Visibility
from .periods import last_full_quarter

MAX_DAYS = 3 * 366  # a longer period would make a workbook of dozens of months
NETWORK = "reseau"

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COMMENTARY_HELP = gettext_lazy(
    "Quelques lignes pour les financeurs : faits marquants, contexte, perspectives. Elles "
    "figurent en première page du PDF et sur la couverture du classeur. Texte simple, "
    "4 000 caractères au plus."
)


class CommentaryField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=gettext_lazy("Commentaire de la structure"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text=COMMENTARY_HELP,
            **kwargs,
        )


class FunderReportForm(forms.Form):
    structure = forms.ChoiceField(
        label=gettext_lazy("Structure"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Cette structure n’existe pas ou ses chiffres ne vous sont pas ouverts."
            ),
            "required": gettext_lazy("Choisissez la structure du rapport."),
        },
    )
    start = forms.DateField(
        label=gettext_lazy("Du"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DATE_WIDGET,
        error_messages={"required": gettext_lazy("Indiquez le premier jour de la période.")},
    )
    end = forms.DateField(
        label=gettext_lazy("Au"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DATE_WIDGET,
        help_text=gettext_lazy(
            "Par défaut, le dernier trimestre terminé ; il est comparé à la période de même "
            "durée juste avant (le trimestre précédent)."
        ),
        error_messages={"required": gettext_lazy("Indiquez le dernier jour de la période.")},
    )
    commentary = CommentaryField()

    def __init__(self, data=None, *, visibility: Visibility, today=None, **kwargs):
        start, end = last_full_quarter(today or timezone.localdate())
        initial = {"start": start, "end": end}
        super().__init__(data, initial=initial, **kwargs)
        self.visibility = visibility
        choices = [(str(s.pk), s.name) for s in visibility.structures]
        if visibility.network:
            choices.insert(0, (NETWORK, _("Tout le réseau")))
        self.fields["structure"].choices = choices
        if len(choices) == 1:
            self.fields["structure"].initial = choices[0][0]

    def _clean_day(self, name: str):
        day = self.cleaned_data.get(name)
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Choisissez une date entre %(first)s et %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return day

    def clean_start(self):
        return self._clean_day("start")

    def clean_end(self):
        return self._clean_day("end")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("La date de fin est avant la date de début."))
            elif end - start > timedelta(days=MAX_DAYS):
                self.add_error("end", _("Choisissez une période de trois ans au plus."))
        return cleaned

    def structure_id(self) -> int | None:
        """The chosen structure's id (None: the whole network)."""
        value = self.cleaned_data["structure"]
        return None if value == NETWORK else int(value)


class CommentaryForm(forms.Form):
    commentary = CommentaryField()
