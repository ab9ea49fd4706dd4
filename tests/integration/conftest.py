"""Real services for the integration tests: PostgreSQL, Redis, S3 (``moto_server``).

``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` say where PostgreSQL and Redis are
(``make test-services`` sets both). With ``BALISE_REQUIRE_SERVICES=1`` (``make
test-services``, CI) a service that does not answer fails the run; otherwise the
tests that need it are skipped.

Every process started here has a bounded start-up and is stopped, then killed
if needed, at teardown.
"""

import asyncio
import contextlib
import email
import email.policy
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import redis

REQUIRED = os.environ.get("BALISE_REQUIRE_SERVICES") == "1"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/balise")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CONNECT_TIMEOUT = 3


def _postgres_error(url: str) -> str | None:
    # The server answers when its maintenance database accepts a connection
    # (the database named in the URL may not exist yet: pytest-django creates its own).
    try:
        with psycopg.connect(url, dbname="postgres", connect_timeout=CONNECT_TIMEOUT) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL does not answer at {url}: {error}".strip()
    return None


def _redis_error(url: str) -> str | None:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return f"Redis does not answer at {url}: {error}"
    finally:
        client.close()
    return None


def _unavailable(message: str):
    if REQUIRED:
        pytest.fail(f"{message} (BALISE_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session", autouse=True)
def _required_services():
    """With BALISE_REQUIRE_SERVICES=1, every service must answer before any test runs."""
    if REQUIRED:
        errors = [
            error
            for error in (_postgres_error(TEST_DATABASE_URL), _redis_error(TEST_REDIS_URL))
            if error
        ]
        if errors:
            pytest.fail("; ".join(errors), pytrace=False)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    error = _postgres_error(TEST_DATABASE_URL)
    if error:
        _unavailable(error)
    return TEST_DATABASE_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    error = _redis_error(TEST_REDIS_URL)
    if error:
        _unavailable(error)
    return TEST_REDIS_URL


# --- Figures ------------------------------------------------------------------------
# Counts and timings the tests measure: printed where they are measured (visible with -s)
# and again in a section at the end of the run.

FIGURES: list[str] = []


def report(line: str) -> None:
    sys.stdout.write(f"\n{line}\n")
    FIGURES.append(line)


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("integration figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


# --- Processes ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_process(args: list[str], log: Path, **kwargs) -> subprocess.Popen:
    """Start ``args`` in a process group of its own, output to ``log``."""
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603 - arguments built by the tests
            args, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """Ask the process to stop (SIGTERM), kill its group after ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    # The group is the one start_process created: it holds only this process and its children.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=5)


def tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


# Local addresses only: a proxy configured in the environment must not be used.
_local_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    """GET ``url`` without credentials; (status, body) for success and HTTP errors alike."""
    status, _headers, body = http_fetch(url, timeout=timeout)
    return status, body


def http_fetch(
    url: str, headers: dict[str, str] | None = None, timeout: float = 5
) -> tuple[int, dict[str, str], bytes]:
    """GET ``url`` with ``headers``; (status, response headers, body), HTTP errors included."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - local URLs
    try:
        with _local_opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    """An S3-compatible server on 127.0.0.1 (moto_server), for the whole session."""
    moto_server = Path(sys.executable).parent / "moto_server"
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    endpoint = f"http://127.0.0.1:{port}"
    process = start_process([str(moto_server), "-H", "127.0.0.1", "-p", str(port)], log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"moto_server exited ({process.returncode}):\n{tail(log)}")
            try:
                http_get(f"{endpoint}/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not answer within 30s:\n{tail(log)}")
                time.sleep(0.2)
        yield endpoint
    finally:
        stop_process(process, timeout=5)


# --- A Redis of our own -------------------------------------------------------------------
# The machine's Redis is shared and must never be stopped: tests that take the broker
# down, or that need a queue nobody else consumes, start a throwaway redis-server.


class ThrowawayRedis:
    """``redis-server`` on a free port of 127.0.0.1, no persistence; ``stop()`` and
    ``start()`` it again on the same port (a restarted Redis is empty, as after a crash)."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 10) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            _unavailable("redis-server is not installed")
        self.starts += 1
        args = [
            binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.directory),
        ]  # fmt: skip
        log = self.directory / f"redis-{self.starts}.log"
        self.process = start_process(args, log)
        deadline = time.monotonic() + timeout
        while _redis_error(self.url) is not None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start:\n{tail(log)}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=5)
            self.process = None


@pytest.fixture
def own_redis(tmp_path):
    """A throwaway Redis for this test, stopped at teardown (even if the test stopped it)."""
    directory = tmp_path / "redis"
    directory.mkdir()
    server = ThrowawayRedis(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- An SMTP sink ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    sender: str
    recipients: tuple[str, ...]
    subject: str
    message_id: str
    headers: dict[str, str] = field(hash=False, compare=False)


class SmtpSink:
    """Keeps every message an SMTP client hands over (accepted after DATA).

    ``rcpt_delay`` seconds are spent before answering each RCPT TO: a client killed
    meanwhile has not handed its message over, so nothing is counted for it.
    ``rcpt_started`` counts the RCPT commands seen (one per single-recipient message),
    ``rcpt_addresses`` lists their addresses in order.
    """

    def __init__(self):
        self.messages: list[ReceivedMail] = []
        self.rcpt_started = 0
        self.rcpt_addresses: list[str] = []
        self.rcpt_delay = 0.0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self._lock:
            self.rcpt_started += 1
            self.rcpt_addresses.append(address)
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        received = ReceivedMail(
            sender=envelope.mail_from,
            recipients=tuple(envelope.rcpt_tos),
            subject=str(message["Subject"]),
            message_id=str(message["Message-ID"]),
            headers={key: str(value) for key, value in message.items()},
        )
        with self._lock:
            self.messages.append(received)
        return "250 Message accepted for delivery"

    def received(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, count: int, timeout: float, log: Path | None = None) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        while len(self.received()) < count:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{len(self.received())}/{count} messages reached the SMTP sink in "
                    f"{timeout}s" + (f":\n{tail(log)}" if log else "")
                )
            time.sleep(0.05)
        return self.received()


@pytest.fixture
def smtp_sink():
    """An SMTP server on 127.0.0.1 in this process (aiosmtpd); ``url`` is its EMAIL_URL."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.url = f"smtp://127.0.0.1:{port}"
    try:
        yield sink
    finally:
        controller.stop()


# --- Processes of Balise in production mode ----------------------------------------------


def production_env(**variables: str) -> dict[str, str]:
    """The environment of a production process (DEBUG off, secrets set), no ``.env``."""
    from tests.settings_probe import clean_env

    return clean_env(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost,127.0.0.1,testserver",
        PYTHONUNBUFFERED="1",
        **variables,
    )


def database_url_of(settings_dict: dict) -> str:
    """A DATABASE_URL for a Django PostgreSQL connection's settings (the test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password, safe='')}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


class Worker:
    """``celery -A lms worker`` in its own process group, started by ``start_worker``."""

    def __init__(self, process: subprocess.Popen, hostname: str, log: Path):
        self.process, self.hostname, self.log = process, hostname, log

    def kill(self) -> None:
        """SIGKILL the whole group (main process and pool children): no warm shutdown."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=5)

    def stop(self) -> None:
        stop_process(self.process)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def worker_ping(client, hostname: str) -> bool:
    """Whether the worker answers; False too when the broker connection is lost (the
    next call connects again)."""
    from kombu.exceptions import OperationalError

    try:
        replies = client.control.ping(destination=[hostname], timeout=0.5)
    except (OperationalError, redis.RedisError, OSError):
        time.sleep(0.2)
        return False
    return {hostname: {"ok": "pong"}} in replies


def start_worker(
    client, env: dict[str, str], log: Path, concurrency: int = 1, timeout: float = 45
) -> Worker:
    """Start a worker consuming the default queue of ``env``'s broker; return once it
    answers ``client.control.ping``. The caller stops it (``Worker.stop``)."""
    from tests.settings_probe import BASE_DIR

    hostname = f"balise-it-{secrets.token_hex(4)}@localhost"
    args = [
        sys.executable, "-m", "celery", "-A", "lms", "worker", "--loglevel=INFO",
        "--queues", "celery,reports", f"--concurrency={concurrency}", "--hostname", hostname,
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = start_process(args, log, cwd=BASE_DIR, env=env)
    worker = Worker(process, hostname, log)
    deadline = time.monotonic() + timeout
    try:
        while not worker_ping(client, hostname):
            if process.poll() is not None:
                pytest.fail(f"the worker exited ({process.returncode}):\n{tail(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"the worker did not answer ping in {timeout}s:\n{tail(log)}")
    except BaseException:
        worker.stop()
        raise
    return worker


class NotificationStack:
    """Balise's delivery path on real services: the test database (transactional tests
    commit, so other processes see the rows), a throwaway Redis as the broker, an SMTP
    sink, and workers started on demand (``start_worker``), all stopped by ``close``."""

    def __init__(self, redis_server: ThrowawayRedis, sink: SmtpSink, directory: Path):
        from celery import Celery
        from django.db import connection

        self.redis = redis_server
        self.sink = sink
        self.directory = directory
        self.database_url = database_url_of(connection.settings_dict)
        # A client of its own, as the web process would be; the project's app in the
        # test process keeps its embedded broker.
        self.client = Celery("balise-it-client", broker=redis_server.url, set_as_current=False)
        self.workers: list[Worker] = []

    def env_vars(self, **extra: str) -> dict[str, str]:
        """The variables of a production web or worker process on these services."""
        return {
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": self.redis.url,
            "EMAIL_URL": self.sink.url,
            "EMAIL_TIMEOUT": "10",
            # The sweeper takes rows older than this; claims still expire after CLAIM_TIMEOUT.
            "NOTIFICATIONS_SWEEP_AFTER": "1",
            **extra,
        }

    def start_worker(self, concurrency: int = 1, **extra: str) -> Worker:
        """A worker on these services; ``extra`` adds or overrides environment variables."""
        log = self.directory / f"worker-{len(self.workers) + 1}.log"
        env = production_env(**self.env_vars(**extra))
        worker = start_worker(self.client, env, log, concurrency)
        self.workers.append(worker)
        return worker

    def send(self, task_name: str, *args) -> None:
        """Send a task by name to the default queue, as any producer (web, beat) would."""
        self.client.send_task(task_name, args=args)

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.client.close()


@pytest.fixture
def notification_stack(transactional_db, own_redis, smtp_sink, tmp_path):
    stack = NotificationStack(own_redis, smtp_sink, tmp_path)
    try:
        yield stack
    finally:
        stack.close()


# --- S3 (moto_server) as the default storage ---------------------------------------------

S3_REGION = "eu-west-3"
S3_ACCESS_KEY = "balise-test-key"
S3_SECRET_KEY = "balise-test-secret"


def use_s3_storage(settings, endpoint: str, monkeypatch, tmp_path, **overrides):
    """Make the default storage S3 on ``endpoint`` as ``lms/settings.py`` configures it
    (read in a settings subprocess), then apply ``overrides`` (AWS_* settings); return
    ``(storage, bucket_name, production values)``. The bucket is not created."""
    from django.core.files.storage import storages

    from tests.settings_probe import settings_snapshot

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    bucket = f"balise-it-{secrets.token_hex(4)}"
    values = settings_snapshot(
        DEBUG="1",
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME=S3_REGION,
        AWS_ACCESS_KEY_ID=S3_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=S3_SECRET_KEY,
    )
    for name, value in {**values, **overrides}.items():
        if name.startswith(("AWS_", "WAGTAILDOCS_")):
            setattr(settings, name, value)
    # Last: changing STORAGES makes Django build the storage again, with the values above.
    settings.STORAGES = {**settings.STORAGES, "default": values["STORAGES"]["default"]}
    return storages["default"], bucket, values


class S3Bucket:
    def __init__(self, endpoint: str, name: str):
        import boto3

        self.name = name
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=S3_REGION,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
        )

    def create(self) -> "S3Bucket":
        self.client.create_bucket(
            Bucket=self.name, CreateBucketConfiguration={"LocationConstraint": S3_REGION}
        )
        return self

    def delete(self) -> None:
        for item in self.client.list_objects_v2(Bucket=self.name).get("Contents", []):
            self.client.delete_object(Bucket=self.name, Key=item["Key"])
        self.client.delete_bucket(Bucket=self.name)
