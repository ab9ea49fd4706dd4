"""Reminders to learners who stopped, and the request some pathways open after the last."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.notifications.actions import notify
from pathways.models import Enrollment

from ..models import (
    InactivityNudge,
    Origin,
)
from ._common import in_site_language
from .requests import open_request

logger = logging.getLogger(__name__)


@in_site_language
def nudge_inactive_learners(now: datetime | None = None) -> int:
    """Nudge learners inactive for N days (each threshold once per idle period); after the
    last nudge, open a request when the pathway asks for it. Returns the nudges sent."""
    now = now or timezone.now()
    thresholds = sorted(settings.BALISE_INACTIVITY_DAYS)
    sent = 0
    # Highest level first, so one run sends at most one reminder per learner.
    for level, days in reversed(list(enumerate(thresholds, start=1))):
        nudged = InactivityNudge.objects.filter(
            enrollment=OuterRef("pk"), activity_at=OuterRef("last_activity_at")
        )
        due = Enrollment.objects.filter(
            completed_at__isnull=True,
            learner__is_active=True,
            pathway__live=True,
            last_activity_at__lte=now - timedelta(days=days),
        ).exclude(Exists(nudged.filter(level=level)))
        if level > 1:
            due = due.filter(Exists(nudged.filter(level=level - 1)))
        for enrollment in due.select_related("learner", "pathway")[:1000]:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        InactivityNudge.objects.create(
                            enrollment=enrollment,
                            level=level,
                            activity_at=enrollment.last_activity_at,
                        )
                except IntegrityError:
                    continue
                sent += 1
                notify(
                    enrollment.learner,
                    kind="inactivity_nudge",
                    context={"enrollment": enrollment, "days": days},
                    url=reverse("pathways:continue", args=[enrollment.pathway_id]),
                )
                if level == len(thresholds) and enrollment.pathway.inactivity_request:
                    open_request(
                        enrollment.learner,
                        origin=Origin.INACTIVITY,
                        pathway=enrollment.pathway,
                        point_id="inactivity",
                        where=_("Sans activité depuis %(days)s jours") % {"days": days},
                    )
    return sent
