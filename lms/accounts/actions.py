"""State changes of accounts: roles, profiles, names and language."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import ContactPreferences, LearnerProfile, User
from .roles import Role


def grant_role(user: User, role: Role) -> None:
    """Add ``user`` to the group of ``role`` (created if missing). Idempotent."""
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    user.__dict__.pop("_balise_roles", None)


@transaction.atomic
def save_learner_profile(user: User, fields: dict) -> LearnerProfile:
    """Create or update the learner's profile from validated form data (onboarding or edit).

    Makes sure the user has the learner role: staff who sign up to try the
    learner side get it too.
    """
    fields = dict(fields)
    names = {key: fields.pop(key) for key in ("first_name", "last_name") if key in fields}
    if names:
        save_name(user, **names)
    profile, _ = LearnerProfile.objects.update_or_create(user=user, defaults=fields)
    grant_role(user, Role.LEARNER)
    return profile


def save_name(user: User, first_name: str, last_name: str = "") -> None:
    """Store the name the person gave (the first name is required by the forms).

    Giving a name also answers the one-time question asked to older accounts.
    """
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.name_asked_at = user.name_asked_at or timezone.now()
    user.save(update_fields=["first_name", "last_name", "name_asked_at"])


def record_name_asked(user: User) -> None:
    """Note that an account without a first name was shown the name form: it is asked
    once, whatever the person does next (answer, skip, or leave)."""
    user.name_asked_at = timezone.now()
    user.save(update_fields=["name_asked_at"])


def save_language(user: User, language: str) -> None:
    """Store the language the person chose (a code of ``settings.LANGUAGES``), so what
    Balise sends them later speaks it. Unchanged values cost no write."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def save_account_details(user: User, *, first_name: str, last_name: str, language: str) -> None:
    """« Mon compte »: name and language, edited together."""
    user.language = language
    user.save(update_fields=["language"])
    save_name(user, first_name, last_name)


@transaction.atomic(durable=True)
def save_contact_preferences(user: User, fields: dict) -> ContactPreferences:
    """« Mon compte »: number, SMS consent and channels per topic, from validated form data.

    Consent keeps the date it was first given while it stays given; unticking it withdraws
    it (and records when, as a « STOP » does). Changing the number keeps the consent: the
    person gave both in the same form.
    """
    fields = dict(fields)
    consent = fields.pop("sms_consent", False)
    preferences, _ = ContactPreferences.objects.select_for_update().get_or_create(user=user)
    for name, value in fields.items():
        setattr(preferences, name, value)
    now = timezone.now()
    if consent and preferences.sms_consent_at is None:
        preferences.sms_consent_at = now
    elif not consent and preferences.sms_consent_at is not None:
        preferences.sms_consent_at = None
        preferences.sms_stopped_at = now
    preferences.save()
    user._state.fields_cache.pop("contact_preferences", None)
    return preferences


def stop_sms(user: User) -> bool:
    """Withdraw the person's consent to SMS (« Ne plus recevoir de SMS », or a « STOP »
    reply); queued SMS are then dropped at delivery. Returns whether consent was given."""
    now = timezone.now()
    stopped = ContactPreferences.objects.filter(user=user, sms_consent_at__isnull=False).update(
        sms_consent_at=None, sms_stopped_at=now, updated_at=now
    )
    user._state.fields_cache.pop("contact_preferences", None)
    return bool(stopped)


def stop_sms_for_number(phone) -> int:
    """A « STOP » reply from ``phone`` (E.164): withdraw consent of every account with that
    number. Returns how many accounts it stopped."""
    now = timezone.now()
    return ContactPreferences.objects.filter(phone=phone, sms_consent_at__isnull=False).update(
        sms_consent_at=None, sms_stopped_at=now, updated_at=now
    )
