"""The Celery application: configuration from Django settings (``CELERY_*``), tasks
autodiscovered in each app's ``tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

app = Celery("balise")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
