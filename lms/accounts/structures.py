"""Who belongs to which structure, and what that lets them see.

A structure's managers see their structure; the managers of the network's head (a
structure of kind « network ») see every structure. Scoping is row-level: a query is
narrowed by ``structure_id`` in one place (``managed_structure_ids``), so the embedded
SQLite default works as PostgreSQL does.
"""

from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import PROTECT, QuerySet
from django.db.models.deletion import get_candidate_relations_to_delete
from wagtail.models import Page

from .departements import DEPARTEMENTS
from .models import CoachProfile, MemberRole, Membership, Structure, StructureKind, User
from .roles import Role, has_role


def managed_structure_ids(user) -> frozenset[int] | None:
    """The structures whose requests and figures ``user`` manages: ``None`` for a manager of
    the network's head (all of them), an empty set for anyone who manages none. One query,
    kept on the user object for the rest of the request (as ``roles_of`` does)."""
    if "_balise_managed" in user.__dict__:
        return user.__dict__["_balise_managed"]
    managed = frozenset()
    if has_role(user, Role.MANAGER):
        rows = Membership.objects.filter(user=user, role=MemberRole.MANAGER).values_list(
            "structure_id", "structure__kind"
        )
        kinds = dict(rows)
        is_head = StructureKind.NETWORK in kinds.values()
        managed = None if is_head else frozenset(kinds)
    user.__dict__["_balise_managed"] = managed
    return managed


def is_network_manager(user) -> bool:
    return managed_structure_ids(user) is None


def may_manage(user, structure_id: int | None) -> bool:
    """Whether ``user`` manages the structure ``structure_id`` (``None``: the network queue,
    which only the network's managers manage)."""
    managed = managed_structure_ids(user)
    return managed is None or (structure_id is not None and structure_id in managed)


def _managers() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        groups__name=Role.MANAGER.value,
        memberships__role=MemberRole.MANAGER,
    )


def network_managers() -> QuerySet[User]:
    return _managers().filter(memberships__structure__kind=StructureKind.NETWORK).distinct()


def managers_of(structure_id: int | None) -> list[User]:
    """The managers told about a structure's requests: its own, else the network's."""
    if structure_id is not None:
        own = list(_managers().filter(memberships__structure_id=structure_id).distinct())
        if own:
            return own
    return list(network_managers())


def covering(departement: str) -> list[Structure]:
    """The active structures (not the network's head) covering ``departement``, by name."""
    return [
        s
        for s in Structure.objects.active().exclude(kind=StructureKind.NETWORK)
        if s.covers(departement)
    ]


def join(user: User, structure: Structure, role: MemberRole) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, structure=structure, role=role)
    user.__dict__.pop("_balise_managed", None)
    user.__dict__.pop("_balise_content_scope", None)
    return membership


def manages_every_structure(user) -> bool:
    """Superusers and the network's managers add, edit and delete any structure."""
    if not getattr(user, "is_active", False):
        return False
    return user.is_superuser or is_network_manager(user)


class Holdings(NamedTuple):
    """What keeps a structure from being deleted (``on_delete=PROTECT``)."""

    requests: int  # coaching requests of the structure, or oriented to it
    coaches: int  # coach profiles
    pages: int = 0  # pathways and modules it wrote (their « structure autrice »)
    others: int = 0  # anything else a later relation protects

    def __bool__(self) -> bool:
        return any(self)


def holdings(structure: Structure) -> Holdings:
    """Count what protects ``structure``: every relation to it with ``on_delete=PROTECT``,
    hidden ones included (pages' ``related_name="+"``), found as Django's deletion finds
    them (accounts imports neither coaching nor pathways), one COUNT each. A relation added
    later is counted too (« others »)."""
    counts = dict.fromkeys(Holdings._fields, 0)
    for relation in get_candidate_relations_to_delete(Structure._meta):
        if relation.on_delete is not PROTECT:
            continue
        model = relation.related_model
        n = model._base_manager.filter(**{relation.field.name: structure}).count()
        if model._meta.label == "coaching.CoachingRequest":
            counts["requests"] += n
        elif model is CoachProfile:
            counts["coaches"] += n
        elif issubclass(model, Page):
            counts["pages"] += n
        else:
            counts["others"] += n
    return Holdings(**counts)


def near_you(departement: str | None) -> dict[str, list[Structure]]:
    """The active structures (not the network's head) by département covered, in the
    official order of départements, in one query; only ``departement`` if given."""
    structures = list(
        Structure.objects.active().exclude(kind=StructureKind.NETWORK).order_by("name")
    )
    codes = [departement] if departement else DEPARTEMENTS
    groups = {code: [s for s in structures if s.covers(code)] for code in codes}
    return {code: found for code, found in groups.items() if found}


# --- Content ownership (pathways and modules written by a structure) ------------------------


@dataclass(frozen=True)
class ContentScope:
    """Which structures' pages a person may edit and publish in Wagtail's admin.

    ``everything``: a superuser or a manager of the network's head. Otherwise a
    structure's editors and managers edit its pages, its managers publish them. A page
    without a structure (written before structures) is left to the Wagtail groups alone.
    """

    everything: bool
    edits: frozenset[int]
    publishes: frozenset[int]

    def may_edit(self, structure_id: int | None) -> bool:
        return structure_id is None or self.everything or structure_id in self.edits

    def may_publish(self, structure_id: int | None) -> bool:
        return structure_id is None or self.everything or structure_id in self.publishes

    @property
    def sole_structure_id(self) -> int | None:
        """The structure a new page belongs to: the person's only one, else none."""
        return next(iter(self.edits)) if len(self.edits) == 1 else None


def content_scope(user) -> ContentScope:
    """The content scope of ``user``, from one query (cached on the user object)."""
    cached = getattr(user, "_balise_content_scope", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False):
        return ContentScope(False, frozenset(), frozenset())
    rows = list(
        Membership.objects.filter(
            user_id=user.pk, role__in=[MemberRole.EDITOR, MemberRole.MANAGER]
        ).values_list("structure_id", "structure__kind", "role")
    )
    manages = has_role(user, Role.MANAGER)
    everything = user.is_superuser or any(
        manages and kind == StructureKind.NETWORK and role == MemberRole.MANAGER
        for _, kind, role in rows
    )
    scope = ContentScope(
        everything=everything,
        edits=frozenset(sid for sid, _, _ in rows),
        publishes=frozenset(sid for sid, _, role in rows if role == MemberRole.MANAGER),
    )
    user._balise_content_scope = scope
    return scope
