"""Redis as the broker: the readiness probe, and a real ``celery -A lms worker``
consuming a task from Redis and doing its work on PostgreSQL."""

import secrets
import sys
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from celery import Celery
from kombu import Connection, Exchange, Queue
from psycopg import sql

from lms.tasks import clear_expired_sessions
from tests.integration.conftest import CONNECT_TIMEOUT, start_process, stop_process, tail
from tests.settings_probe import BASE_DIR, clean_env, run_manage

pytestmark = pytest.mark.services

WORKER_START_TIMEOUT = 45
TASK_TIMEOUT = 30


@pytest.mark.django_db
def test_readyz_reports_a_live_redis_broker(client, settings, redis_url):
    # The Celery app reads CELERY_* from Django's settings when it connects.
    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


# --- A real worker ----------------------------------------------------------------------


def _connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT, **kwargs)


@pytest.fixture
def worker_database(postgres_url):
    """The URL of a migrated PostgreSQL database for the worker alone (not
    pytest-django's ``test_*``); dropped afterwards."""
    parts = urlsplit(postgres_url)
    name = f"{parts.path.lstrip('/') or 'balise'}_it_{uuid.uuid4().hex[:8]}"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    with _connect(postgres_url, dbname="postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        result = run_manage("migrate", "--no-input", DEBUG="1", DATABASE_URL=url)
        assert result.returncode == 0, result.stdout + result.stderr
        yield url
    finally:
        with _connect(postgres_url, dbname="postgres", autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def celery_worker(redis_url, worker_database, tmp_path):
    """``celery -A lms worker`` on Redis and the worker database, consuming a queue of its
    own (a concurrent run or a stale message cannot interfere). Yields once it answers
    ``app.control.ping``; stopped (SIGTERM, then SIGKILL) at teardown."""
    queue = f"balise-it-{uuid.uuid4().hex[:8]}"
    hostname = f"{queue}@localhost"
    log = tmp_path / "worker.log"
    env = clean_env(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=worker_database,
        CELERY_BROKER_URL=redis_url,
        PYTHONUNBUFFERED="1",
    )
    args = [
        sys.executable, "-m", "celery", "-A", "lms", "worker",
        "--loglevel=INFO", "--concurrency=1", "--queues", queue, "--hostname", hostname,
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = start_process(args, log, cwd=BASE_DIR, env=env)
    # A client of its own, as the web process would be; the project's app in this test
    # process keeps its embedded broker (its connection pool is shared and cached).
    client = Celery("balise-it-client", broker=redis_url, set_as_current=False)
    try:
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while not _ping(client, hostname):
            if process.poll() is not None:
                pytest.fail(f"the worker exited ({process.returncode}):\n{tail(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"the worker did not answer ping in time:\n{tail(log)}")
        yield {"client": client, "queue": queue, "hostname": hostname, "log": log}
    finally:
        stop_process(process)
        client.close()
        _delete_queue(redis_url, queue)


def _ping(client: Celery, hostname: str) -> bool:
    replies = client.control.ping(destination=[hostname], timeout=0.5)
    return {hostname: {"ok": "pong"}} in replies


def _delete_queue(redis_url: str, queue: str) -> None:
    with Connection(redis_url, connect_timeout=CONNECT_TIMEOUT) as connection:
        bound = Queue(queue, Exchange(queue), routing_key=queue)(connection.default_channel)
        bound.declare()  # kombu forgets bindings it has not declared itself
        bound.delete()


def _session_keys(url: str) -> set[str]:
    with _connect(url) as conn:
        return {key for (key,) in conn.execute("SELECT session_key FROM django_session")}


def test_a_real_worker_runs_a_task_sent_through_redis(celery_worker, worker_database):
    with _connect(worker_database) as conn:
        conn.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) VALUES "
            "('expired-session', 'x', now() - interval '1 day'), "
            "('current-session', 'x', now() + interval '1 day')"
        )
    client = celery_worker["client"]
    assert _ping(client, celery_worker["hostname"])

    # By name, as any producer would: the worker must know the project's task.
    sent = client.send_task(clear_expired_sessions.name, queue=celery_worker["queue"])

    deadline = time.monotonic() + TASK_TIMEOUT
    while "expired-session" in _session_keys(worker_database):
        assert time.monotonic() < deadline, f"the task did not run:\n{tail(celery_worker['log'])}"
        time.sleep(0.2)
    assert _session_keys(worker_database) == {"current-session"}
    # And it was this worker that ran it, once.
    log = celery_worker["log"]
    assert f"Task lms.clear_expired_sessions[{sent.id}] received" in log.read_text()
    deadline = time.monotonic() + 5
    while f"Task lms.clear_expired_sessions[{sent.id}] succeeded" not in log.read_text():
        assert time.monotonic() < deadline, tail(log)
        time.sleep(0.1)
