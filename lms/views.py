"""Project-level views: liveness and readiness probes, uploaded files without S3, what
makes Balise installable and readable offline (manifest, service worker, offline page), the
accessibility statement."""

import hashlib
import json
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
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
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


# --- Installable and offline ------------------------------------------------------------

APP_ICONS = (("balise/icon-192.png", "192x192"), ("balise/icon-512.png", "512x512"))


@require_GET
@cache_control(max_age=3600)
def web_manifest(request):
    """The web app manifest: installing Balise opens « Mes parcours » as an app."""
    manifest = {
        "name": "Balise",
        "short_name": "Balise",
        "description": _(
            "Des parcours en ligne et des accompagnateur·rices pour faire avancer votre projet "
            "d’économie sociale et solidaire."
        ),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "dir": "ltr",
        "start_url": reverse("pathways:dashboard"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5a54",
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": "any maskable"}
            for path, sizes in APP_ICONS
        ],
    }
    return JsonResponse(
        manifest,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


def _learner_prefixes() -> list[str]:
    """Where the learner pages live: « Mes parcours » and the steps, the pathways and the
    modules (Wagtail pages, under their index and libraries), the modules' documents."""
    from pathways.models import ModuleLibraryPage, PathwayIndexPage

    prefixes = [reverse("pathways:dashboard"), "/documents/"]
    for model in (PathwayIndexPage, ModuleLibraryPage):
        prefixes += [page.url for page in model.objects.live() if page.url and page.url != "/"]
    return prefixes


@require_GET
@never_cache
def service_worker(request):
    """The service worker, at the site's root so that its scope is the whole site. Rendered
    here (not a static file) to name the fingerprinted static files it keeps and the
    learner pages it may keep; browsers fetch it again to look for a new version."""
    precache = [
        static(name)
        for name in (
            "balise/balise.css",
            "balise/balise.js",
            "balise/offline.js",
            "django_htmx/htmx-2.min.js",
            "balise/favicon.svg",
            *(path for path, _sizes in APP_ICONS),
        )
    ]
    config = {
        "offline": reverse("offline"),
        "static": settings.STATIC_URL,
        "precache": precache,
        "pages": _learner_prefixes(),
        # Under those prefixes, never kept: media redirects (signed, short-lived addresses)
        # and the offline endpoints themselves.
        "network_only": [
            reverse("pathways:offline_sync"),
            reverse("pathways:media_file", args=[1]).removesuffix("1/"),
        ],
    }
    config_json = json.dumps(config, sort_keys=True)
    version = hashlib.blake2b(
        f"{settings.BALISE_RELEASE}{config_json}".encode(), digest_size=6
    ).hexdigest()
    response = render(
        request,
        "sw.js",
        {"config": config_json, "version": version},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    """Shown by the service worker in place of a page that needs the network."""
    return render(request, "offline.html")


@require_GET
def accessibility_statement(request):
    """« Déclaration d'accessibilité », in the form the RGAA asks for: public."""
    return render(
        request,
        "accessibility_statement.html",
        {"contact_email": settings.BALISE_ACCESSIBILITY_EMAIL},
    )
