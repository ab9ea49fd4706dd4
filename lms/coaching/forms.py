from datetime import datetime, timedelta
from functools import cache

from django import forms
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from lms.accounts.departements import DEPARTEMENT_CHOICES
from lms.accounts.models import CoachProfile, Modality, Structure, StructureKind

from .models import Attendance, Origin, Outcome


class HelpRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Votre message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        help_text=_("Dites où vous bloquez : une personne de l'équipe vous répondra."),
        error_messages={"required": _("Écrivez quelques mots pour expliquer votre besoin.")},
    )

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Écrivez quelques mots pour expliquer votre besoin."))
        return message


class AcceptOfferForm(forms.Form):
    message = forms.CharField(
        label=_("Un message pour votre accompagnateur·rice (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )


DURATIONS = [(30, _("30 minutes")), (45, _("45 minutes")), (60, _("1 heure")), (90, _("1 h 30"))]


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Heure"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.TypedChoiceField(
        label=_("Durée"), choices=DURATIONS, coerce=int, initial=60
    )
    modality = forms.ChoiceField(label=_("Modalité"), choices=Modality.choices)
    location = forms.CharField(
        label=_("Lieu, lien de visio ou numéro"),
        max_length=500,
        required=False,
        help_text=_(
            "Adresse du rendez-vous, ou « je vous appelle ». En visio, laissez vide : un lien "
            "est créé pour ce rendez-vous. Par téléphone, laissez vide pour donner le numéro "
            "de votre structure."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["location"] = cleaned.get("location", "").strip()
        if cleaned.get("modality") == Modality.IN_PERSON and not cleaned["location"]:
            self.add_error("location", _("Indiquez l'adresse du rendez-vous."))
        day, hour = cleaned.get("date"), cleaned.get("time")
        if day and hour:
            starts_at = _local_moment(datetime.combine(day, hour))
            if starts_at <= timezone.now():
                raise forms.ValidationError(
                    _("Ce créneau est déjà passé : choisissez une date à venir.")
                )
            if starts_at > timezone.now() + timedelta(days=365):
                raise forms.ValidationError(_("Choisissez une date dans l'année qui vient."))
            cleaned["starts_at"] = starts_at
        return cleaned


def _local_moment(wall_time: datetime) -> datetime:
    """The moment the site's clocks show ``wall_time``; refused when they never show it
    (clocks go forward) or show it twice (clocks go back): either way the meeting would be
    stored an hour away from what the coach typed, or be unclear to the learner."""
    zone = timezone.get_current_timezone()
    first, second = wall_time.replace(tzinfo=zone, fold=0), wall_time.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    when = {"date": wall_time.strftime("%d/%m/%Y"), "time": wall_time.strftime("%H:%M")}
    # zoneinfo: in a gap, fold=0 reads the time with the offset before the change, which
    # is the larger one only when the clocks go back.
    if first.utcoffset() > second.utcoffset():
        raise forms.ValidationError(
            _(
                "Le %(date)s, %(time)s arrive deux fois : on recule les montres d'une heure "
                "(passage à l'heure d'hiver). Choisissez une autre heure."
            )
            % when
        )
    raise forms.ValidationError(
        _(
            "Le %(date)s, %(time)s n'existe pas : on avance les montres d'une heure "
            "(passage à l'heure d'été). Choisissez une autre heure."
        )
        % when
    )


class NotesForm(forms.Form):
    private_notes = forms.CharField(
        label=_("Notes privées (visibles des seul·es accompagnateur·rices)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        required=False,
    )
    summary = forms.CharField(
        label=_("Synthèse partagée avec la personne"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        required=False,
    )
    next_steps = forms.CharField(
        label=_("Prochaines étapes (partagées)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Issue"), choices=Outcome.choices)
    summary = forms.CharField(
        label=_("Synthèse partagée avec la personne"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        error_messages={"required": _("Écrivez une synthèse : la personne la recevra.")},
    )
    next_steps = forms.CharField(
        label=_("Prochaines étapes (partagées)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    oriented_to = forms.ModelChoiceField(
        label=_("Structure vers laquelle orienter la personne"),
        help_text=_(
            "Seulement si l'issue est « orienté·e » : la structure est prévenue et la "
            "personne reçoit ses coordonnées."
        ),
        queryset=Structure.objects.active().exclude(kind=StructureKind.NETWORK),
        required=False,
        empty_label=_("— aucune —"),
        error_messages={
            "invalid_choice": _(
                "Cette structure n'accueille plus de personnes : choisissez-en une autre."
            )
        },
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Outcome.REFERRED and not cleaned.get("oriented_to"):
            self.add_error(
                "oriented_to",
                _("Choisissez la structure vers laquelle vous orientez la personne."),
            )
        return cleaned


class AssignForm(forms.Form):
    """A manager gives a request to a coach of their structure."""

    coach = forms.ModelChoiceField(
        label=_("Confier à"),
        queryset=CoachProfile.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _(
                "Choisissez un·e accompagnateur·rice de votre structure dans la liste."
            )
        },
    )

    def __init__(self, *args, profiles=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["coach"]
        field.queryset = CoachProfile.objects.filter(
            pk__in=[p.pk for p in profiles]
        ).select_related("user", "structure")
        room = {p.pk: getattr(p, "room", None) for p in profiles}
        field.label_from_instance = lambda p: coach_choice_label(p, room.get(p.pk))


def coach_choice_label(profile: CoachProfile, room: int | None) -> str:
    """« Name – structure », and how many more requests they can take when known."""
    label = f"{profile.user.display_name} – {profile.structure.name}"
    if room is None:
        return label
    if room == 0:
        return _("%(label)s (complet·e : aucune place libre)") % {"label": label}
    return ngettext(
        "%(label)s (%(room)s place libre)", "%(label)s (%(room)s places libres)", room
    ) % {"label": label, "room": room}


class AvailabilityForm(forms.ModelForm):
    """A coach's own absence and capacity."""

    class Meta:
        model = CoachProfile
        fields = ["absent_until", "capacity"]
        widgets = {"absent_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_absent_until(self):
        value = self.cleaned_data["absent_until"]
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(
                _("Cette date est passée : laissez le champ vide si vous êtes disponible.")
            )
        return value

    def clean_capacity(self):
        value = self.cleaned_data["capacity"]
        if value is not None and value > 200:
            raise forms.ValidationError(_("200 demandes ouvertes au plus."))
        return value


class AnswerSessionForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[
            ("accept", _("J'accepte")),
            ("decline", _("Je refuse")),
            ("reschedule", _("Je demande un autre créneau")),
        ]
    )
    message = forms.CharField(
        label=_("Message (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


AGES = [
    ("", _("Toutes")),
    ("new", _("Moins de 2 jours")),
    ("week", _("2 à 7 jours")),
    ("old", _("Plus de 7 jours")),
]


@cache
def _option_tags(form_class, name: str, language: str) -> tuple[tuple[str, str, str], ...]:
    """(value, tag, tag when selected) for each choice of a field with fixed choices."""
    return tuple(
        (
            str(value),
            format_html('<option value="{}">{}</option>', value, label),
            format_html('<option value="{}" selected>{}</option>', value, label),
        )
        for value, label in form_class.base_fields[name].choices
    )


class FixedChoicesBoundField(BoundField):
    """A select field whose ``<option>`` tags come from a per-language cache.

    Rendered by Django's widget templates, the filters' 101 départements cost a template
    per option on every page of the queue; templates write the ``<select>`` themselves
    around ``{{ field.options }}`` (see coaching/queue.html). Only for fields whose choices
    are set on the form class.
    """

    @property
    def options(self) -> SafeString:
        current = self.value()
        current = "" if current is None else str(current)
        tags = _option_tags(type(self.form), self.name, get_language())
        return mark_safe(  # noqa: S308 - each tag was built by format_html
            "".join(selected if value == current else tag for value, tag, selected in tags)
        )


class QueueFilterForm(forms.Form):
    bound_field_class = FixedChoicesBoundField

    departement = forms.ChoiceField(
        label=_("Département"), choices=[("", _("Tous"))] + DEPARTEMENT_CHOICES, required=False
    )
    origin = forms.ChoiceField(
        label=_("Origine"), choices=[("", _("Toutes")), *Origin.choices], required=False
    )
    modality = forms.ChoiceField(
        label=_("Modalité recommandée"),
        choices=[("", _("Toutes")), *Modality.choices],
        required=False,
    )
    age = forms.ChoiceField(label=_("Ancienneté"), choices=AGES, required=False)

    @property
    def active_count(self) -> int:
        """How many filters are set (invalid ones included: the form must show why)."""
        return sum(1 for name in self.fields if self.data.get(name))

    def filter(self, queryset):
        """Apply the valid filters; an invalid value is ignored (the form shows why)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("departement"):
            queryset = queryset.filter(departement=data["departement"])
        if data.get("origin"):
            queryset = queryset.filter(origin=data["origin"])
        if data.get("modality"):
            queryset = queryset.filter(recommended_modality=data["modality"])
        now = timezone.now()
        if data.get("age") == "new":
            queryset = queryset.filter(created_at__gte=now - timedelta(days=2))
        elif data.get("age") == "week":
            queryset = queryset.filter(
                created_at__lt=now - timedelta(days=2), created_at__gte=now - timedelta(days=7)
            )
        elif data.get("age") == "old":
            queryset = queryset.filter(created_at__lt=now - timedelta(days=7))
        return queryset


def page_number(value: str | None) -> int:
    """A ``?page=`` value as a page number: 1 when missing or not a positive number."""
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


class MessageForm(forms.Form):
    """A message of a request's thread: plain text, shown escaped with its links."""

    body = forms.CharField(
        label=_("Votre message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={
            "required": _("Écrivez votre message avant de l'envoyer."),
            "max_length": _(
                "Votre message fait %(show_value)d caractères : raccourcissez-le à "
                "%(limit_value)d au plus, ou envoyez-le en deux fois."
            ),
        },
    )


# --- The life of a session ---------------------------------------------------------------------


class SessionReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison (transmise à l'autre personne)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": _("Donnez la raison : l'autre personne la recevra.")},
    )


class MoveSessionForm(SessionReasonForm):
    date = forms.DateField(
        label=_("Nouvelle date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Choisissez la nouvelle date."),
            "invalid": _("Date invalide."),
        },
    )
    time = forms.TimeField(
        label=_("Nouvelle heure"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={
            "required": _("Choisissez la nouvelle heure."),
            "invalid": _("Heure invalide."),
        },
    )
    field_order = ["date", "time", "reason"]

    def clean(self):
        cleaned = super().clean()
        day, hour = cleaned.get("date"), cleaned.get("time")
        if day and hour:
            starts_at = _local_moment(datetime.combine(day, hour))
            if starts_at <= timezone.now():
                raise forms.ValidationError(
                    _("Ce créneau est déjà passé : choisissez une date à venir.")
                )
            if starts_at > timezone.now() + timedelta(days=365):
                raise forms.ValidationError(_("Choisissez une date dans l'année qui vient."))
            cleaned["starts_at"] = starts_at
        return cleaned


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(choices=Attendance.choices)
