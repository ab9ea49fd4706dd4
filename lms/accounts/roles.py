"""Roles are Django groups. This module names them and grants their permissions.

- Learner: every person who signs up; uses the site, no admin.
- Coach: accompanies learners (coaching permissions arrive with ``lms.coaching``).
- Editor: writes content in Wagtail's admin; submits pages to moderation.
- Manager: watches the programme, approves and publishes content.
"""

from enum import StrEnum

from django.contrib.auth.models import Group, Permission


class Role(StrEnum):
    LEARNER = "Learner"
    COACH = "Coach"
    EDITOR = "Editor"
    MANAGER = "Manager"


# Content work in Wagtail's admin: images, documents and media (editors and managers).
CONTENT_PERMISSIONS = [
    "wagtailadmin.access_admin",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtailmedia.add_media",
    "wagtailmedia.change_media",
    "wagtailmedia.choose_media",
    # The self-diagnosis questionnaire (EntreComp competences), a snippet.
    "outcomes.add_competence",
    "outcomes.change_competence",
    "outcomes.delete_competence",
    "outcomes.view_competence",
]

# Model permissions of each role, as "app_label.codename". Apps that arrive later
# extend this table; a permission whose app is not installed is skipped.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.LEARNER: [],
    Role.COACH: [],
    Role.EDITOR: CONTENT_PERMISSIONS,
    Role.MANAGER: CONTENT_PERMISSIONS,
}

# Page permissions on the whole tree: editors draft, managers publish.
ROLE_PAGE_PERMISSIONS: dict[Role, list[str]] = {
    Role.EDITOR: ["add_page", "change_page", "lock_page"],
    Role.MANAGER: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}

# Collection permissions (images, documents, media) on the root collection.
COLLECTION_PERMISSION_APPS = ("wagtailimages", "wagtaildocs", "wagtailmedia")


def roles_of(user) -> frozenset[Role]:
    """The roles of a user, from one query (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_balise_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = user._balise_roles = frozenset(role for role in Role if role.value in names)
    return cached


def has_role(user, role: Role) -> bool:
    return role in roles_of(user)


def _permission(label: str) -> Permission | None:
    app_label, codename = label.split(".", 1)
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


def ensure_role_groups() -> dict[Role, Group]:
    """Create the role groups and grant their permissions. Idempotent; run after migrate."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    groups = {}
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        groups[role] = group
        perms = [p for p in map(_permission, ROLE_PERMISSIONS[role]) if p is not None]
        group.permissions.add(*perms)
        if root_page is not None:
            for codename in ROLE_PAGE_PERMISSIONS.get(role, []):
                perm = _permission(f"wagtailcore.{codename}")
                if perm is not None:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=root_page, permission=perm
                    )
        if root_collection is not None and role in (Role.EDITOR, Role.MANAGER):
            for perm in perms:
                if perm.content_type.app_label in COLLECTION_PERMISSION_APPS:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=perm
                    )
    return groups
