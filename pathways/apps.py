from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = _("Parcours")

    def ready(self):
        from . import live_cache  # noqa: F401 - connects its signals in every process
