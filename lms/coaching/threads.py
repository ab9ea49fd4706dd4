"""Reads of a request's message thread: who takes part, the messages, unread counts.

Who reads and writes a thread is decided here only (``participant_role``): the learner,
the coach holding the request, the managers of its structure and the network's managers.
"""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from lms.accounts.roles import Role, roles_of
from lms.accounts.structures import may_manage

from .models import AuthorRole, CoachingRequest, RequestMessage, ThreadReader


def participant_role(user, request: CoachingRequest) -> AuthorRole | None:
    """The part ``user`` takes in ``request``'s thread, or None when they may not read it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.pk == request.learner_id:
        return AuthorRole.LEARNER
    if request.coach_id is not None and user.pk == request.coach_id:
        return AuthorRole.COACH
    if Role.MANAGER in roles_of(user) and may_manage(user, request.structure_id):
        return AuthorRole.MANAGER
    return None


@dataclass(frozen=True)
class ThreadItem:
    """A message as one reader sees it."""

    pk: int
    anchor: str
    mine: bool
    author_role: str
    author_name: str  # a first name; "" for the structure's team or a deleted account
    body: str
    created_at: object
    new: bool  # not read before this visit


@dataclass(frozen=True)
class Thread:
    items: list[ThreadItem]
    read_up_to: int  # the reader's marker before this visit

    @property
    def last_id(self) -> int:
        return self.items[-1].pk if self.items else 0

    @property
    def unread(self) -> int:
        return sum(1 for item in self.items if item.new)


def thread_for(user, request: CoachingRequest) -> Thread:
    """The thread of ``request`` as ``user`` reads it, oldest first: two queries."""
    marker = (
        ThreadReader.objects.filter(request=request, reader=user)
        .values_list("read_up_to", flat=True)
        .first()
    ) or 0
    rows = RequestMessage.objects.filter(request=request).values(
        "pk",
        "author_id",
        "author_role",
        "author__first_name",
        "author__is_active",
        "body",
        "created_at",
    )
    items = []
    for row in rows.order_by("pk"):
        mine = row["author_id"] == user.pk
        name = ""
        if row["author_role"] != AuthorRole.MANAGER and row["author__is_active"]:
            name = row["author__first_name"] or ""
        items.append(
            ThreadItem(
                pk=row["pk"],
                anchor=f"message-{row['pk']}",
                mine=mine,
                author_role=row["author_role"],
                author_name=name,
                body=row["body"],
                created_at=row["created_at"],
                new=not mine and row["pk"] > marker,
            )
        )
    return Thread(items=items, read_up_to=marker)


def unread_messages(reader, request_filter: Q) -> QuerySet[RequestMessage]:
    """Messages of the requests matching ``request_filter`` (a Q on ``request__``) that
    ``reader`` did not write and has not read on the site."""
    marker = ThreadReader.objects.filter(request=OuterRef("request_id"), reader=reader).values(
        "read_up_to"
    )[:1]
    return (
        RequestMessage.objects.filter(request_filter)
        .exclude(author=reader)
        .annotate(marker=Coalesce(Subquery(marker), 0))
        .filter(pk__gt=F("marker"))
    )


def unread_count(reader) -> Coalesce:
    """An annotation of requests: how many messages of each ``reader`` has not read (the
    queue reads them with its cards, rather than in a query of their own)."""
    messages = (
        unread_messages(reader, Q(request=OuterRef("pk")))
        .order_by()
        .values("request")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(messages), 0)


def unread_counts(reader, request_filter: Q) -> dict[int, int]:
    """{request id: messages ``reader`` has not read} for the matching requests: one query."""
    rows = (
        unread_messages(reader, request_filter)
        .values("request_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["request_id"]: row["count"] for row in rows}
