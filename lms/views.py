"""Project-level views: liveness and readiness probes."""

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """Liveness: the process answers. Touches no database (the benchmark floor)."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unavailable"
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return "embedded"
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises transport-specific errors
        return "unavailable"
    return "ok"


@never_cache
@require_GET
def readyz(request):
    """Readiness: the database answers, and the broker when a server is configured."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    ready = all(value in ("ok", "embedded") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
