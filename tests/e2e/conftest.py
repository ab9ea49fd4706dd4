"""Browser journeys against a live Balise, driven by Debian's Chromium through Playwright.

One Django development server per session, on a free port of 127.0.0.1, with a SQLite
database migrated and seeded with the demo (cached under ``var/e2e/`` while the code
that builds it is unchanged), e-mails written to files (the test mail outbox), Celery
tasks run in the web process. The server's settings are ``tests/e2e/server_settings.py``.

Every person's browser is opened by the ``journey`` fixture: it records every request (and the
test fails on any that leaves the live server; external host names do not even resolve),
and gives the ``Journey`` helpers: axe-core on each page, screenshots at 360x640 and
1280x800 under ``tests/e2e/artifacts/``, and the weight of a page. The figures are printed
at the end of the run (``pytest_terminal_summary``).

Run with ``make e2e``; ``make test`` leaves these tests out (marker ``e2e``).
"""

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .support import (
    ARTIFACTS,
    AXE_VERSION,
    CHROMIUM_ARGS,
    HERE,
    IMPACTS,
    REPO,
    REPORT,
    SERVER_START_TIMEOUT,
    WEIGHT_BUDGET,
    Journey,
    LiveServer,
    free_port,
    seeded_template,
    server_env,
    stop_process,
)

# A loaded machine (other test suites, a cold cache) must not turn a slow page into a failure.
expect.set_options(timeout=10_000)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Everything under tests/e2e is an ``e2e`` test, even without ``pytestmark``."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


# --- The live server -------------------------------------------------------------------


@pytest.fixture(scope="session")
def balise_server(tmp_path_factory) -> LiveServer:
    """``manage.py runserver`` on a copy of the seeded database; stopped at the end."""
    started = time.monotonic()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # this run's screenshots only
    ARTIFACTS.mkdir(parents=True)
    template = seeded_template()
    run_dir = tmp_path_factory.mktemp("balise-e2e")
    shutil.copy2(template / "db.sqlite3", run_dir / "db.sqlite3")
    for suffix in ("-wal", "-shm"):
        if (template / f"db.sqlite3{suffix}").exists():
            shutil.copy2(template / f"db.sqlite3{suffix}", run_dir / f"db.sqlite3{suffix}")
    if (template / "media").exists():
        shutil.copytree(template / "media", run_dir / "media")
    (run_dir / "mail").mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = LiveServer(url=url, run_dir=run_dir, log=run_dir / "server.log")
    with server.log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=REPO,
            env=server_env(run_dir, url),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"The server stopped at start-up:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"The server did not answer in {SERVER_START_TIMEOUT} s:\n{server.log_tail()}"
                )
            time.sleep(0.25)
        REPORT.setup_seconds = time.monotonic() - started
        yield server
    finally:
        stop_process(process)
        shutil.copy2(server.log, ARTIFACTS / "server.log")
    errors = [
        line
        for line in server.log.read_text(errors="replace").splitlines()
        if re.search(r'" 5\d\d \d+$|^Traceback', line)
    ]
    assert not errors, f"The server answered with errors (tests/e2e/artifacts/server.log): {errors}"


# --- The browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium (browsers cannot be downloaded here), headless."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("The browser tests need Debian's `chromium` on PATH (apt install chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": CHROMIUM_ARGS,
        "timeout": 60_000,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, balise_server):
    return {
        **browser_context_args,
        "base_url": balise_server.url,
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "accept_downloads": True,
    }


# --- The report ------------------------------------------------------------------------


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not (REPORT.axe or REPORT.weights or REPORT.requests):
        return
    write = terminalreporter.write_line
    terminalreporter.section("Balise browser journeys: accessibility and weight")
    write(f"Live server ready in {REPORT.setup_seconds:.1f} s.")
    if REPORT.axe:
        write("")
        write(f"axe-core {AXE_VERSION}: rules violated per page (critical/serious fail the run)")
        width = max(len(f"{r.journey} · {r.page}") for r in REPORT.axe)
        write(f"  {'page'.ljust(width)}  crit  seri  mode  mino  rules")
        for result in REPORT.axe:
            name = f"{result.journey} · {result.page}".ljust(width)
            counts = "  ".join(f"{result.counts.get(i, 0):>4}" for i in IMPACTS)
            rules = ", ".join(
                f"{rule}({impact[:4]},{nodes})" for rule, impact, nodes in result.rules
            )
            write(f"  {name}  {counts}  {rules or '-'}")
        totals = {i: sum(r.counts.get(i, 0) for r in REPORT.axe) for i in IMPACTS}
        write(
            f"  {len(REPORT.axe)} pages checked; totals: "
            + ", ".join(f"{i} {totals[i]}" for i in IMPACTS)
        )
    if REPORT.weights:
        write("")
        write(
            f"Weight of the learner step pages (first visit, empty cache, media excluded; "
            f"budget {WEIGHT_BUDGET // 1024} KB)"
        )
        width = max(len(w.page) for w in REPORT.weights)
        for w in REPORT.weights:
            parts = ", ".join(f"{kind} {size / 1024:.1f}" for kind, size in w.by_type.items())
            write(
                f"  {w.page.ljust(width)}  {w.transferred / 1024:6.1f} KB in {w.requests:>2} "
                f"requests ({parts}; {w.media_excluded} media request(s) left out)"
            )
    write("")
    write(
        f"Requests seen: {REPORT.requests}; to another host than the live server: "
        f"{len(REPORT.foreign)}" + (f" {REPORT.foreign[:5]}" if REPORT.foreign else "")
    )
    write(f"Screenshots: {REPORT.screenshots} under {ARTIFACTS.relative_to(REPO)}/")
    for why, requests in REPORT.tolerated.items():
        write(f"KNOWN PRODUCT BUG, tolerated (never sent: external names do not resolve): {why}")
        write(f"  {len(requests)} request(s), e.g. {requests[0]}")
    for note in REPORT.notes:
        write(f"Note: {note}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report.json").write_text(
        json.dumps(
            {
                "axe": [r.__dict__ for r in REPORT.axe],
                "weights": [w.__dict__ for w in REPORT.weights],
                "requests": REPORT.requests,
                "foreign": REPORT.foreign,
            },
            indent=2,
            ensure_ascii=False,
        )
    )


# --- Journeys ------------------------------------------------------------------------------


@pytest.fixture
def journey(balise_server, new_context):
    """``journey(name, **context_args)`` opens a person's browser; all are closed after the
    test, which fails if any request left the live server."""
    foreign_before = len(REPORT.foreign)

    def open_journey(name: str, **kwargs) -> Journey:
        return Journey(name, balise_server, new_context, **kwargs)

    yield open_journey
    foreign = REPORT.foreign[foreign_before:]
    assert not foreign, f"Requests left the live server: {foreign}"


@pytest.fixture(scope="session")
def shared() -> dict:
    """What one journey hands to the next (e.g. the learner the coach meets)."""
    return {}
