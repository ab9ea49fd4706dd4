"""What each app holds about a person, declared by the app itself.

Every app that stores rows about people declares them in its own ``privacy.py`` module,
with ``register(Declaration(...))``: the sections it exports, the relations it leaves
out and why, how it erases its rows, and where a learner's activity shows. accounts owns
the registry and discovers the modules when Django starts, so ``gdpr.py`` reads every
app's rows without importing any of them (accounts sits below them all).

``tests/accounts/test_gdpr.py`` walks every model: a relation to a person, or to a row
exported about them, that no declaration exports or excludes fails the suite.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy


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


@dataclass(frozen=True)
class Declaration:
    """One app's part of a person's data.

    - ``sections``: exported at the top level of data.json, in this order;
    - ``nested``: sections exported inside another app's rows, by that section's key
      (reminders of an enrolment go under ``enrollments``);
    - ``excluded``: relations to a person left out on purpose ("app.Model.field": why);
    - ``erase(user)``: erases the app's personal data inside ``anonymise_user``'s
      transaction, before the user row itself is cleared (names and e-mail are still
      there to find mentions of the person);
    - ``activity``: (model label, path to the user, time field) where the person's
      activity is recorded, read to find idle learners.
    """

    app_label: str
    sections: tuple[Section, ...] = ()
    nested: dict[str, tuple[Section, ...]] = dataclasses.field(default_factory=dict)
    excluded: dict[str, str] = dataclasses.field(default_factory=dict)
    erase: Callable[[Any], None] | None = None
    activity: tuple[tuple[str, str, str], ...] = ()


_declarations: dict[str, Declaration] = {}


def register(declaration: Declaration) -> Declaration:
    """Add (or replace, on a module reload) an app's declaration."""
    _declarations[declaration.app_label] = declaration
    return declaration


def discover() -> None:
    """Import the ``privacy`` module of every installed app (called once, at start-up)."""
    autodiscover_modules("privacy")


def declarations() -> list[Declaration]:
    """Declarations in the order of INSTALLED_APPS, accounts first."""
    from django.apps import apps

    order = {config.label: index for index, config in enumerate(apps.get_app_configs())}
    return sorted(_declarations.values(), key=lambda d: order.get(d.app_label, len(order)))


def sections() -> tuple[Section, ...]:
    """Every exported section, with the sections other apps nest in them."""
    nested: dict[str, list[Section]] = {}
    for declaration in declarations():
        for key, children in declaration.nested.items():
            nested.setdefault(key, []).extend(children)

    def with_nested(section: Section) -> Section:
        children = (*section.children, *nested.pop(section.key, ()))
        return dataclasses.replace(section, children=tuple(map(with_nested, children)))

    found = tuple(with_nested(s) for d in declarations() for s in d.sections)
    if nested:
        raise LookupError(f"Sections nested under unknown sections: {sorted(nested)}")
    return found


def excluded() -> dict[str, str]:
    found: dict[str, str] = {}
    for declaration in declarations():
        found.update(declaration.excluded)
    return found


def activity_sources() -> list[tuple[str, str, str]]:
    return [source for d in declarations() for source in d.activity]


def erasers() -> list[Callable[[Any], None]]:
    """Each app's eraser, the apps higher in the layers first (accounts last)."""
    return [d.erase for d in reversed(declarations()) if d.erase is not None]


# --- accounts' own part ----------------------------------------------------------------------

register(
    Declaration(
        "accounts",
        sections=(
            Section("email_addresses", "account.EmailAddress", "user"),
            Section("learner_profile", "accounts.LearnerProfile", "user", one=True),
            Section("coach_profile", "accounts.CoachProfile", "user", one=True),
            # Mobile number, consent to SMS (when given, when stopped), channels per topic.
            Section("contact_preferences", "accounts.ContactPreferences", "user", one=True),
            Section("structure_memberships", "accounts.Membership", "user"),
            Section("inactivity_warning", "accounts.InactivityWarning", "user", one=True),
            # Wagtail admin preferences (language, theme) and avatar: staff only in practice.
            Section("admin_preferences", "wagtailusers.UserProfile", "user", one=True),
        ),
        excluded={
            # Editorial work in Wagtail (editors and managers only; learners never reach
            # the admin): authorship of content, revisions, moderation, comments on drafts.
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
            # Wagtail admin internals: API tokens, who edits which page now, unsaved forms.
            "wagtailcore.APIToken.user": "admin internals",
            "wagtailadmin.EditingSession.user": "admin internals",
            "wagtailadmin.FormState.user": "admin internals",
            # Django's admin log: technical administrators only.
            "admin.LogEntry.user": "technical admin audit log",
            # allauth's sign-up confirmations: a secret key per address, useless once used.
            "account.EmailConfirmation.email_address": "secret confirmation keys of the addresses",
        },
    )
)

# Fields of the user row left out of data.json, and why (written in data.json too).
USER_WITHHELD = {
    "password": gettext_lazy(
        "empreinte à sens unique de votre mot de passe : illisible, même pour nous"
    ),
}
