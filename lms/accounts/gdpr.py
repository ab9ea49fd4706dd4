"""A person's rights over their data: export it, erase it; inactive accounts are anonymised.

- ``export_user_data`` / ``build_export_zip``: everything Balise holds about a person,
  as ``data.json`` plus their files, in a ZIP they download from « Mon compte ».
- ``anonymise_user``: the account is kept as an anonymous row (so counts of enrolments,
  completed steps, passages, requests and sessions survive for the programme's figures)
  and every personal field and answer is erased.
- ``anonymise_inactive_learners``: learners idle for ``BALISE_INACTIVE_WARN_DAYS`` are
  warned by e-mail, then anonymised ``BALISE_INACTIVE_ANONYMISE_AFTER_WARNING_DAYS`` later
  if they did not come back (Celery beat, daily).

This is the one accounts module that reads the rows of every app. It reaches them by
label through the app registry, so accounts still imports nothing from pathways or
coaching (imports run coaching -> pathways -> accounts).

Every relation from a model to the user is classified below, in ``EXPORTED`` or
``EXCLUDED``; ``tests/accounts/test_gdpr.py`` walks all models and fails on a relation
that is in neither, so a new model linked to users must be classified to pass.
"""

import dataclasses
import json
import logging
import re
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
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.notifications.actions import notify

from .models import CoachProfile, InactivityWarning, LearnerProfile, User
from .roles import Role, roles_of

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "balise-export-1"
ANONYMOUS_EMAIL_DOMAIN = "balise.invalid"


@dataclass(frozen=True)
class Section:
    """Rows of one model that belong to the person, exported whole.

    Every concrete field of each row is written (so a field added later is exported
    without anyone remembering to), except the ``owner`` relation (the person, or the
    parent row for ``children``) and the ``withheld`` fields, which data.json names with
    the reason they are left out. A relation to another person (a coach) is written as
    their name; a relation to anything else as its title and its id.
    """

    key: str
    model: str
    owner: str
    withheld: dict[str, Any] = dataclasses.field(default_factory=dict)
    children: tuple["Section", ...] = ()
    one: bool = False  # a single row (a profile): an object or null, not a list


SECTIONS = (
    Section("email_addresses", "account.EmailAddress", "user"),
    Section("learner_profile", "accounts.LearnerProfile", "user", one=True),
    Section("coach_profile", "accounts.CoachProfile", "user", one=True),
    Section("inactivity_warning", "accounts.InactivityWarning", "user", one=True),
    Section(
        "enrollments",
        "pathways.Enrollment",
        "learner",
        # Reminders sent when the person had not come back for a while.
        children=(Section("reminders", "coaching.InactivityNudge", "enrollment"),),
    ),
    Section("step_completions", "pathways.StepCompletion", "learner"),
    # Answers, and whether each is shared with the coach.
    Section("exercise_responses", "pathways.ExerciseResponse", "learner"),
    Section("checkpoint_passages", "pathways.CheckpointPassage", "learner"),
    # As the learner: every date and flag of the request, with its sessions (and each
    # session's coach), never the coach's private notes.
    Section(
        "coaching_requests",
        "coaching.CoachingRequest",
        "learner",
        withheld={
            "private_notes": gettext_lazy(
                "notes de travail de la personne qui vous accompagne, qu’elle ne partage "
                "pas ; ce qu’elle partage avec vous est dans « summary » et « next_steps »"
            )
        },
        children=(
            Section("sessions", "coaching.CoachingSession", "request"),
            # Each message and origin added to the request (help, points, self-assessment).
            Section("events", "coaching.RequestEvent", "request"),
        ),
    ),
    # Self-diagnoses (answers and scores), project milestones, opinions.
    Section(
        "diagnoses",
        "outcomes.Diagnosis",
        "learner",
        children=(Section("scores", "outcomes.CompetenceScore", "diagnosis"),),
    ),
    Section("milestones", "outcomes.Milestone", "learner"),
    Section("satisfactions", "outcomes.Satisfaction", "learner"),
    Section("module_feedback", "outcomes.ModuleFeedback", "learner"),
    # Every message Balise wrote to the person (e-mails and reminders), with its dates.
    Section(
        "notifications",
        "notifications.Notification",
        "recipient",
        withheld={
            "ics": gettext_lazy(
                "fichier d’agenda joint à l’e-mail : son contenu (date, lieu, personne qui "
                "vous accompagne) est dans « coaching_requests », rendez-vous par rendez-vous"
            )
        },
    ),
    # Wagtail admin preferences (language, theme) and avatar: staff only in practice.
    Section("admin_preferences", "wagtailusers.UserProfile", "user", one=True),
)

# Fields of the user row left out of data.json, and why (written in data.json too).
USER_WITHHELD = {
    "password": gettext_lazy(
        "empreinte à sens unique de votre mot de passe : illisible, même pour nous"
    ),
}


def _exported_relations() -> dict[str, str]:
    relations = {
        "accounts.User_groups.user": "user.roles",
        "accounts.User_user_permissions.user": "user.permissions",
    }

    def walk(sections, prefix=""):
        for section in sections:
            relations[f"{section.model}.{section.owner}"] = f"{prefix}{section.key}"
            walk(section.children, f"{prefix}{section.key}.")

    walk(SECTIONS)
    return relations


# Relations to the user, or to a row exported above ("app_label.Model.field", the model
# that declares the field), that ``export_user_data`` writes, with the key of data.json
# holding them ("parent.child" for rows nested in their parent's).
EXPORTED = _exported_relations()

# Relations to the user deliberately left out of the export, and why.
EXCLUDED = {
    # Coach side: the coach's work about other people (their requests, sessions, notes).
    # A coach's own data is their profile (exported); what they wrote about learners is
    # the learners' file, not the coach's.
    "coaching.CoachingRequest.coach": "coach side: other people's requests",
    "coaching.CoachingSession.coach": "coach side: sessions with other people",
    # Editorial work in Wagtail (editors and managers only; learners never reach the
    # admin): authorship of content, revisions, moderation, comments on drafts.
    "wagtailcore.Page.owner": "editorial: page authorship",
    "wagtailcore.Page.locked_by": "editorial: page lock",
    "wagtailcore.Revision.user": "editorial: revision author",
    "wagtailcore.WorkflowState.requested_by": "editorial: moderation",
    "wagtailcore.TaskState.finished_by": "editorial: moderation",
    "wagtailcore.Comment.user": "editorial: comment on a draft",
    "wagtailcore.Comment.resolved_by": "editorial: comment on a draft",
    "wagtailcore.CommentReply.user": "editorial: comment on a draft",
    "wagtailcore.PageSubscription.user": "editorial: comment subscriptions",
    "wagtailcore.PageLogEntry.user": "editorial: audit log",
    "wagtailcore.ModelLogEntry.user": "editorial: audit log",
    "wagtailcore.UploadedFile.uploaded_by_user": "editorial: upload in progress",
    "wagtailimages.Image.uploaded_by_user": "editorial: content image",
    "wagtaildocs.Document.uploaded_by_user": "editorial: content document",
    "wagtailmedia.Media.uploaded_by_user": "editorial: content audio/video",
    # Wagtail admin internals: API tokens, who is editing which page now, unsaved forms.
    "wagtailcore.APIToken.user": "admin internals",
    "wagtailadmin.EditingSession.user": "admin internals",
    "wagtailadmin.FormState.user": "admin internals",
    # Django's admin log: technical administrators only.
    "admin.LogEntry.user": "technical admin audit log",
    # allauth's sign-up confirmations: a secret key per address, useless once used.
    "account.EmailConfirmation.email_address": "secret confirmation keys of the addresses",
}


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

    walk(SECTIONS)
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
    for section in SECTIONS:
        data[section.key] = _export_section(section, user)
    data["withheld"] = _withheld()
    data["not_included"] = dict(EXCLUDED)
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


def _erase_notifications(user: User, request_ids: list[int]) -> None:
    """Delete the person's notifications and other people's notices about their requests
    (coaches', managers'); remove their e-mail and full name from any other notice."""
    notifications = _model("notifications.Notification").objects
    about_them = [reverse("coaching:request", args=[pk]) for pk in request_ids]
    notifications.filter(Q(recipient=user) | Q(url__in=about_them)).delete()
    mentions = {m for m in (user.email, user.get_full_name()) if m}
    mentions |= {str(escape(m)) for m in mentions}
    if not mentions:
        return
    anywhere = Q()
    for mention in mentions:
        anywhere |= (
            Q(subject__icontains=mention)
            | Q(body_text__icontains=mention)
            | Q(body_html__icontains=mention)
        )
    replacement = _("une personne")
    for notification in notifications.filter(anywhere):
        for field in ("subject", "body_text", "body_html"):
            text = getattr(notification, field)
            for mention in sorted(mentions, key=len, reverse=True):
                text = re.sub(re.escape(mention), replacement, text, flags=re.IGNORECASE)
            setattr(notification, field, text)
        notification.save(update_fields=["subject", "body_text", "body_html"])


@transaction.atomic(durable=True)
def anonymise_user(user: User) -> None:
    """Erase the person's personal data and answers; keep anonymous rows for the figures.

    The user row stays (so enrolments, completed steps, passages, requests and
    sessions still count) with an ``anonyme-<id>@balise.invalid`` address, no name, an
    unusable password, no role and ``is_active`` off: nobody can log in as it again
    and the address is free for a new sign-up. Self-diagnosis scores, milestones and
    opinions stay as anonymous figures (numbers and choices); their free text (the comment
    on a pathway) is erased. Erased: the profiles, exercise answers,
    answers at progression points, the messages, snapshots, summaries and notes of
    coaching requests, session messages and places, notifications, e-mail addresses
    (with allauth's confirmations), inactivity warning and Wagtail preferences/avatar.
    Other people's notices about the person's requests are deleted, and their e-mail
    and full name are replaced in any other notice. Active requests and sessions are
    cancelled so no coach waits for an anonymous row (coaches are not told).
    Used by self-deletion (learners only: check ``may_delete_own_account`` first) and by
    the inactivity task. Idempotent.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    request_model = _model("coaching.CoachingRequest")
    session_model = _model("coaching.CoachingSession")
    requests = request_model.objects.filter(learner=user)
    sessions = session_model.objects.filter(request__learner=user)
    sessions.filter(status__in=["proposed", "accepted"]).update(status="cancelled")
    sessions.update(learner_message="", location="")
    requests.filter(status__in=["open", "claimed", "scheduled"]).update(
        status="cancelled", closed_at=now
    )
    requests.update(
        message="",
        context={},
        recommendation_reason="",
        coach_recommendation_reason="",
        summary="",
        next_steps="",
        private_notes="",
    )
    # What the person wrote or where they were when they added to a request.
    _model("coaching.RequestEvent").objects.filter(request__learner=user).update(
        message="", where=""
    )
    _model("pathways.ExerciseResponse").objects.filter(learner=user).delete()
    _model("pathways.CheckpointPassage").objects.filter(learner=user).update(answers={})
    _model("outcomes.Satisfaction").objects.filter(learner=user).update(comment="")
    _erase_notifications(user, list(requests.values_list("pk", flat=True)))
    _model("account.EmailAddress").objects.filter(user=user).delete()
    LearnerProfile.objects.filter(user=user).delete()
    CoachProfile.objects.filter(user=user).delete()
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

# Where a learner's activity is recorded: (model, user field, time field).
ACTIVITY_SOURCES = [
    ("pathways.Enrollment", "learner", "last_activity_at"),
    ("pathways.StepCompletion", "learner", "completed_at"),
    ("pathways.ExerciseResponse", "learner", "updated_at"),
    ("pathways.CheckpointPassage", "learner", "reached_at"),
    ("coaching.CoachingRequest", "learner", "created_at"),
    ("coaching.CoachingSession", "request__learner", "starts_at"),
    ("outcomes.Diagnosis", "learner", "updated_at"),
    ("outcomes.Milestone", "learner", "updated_at"),
    ("outcomes.Satisfaction", "learner", "updated_at"),
    ("outcomes.ModuleFeedback", "learner", "updated_at"),
]


def _activity_annotations() -> dict[str, Subquery]:
    annotations = {}
    for index, (label, user_field, time_field) in enumerate(ACTIVITY_SOURCES):
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
    times += [getattr(user, f"activity_{i}", None) for i in range(len(ACTIVITY_SOURCES))]
    return max(t for t in times if t is not None)


@transaction.atomic(durable=True)
def warn_inactive_learner(user: User, now: datetime) -> None:
    """Record the warning and e-mail it (through the outbox, on commit)."""
    grace = timedelta(days=settings.BALISE_INACTIVE_ANONYMISE_AFTER_WARNING_DAYS)
    InactivityWarning.objects.update_or_create(user=user, defaults={"warned_at": now})
    notify(
        user,
        kind="inactivity_warning",
        context={"days": settings.BALISE_INACTIVE_WARN_DAYS, "deadline": now + grace},
        url=reverse("accounts:profile"),
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
