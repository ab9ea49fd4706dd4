"""Project-level views: liveness and readiness probes, uploaded files without S3, the
accessibility statement."""

import mimetypes

from celery import current_app
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
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


# Uploaded files by folder (the first part of their path): who may read them here.
PUBLIC_UPLOADS = ("images/",)  # Wagtail's renditions, the only images pages show
EDITOR_UPLOADS = ("original_images/",)
MEDIA_UPLOADS = ("media/", "media_thumbnails/")  # wagtailmedia: audio, video, posters


def _may_read(user, name: str) -> bool:
    """Renditions are public; audio and video follow the media addresses' rule (used by a
    live page, or the reader edits content); originals are for editors. Documents are not
    served here: Wagtail's ``/documents/`` view checks their collection's privacy."""
    if name.startswith(PUBLIC_UPLOADS):
        return True
    is_editor = user.is_authenticated and user.has_perm("wagtailadmin.access_admin")
    if name.startswith(EDITOR_UPLOADS):
        return is_editor
    if name.startswith(MEDIA_UPLOADS):
        from wagtailmedia.models import get_media_model

        from pathways.queries import servable_media

        media = get_media_model().objects.filter(Q(file=name) | Q(thumbnail=name)).first()
        return media is not None and servable_media(user, media.pk) is not None
    return False


@require_GET
def uploaded_file(request, path: str):
    """An uploaded file from the default storage, for installs without S3 and without a
    web server in front that serves ``MEDIA_ROOT`` (see README, « Production »)."""
    if not _may_read(request.user, path):
        raise Http404
    try:
        handle = default_storage.open(path)
    except (OSError, SuspiciousFileOperation) as error:
        raise Http404 from error
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return FileResponse(handle, content_type=content_type)


@require_GET
def favicon(request):
    """Browsers ask for ``/favicon.ico`` whatever the page links: no 404 on every visit."""
    return redirect(static("balise/favicon.ico"), permanent=True)


@require_GET
def accessibility_statement(request):
    """« Déclaration d'accessibilité », in the form the RGAA asks for: public."""
    return render(
        request,
        "accessibility_statement.html",
        {"contact_email": settings.BALISE_ACCESSIBILITY_EMAIL},
    )
