"""Real services for the integration tests: PostgreSQL, Redis, S3 (``moto_server``).

``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` say where PostgreSQL and Redis are
(``make test-services`` sets both). With ``BALISE_REQUIRE_SERVICES=1`` (``make
test-services``, CI) a service that does not answer fails the run; otherwise the
tests that need it are skipped.

Every process started here has a bounded start-up and is stopped, then killed
if needed, at teardown.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

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
    try:
        with _local_opener.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


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
