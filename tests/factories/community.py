"""Peer circles for tests: a circle led by a coach, with members who joined it."""

from datetime import timedelta

from django.utils import timezone

from lms.accounts.models import User
from lms.coaching.models import GroupSession
from lms.community import actions
from lms.community.models import CircleMeeting, PeerCircle
from pathways.models import Enrollment
from tests.factories.accounts import coach, learner
from tests.factories.pathways import build_pathway


def circle(facilitator: User | None = None, members: int = 0, **fields) -> PeerCircle:
    facilitator = facilitator or coach(departements=["69"])
    values = {"name": "Cercle des premiers clients", "theme": "Trouver ses premiers clients"}
    values.update(fields)
    made = actions.create_circle(facilitator, facilitator=facilitator, **values)
    for n in range(members):
        actions.join_circle(learner(departement="69", user__first_name=f"Membre{n}"), made.pk)
    return made


def member(of: PeerCircle, **kwargs) -> User:
    person = learner(departement="69", **kwargs)
    actions.join_circle(person, of.pk)
    return person


def alumnus(**kwargs) -> User:
    """A learner who finished a pathway."""
    person = learner(departement="69", **kwargs)
    pathway = build_pathway(["m:1"], title="Parcours terminé")
    Enrollment.objects.create(learner=person, pathway=pathway, completed_at=timezone.now())
    return person


def soon(days: int = 3):
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


def meeting(of: PeerCircle, actor: User | None = None, **fields) -> CircleMeeting:
    values = {"starts_at": soon(), "duration_minutes": 90, "modality": "remote"}
    values.update(fields)
    return actions.schedule_meeting(actor or of.facilitator, of.pk, **values)


def started(meeting: CircleMeeting, minutes_ago: int = 30) -> None:
    """Move a meeting's start into the past (nobody schedules one there)."""
    GroupSession.objects.filter(pk=meeting.group_session_id).update(
        starts_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
