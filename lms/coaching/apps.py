from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    name = "lms.coaching"
    label = "coaching"
    verbose_name = _("Accompagnement")

    def ready(self):
        from pathways.signals import progression_point_reached

        from . import signal_handlers

        progression_point_reached.connect(
            signal_handlers.open_request_on_point, dispatch_uid="coaching_open_request_on_point"
        )
