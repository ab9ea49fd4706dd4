"""Forms of the community pages: plain forms that work without JavaScript."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.accounts.departements import DEPARTEMENT_CHOICES
from lms.accounts.models import Structure, User
from lms.coaching.models import GroupModality
from pathways.models import PathwayPage

from .models import POST_MAX_LENGTH, OfferKind, ReportDecision

POST_ERRORS = {
    "required": _("Écrivez votre message avant de le publier."),
    "max_length": _(
        "Votre message fait %(show_value)d caractères : raccourcissez-le à %(limit_value)d "
        "au plus, ou publiez-le en deux fois."
    ),
}


class PostForm(forms.Form):
    """A post of a circle's thread, or a reply (``parent``): plain text, shown escaped."""

    body = forms.CharField(
        label=_("Votre message au cercle"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=POST_MAX_LENGTH,
        error_messages=POST_ERRORS,
        help_text=_(
            "Les membres du cercle et la personne qui l'anime le lisent ; ils sont prévenus "
            "par e-mail."
        ),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(POST_ERRORS["required"])
        return body


class ReplyForm(PostForm):
    body = forms.CharField(
        label=_("Votre réponse"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=POST_MAX_LENGTH,
        error_messages=POST_ERRORS,
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Ce qui pose problème"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_(
            "Le message est masqué tout de suite, en attendant que la personne qui anime le "
            "cercle (ou la structure) le relise."
        ),
        error_messages={"required": _("Dites en quelques mots ce qui pose problème.")},
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"), choices=ReportDecision.choices, widget=forms.RadioSelect
    )


class CircleForm(forms.Form):
    name = forms.CharField(label=_("Nom du cercle"), max_length=120)
    theme = forms.CharField(
        label=_("Thème"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : « trouver ses premiers clients », « le modèle économique »."),
    )
    pathway = forms.ModelChoiceField(
        label=_("Parcours"),
        queryset=PathwayPage.objects.live().order_by("title"),
        required=False,
        empty_label=_("Aucun en particulier"),
    )
    stage = forms.CharField(
        label=_("Étape des projets"),
        max_length=300,
        required=False,
        help_text=_("Où en sont les projets des membres, en une phrase."),
    )
    description = forms.CharField(
        label=_("Présentation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    departements = forms.MultipleChoiceField(
        label=_("Départements"),
        choices=DEPARTEMENT_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "Les personnes de ces départements le voient. Aucun : tout le monde (à distance)."
        ),
    )
    structure = forms.ModelChoiceField(
        label=_("Structure"),
        queryset=Structure.objects.none(),
        required=False,
        empty_label=_("Le réseau"),
    )
    facilitator = forms.EmailField(
        label=_("E-mail de la personne qui anime"),
        help_text=_(
            "Un·e accompagnateur·rice, ou un·e ancien·ne dont la proposition d'animer a été "
            "acceptée. Laissez votre propre adresse pour l'animer vous-même."
        ),
    )

    def __init__(self, *args, structures=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = (
            structures if structures is not None else Structure.objects.none()
        )

    def clean_facilitator(self):
        email = self.cleaned_data["facilitator"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("Aucun compte n'a cette adresse."))
        return user


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Heure"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.TypedChoiceField(
        label=_("Durée"),
        choices=[(60, _("1 heure")), (90, _("1 h 30")), (120, _("2 heures"))],
        coerce=int,
        initial=90,
    )
    modality = forms.ChoiceField(label=_("Modalité"), choices=GroupModality.choices)
    place = forms.CharField(
        label=_("Lieu"),
        max_length=300,
        required=False,
        help_text=_("L'adresse, en présentiel. À distance, un lien de visio est créé."),
    )
    question_bringer = forms.ModelChoiceField(
        label=_("Qui apporte la question"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("À choisir plus tard"),
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["question_bringer"].queryset = members
        self.fields["question_bringer"].label_from_instance = lambda u: (
            u.get_full_name() or u.display_name
        )

    def clean(self):
        cleaned = super().clean()
        cleaned["place"] = cleaned.get("place", "").strip()
        if cleaned.get("modality") == GroupModality.IN_PERSON and not cleaned["place"]:
            self.add_error("place", _("Indiquez l'adresse de la rencontre."))
        day, hour = cleaned.get("date"), cleaned.get("time")
        if day and hour:
            starts_at = timezone.make_aware(datetime.combine(day, hour))
            if starts_at <= timezone.now():
                raise forms.ValidationError(
                    _("Cette date est déjà passée : choisissez une date à venir.")
                )
            if starts_at > timezone.now() + timedelta(days=365):
                raise forms.ValidationError(_("Choisissez une date dans l'année qui vient."))
            cleaned["starts_at"] = starts_at
        return cleaned


class QuestionForm(forms.Form):
    question_bringer = forms.ModelChoiceField(
        label=_("Qui apporte la question"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("À choisir plus tard"),
    )
    question = forms.CharField(
        label=_("La question, si elle est déjà connue"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["question_bringer"].queryset = members
        self.fields["question_bringer"].label_from_instance = lambda u: (
            u.get_full_name() or u.display_name
        )


class TopFlopForm(forms.Form):
    notes = forms.CharField(
        label=_("Tour « top / flop »"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_(
            "Ce que chacun·e retient de la rencontre (top) et ce qui a moins bien marché (flop). "
            "Publié dans le fil du cercle."
        ),
        error_messages={"required": _("Écrivez le tour « top / flop » avant de le publier.")},
    )


class OfferForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Je propose de"), choices=OfferKind.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Un mot pour la structure (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Vos disponibilités, ce que vous aimeriez transmettre."),
    )


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Décision"),
        choices=[("1", _("Accepter")), ("0", _("Décliner"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Un mot pour la personne (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )


class HoursForm(forms.Form):
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=User.objects.none())
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=5, max_value=720)
    activity = forms.CharField(
        label=_("Activité"),
        max_length=300,
        help_text=_(
            "Par exemple : « rencontre du cercle », « échange avec la personne parrainée »."
        ),
    )

    def __init__(self, *args, mentors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mentors is not None:
            self.fields["mentor"].queryset = mentors
        self.fields["mentor"].label_from_instance = lambda u: u.get_full_name() or u.display_name
