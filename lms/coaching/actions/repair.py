"""The sweeper of the hops from a learner's action to the coaches' notifications."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from pathways.models import CheckpointPassage

from ..models import (
    RequestEvent,
)
from ._common import in_site_language
from .requests import _announce, open_request_for_point

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Repaired:
    requests_opened: int
    events_announced: int
    failures: int


REPAIR_BATCH = 200


@in_site_language
def repair_requests(now: datetime | None = None) -> Repaired:
    """The sweeper of the hops from a learner's action to the coaches' notifications.

    1. A passage of an automatic or gate point with no event for its point (its request
       failed to open when reached) opens it, or joins the active request.
    2. An event left unannounced (routing or the notification write failed) is announced.

    Only what is older than ``COACHING_REPAIR_AFTER`` seconds (the normal path commits in
    the same transaction, so younger rows are still being written), and passages of the
    last ``COACHING_REPAIR_WINDOW_DAYS`` days. Each repair commits on its own; running
    twice is harmless: the unique constraint and the events decide. E-mails then go
    through the notifications outbox and its own sweeper.
    """
    now = now or timezone.now()
    before = now - timedelta(seconds=settings.COACHING_REPAIR_AFTER)
    handled = RequestEvent.objects.filter(
        request__learner=OuterRef("learner"),
        request__pathway=OuterRef("pathway"),
        point_id=OuterRef("point_id"),
    )
    passages = (
        CheckpointPassage.objects.filter(
            trigger__in=["automatic", "gate"],
            released_at__isnull=True,
            reached_at__lt=before,
            reached_at__gte=now - timedelta(days=settings.COACHING_REPAIR_WINDOW_DAYS),
            learner__is_active=True,
        )
        .exclude(Exists(handled))
        .select_related("learner", "pathway")
        .order_by("reached_at")[:REPAIR_BATCH]
    )
    opened = announced = failures = 0
    for passage in passages:
        point = passage.pathway.point_value(passage.point_id)
        if point is None:  # the point left the outline since
            continue
        try:
            _repair_passage(passage, point)
            opened += 1
        except Exception:
            failures += 1
            logger.exception("Could not open the request of passage %s.", passage.pk)
    pending = RequestEvent.objects.filter(announced_at__isnull=True, created_at__lt=before)
    for event_id in pending.order_by("pk").values_list("pk", flat=True)[:REPAIR_BATCH]:
        try:
            announced += _repair_announcement(event_id)
        except Exception:
            failures += 1
            logger.exception("Could not announce request event %s.", event_id)
    if opened or announced or failures:
        logger.info(
            "Repaired requests: %d opened, %d announced, %d failed.", opened, announced, failures
        )
    return Repaired(opened, announced, failures)


@transaction.atomic(durable=True)
def _repair_passage(passage: CheckpointPassage, point) -> None:
    open_request_for_point(passage, point)


@transaction.atomic(durable=True)
def _repair_announcement(event_id: int) -> int:
    event = (
        RequestEvent.objects.select_for_update(of=("self",))
        .filter(pk=event_id, announced_at__isnull=True)
        .select_related("request__learner", "request__pathway", "request__coach")
        .first()
    )
    if event is None:  # announced meanwhile
        return 0
    _announce(event, event.request)
    return 1
