"""Which structures' figures a manager may see (``accounts.structures``'s rule, read with
the structures' names and départements in one query).

The network's managers see every structure: no scope, and a filter listing the active
structures. A structure's managers see their structures only: the filter lists those, and
choosing none means all of them. A manager of no structure sees nothing.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from lms.accounts.models import MemberRole, Membership, Structure, StructureKind
from lms.accounts.roles import Role, has_role

from .queries import Scope


@dataclass(frozen=True)
class StructureRef:
    pk: int
    name: str
    departements: tuple[str, ...]


@dataclass(frozen=True)
class Visibility:
    network: bool  # a manager of the network's head: every structure
    structures: tuple[StructureRef, ...]  # the filter's choices, by name

    @property
    def sees_nothing(self) -> bool:
        return not self.network and not self.structures

    def get(self, pk: int | None) -> StructureRef | None:
        return next((s for s in self.structures if s.pk == pk), None)

    def scope(self, pk: int | None = None) -> Scope | None:
        """The scope of the structure ``pk`` (one of ``structures``; another id is never
        looked at), or else of everything the manager sees (None: the whole network)."""
        chosen = self.get(pk)
        if chosen is not None:
            return Scope.of([chosen])
        return None if self.network else Scope.of(self.structures)


def visibility(user) -> Visibility:
    """What ``user`` sees of the network, in one query: the structures they manage and the
    active ones (the network's managers' choices)."""
    if not has_role(user, Role.MANAGER):
        return Visibility(False, ())
    mine = Membership.objects.filter(user=user, role=MemberRole.MANAGER)
    rows = (
        Structure.objects.filter(
            (Q(active=True) & ~Q(kind=StructureKind.NETWORK))
            | Q(pk__in=mine.values("structure_id"))
        )
        .annotate(managed=Exists(mine.filter(structure_id=OuterRef("pk"))))
        .order_by("name", "pk")
        .values_list("pk", "name", "kind", "departements", "active", "managed")
    )
    rows = list(rows)
    network = any(managed and kind == StructureKind.NETWORK for _, _, kind, _, _, managed in rows)
    if network:
        chosen = [row for row in rows if row[4] and row[2] != StructureKind.NETWORK]
    else:
        chosen = [row for row in rows if row[5]]
    return Visibility(
        network,
        tuple(
            StructureRef(pk, name, tuple(sorted(departements or ())))
            for pk, name, _kind, departements, _active, _managed in chosen
        ),
    )
