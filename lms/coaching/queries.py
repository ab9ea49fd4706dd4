"""Reads of the coach workspace: a constant number of queries per page, and only the
columns shown."""

from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.fields.json import KT
from wagtail.models import Page

from lms.accounts.models import User

from .cards import QueueCard, queue_cards
from .models import ACTIVE_STATUSES, CoachingRequest, SessionChange
from .threads import unread_count

# A coach's capacity (10 by default) fits on the first page with the first open requests;
# a page's weight and CPU follow its cards (see docs/benchmarks.md): the rest is a « Voir
# plus » away.
QUEUE_PAGE_SIZE = 20
MAX_PAGE = 10_000

# What a queue card shows. The snapshot (``context``) can hold pages of shared answers and
# the pathway's outline is large: a card reads three keys of the one and the other's title.
CARD_VALUES = (
    "pk",
    "coach_id",
    "learner__first_name",
    "learner__last_name",
    "learner__email",
    "origin",
    "status",
    "network_queue",
    "recommended_modality",
    "recommendation_reason",
    "coach_recommendation_reason",
    "created_at",
    "due_at",
    "pathway_title",
    "profile_departement",
    "profile_area_type",
    "profile_situation",
)


@dataclass(frozen=True)
class QueuePage:
    """A page of the queue: the coach's own active requests first, then open ones."""

    mine: list[QueueCard]
    open: list[QueueCard]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def _card_rows(requests: QuerySet[CoachingRequest], **extra) -> QuerySet:
    return (
        requests.annotate(
            # The page's title by its id: a join through PathwayPage would cost the planner
            # two more tables for one column.
            pathway_title=Subquery(
                Page.objects.filter(pk=OuterRef("pathway_id")).order_by().values("title")
            ),
            profile_departement=KT("context__profile__departement_label"),
            profile_area_type=KT("context__profile__area_type"),
            profile_situation=KT("context__profile__situation"),
            **extra,
        )
        .order_by("due_at", "pk")
        .values(*CARD_VALUES, *extra)
    )


def coach_queue(coach: User, profile, page: int = 1, refine=lambda requests: requests) -> QueuePage:
    """Page ``page`` of the coach's queue as cards: two small queries.

    Active requests only, the coach's own first (so they all fit on the first page: a
    coach's capacity is well below a page), with the messages of each thread the coach has
    not read (``threads.unread_count``), then the open ones they may claim
    (``CoachingRequest.objects.claimable_by``) by due date; ``refine`` applies the queue's
    filters to both. ``QUEUE_PAGE_SIZE`` per page, one more row being read to know whether
    a next page exists (no COUNT). The open ones' ids are read first from a partial index
    of open, unclaimed requests, stopping at the page's end; only those rows are then
    joined to their learner and their pathway's title. Rows are dicts of ``CARD_VALUES``: no model
    instances, and neither the snapshot nor the pathway's outline leave the database.
    """
    page = min(max(page, 1), MAX_PAGE)
    start = (page - 1) * QUEUE_PAGE_SIZE
    wanted = QUEUE_PAGE_SIZE + 1
    requests = CoachingRequest.objects
    mine = list(
        _card_rows(
            refine(requests.filter(coach=coach, status__in=ACTIVE_STATUSES)),
            unread=unread_count(coach),
        )
    )
    rows = mine[start : start + wanted]
    if len(rows) < wanted:
        offset = max(start - len(mine), 0)
        others = refine(requests.claimable_by(profile)).order_by("due_at", "pk")
        page_ids = others.values("pk")[offset : offset + wanted - len(rows)]
        rows += _card_rows(requests.filter(pk__in=page_ids))
    cards = queue_cards(rows[:QUEUE_PAGE_SIZE], coach)
    return QueuePage(
        mine=[card for card in cards if card.mine],
        open=[card for card in cards if card.claimable],
        number=page,
        has_next=len(rows) > QUEUE_PAGE_SIZE,
    )


def session_changes(lookup: str) -> Prefetch:
    """Sessions' changes (``lookup`` leads to them) with who made each, in one query: the
    history of a file costs the same whether its sessions were moved or not."""
    return Prefetch(lookup, queryset=SessionChange.objects.select_related("actor"))
