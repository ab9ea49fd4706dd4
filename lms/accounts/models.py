"""Users, roles' profiles: who learns, who coaches.

The e-mail is the login. A learner's profile says where they live and how they
can be met; a coach's profile says where and how they accompany, and how many
open requests they can carry.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .departements import DEPARTEMENT_CHOICES, DEPARTEMENTS


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person using Balise, identified by e-mail (unique whatever its case)."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    # The language Balise speaks to the person in e-mails and notifications; set by the
    # language selector when logged in, and in « Mon compte ».
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES, default="fr")
    # When accounts created before names were asked were shown the short name form:
    # asked once, never again (lms.accounts.middleware.AskNameMiddleware).
    name_asked_at = models.DateTimeField(_("prénom demandé le"), null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def display_name(self) -> str:
        """How other people see the person: first name, else last name, else the part of
        the e-mail before the @ (accounts from before names were asked, until they
        give one). Never empty. Greetings use ``first_name`` alone (« Bonjour, »)."""
        return self.first_name or self.last_name or self.email.split("@")[0]


class Modality(models.TextChoices):
    VIDEO = "video", _("Visioconférence")
    PHONE = "phone", _("Téléphone")
    IN_PERSON = "in_person", _("En présentiel")


class PreferredModality(models.TextChoices):
    VIDEO = "video", _("Visioconférence")
    PHONE = "phone", _("Téléphone")
    IN_PERSON = "in_person", _("En présentiel")
    NO_PREFERENCE = "any", _("Pas de préférence")


class AreaType(models.TextChoices):
    RURAL = "rural", _("Commune rurale")
    URBAN = "urban", _("Ville")
    QPV = "qpv", _("Quartier prioritaire de la ville (QPV)")


class Situation(models.TextChoices):
    EMPLOYED = "employed", _("En emploi")
    JOB_SEEKER = "job_seeker", _("En recherche d'emploi")
    STUDENT = "student", _("En études")
    OTHER = "other", _("Autre situation")


class Availability(models.TextChoices):
    WEEKDAY_DAYTIME = "weekday_daytime", _("En semaine, en journée")
    WEEKDAY_EVENING = "weekday_evening", _("En semaine, en soirée")
    WEEKEND = "weekend", _("Le week-end")


class DigitalComfort(models.TextChoices):
    AT_EASE = "at_ease", _("À l'aise avec le numérique")
    NEEDS_HELP = "needs_help", _("J'ai besoin d'un coup de main avec le numérique")


def validate_departement(value: str) -> None:
    if value not in DEPARTEMENTS:
        raise ValidationError(
            _("« %(value)s » n'est pas un code de département connu."),
            code="unknown_departement",
            params={"value": value},
        )


def validate_departement_list(value) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Une liste de départements est attendue."), code="invalid")
    for code in value:
        validate_departement(code)


@deconstructible
class ChoiceListValidator:
    """Checks a JSON list holds only values of a TextChoices (availability, modalities)."""

    def __init__(self, choices_path: str):
        self.choices_path = choices_path

    def __call__(self, value) -> None:
        choices = import_string(self.choices_path)
        if not isinstance(value, list) or not set(value) <= set(choices.values):
            raise ValidationError(_("Choix invalide."), code="invalid_choice")

    def __eq__(self, other):
        return isinstance(other, ChoiceListValidator) and other.choices_path == self.choices_path


validate_availability_list = ChoiceListValidator("lms.accounts.models.Availability")
validate_modality_list = ChoiceListValidator("lms.accounts.models.Modality")


class LearnerProfile(models.Model):
    """What a project holder tells about themselves at onboarding; editable later."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="learner_profile")
    departement = models.CharField(
        _("département"),
        max_length=3,
        choices=DEPARTEMENT_CHOICES,
        validators=[validate_departement],
    )
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    area_type = models.CharField(_("type de territoire"), max_length=10, choices=AreaType.choices)
    situation = models.CharField(_("situation"), max_length=12, choices=Situation.choices)
    availability = models.JSONField(
        _("disponibilités"), default=list, blank=True, validators=[validate_availability_list]
    )
    preferred_modality = models.CharField(
        _("façon préférée d'être accompagné·e"),
        max_length=10,
        choices=PreferredModality.choices,
        default=PreferredModality.NO_PREFERENCE,
    )
    digital_comfort = models.CharField(
        _("aisance numérique"),
        max_length=12,
        choices=DigitalComfort.choices,
        default=DigitalComfort.AT_EASE,
    )
    project_summary = models.TextField(
        _("mon projet en quelques mots"), blank=True, max_length=2000
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profil de porteur·se de projet")
        verbose_name_plural = _("profils de porteur·ses de projet")

    def __str__(self):
        return f"{self.user} ({self.departement})"

    @property
    def is_employed(self) -> bool:
        return self.situation == Situation.EMPLOYED


class StructureKind(models.TextChoices):
    NETWORK = "network", _("Tête de réseau")
    INCUBATOR = "incubator", _("Incubateur")
    FABRIQUE = "fabrique", _("Fabrique à initiatives")
    CAE = "cae", _("Coopérative d'activité et d'emploi (CAE)")
    COUVEUSE = "couveuse", _("Couveuse")
    TIERS_LIEU = "tiers_lieu", _("Tiers-lieu")
    OTHER = "other", _("Autre structure")


validate_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Une couleur s'écrit #rrvvbb, par exemple #1d4e89."), "invalid"
)


class StructureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Structure(models.Model):
    """An accompaniment structure of the network (incubator, Fabrique à initiatives, CAE,
    couveuse, tiers-lieu), or the network's head (kind « network »): its managers see the
    whole network. Coaches, managers and editors belong to structures (``Membership``)."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    slug = models.SlugField(_("identifiant dans les adresses"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=StructureKind.choices)
    departements = models.JSONField(
        _("départements couverts"),
        default=list,
        blank=True,
        validators=[validate_departement_list],
    )
    address = models.TextField(_("adresse"), blank=True)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    website = models.URLField(_("site web"), blank=True)
    presentation = models.TextField(_("présentation courte"), blank=True, max_length=1000)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    colour = models.CharField(
        _("couleur"), max_length=7, default="#1d4e89", validators=[validate_colour]
    )
    modalities = models.JSONField(
        _("modalités proposées"), default=list, blank=True, validators=[validate_modality_list]
    )
    # Coaches who meet by video or phone only serve the network queue, wherever people
    # live: their structure may cover no département.
    remote_only = models.BooleanField(
        _("à distance uniquement"),
        default=False,
        help_text=_(
            "Cochez si la structure accompagne uniquement par visioconférence ou téléphone, "
            "partout en France : elle peut alors ne couvrir aucun département."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = _("structure d'accompagnement")
        verbose_name_plural = _("structures d'accompagnement")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_network(self) -> bool:
        return self.kind == StructureKind.NETWORK

    def covers(self, departement: str) -> bool:
        return departement in self.departements

    @property
    def modality_labels(self) -> list[str]:
        return [Modality(value).label for value in self.modalities if value in Modality.values]

    def clean_fields(self, exclude=None):
        """Field checks, and where the structure meets people. Written here rather than in
        ``clean()``, which receives no ``exclude``: a form without the field (a structure's
        managers edit its presentation, not its départements) would raise ``ValueError``
        on an error about it, a 500 instead of a message."""
        errors: dict[str, list] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field, message in self._territory_errors().items():
            if field not in (exclude or ()):
                errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)

    def _territory_errors(self) -> dict[str, str]:
        errors = {}
        if not self.is_network and not self.remote_only and not self.departements:
            errors["departements"] = _(
                "Indiquez au moins un département : c'est ainsi que les demandes des "
                "personnes de ce territoire arrivent à la structure. Une structure qui "
                "accompagne uniquement à distance peut n'en couvrir aucun : cochez alors "
                "« à distance uniquement »."
            )
        if self.remote_only and Modality.IN_PERSON in (self.modalities or []):
            errors["modalities"] = _(
                "Une structure qui accompagne uniquement à distance ne propose pas de "
                "rendez-vous en présentiel : décochez « En présentiel » ou « à distance "
                "uniquement »."
            )
        return errors


class MemberRole(models.TextChoices):
    COACH = "coach", _("Accompagnateur·rice")
    MANAGER = "manager", _("Responsable")
    EDITOR = "editor", _("Éditeur·rice")


class Membership(models.Model):
    """A person's place in a structure: a coach, a manager or an editor of it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=8, choices=MemberRole.choices)

    class Meta:
        verbose_name = _("appartenance à une structure")
        verbose_name_plural = _("appartenances à une structure")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.structure} ({self.get_role_display()})"


class CoachProfile(models.Model):
    """Where and how a coach accompanies, and how many open requests they can carry."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="coach_profile")
    structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="coach_profiles",
    )
    absent_until = models.DateField(
        _("absent·e jusqu'au"),
        null=True,
        blank=True,
        help_text=_("Aucune nouvelle demande ne vous est adressée jusqu'à cette date incluse."),
    )
    departements = models.JSONField(
        _("départements couverts"),
        default=list,
        blank=True,
        validators=[validate_departement_list],
    )
    modalities = models.JSONField(
        _("modalités proposées"), default=list, blank=True, validators=[validate_modality_list]
    )
    in_person_address = models.TextField(
        _("adresse pour les rendez-vous en présentiel"), blank=True
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacité (demandes ouvertes en même temps)"), default=10
    )

    class Meta:
        verbose_name = _("profil d'accompagnateur·rice")
        verbose_name_plural = _("profils d'accompagnateur·rices")

    def __str__(self):
        return f"{self.user} – {self.structure}"

    def is_absent(self, on) -> bool:
        return self.absent_until is not None and self.absent_until >= on

    @property
    def offers_remote(self) -> bool:
        return bool({Modality.VIDEO, Modality.PHONE} & set(self.modalities))

    @property
    def offers_in_person(self) -> bool:
        return Modality.IN_PERSON in self.modalities


class InactivityWarning(models.Model):
    """The e-mail telling an idle learner their account will be anonymised (one per person).

    Written by ``gdpr.anonymise_inactive_learners``; activity after ``warned_at``
    voids it (a later idle period gets a new warning), and the account is
    anonymised only once the grace period after it has passed.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="inactivity_warning")
    warned_at = models.DateTimeField(_("prévenu·e le"))

    class Meta:
        verbose_name = _("avertissement d'inactivité")
        verbose_name_plural = _("avertissements d'inactivité")

    def __str__(self):
        return f"{self.user_id} {self.warned_at:%Y-%m-%d}"


class MessageTopic(models.TextChoices):
    """What a message is about, for the person's choice of channels in « Mon compte »."""

    REMINDERS = "reminders", _("Rappels de rendez-vous")
    SESSION_CHANGES = "session_changes", _("Rendez-vous proposés, déplacés ou annulés")


class ContactPreferences(models.Model):
    """How a person wants to be reached: a mobile number for SMS, given with explicit consent,
    and, per topic, whether to receive e-mails and SMS.

    No row means the defaults: e-mails for every topic, no SMS. Consent is a date (when it
    was given), cleared when withdrawn in « Mon compte » or by a « STOP » reply
    (``sms_stopped_at`` then says when): no SMS leaves without it.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="contact_preferences")
    phone = PhoneNumberField(_("téléphone mobile"), blank=True)
    sms_consent_at = models.DateTimeField(_("accord pour les SMS donné le"), null=True, blank=True)
    sms_stopped_at = models.DateTimeField(
        _("SMS arrêtés le"),
        null=True,
        blank=True,
        help_text=_("Date de la dernière demande d’arrêt des SMS (« STOP » ou « Mon compte »)."),
    )
    email_reminders = models.BooleanField(_("rappels de rendez-vous par e-mail"), default=True)
    sms_reminders = models.BooleanField(_("rappels de rendez-vous par SMS"), default=True)
    email_session_changes = models.BooleanField(
        _("changements de rendez-vous par e-mail"), default=True
    )
    sms_session_changes = models.BooleanField(_("changements de rendez-vous par SMS"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("préférences de contact")
        verbose_name_plural = _("préférences de contact")

    def __str__(self):
        return f"{self.user_id}"

    @property
    def sms_allowed(self) -> bool:
        """A number, and consent that was not withdrawn since."""
        return bool(self.phone) and self.sms_consent_at is not None

    def wants_email(self, topic: str) -> bool:
        return bool(getattr(self, f"email_{topic}", True))

    def wants_sms(self, topic: str) -> bool:
        return self.sms_allowed and bool(getattr(self, f"sms_{topic}", False))


def contact_preferences_of(user) -> ContactPreferences:
    """The person's preferences, or unsaved defaults (e-mail only) when they set none."""
    try:
        return user.contact_preferences
    except ContactPreferences.DoesNotExist:
        return ContactPreferences(user=user)
