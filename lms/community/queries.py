"""Reads of the community pages, each in a constant number of queries."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from lms.accounts.models import LearnerProfile, User
from lms.accounts.structures import managed_structure_ids
from lms.coaching.models import GroupStatus
from pathways.models import Enrollment

from .models import (
    CIRCLE_MAX_MEMBERS,
    CircleMeeting,
    CircleMembership,
    CirclePost,
    CircleReader,
    CircleStatus,
    MentorHours,
    MentorOffer,
    OfferStatus,
    PeerCircle,
    PostReport,
)

ACTIVE = Q(memberships__left_at__isnull=True)


def _with_counts(circles):
    return circles.annotate(
        member_count=Count("memberships", filter=ACTIVE, distinct=True)
    ).select_related("facilitator", "pathway", "structure")


def circles_to_join(learner: User) -> list[PeerCircle]:
    """Open circles with a place left that ``learner`` does not belong to nor lead, for
    their département (or open to everyone), those of their pathways first. Two queries."""
    profile = LearnerProfile.objects.filter(user=learner).only("departement").first()
    departement = profile.departement if profile else ""
    enrolled = set(Enrollment.objects.filter(learner=learner).values_list("pathway_id", flat=True))
    mine = CircleMembership.objects.filter(learner=learner, left_at__isnull=True).values(
        "circle_id"
    )
    candidates = (
        _with_counts(PeerCircle.objects.filter(status=CircleStatus.OPEN))
        .exclude(pk__in=mine)
        .exclude(facilitator=learner)
        .filter(member_count__lt=CIRCLE_MAX_MEMBERS)
    )
    found = [
        circle
        for circle in candidates
        if not circle.departements or departement in circle.departements
    ]
    for circle in found:
        circle.places_left = CIRCLE_MAX_MEMBERS - circle.member_count
        circle.on_my_pathway = circle.pathway_id in enrolled
    return sorted(found, key=lambda c: (not c.on_my_pathway, c.name.lower(), c.pk))


def unread_counts(reader: User, circle_ids) -> dict[int, int]:
    """{circle id: visible posts ``reader`` did not write and has not read}: one query."""
    marker = CircleReader.objects.filter(circle=OuterRef("circle_id"), reader=reader).values(
        "read_up_to"
    )[:1]
    rows = (
        CirclePost.objects.filter(circle_id__in=circle_ids, hidden_at__isnull=True)
        .exclude(author=reader)
        .annotate(marker=Coalesce(Subquery(marker), 0))
        .filter(pk__gt=F("marker"))
        .values("circle_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["circle_id"]: row["count"] for row in rows}


def my_circles(user: User) -> list[PeerCircle]:
    """The circles ``user`` belongs to or leads, with members, unread posts and the next
    meeting: three queries."""
    mine = CircleMembership.objects.filter(learner=user, left_at__isnull=True).values("circle_id")
    circles = list(
        _with_counts(PeerCircle.objects.filter(Q(pk__in=mine) | Q(facilitator=user))).order_by(
            "name", "pk"
        )
    )
    ids = [circle.pk for circle in circles]
    unread = unread_counts(user, ids)
    upcoming = {}
    for meeting in (
        CircleMeeting.objects.filter(
            circle_id__in=ids,
            group_session__status=GroupStatus.SCHEDULED,
            group_session__starts_at__gt=timezone.now(),
        )
        .select_related("group_session")
        .order_by("group_session__starts_at")
    ):
        upcoming.setdefault(meeting.circle_id, meeting)
    for circle in circles:
        circle.unread = unread.get(circle.pk, 0)
        circle.next_meeting = upcoming.get(circle.pk)
    return circles


def managed_circles(user: User) -> list[PeerCircle]:
    """The circles of the structures a manager manages (the network's: all)."""
    managed = managed_structure_ids(user)
    circles = PeerCircle.objects.all()
    if managed is not None:
        circles = circles.filter(structure_id__in=managed)
    return list(_with_counts(circles).order_by("name", "pk"))


@dataclass
class PostItem:
    pk: int
    anchor: str
    mine: bool
    author_name: str
    body: str
    created_at: object
    new: bool
    hidden: bool
    hidden_reason: str
    from_meeting: bool
    replies: list["PostItem"] = field(default_factory=list)


@dataclass(frozen=True)
class CircleThread:
    posts: list[PostItem]  # first posts, each with its replies
    last_id: int
    unread: int


def circle_thread(user: User, circle: PeerCircle) -> CircleThread:
    """The thread as ``user`` reads it: visible posts and their own hidden ones (marked),
    first posts oldest first, each with its replies. Two queries."""
    marker = (
        CircleReader.objects.filter(circle=circle, reader=user)
        .values_list("read_up_to", flat=True)
        .first()
    ) or 0
    rows = (
        CirclePost.objects.filter(circle=circle)
        .shown_to(user)
        .values(
            "pk",
            "parent_id",
            "author_id",
            "author__first_name",
            "author__last_name",
            "author__is_active",
            "body",
            "created_at",
            "hidden_at",
            "hidden_reason",
            "meeting_id",
        )
        .order_by("pk")
    )
    by_id: dict[int, PostItem] = {}
    posts, last_id, unread = [], 0, 0
    for row in rows:
        mine = row["author_id"] == user.pk
        name = ""
        if row["author__is_active"]:
            name = row["author__first_name"] or row["author__last_name"] or ""
        item = PostItem(
            pk=row["pk"],
            anchor=f"message-{row['pk']}",
            mine=mine,
            author_name=name,
            body=row["body"],
            created_at=row["created_at"],
            new=not mine and row["pk"] > marker,
            hidden=row["hidden_at"] is not None,
            hidden_reason=row["hidden_reason"],
            from_meeting=row["meeting_id"] is not None,
        )
        last_id = max(last_id, item.pk)
        unread += item.new and not item.hidden
        parent = by_id.get(row["parent_id"]) if row["parent_id"] else None
        if row["parent_id"] and parent is None:
            continue  # a reply to a post hidden from this reader
        (parent.replies if parent else posts).append(item)
        by_id[item.pk] = item
    return CircleThread(posts=posts, last_id=last_id, unread=unread)


def members_of(circle: PeerCircle):
    return User.objects.filter(
        circle_memberships__circle=circle, circle_memberships__left_at__isnull=True
    ).order_by("first_name", "last_name", "pk")


def meetings_of(circle: PeerCircle) -> tuple[list[CircleMeeting], list[CircleMeeting]]:
    """(meetings to come, oldest first; past meetings, latest first): one query."""
    now = timezone.now()
    meetings = list(
        CircleMeeting.objects.filter(circle=circle)
        .select_related("group_session", "question_bringer")
        .order_by("group_session__starts_at")
    )
    upcoming = [m for m in meetings if m.group_session.starts_at > now]
    past = [m for m in reversed(meetings) if m.group_session.starts_at <= now]
    return upcoming, past


def moderated_circle_filter(user: User) -> Q:
    """The circles whose reports ``user`` reviews: those they lead, those of the structures
    they manage (the network's managers: all)."""
    managed = managed_structure_ids(user)
    if managed is None:
        return Q()
    return Q(facilitator=user) | Q(structure_id__in=managed)


def moderation_queue(user: User) -> list[dict]:
    """Reported posts waiting for review in the circles ``user`` moderates, oldest first,
    with every report's reason: one query."""
    circles = PeerCircle.objects.filter(moderated_circle_filter(user)).values("pk")
    reports = (
        PostReport.objects.filter(reviewed_at__isnull=True, post__circle_id__in=circles)
        .select_related("post__circle", "post__author")
        .order_by("created_at", "pk")
    )
    grouped: dict[int, dict] = {}
    for report in reports:
        entry = grouped.setdefault(
            report.post_id, {"post": report.post, "circle": report.post.circle, "reasons": []}
        )
        entry["reasons"].append(report.reason)
    return list(grouped.values())


def year_start(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return date(today.year, 1, 1)


def minutes_this_year(mentor_ids) -> dict[int, int]:
    """{mentor id: minutes recorded since the first of January}: one query."""
    rows = (
        MentorHours.objects.filter(mentor_id__in=mentor_ids, date__gte=year_start())
        .values("mentor_id")
        .annotate(total=Sum("minutes"))
        .order_by()
    )
    return {row["mentor_id"]: row["total"] for row in rows}


def approved_mentors(user: User):
    """The mentors whose approved offers a manager's structures decided (the network's
    managers: all)."""
    managed = managed_structure_ids(user)
    offers = MentorOffer.objects.filter(status=OfferStatus.APPROVED)
    if managed is not None:
        offers = offers.filter(structure_id__in=managed)
    return User.objects.filter(pk__in=offers.values("learner_id")).order_by(
        "first_name", "last_name", "pk"
    )


def offers_to_decide(user: User):
    managed = managed_structure_ids(user)
    offers = MentorOffer.objects.select_related("learner", "structure")
    if managed is not None:
        offers = offers.filter(structure_id__in=managed)
    return offers
