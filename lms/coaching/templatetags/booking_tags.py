"""Template filters of self-booking for « Mon accompagnement »."""

from django import template
from django.utils import timezone

from ..models import ACTIVE_SESSION_STATUSES

register = template.Library()


@register.filter
def bookable(coaching_request) -> bool:
    """Whether the learner may book a slot for ``coaching_request``: active, and no session
    of it to come (one at a time). Reads ``sessions.all()``: prefetch them for a list."""
    if not coaching_request.is_active:
        return False
    now = timezone.now()
    return not any(
        s.status in ACTIVE_SESSION_STATUSES and s.starts_at > now
        for s in coaching_request.sessions.all()
    )
