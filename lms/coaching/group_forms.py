"""Forms of group sessions: create one, invite, record attendance, post the brief, cancel."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.accounts.departements import DEPARTEMENT_CHOICES
from lms.accounts.models import Structure, User
from lms.uploads import validate_upload

from .forms import _local_moment
from .models import GROUP_SEATS_MAX, GROUP_SEATS_MIN, GroupModality

GROUP_DURATIONS = [
    (60, _("1 heure")),
    (90, _("1 h 30")),
    (120, _("2 heures")),
    (180, _("3 heures")),
]


def point_choices(pathways) -> list:
    """Choices « pathway: point », grouped by pathway, for the points of ``pathways``;
    the value is « <pathway id>:<point id> »."""
    choices: list = [("", _("Aucune (séance sur un thème)"))]
    for pathway in pathways:
        points = [
            (f"{pathway.pk}:{item['id']}", item["value"].get("title", ""))
            for item in pathway.outline.raw_data
            if item["type"] == "progression_point"
        ]
        if points:
            choices.append((pathway.title, points))
    return choices


class GroupSessionForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    point = forms.ChoiceField(
        label=_("Balise de progression"),
        required=False,
        help_text=_(
            "Les personnes qui attendent à cette balise vous seront proposées. Si la balise "
            "peut se faire en groupe, y assister la lève."
        ),
    )
    theme = forms.CharField(
        label=_("Ou un thème"),
        max_length=200,
        required=False,
        help_text=_("Pour une séance qui ne suit pas une balise : « Trouver ses financements »."),
    )
    description = forms.CharField(
        label=_("Présentation (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Heure"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.TypedChoiceField(
        label=_("Durée"), choices=GROUP_DURATIONS, coerce=int, initial=90
    )
    modality = forms.ChoiceField(
        label=_("Modalité"),
        choices=GroupModality.choices,
        initial=GroupModality.REMOTE,
        widget=forms.RadioSelect,
    )
    place = forms.CharField(
        label=_("Lieu"),
        max_length=300,
        required=False,
        help_text=_("En présentiel ou hybride : l'adresse. À distance, un lien de visio est créé."),
    )
    seats = forms.IntegerField(
        label=_("Nombre de places"),
        min_value=GROUP_SEATS_MIN,
        max_value=GROUP_SEATS_MAX,
        initial=8,
    )
    departements = forms.MultipleChoiceField(
        label=_("Départements"),
        choices=DEPARTEMENT_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "Les personnes de ces départements vous sont proposées. En présentiel, seules "
            "elles peuvent s'inscrire ; à distance, la séance reste ouverte à toutes. Aucun : "
            "tout le réseau."
        ),
    )
    structures = forms.ModelMultipleChoiceField(
        label=_("Structures qui l'organisent"),
        queryset=Structure.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins une structure.")},
        help_text=_("Leurs accompagnateur·rices et responsables suivent la séance."),
    )
    coach = forms.ModelChoiceField(
        label=_("Animée par"), queryset=User.objects.none(), empty_label=None
    )
    waiting_list = forms.BooleanField(
        label=_("Ouvrir une liste d'attente quand la séance est complète"), required=False
    )

    def __init__(self, *args, pathways, structures, coaches, **kwargs):
        super().__init__(*args, **kwargs)
        self.pathways = {pathway.pk: pathway for pathway in pathways}
        self.fields["point"].choices = point_choices(pathways)
        self.fields["structures"].queryset = structures
        self.fields["coach"].queryset = coaches
        self.fields["coach"].label_from_instance = lambda user: (
            user.get_full_name() or user.display_name
        )

    def clean_point(self):
        value = self.cleaned_data.get("point") or ""
        if not value:
            return None
        pathway_id, _sep, point_id = value.partition(":")
        pathway = self.pathways.get(int(pathway_id)) if pathway_id.isdigit() else None
        if pathway is None:
            raise forms.ValidationError(_("Choisissez une balise de la liste."))
        return pathway, point_id

    def clean(self):
        cleaned = super().clean()
        cleaned["place"] = (cleaned.get("place") or "").strip()
        if not cleaned.get("point") and not (cleaned.get("theme") or "").strip():
            self.add_error("theme", _("Choisissez une balise de progression ou écrivez un thème."))
        in_place = cleaned.get("modality") in (GroupModality.IN_PERSON, GroupModality.HYBRID)
        if in_place and not cleaned["place"]:
            self.add_error("place", _("Indiquez l'adresse où la séance a lieu."))
        day, hour = cleaned.get("date"), cleaned.get("time")
        if day and hour:
            starts_at = _local_moment(datetime.combine(day, hour))
            if starts_at <= timezone.now():
                self.add_error(
                    "date", _("Cette date est déjà passée : choisissez une date à venir.")
                )
            elif starts_at > timezone.now() + timedelta(days=365):
                self.add_error("date", _("Choisissez une date dans l'année qui vient."))
            cleaned["starts_at"] = starts_at
        return cleaned


class InviteForm(forms.Form):
    learners = forms.ModelMultipleChoiceField(
        label=_("Personnes à inviter"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins une personne à inviter.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learners"].queryset = User.objects.filter(
            pk__in=[c.pk for c in candidates]
        ).select_related("learner_profile")
        self.fields["learners"].label_from_instance = _candidate_label
        self.initial.setdefault("learners", [c.pk for c in candidates])


def _candidate_label(user) -> str:
    profile = getattr(user, "learner_profile", None)
    name = user.get_full_name() or user.display_name
    if profile is not None and profile.commune:
        return f"{name} ({profile.commune}, {profile.departement})"
    return name


class GroupAttendanceForm(forms.Form):
    attendance = forms.ChoiceField(
        choices=[("held", _("Présent·e")), ("no_show", _("Absent·e"))],
        error_messages={"required": _("Choisissez « présent·e » ou « absent·e ».")},
    )


class BriefForm(forms.Form):
    brief = forms.CharField(
        label=_("Synthèse pour les personnes inscrites"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Ce qui a été dit et ce qu'il faut retenir : chaque personne inscrite, présente "
            "ou non, la lit dans « Mon accompagnement »."
        ),
        error_messages={"required": _("Écrivez la synthèse avant de la publier.")},
    )
    audio = forms.FileField(
        label=_("Synthèse audio (facultatif)"),
        required=False,
        help_text=_("MP3, M4A, OGG ou WAV."),
    )

    def clean_audio(self):
        audio = self.cleaned_data.get("audio")
        if not audio:
            return None
        validate_upload(audio, "audio")  # the checked upload: format read from the content
        return audio


class CancelGroupForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison de l'annulation"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Chaque personne inscrite, en attente ou invitée la reçoit."),
        error_messages={"required": _("Indiquez la raison : elle est envoyée aux personnes.")},
    )
