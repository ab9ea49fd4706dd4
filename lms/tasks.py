"""Platform-wide maintenance tasks (each app keeps its own ``tasks.py``).

Schedule them with Celery beat in ``/django-admin/`` (Periodic tasks); they are
idempotent, so a run that is repeated or late does no harm.
"""

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(name="lms.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Delete expired sessions, as Django's ``clearsessions`` command does.

    Database sessions are never removed by Django itself: without this task
    the session table only grows. Schedule it daily.
    """
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
