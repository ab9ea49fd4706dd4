from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "lms.reports"
    label = "reports"
    verbose_name = _("Rapports")

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from .cache import invalidate

        # A pathway's outline or a module's steps shape the funnel: recompute it.
        page_published.connect(invalidate, dispatch_uid="reports_invalidate_on_publish")
        page_unpublished.connect(invalidate, dispatch_uid="reports_invalidate_on_unpublish")
