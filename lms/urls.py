from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.images.views.serve import ServeView

from lms import views
from lms.accounts.views import set_language, structures

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says: no 404 on every first visit.
    path("favicon.ico", views.favicon),
    path("readyz", views.readyz, name="readyz"),
    # Installable and offline: the manifest, the service worker (at the root: its scope is
    # the whole site) and the page it shows when a page needs the network.
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("hors-connexion/", views.offline, name="offline"),
    path("i18n/setlang/", set_language, name="set_language"),
    # « Près de chez vous »: public, outside « Mon compte ».
    path("structures/", structures, name="structures"),
    path("accessibilite/", views.accessibility_statement, name="accessibility"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Renditions at stable, signed addresses: structures' logos in e-mails (read long after
    # a file's own S3 address, signed for minutes, has expired).
    re_path(
        r"^images/([^/]*)/(\d*)/([^/]*)/[^/]*$", ServeView.as_view(), name="wagtailimages_serve"
    ),
    path("comptes/", include("allauth.urls")),
    path("mon-compte/", include("lms.accounts.urls")),
    path("accompagnement/", include("lms.coaching.urls")),
    path("communaute/", include("lms.community.urls")),
    path("notifications/", include("lms.notifications.urls")),
    path("rapports/", include("lms.reports.urls")),
    path("apprendre/", include("lms.outcomes.urls")),
    path("", include("pathways.urls")),
]

if settings.BALISE_SERVE_UPLOADS:
    # No S3: uploads are served by Django, each with its access rule (lms.views).
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", views.uploaded_file),
    ]

urlpatterns += [path("", include(wagtail_urls))]
