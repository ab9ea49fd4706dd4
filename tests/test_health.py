"""Liveness (/healthz) and readiness (/readyz) probes."""

import time

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded_broker(settings):
    """The embedded filesystem broker, whatever the developer's environment says."""
    settings.CELERY_BROKER_URL = "filesystem://"


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ready_on_the_embedded_defaults(client, embedded_broker):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "embedded"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_a_database_that_does_not_answer(client, embedded_broker, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable", "broker": "embedded"},
    }


def test_readyz_reports_a_broker_that_does_not_answer(client, settings):
    # The Celery app reads CELERY_* from Django's settings when it connects.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable"},
    }
    assert elapsed < 10, f"the broker check took {elapsed:.1f}s: it must be bounded"
