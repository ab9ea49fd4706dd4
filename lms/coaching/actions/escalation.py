"""Requests still waiting past their due time are escalated to managers, once."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from lms.accounts.structures import managers_of
from lms.notifications.actions import notify_many

from ..models import (
    CoachingRequest,
    Status,
)
from ._common import in_site_language, request_url

logger = logging.getLogger(__name__)


@in_site_language
def escalate_overdue_requests(now: datetime | None = None) -> int:
    """Tell managers, once, of requests still waiting past their due time: those of the
    request's structure, else the network's."""
    now = now or timezone.now()
    overdue = list(
        CoachingRequest.objects.filter(
            status=Status.OPEN, due_at__lt=now, escalated_at__isnull=True
        ).select_related("learner")[:500]
    )
    managers = {}  # by structure id: its managers, else the network's
    escalated = 0
    for request in overdue:
        with transaction.atomic():
            if not CoachingRequest.objects.filter(pk=request.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            escalated += 1
            if request.structure_id not in managers:
                managers[request.structure_id] = managers_of(request.structure_id)
            notify_many(
                managers[request.structure_id],
                kind="request_overdue",
                context={"request": request},
                url=request_url(request),
            )
    return escalated
