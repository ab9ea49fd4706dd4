from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class LmsConfig(AppConfig):
    """The project package as an app: health views, static files, ``seed_demo``."""

    name = "lms"
    verbose_name = "Balise"

    def ready(self):
        from django.urls import register_converter

        from .converters import IdConverter

        register_converter(IdConverter, "id")
        # kombu's filesystem transport (the embedded broker) needs its folders
        # before the first message is published or consumed.
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
