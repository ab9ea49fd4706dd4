"""Reads of group sessions: who may run and see them, who waits at each progression point
of a pathway (« Qui attend ? »), who fits a session, and a learner's own sessions. A
constant number of queries each."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from lms.accounts.models import CoachProfile, LearnerProfile, Structure, StructureKind, User
from lms.accounts.roles import Role, roles_of
from lms.accounts.structures import managed_structure_ids
from pathways.models import CheckpointPassage, PathwayPage

from .models import (
    CoachingRequest,
    GroupInvitation,
    GroupModality,
    GroupSeat,
    GroupSession,
    GroupStatus,
    InvitationStatus,
    Origin,
)

# Request points that are origins, not progression points.
NOT_A_POINT = {origin.value for origin in Origin} | {"help"}


@dataclass(frozen=True)
class Scope:
    """What a coach or manager runs: ``structures`` (None: the whole network) and the
    départements whose learners they gather (None: every one)."""

    structures: frozenset[int] | None
    departements: frozenset[str] | None
    user_id: int


def staff_scope(user: User) -> Scope | None:
    """The scope of a coach (their structure and départements) or a manager (their
    structures and what they cover; the network's: everything); None for anyone else."""
    roles = roles_of(user)
    profile = None
    if Role.COACH in roles:
        profile = CoachProfile.objects.filter(user=user).select_related("structure").first()
    managed = managed_structure_ids(user) if Role.MANAGER in roles else frozenset()
    if profile is None and not managed and managed is not None:
        return None
    if managed is None:
        return Scope(structures=None, departements=None, user_id=user.pk)
    structures = set(managed)
    departements = set()
    if profile is not None:
        structures.add(profile.structure_id)
        departements |= set(profile.departements)
    if managed:
        for covered in Structure.objects.filter(pk__in=managed).values_list(
            "departements", flat=True
        ):
            departements |= set(covered or [])
    return Scope(
        structures=frozenset(structures), departements=frozenset(departements), user_id=user.pk
    )


def sessions_for_staff(scope: Scope):
    """The group sessions a coach or manager follows: those their structures co-run, and
    those they lead."""
    sessions = GroupSession.objects.select_related("coach", "pathway")
    if scope.structures is None:
        return sessions
    return sessions.filter(
        Q(structures__in=scope.structures) | Q(coach_id=scope.user_id)
    ).distinct()


def may_run_group_sessions(user: User) -> bool:
    return staff_scope(user) is not None


# --- Who waits where ------------------------------------------------------------------------


@dataclass
class WaitingPoint:
    """Learners waiting at one progression point of a pathway, by département."""

    pathway_id: int
    pathway_title: str
    point_id: str
    point_title: str
    group_allowed: bool
    by_departement: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_departement.values())

    @property
    def key(self) -> str:
        return f"{self.pathway_id}:{self.point_id}"


def _waiting_rows(departements, pathway_id=None, point_id=None):
    """(learner id, pathway id, point id, département) of learners waiting at a point:
    an active request born at (or joined by) a point, or a gate not yet released."""
    requests = CoachingRequest.objects.active().filter(pathway__isnull=False)
    requests = requests.exclude(point_id__in=NOT_A_POINT)
    passages = CheckpointPassage.objects.filter(trigger="gate", released_at__isnull=True)
    if pathway_id is not None:
        requests = requests.filter(pathway_id=pathway_id, point_id=point_id)
        passages = passages.filter(pathway_id=pathway_id, point_id=point_id)
    if departements is not None:
        requests = requests.filter(departement__in=departements)
        passages = passages.filter(learner__learner_profile__departement__in=departements)
    rows = set(requests.values_list("learner_id", "pathway_id", "point_id", "departement"))
    rows |= set(
        passages.values_list(
            "learner_id", "pathway_id", "point_id", "learner__learner_profile__departement"
        )
    )
    seen = set()
    unique = []
    for learner_id, pathway, point, departement in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        if (learner_id, pathway, point) in seen:
            continue
        seen.add((learner_id, pathway, point))
        unique.append((learner_id, pathway, point, departement or ""))
    return unique


def _points_of(pathway: PathwayPage) -> dict[str, dict]:
    return {
        item["id"]: item["value"]
        for item in pathway.outline.raw_data
        if item["type"] == "progression_point"
    }


def waiting_points(scope: Scope) -> list[WaitingPoint]:
    """Each point where learners of the scope's départements wait, most waiting first, with
    the counts by département. Three queries whatever the numbers."""
    departements = None if scope.departements is None else sorted(scope.departements)
    rows = _waiting_rows(departements)
    pathways = PathwayPage.objects.in_bulk({row[1] for row in rows})
    points: dict[tuple[int, str], WaitingPoint] = {}
    for _learner, pathway_id, point_id, departement in rows:
        pathway = pathways.get(pathway_id)
        if pathway is None:
            continue
        value = _points_of(pathway).get(point_id)
        if value is None:
            continue
        entry = points.setdefault(
            (pathway_id, point_id),
            WaitingPoint(
                pathway_id=pathway_id,
                pathway_title=pathway.title,
                point_id=point_id,
                point_title=value.get("title", ""),
                group_allowed=bool(value.get("group_allowed")),
            ),
        )
        entry.by_departement[departement] = entry.by_departement.get(departement, 0) + 1
    for entry in points.values():
        entry.by_departement = dict(sorted(entry.by_departement.items()))
    return sorted(points.values(), key=lambda p: (-p.total, p.pathway_title, p.point_title))


def candidates(session: GroupSession) -> list[User]:
    """Learners who fit ``session`` and are not yet invited: waiting at its point, of its
    départements when it names some. A session without a point has none to suggest."""
    if session.pathway_id is None or not session.point_id:
        return []
    departements = session.departements or None
    rows = _waiting_rows(departements, session.pathway_id, session.point_id)
    known = set(
        GroupInvitation.objects.filter(session=session).values_list("learner_id", flat=True)
    )
    ids = [row[0] for row in rows if row[0] not in known]
    return list(
        User.objects.filter(pk__in=ids, is_active=True)
        .select_related("learner_profile")
        .order_by("first_name", "last_name", "pk")
    )


# --- One session, for its staff page -------------------------------------------------------


def session_seats(session: GroupSession) -> list[GroupSeat]:
    return list(
        GroupSeat.objects.filter(session=session)
        .select_related("learner__learner_profile")
        .order_by("number")
    )


def session_invitations(session: GroupSession) -> list[GroupInvitation]:
    return list(
        GroupInvitation.objects.filter(session=session)
        .select_related("learner")
        .order_by("status", "responded_at", "invited_at", "pk")
    )


# --- A learner's group sessions -----------------------------------------------------------


def learner_group_sessions(learner: User) -> list[GroupInvitation]:
    """The learner's invitations, newest session first, each with ``seat`` (theirs or
    None). One query, two when there are some."""
    invitations = list(
        GroupInvitation.objects.filter(learner=learner)
        .select_related("session__coach", "session__pathway")
        .order_by("-session__starts_at", "-pk")
    )
    seats = {}
    if invitations:
        seats = {
            seat.session_id: seat
            for seat in GroupSeat.objects.filter(
                learner=learner, session_id__in=[i.session_id for i in invitations]
            )
        }
    for invitation in invitations:
        invitation.seat = seats.get(invitation.session_id)
    return invitations


def nearby_group_session(learner: User, pathway_id: int, point_id: str) -> GroupSession | None:
    """The next group session at this point with a free seat that ``learner`` could join
    (in person: of their département). Two queries."""
    departement = (
        LearnerProfile.objects.filter(user=learner).values_list("departement", flat=True).first()
        or ""
    )
    sessions = (
        GroupSession.objects.filter(
            pathway_id=pathway_id,
            point_id=point_id,
            status=GroupStatus.SCHEDULED,
            starts_at__gt=timezone.now(),
            seat_rows__learner__isnull=True,
        )
        .exclude(seat_rows__learner=learner)
        .prefetch_related(Prefetch("structures"))
        .distinct()
        .order_by("starts_at")
    )
    for session in sessions[:10]:
        if session.modality != GroupModality.IN_PERSON or not session.departements:
            return session
        if departement in session.departements:
            return session
    return None


def co_running_choices():
    """Structures that may co-run a session (active, not the network's head)."""
    return Structure.objects.active().exclude(kind=StructureKind.NETWORK).order_by("name")


__all__ = [
    "InvitationStatus",
    "Scope",
    "WaitingPoint",
    "candidates",
    "co_running_choices",
    "learner_group_sessions",
    "may_run_group_sessions",
    "nearby_group_session",
    "session_invitations",
    "session_seats",
    "sessions_for_staff",
    "staff_scope",
    "waiting_points",
]
