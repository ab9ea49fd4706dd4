"""Settings of the live server the browser tests drive (not of the test process).

Balise's own settings, with what a throw-away run needs whatever ``.env`` says: uploads
on the local disk in the run's temporary folder (never in the repository's ``media/``,
never in a bucket), sent e-mails written there as files (the tests' outbox), Celery
tasks run in the web process (nothing is left in the development broker under
``var/``), a private in-memory cache, and fast password hashing so that seeding the demo
takes seconds. Everything else (DEBUG=1, SQLite, runserver serving static and media
files) is what ``make run`` does.
"""

import os
from pathlib import Path

from lms.settings import *  # noqa: F403

_RUN_DIR = Path(os.environ["BALISE_E2E_DIR"])

MEDIA_ROOT = _RUN_DIR / "media"
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}  # noqa: F405
WAGTAILDOCS_SERVE_METHOD = "serve_view"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(_RUN_DIR / "mail")
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Message digests leave at once (tasks run in the web process: no countdown to wait for).
MESSAGE_DIGEST_DELAY = 0
# Circle digests too.
CIRCLE_DIGEST_DELAY = 0
