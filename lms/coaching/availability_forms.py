"""Forms of a coach's weekly slots and exceptions, and of a learner's booking."""

from datetime import date, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import CoachProfile, Modality

from .availability import parse_slot_value
from .models import AvailabilityException, AvailabilityRule, Weekday

SLOT_LENGTHS = [(30, _("30 minutes")), (45, _("45 minutes")), (60, _("1 heure")), (90, _("1 h 30"))]


class AvailabilityRuleForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Jours"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins un jour.")},
        help_text=_("Le soir et le week-end sont possibles."),
    )
    slot_minutes = forms.TypedChoiceField(
        label=_("Durée d'un créneau"), choices=SLOT_LENGTHS, coerce=int, initial=60
    )

    class Meta:
        model = AvailabilityRule
        fields = [
            "weekdays",
            "start_time",
            "end_time",
            "slot_minutes",
            "modality",
            "place",
            "valid_from",
            "valid_until",
            "on_public_holidays",
        ]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "place": _(
                "En présentiel : l'adresse (sinon celle de votre profil). Par téléphone : le "
                "numéro que la personne appelle (sinon celui de votre structure). En visio, "
                "un lien est créé pour chaque rendez-vous."
            ),
            "valid_until": _("Laissez vide pour continuer sans date de fin."),
            "on_public_holidays": _("Sinon, les jours fériés ne proposent aucun créneau."),
        }

    def __init__(self, *args, profile: CoachProfile, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("valid_from", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.profile = profile
        offered = [(v, label) for v, label in Modality.choices if v in profile.modalities]
        self.fields["modality"].choices = offered or Modality.choices

    def clean_valid_until(self):
        value = self.cleaned_data.get("valid_until")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("Cette date est passée : choisissez une date à venir."))
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end:
            if end <= start:
                self.add_error(
                    "end_time",
                    _("L'heure de fin doit venir après l'heure de début (%(start)s).")
                    % {"start": start.strftime("%H:%M")},
                )
            elif cleaned.get("slot_minutes"):
                length = datetime.combine(date.min, end) - datetime.combine(date.min, start)
                if length < timedelta(minutes=cleaned["slot_minutes"]):
                    self.add_error(
                        "end_time", _("La plage est plus courte qu'un créneau : allongez-la.")
                    )
        first, last = cleaned.get("valid_from"), cleaned.get("valid_until")
        if first and last and last < first:
            self.add_error("valid_until", _("La date de fin doit venir après la date de début."))
        modality = cleaned.get("modality")
        if modality and modality not in self.profile.modalities:
            self.add_error("modality", _("Vous ne proposez pas cette modalité dans votre profil."))
        if (
            modality == Modality.IN_PERSON
            and not cleaned.get("place", "").strip()
            and not self.profile.in_person_address.strip()
        ):
            self.add_error("place", _("Indiquez l'adresse du rendez-vous."))
        return cleaned


class AvailabilityExceptionForm(forms.ModelForm):
    class Meta:
        model = AvailabilityException
        fields = ["starts_on", "ends_on", "reason"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"reason": _("Congés, formation… Visible de vous seul·e.")}

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("starts_on"), cleaned.get("ends_on")
        if first and last and last < first:
            self.add_error("ends_on", _("La date de fin doit venir après la date de début."))
        elif last and last < timezone.localdate():
            self.add_error("ends_on", _("Cette période est passée : choisissez des dates à venir."))
        return cleaned


class BookSlotForm(forms.Form):
    slot = forms.CharField(max_length=40)

    def clean_slot(self):
        parsed = parse_slot_value(self.cleaned_data["slot"])
        if parsed is None:
            raise forms.ValidationError(_("Choisissez un créneau dans la liste."))
        return parsed
