from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms import views
from lms.accounts.views import set_language

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("comptes/", include("allauth.urls")),
    path("mon-compte/", include("lms.accounts.urls")),
    path("accompagnement/", include("lms.coaching.urls")),
    path("notifications/", include("lms.notifications.urls")),
    path("rapports/", include("lms.reports.urls")),
    path("apprendre/", include("lms.outcomes.urls")),
    path("", include("pathways.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
