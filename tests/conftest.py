import pytest


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Fast hashing, local cache and files under a temporary folder for every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    # SMS go to lms.notifications.sms.outbox, emptied for each test.
    from lms.notifications import sms

    settings.SMS_BACKEND = "locmem"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language: a request or a view that
    activates the reader's language must not change what the next test reads."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _reset_cache():
    from django.core.cache import cache

    yield
    cache.clear()


def pytest_configure(config):
    """Tests' own templates (a notification kind that says what it is given), found after
    the project's, set before any template engine is built."""
    from pathlib import Path

    from django.conf import settings

    settings.TEMPLATES[0]["DIRS"] = [
        *settings.TEMPLATES[0]["DIRS"],
        Path(__file__).resolve().parent / "templates",
    ]
