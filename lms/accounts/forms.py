import phonenumbers
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from .departements import DEPARTEMENT_CHOICES, normalize_departement
from .models import Availability, ContactPreferences, LearnerProfile, Modality, Structure, User

UNKNOWN_DEPARTEMENT = _("« %(value)s » n'est pas un code de département connu (ex. : 07, 2A, 974).")


class DepartementField(forms.ChoiceField):
    """A département chosen in the official list; typed codes such as '7' or '2a' are accepted."""

    default_error_messages = {"invalid_choice": UNKNOWN_DEPARTEMENT}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "choices", [("", _("Choisissez votre département")), *DEPARTEMENT_CHOICES]
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalize_departement(super().to_python(value))


FIRST_NAME_HELP = _("Les personnes qui vous accompagnent et nos e-mails vous appellent ainsi.")


class NameForm(forms.ModelForm):
    """The name asked once of accounts created before names were asked."""

    class Meta:
        model = User
        fields = ["first_name", "last_name"]
        labels = {"first_name": _("Prénom"), "last_name": _("Nom (facultatif)")}
        help_texts = {"first_name": FIRST_NAME_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"


class AccountForm(NameForm):
    """« Mon compte »: name and language."""

    class Meta(NameForm.Meta):
        fields = ["first_name", "last_name", "language"]
        labels = {**NameForm.Meta.labels, "language": _("Langue")}
        help_texts = {
            **NameForm.Meta.help_texts,
            "language": _("La langue du site et des e-mails que nous vous envoyons."),
        }
        widgets = {"language": forms.RadioSelect}


class LearnerProfileForm(forms.ModelForm):
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        help_text=FIRST_NAME_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom (facultatif)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    departement = DepartementField(label=_("Département"))
    availability = forms.MultipleChoiceField(
        label=_("Quand êtes-vous disponible ?"),
        choices=Availability.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Cochez tout ce qui vous convient : nous en tenons compte pour les rendez-vous."
        ),
    )

    class Meta:
        model = LearnerProfile
        fields = [
            "first_name",
            "last_name",
            "departement",
            "commune",
            "area_type",
            "situation",
            "availability",
            "preferred_modality",
            "digital_comfort",
            "project_summary",
        ]
        widgets = {
            "area_type": forms.RadioSelect,
            "situation": forms.RadioSelect,
            "preferred_modality": forms.RadioSelect,
            "digital_comfort": forms.RadioSelect,
            "project_summary": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "commune": _("Facultatif : la commune où vous vivez ou portez votre projet."),
            "project_summary": _("Quelques phrases suffisent. Vous pourrez les changer plus tard."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons never offer the empty "---------" choice.
        for name in ("area_type", "situation", "preferred_modality", "digital_comfort"):
            field = self.fields[name]
            field.choices = [(value, label) for value, label in field.choices if value != ""]


class SignupForm(AllauthSignupForm):
    """Sign-up with an e-mail; the password is optional since a code is e-mailed at each login."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password1" in self.fields:
            self.fields["password1"].label = _("Mot de passe (facultatif)")
            self.fields["password1"].help_text = _(
                "Inutile si vous préférez recevoir un code par e-mail à chaque connexion."
            )


class DeleteAccountForm(forms.Form):
    """Deleting one's account is final: the person types their e-mail address to confirm."""

    email = forms.EmailField(
        label=_("Pour confirmer, saisissez votre adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.user.email.lower():
            raise forms.ValidationError(
                _("Ce n'est pas l'adresse de votre compte."), code="mismatch"
            )
        return email


# Structures in Wagtail's admin (lms.accounts.wagtail_hooks). Network managers edit every
# field; a structure's own managers edit how it presents itself and how to reach it.
STRUCTURE_PRESENTATION_FIELDS = [
    "presentation",
    "address",
    "email",
    "phone",
    "website",
    "modalities",
    "logo",
    "colour",
]


class StructureForm(WagtailAdminModelForm):
    departements = forms.MultipleChoiceField(
        label=_("Départements couverts"),
        choices=DEPARTEMENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les demandes des personnes de ces départements arrivent à la structure."),
    )
    modalities = forms.MultipleChoiceField(
        label=_("Modalités proposées"),
        choices=Modality.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Structure
        fields = [
            "name",
            "slug",
            "kind",
            "departements",
            "remote_only",
            "active",
            *STRUCTURE_PRESENTATION_FIELDS,
        ]


class StructurePresentationForm(StructureForm):
    departements = None

    class Meta(StructureForm.Meta):
        fields = STRUCTURE_PRESENTATION_FIELDS


class AdminLoginForm(WagtailLoginForm):
    """Wagtail's admin login form, whose password field has no label of its own (Django
    then shows the field's name, « Password »)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Mot de passe")


class ContactPreferencesForm(forms.ModelForm):
    """« Mon compte »: a mobile number, consent to SMS (never ticked for the person), and the
    channels of each topic."""

    phone = PhoneNumberField(
        label=_("Téléphone mobile"),
        required=False,
        region="FR",
        help_text=_("Par exemple 06 12 34 56 78, ou +32 470 12 34 56 hors de France."),
        error_messages={
            "invalid": _(
                "Ce numéro de téléphone n’est pas valide. Écrivez-le par exemple "
                "06 12 34 56 78, ou avec l’indicatif du pays : +33 6 12 34 56 78."
            )
        },
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    sms_consent = forms.BooleanField(
        label=_("J’accepte de recevoir des SMS de Balise à ce numéro"),
        required=False,
        help_text=_(
            "Rappels et changements de rendez-vous seulement, jamais de publicité. Répondez "
            "STOP à un SMS ou décochez cette case pour ne plus en recevoir."
        ),
    )

    class Meta:
        model = ContactPreferences
        fields = [
            "phone",
            "sms_consent",
            "email_reminders",
            "sms_reminders",
            "email_session_changes",
            "sms_session_changes",
        ]
        labels = {
            "email_reminders": _("Rappels de rendez-vous par e-mail"),
            "sms_reminders": _("Rappels de rendez-vous par SMS"),
            "email_session_changes": _("Rendez-vous proposés, déplacés ou annulés, par e-mail"),
            "sms_session_changes": _("Rendez-vous proposés, déplacés ou annulés, par SMS"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sms_consent"].initial = bool(self.instance.sms_consent_at)

    def clean(self):
        cleaned = super().clean()
        phone = cleaned.get("phone")
        if cleaned.get("sms_consent") and "phone" not in self.errors:
            if not phone:
                self.add_error(
                    "phone", _("Indiquez un numéro de téléphone mobile pour recevoir des SMS.")
                )
            elif phonenumbers.number_type(phone) not in MOBILE_TYPES:
                self.add_error(
                    "phone",
                    _(
                        "Ce numéro ne semble pas être un mobile : les SMS n’y arriveraient "
                        "pas. Indiquez un numéro de portable (06 ou 07 en France)."
                    ),
                )
        return cleaned


# Number types that receive SMS (a French 06/07 is MOBILE; some countries do not tell).
MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
