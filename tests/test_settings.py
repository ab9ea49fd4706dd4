"""What ``lms/settings.py`` makes of its environment, each case in a fresh process.

See ``tests/settings_probe.py``: only the variables given here are set, and the
developer's ``.env`` is not read.
"""

import re
import secrets

from tests.settings_probe import BASE_DIR, run_manage, settings_snapshot

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "balise.example.org",
    # check --deploy does not connect to the database.
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/balise",
}


def test_production_configuration_passes_check_deploy_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


def test_production_settings_are_hardened():
    values = settings_snapshot(**PRODUCTION)

    assert values["DEBUG"] is False
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True
    # The dashboard's grouped queries are not worth PostgreSQL's JIT compilation.
    assert values["DATABASES"]["default"]["OPTIONS"]["options"] == "-c jit=off"
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    # Load balancers probe over plain HTTP: the probes are not redirected to HTTPS.
    for path in ("healthz", "readyz"):
        assert any(re.search(pattern, path) for pattern in values["SECURE_REDIRECT_EXEMPT"])


def _assert_stops_with_one_line(result, variable):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"Balise: the environment variable {variable} is required when DEBUG is off."
    ]


def test_missing_secret_key_stops_with_one_clear_line():
    variables = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}

    _assert_stops_with_one_line(run_manage("check", **variables), "SECRET_KEY")


def test_empty_secret_key_counts_as_missing():
    _assert_stops_with_one_line(
        run_manage("check", **{**PRODUCTION, "SECRET_KEY": ""}), "SECRET_KEY"
    )


def test_missing_allowed_hosts_stops_with_one_clear_line():
    variables = {key: value for key, value in PRODUCTION.items() if key != "ALLOWED_HOSTS"}

    _assert_stops_with_one_line(run_manage("check", **variables), "ALLOWED_HOSTS")


def test_embedded_defaults_need_no_server():
    values = settings_snapshot(DEBUG="1")

    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"].endswith("db.sqlite3")
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert values["CELERY_BROKER_URL"] == "filesystem://localhost/"
    assert values["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"].endswith("var/celery/broker")
    assert values["STORAGES"]["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )
    assert values["default_storage"]["class"].endswith(".FileSystemStorage")
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["CACHES"]["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
    assert "template_fragments" not in values["CACHES"]  # fragments use the default cache
    assert values["WAGTAILDOCS_SERVE_METHOD"] == "serve_view"


def test_bucket_name_switches_uploads_to_private_s3_objects():
    values = settings_snapshot(
        DEBUG="1",
        AWS_STORAGE_BUCKET_NAME="balise-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.org",
        AWS_S3_REGION_NAME="fr-par",
    )

    assert values["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    # What django-storages actually uses, read from the instantiated storage:
    storage = values["default_storage"]
    assert storage["class"] == "storages.backends.s3.S3Storage"
    assert storage["bucket_name"] == "balise-media"
    assert storage["endpoint_url"] == "https://s3.example.org"
    assert storage["region_name"] == "fr-par"
    assert storage["signature_version"] == "s3v4"
    assert storage["default_acl"] is None
    assert storage["object_parameters"] == {"ACL": "private", "ContentDisposition": "attachment"}
    assert storage["querystring_auth"] is True
    assert 0 < storage["querystring_expire"] <= 3600
    assert storage["file_overwrite"] is False
    # Wagtail documents then redirect to a signed URL instead of streaming through Django.
    assert values["WAGTAILDOCS_SERVE_METHOD"] == "redirect"


def test_email_url_configures_smtp():
    values = settings_snapshot(
        DEBUG="1",
        EMAIL_URL="smtp+tls://balise%40example.org:s3cret@smtp.example.org:587",
        DEFAULT_FROM_EMAIL="Balise <bonjour@example.org>",
    )

    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["EMAIL_HOST"] == "smtp.example.org"
    assert values["EMAIL_PORT"] == 587
    assert values["EMAIL_USE_TLS"] is True
    assert values["EMAIL_HOST_USER"] == "balise@example.org"
    assert values["EMAIL_HOST_PASSWORD"] == "s3cret"
    assert values["DEFAULT_FROM_EMAIL"] == "Balise <bonjour@example.org>"
    assert values["SERVER_EMAIL"] == "Balise <bonjour@example.org>"


def test_a_shared_cache_holds_sessions_and_fragments():
    values = settings_snapshot(DEBUG="1", CACHE_URL="redis://127.0.0.1:6379/3")

    # django-redis (chosen by django-environ once installed): one Redis client per process,
    # where Django's backend builds one per call (half of a read's CPU, docs/benchmarks.md).
    assert values["CACHES"]["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert list(values["CACHES"]) == ["default"]


def test_redis_replies_are_parsed_by_hiredis():
    """The C parser: a cache read costs about a quarter less CPU (docs/benchmarks.md)."""
    from redis.utils import HIREDIS_AVAILABLE

    assert HIREDIS_AVAILABLE


def test_cache_keys_start_with_the_release_which_follows_the_templates(tmp_path):
    values = settings_snapshot(DEBUG="1")
    prefix = values["CACHES"]["default"]["KEY_PREFIX"]
    assert prefix == values["BALISE_RELEASE"] and len(prefix) == 12
    assert settings_snapshot(DEBUG="1")["BALISE_RELEASE"] == prefix  # same files, same release

    template = BASE_DIR / "templates" / "zz_release_probe.html"
    template.write_text("changed")
    try:
        assert settings_snapshot(DEBUG="1")["BALISE_RELEASE"] != prefix
    finally:
        template.unlink()
    named = settings_snapshot(DEBUG="1", BALISE_RELEASE="2026.12.1")
    assert named["CACHES"]["default"]["KEY_PREFIX"] == "2026.12.1"
