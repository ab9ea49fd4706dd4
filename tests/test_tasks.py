"""Platform-wide maintenance tasks (``lms/tasks.py``), bodies called directly."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from lms.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db


def test_clear_expired_sessions_keeps_current_ones():
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="x", expire_date=now - timedelta(1))
    Session.objects.create(session_key="current", session_data="x", expire_date=now + timedelta(1))

    clear_expired_sessions()
    clear_expired_sessions()  # idempotent: a repeated or late run does no harm

    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]
