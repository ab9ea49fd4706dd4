"""A structure's manager gives a request to one of its coaches, or to another one."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import CoachProfile, User
from lms.accounts.structures import managed_structure_ids
from lms.notifications.actions import notify

from ..models import ACTIVE_SESSION_STATUSES, ACTIVE_STATUSES, CoachingRequest, Status
from ..routing import has_capacity, open_loads
from ._common import CoachingError, in_site_language, request_url
from .sessions import cancel_sessions, tell_session_cancelled


def assignable_coaches(manager: User, request: CoachingRequest) -> list[CoachProfile]:
    """The coaches ``manager`` may give ``request`` to: active coaches of the active
    structures they manage (any structure for the network's managers), present or not, full
    or not. Each has ``room``, how many more requests they can take: the form says who has
    none, and ``assign_request`` refuses them. Two queries."""
    managed = managed_structure_ids(manager)
    profiles = CoachProfile.objects.filter(user__is_active=True, structure__active=True)
    if managed is not None:
        profiles = profiles.filter(structure_id__in=managed)
    found = list(
        profiles.exclude(user_id=request.coach_id)
        .select_related("user", "structure")
        .order_by("structure__name", "user__first_name", "user__last_name", "pk")
    )
    loads = open_loads([profile.user_id for profile in found]) if found else {}
    for profile in found:
        profile.room = max(profile.capacity - loads.get(profile.user_id, 0), 0)
    return found


@in_site_language
def assign_request(manager: User, request: CoachingRequest, coach: User) -> CoachingRequest:
    """Give an active request to ``coach``: the manager must manage the request's structure
    and the coach's, and the coach must have room left. A request held by another coach
    is taken from them: their sessions still to come are cancelled (the learner gets a
    calendar CANCEL) and they are told."""
    managed = managed_structure_ids(manager)
    if managed is not None and request.structure_id not in managed:
        if request.structure_id is None:
            raise CoachingError(
                _(
                    "Cette demande n'appartient à aucune structure (personne ne couvre son "
                    "département) : seul·es les responsables du réseau peuvent la confier."
                )
            )
        raise CoachingError(
            _("Cette demande relève de %(structure)s, que vous ne gérez pas.")
            % {"structure": request.structure.name}
        )
    profile = (
        CoachProfile.objects.filter(user=coach, user__is_active=True)
        .select_related("structure__logo")
        .first()
    )
    if profile is None:
        raise CoachingError(
            _("%(name)s n'est pas accompagnateur·rice : choisissez quelqu'un d'autre.")
            % {"name": coach.display_name}
        )
    if managed is not None and profile.structure_id not in managed:
        raise CoachingError(
            _(
                "%(name)s accompagne pour %(structure)s : vous ne pouvez confier une demande "
                "qu'à un·e accompagnateur·rice d'une structure que vous gérez."
            )
            % {"name": coach.display_name, "structure": profile.structure.name}
        )
    if not profile.structure.active:
        raise CoachingError(
            _(
                "La structure de %(name)s, %(structure)s, est désactivée : elle ne prend plus "
                "de nouvelle demande. Choisissez quelqu'un d'autre."
            )
            % {"name": coach.display_name, "structure": profile.structure.name}
        )
    if coach.pk == request.coach_id:
        raise CoachingError(_("Cette personne suit déjà cette demande."))
    with transaction.atomic():
        CoachProfile.objects.select_for_update().filter(pk=profile.pk).exists()
        if not has_capacity(profile):
            raise CoachingError(
                _(
                    "%(name)s n'a plus de place : choisissez quelqu'un d'autre "
                    "ou libérez une demande."
                )
                % {"name": coach.display_name}
            )
        current = (
            CoachingRequest.objects.select_for_update(of=("self",))
            .select_related("coach", "learner")
            .filter(pk=request.pk, status__in=ACTIVE_STATUSES)
            .first()
        )
        if current is None:
            raise CoachingError(_("Cette demande n'est plus en cours."))
        previous = current.coach
        now = timezone.now()
        if previous is not None:
            for session in cancel_sessions(
                current.sessions.filter(status__in=ACTIVE_SESSION_STATUSES)
            ):
                tell_session_cancelled(session, current.learner, because="handed_back")
        CoachingRequest.objects.filter(pk=current.pk).update(
            coach=coach,
            status=Status.CLAIMED,
            claimed_at=now,
            first_response_at=current.first_response_at or now,
        )
        current.refresh_from_db()
        notify(
            coach,
            kind="request_assigned",
            context={"request": current, "manager": manager},
            url=request_url(current),
        )
        if previous is not None:
            notify(
                previous,
                kind="request_reassigned",
                context={"request": current, "coach": coach, "manager": manager},
                url=reverse("coaching:queue"),
            )
        notify(
            current.learner,
            kind="request_claimed",
            context={"coach": coach, "request": current},
            url=reverse("coaching:my_coaching"),
            structure=profile.structure,
        )
    return current
