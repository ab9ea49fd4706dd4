"""A person's rights over their data: export it, erase it; inactive accounts are anonymised.

- ``export_user_data`` / ``build_export_zip``: everything Balise holds about a person,
  as ``data.json`` plus their files, in a ZIP they download from « Mon compte ».
- ``anonymise_user``: the account is kept as an anonymous row (so counts of enrolments,
  completed steps, passages, requests and sessions survive for the programme's figures)
  and every personal field and answer is erased.
- ``anonymise_inactive_learners``: learners idle for ``BALISE_INACTIVE_WARN_DAYS`` are
  warned by e-mail, then anonymised ``BALISE_INACTIVE_ANONYMISE_AFTER_WARNING_DAYS`` later
  if they did not come back (Celery beat, daily).

Each app declares what it holds about a person, how it is exported and how it is
erased, in its own ``privacy.py`` (``lms/accounts/privacy.py`` owns that registry), so
accounts imports nothing from the apps above it. ``tests/accounts/test_gdpr.py`` walks
all models and fails on a relation to a person that no app exports or excludes.
"""

import json
import logging
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Max, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from . import privacy
from .models import (
    CoachProfile,
    ContactPreferences,
    InactivityWarning,
    LearnerProfile,
    Membership,
    User,
)
from .privacy import USER_WITHHELD, Section
from .roles import Role, roles_of
from .signals import inactivity_warned

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "balise-export-1"
ANONYMOUS_EMAIL_DOMAIN = "balise.invalid"


def _exported_relations() -> dict[str, str]:
    relations = {
        "accounts.User_groups.user": "user.roles",
        "accounts.User_user_permissions.user": "user.permissions",
    }

    def walk(sections, prefix=""):
        for section in sections:
            relations[f"{section.model}.{section.owner}"] = f"{prefix}{section.key}"
            walk(section.children, f"{prefix}{section.key}.")

    walk(privacy.sections())
    return relations


def exported() -> dict[str, str]:
    """Relations to the user, or to a row exported about them ("app_label.Model.field",
    the model that declares the field), that ``export_user_data`` writes, with the key of
    data.json holding them ("parent.child" for rows nested in their parent's)."""
    return _exported_relations()


def excluded() -> dict[str, str]:
    """Relations to the user deliberately left out of the export, and why."""
    return privacy.excluded()


def _model(label: str):
    return apps.get_model(label)


# --- Export -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFile:
    """A file of the person, copied into the ZIP under ``files/<name>``."""

    name: str
    storage: Storage
    path: str


def _person_name(person) -> str | None:
    return (person.get_full_name() or person.display_name) if person is not None else None


def _value(obj: Model, model_field) -> Any:
    value = model_field.value_from_object(obj)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, PhoneNumber):
        return value.as_e164 if value.is_valid() else str(value)
    return value


def _row(obj: Model, section: Section) -> dict[str, Any]:
    """Every concrete field of ``obj`` but the owner and the withheld ones."""
    row: dict[str, Any] = {}
    for model_field in obj._meta.concrete_fields:
        if model_field.name == section.owner or model_field.name in section.withheld:
            continue
        if model_field.is_relation:
            related = getattr(obj, model_field.name)
            if model_field.related_model is User:
                row[model_field.name] = _person_name(related)
                continue
            row[model_field.attname] = _value(obj, model_field)
            row[model_field.name] = str(related) if related is not None else None
        else:
            row[model_field.name] = _value(obj, model_field)
    return row


def _export_rows(section: Section, **owner) -> tuple[list[Model], list[dict[str, Any]]]:
    model = _model(section.model)
    related = [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.name != section.owner and f.name not in section.withheld
    ]
    objects = list(model._base_manager.filter(**owner).select_related(*related).order_by("pk"))
    rows = [_row(obj, section) for obj in objects]
    for child in section.children:
        owner_attname = _model(child.model)._meta.get_field(child.owner).attname
        grouped = defaultdict(list)
        child_objects, child_rows = _export_rows(child, **{f"{child.owner}__in": objects})
        for child_object, child_row in zip(child_objects, child_rows, strict=True):
            grouped[getattr(child_object, owner_attname)].append(child_row)
        for obj, row in zip(objects, rows, strict=True):
            row[child.key] = grouped[obj.pk]
    return objects, rows


def _export_section(section: Section, user: User) -> Any:
    _objects, rows = _export_rows(section, **{section.owner: user})
    if section.one:
        return rows[0] if rows else None
    return rows


def _withheld() -> dict[str, dict[str, str]]:
    """Fields left out of data.json, by section, with the reason (written in data.json)."""
    found = {"user": {name: str(reason) for name, reason in USER_WITHHELD.items()}}

    def walk(sections, prefix=""):
        for section in sections:
            if section.withheld:
                found[f"{prefix}{section.key}"] = {
                    name: str(reason) for name, reason in section.withheld.items()
                }
            walk(section.children, f"{prefix}{section.key}.")

    walk(privacy.sections())
    return found


def _admin_profile(user: User):
    return _model("wagtailusers.UserProfile").objects.filter(user=user).first()


def export_files(user: User) -> list[ExportFile]:
    """The person's files. Learners upload none yet; the Wagtail avatar is the only one."""
    files = []
    profile = _admin_profile(user)
    if profile is not None and profile.avatar:
        files.append(
            ExportFile(
                name=f"avatar/{profile.avatar.name.rsplit('/', 1)[-1]}",
                storage=profile.avatar.storage,
                path=profile.avatar.name,
            )
        )
    return files


def export_user_data(user: User, files: list[ExportFile] | None = None) -> dict[str, Any]:
    """Everything Balise holds about ``user`` (see ``SECTIONS``), as JSON-ready data.

    What is left out is named in the file itself: ``withheld`` (fields, with the reason)
    and ``not_included`` (kinds of rows linked to the person, with the reason).
    """
    files = export_files(user) if files is None else files
    groups = _model("accounts.User_groups").objects.filter(user=user)
    permissions = _model("accounts.User_user_permissions").objects.filter(user=user)
    person = Section("user", "accounts.User", owner="", withheld=USER_WITHHELD)
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "user": {
            **_row(user, person),
            "roles": sorted(groups.values_list("group__name", flat=True)),
            "permissions": sorted(
                f"{app}.{codename}"
                for app, codename in permissions.values_list(
                    "permission__content_type__app_label", "permission__codename"
                )
            ),
        },
    }
    for section in privacy.sections():
        data[section.key] = _export_section(section, user)
    data["withheld"] = _withheld()
    data["not_included"] = excluded()
    data["files"] = [f"files/{f.name}" for f in files]
    return data


def build_export_zip(user: User) -> IO[bytes]:
    """The ZIP of ``export_user_data`` (``data.json``) and the person's files, rewound.

    Spooled to disk past 10 MB, so large files do not sit in memory.
    """
    files = export_files(user)
    data = export_user_data(user, files)
    archive = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        for item in files:
            with (
                item.storage.open(item.path, "rb") as source,
                bundle.open(f"files/{item.name}", "w") as target,
            ):
                for chunk in iter(lambda s=source: s.read(1024 * 1024), b""):
                    target.write(chunk)
    archive.seek(0)
    return archive


# --- Erasure ------------------------------------------------------------------------------

# Roles whose accounts an administrator closes: their rows carry other people's files.
SELF_DELETION_REFUSED_ROLES = frozenset({Role.COACH, Role.EDITOR, Role.MANAGER})


def may_delete_own_account(user: User) -> bool:
    """Learners may; staff, coaches, editors and managers are closed by an administrator."""
    return not (user.is_staff or user.is_superuser or roles_of(user) & SELF_DELETION_REFUSED_ROLES)


def anonymous_email(user_id: int) -> str:
    return f"anonyme-{user_id}@{ANONYMOUS_EMAIL_DOMAIN}"


@transaction.atomic(durable=True)
def anonymise_user(user: User) -> None:
    """Erase the person's personal data and answers; keep anonymous rows for the figures.

    The user row stays (so enrolments, completed steps, passages, requests and
    sessions still count) with an ``anonyme-<id>@balise.invalid`` address, no name, an
    unusable password, no role and ``is_active`` off: nobody can log in as it again
    and the address is free for a new sign-up. Self-diagnosis scores, milestones and
    opinions stay as anonymous figures (numbers and choices); their free text (the comment
    on a pathway) is erased. Erased: the profiles, contact preferences (phone, SMS
    consent), exercise answers, answers at progression points, the messages, snapshots,
    summaries and notes of coaching requests, session messages and places, notifications
    and SMS, e-mail addresses (with allauth's confirmations), inactivity warning and
    Wagtail preferences/avatar.
    Other people's notices about the person's requests are deleted, and their e-mail
    and full name are replaced in any other notice. Active requests and sessions are
    cancelled so no coach waits for an anonymous row (coaches are not told).
    Used by self-deletion (learners only: check ``may_delete_own_account`` first) and by
    the inactivity task. Idempotent.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    for erase in privacy.erasers():
        erase(user)
    _model("account.EmailAddress").objects.filter(user=user).delete()
    LearnerProfile.objects.filter(user=user).delete()
    CoachProfile.objects.filter(user=user).delete()
    ContactPreferences.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    InactivityWarning.objects.filter(user=user).delete()
    admin_profile = _admin_profile(user)
    if admin_profile is not None:
        if admin_profile.avatar:
            avatar = admin_profile.avatar
            transaction.on_commit(lambda: avatar.storage.delete(avatar.name))
        admin_profile.delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = anonymous_email(user.pk)
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.__dict__.pop("_balise_roles", None)
    # The id only: what to erase again if an older backup is ever restored.
    logger.info("Anonymised account %s", user.pk)


# --- Inactive accounts --------------------------------------------------------------------

INACTIVITY_BATCH = 500


def _activity_annotations() -> dict[str, Subquery]:
    annotations = {}
    for index, (label, user_field, time_field) in enumerate(privacy.activity_sources()):
        latest = (
            _model(label)
            .objects.filter(**{user_field: OuterRef("pk")})
            .order_by()
            .values(user_field)
            .annotate(latest=Max(time_field))
            .values("latest")[:1]
        )
        annotations[f"activity_{index}"] = Subquery(latest)
    return annotations


def idle_learners(cutoff: datetime) -> QuerySet[User]:
    """Active learners (no staff flag, no coach/editor/manager role) with no login and no
    activity after ``cutoff``; each annotated with its latest activity times."""
    annotations = _activity_annotations()
    idle = Q(last_login__lte=cutoff) | Q(last_login__isnull=True, date_joined__lte=cutoff)
    for name in annotations:
        idle &= Q(**{f"{name}__lte": cutoff}) | Q(**{f"{name}__isnull": True})
    return (
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .exclude(groups__name__in=[role.value for role in SELF_DELETION_REFUSED_ROLES])
        .annotate(**annotations)
        .filter(idle)
        .order_by("pk")
    )


def last_activity(user: User) -> datetime:
    """The latest of login, sign-up and annotated activity of a user from ``idle_learners``."""
    times = [user.last_login or user.date_joined, user.date_joined]
    times += [getattr(user, f"activity_{i}", None) for i in range(len(privacy.activity_sources()))]
    return max(t for t in times if t is not None)


@transaction.atomic(durable=True)
def warn_inactive_learner(user: User, now: datetime) -> None:
    """Record the warning and e-mail it (through the outbox, on commit)."""
    grace = timedelta(days=settings.BALISE_INACTIVE_ANONYMISE_AFTER_WARNING_DAYS)
    InactivityWarning.objects.update_or_create(user=user, defaults={"warned_at": now})
    # The e-mail is written by notifications' receiver, inside this transaction.
    inactivity_warned.send(
        sender=User, user=user, days=settings.BALISE_INACTIVE_WARN_DAYS, deadline=now + grace
    )


def anonymise_inactive_learners(now: datetime | None = None) -> dict[str, int]:
    """Warn learners idle for ``BALISE_INACTIVE_WARN_DAYS``; anonymise those still idle
    ``BALISE_INACTIVE_ANONYMISE_AFTER_WARNING_DAYS`` after their warning.

    Idempotent: the warning's time is stored (``InactivityWarning``), so a second run
    warns nobody twice; any activity after a warning voids it (a later idle period gets
    a new warning before anything is erased). At most ``INACTIVITY_BATCH`` people per
    run; the rest are handled by the next runs. Returns ``{"warned": n, "anonymised": m}``.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BALISE_INACTIVE_WARN_DAYS)
    grace = timedelta(days=settings.BALISE_INACTIVE_ANONYMISE_AFTER_WARNING_DAYS)
    counts = {"warned": 0, "anonymised": 0}
    idle = idle_learners(cutoff).annotate(warned_at=F("inactivity_warning__warned_at"))
    # Read the batch first: each person is then handled in a transaction of their own.
    for user in list(_pending(idle, now, grace)):
        if user.warned_at is None or user.warned_at < last_activity(user):
            warn_inactive_learner(user, now)
            counts["warned"] += 1
        else:
            anonymise_user(user)
            counts["anonymised"] += 1
    return counts


def _pending(idle: QuerySet[User], now: datetime, grace: timedelta) -> Iterator[User]:
    """Idle learners with something to do: no valid warning yet, or a warning past grace."""
    done = 0
    for user in idle.iterator(chunk_size=200):
        warned_at = user.warned_at
        valid_warning = warned_at is not None and warned_at >= last_activity(user)
        if valid_warning and warned_at > now - grace:
            continue  # warned, still within the grace period
        yield user
        done += 1
        if done >= INACTIVITY_BATCH:
            return
