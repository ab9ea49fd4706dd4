"""A circle's meetings: group sessions (``lms.coaching``) run with the co-development
format. Scheduling one creates its group session through coaching's own action and gives
each member a seat (calendar file, reminders, attendance sheet); after it, the facilitator
posts the « top / flop » round's notes to the thread."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import Structure, StructureKind, User
from lms.coaching import actions as coaching_actions
from lms.coaching.models import GroupStatus

from ..access import CirclePart, circle_part, may_moderate
from ..models import (
    CIRCLE_MAX_MEMBERS,
    CIRCLE_MIN_MEMBERS,
    CircleMeeting,
    CircleMembership,
    CircleStatus,
    PeerCircle,
)
from ._common import CommunityError
from .circles import active_members
from .threads import write_post


def _structures(circle: PeerCircle) -> list[Structure]:
    if circle.structure_id:
        return [circle.structure]
    return list(Structure.objects.filter(kind=StructureKind.NETWORK)[:1])


@transaction.atomic(durable=True)
def schedule_meeting(
    actor: User,
    circle_id: int,
    *,
    starts_at: datetime,
    duration_minutes: int,
    modality: str,
    place: str = "",
    question_bringer: User | None = None,
) -> CircleMeeting:
    """Schedule a meeting of the circle: a group session led by its facilitator, with a
    seat for each member (they get the calendar file). Refused below
    ``CIRCLE_MIN_MEMBERS`` members, for a closed circle, a time past, or an actor who
    neither facilitates nor manages it."""
    circle = (
        PeerCircle.objects.select_for_update(of=("self",))
        .select_related("facilitator", "structure", "pathway")
        .get(pk=circle_id)
    )
    if not may_moderate(circle_part(actor, circle)):
        raise CommunityError(_("Seule la personne qui anime le cercle programme ses rencontres."))
    if circle.status != CircleStatus.OPEN:
        raise CommunityError(_("Ce cercle est clos."))
    members = list(active_members(circle))
    if len(members) < CIRCLE_MIN_MEMBERS:
        raise CommunityError(
            _(
                "Un cercle se réunit à partir de %(min)s membres ; il en a %(count)s. "
                "Invitez d'autres personnes à le rejoindre."
            )
            % {"min": CIRCLE_MIN_MEMBERS, "count": len(members)}
        )
    if question_bringer is not None and question_bringer.pk not in {m.pk for m in members}:
        raise CommunityError(_("La question est portée par un·e membre du cercle."))
    try:
        session = coaching_actions.create_group_session(
            actor=actor,
            coach=circle.facilitator,
            title=_("Cercle « %(name)s »") % {"name": circle.name},
            theme=circle.theme,
            description=_(
                "Rencontre de co-développement : une question apportée, des questions de "
                "clarification, des suggestions, puis le tour « top / flop »."
            ),
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            modality=modality,
            place=place,
            seats=CIRCLE_MAX_MEMBERS,
            structures=_structures(circle),
            pathway=circle.pathway,
        )
        meeting = CircleMeeting.objects.create(
            circle=circle, group_session=session, question_bringer=question_bringer
        )
        for member in members:
            coaching_actions.register_for_group_session(session, member)
    except coaching_actions.CoachingError as error:
        raise CommunityError(str(error)) from None
    return meeting


@transaction.atomic(durable=True)
def choose_question_bringer(
    actor: User, meeting_id: int, learner_id: int | None, question: str = ""
) -> CircleMeeting:
    """The facilitator picks the member who brings the question this time (and may write
    it down)."""
    meeting = (
        CircleMeeting.objects.select_for_update(of=("self",))
        .select_related("circle__facilitator")
        .get(pk=meeting_id)
    )
    if not may_moderate(circle_part(actor, meeting.circle)):
        raise CommunityError(
            _("Seule la personne qui anime le cercle choisit qui apporte la question.")
        )
    if (
        learner_id is not None
        and not CircleMembership.objects.filter(
            circle=meeting.circle, learner_id=learner_id, left_at__isnull=True
        ).exists()
    ):
        raise CommunityError(_("La question est portée par un·e membre du cercle."))
    meeting.question_bringer_id = learner_id
    meeting.question = question
    meeting.save(update_fields=["question_bringer", "question"])
    return meeting


@transaction.atomic(durable=True)
def post_top_flop(actor: User, meeting_id: int, notes: str) -> CircleMeeting:
    """After the meeting has started, its facilitator writes the « top / flop » round: the
    notes are kept on the meeting and posted to the thread (members are told by the
    digest). Posting again corrects the same post."""
    meeting = (
        CircleMeeting.objects.select_for_update(of=("self",))
        .select_related("circle__facilitator", "group_session")
        .get(pk=meeting_id)
    )
    circle = PeerCircle.objects.select_for_update(of=("self",)).get(pk=meeting.circle_id)
    if circle_part(actor, circle) != CirclePart.FACILITATOR:
        raise CommunityError(
            _("Seule la personne qui anime le cercle écrit le tour « top / flop ».")
        )
    session = meeting.group_session
    if session.status != GroupStatus.SCHEDULED or session.starts_at > timezone.now():
        raise CommunityError(_("Le tour « top / flop » s'écrit une fois la rencontre commencée."))
    meeting.top_flop_notes = notes
    body = _("Tour « top / flop » de la rencontre du %(date)s :\n\n%(notes)s") % {
        "date": timezone.localtime(session.starts_at).strftime("%d/%m/%Y"),
        "notes": notes,
    }
    post = meeting.posts.first()
    if post is None:
        write_post(circle, actor, body, meeting=meeting)
        meeting.notes_posted_at = timezone.now()
    else:
        post.body = body
        post.save(update_fields=["body"])
    meeting.save(update_fields=["top_flop_notes", "notes_posted_at"])
    return meeting
