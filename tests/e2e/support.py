"""What the browser journeys share: the live server's making, the run's report, and
``Journey`` (a person's browser with axe-core, screenshots and the request guard).

The fixtures and hooks that use them are in ``conftest.py``.
"""

import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
SEED_CACHE = REPO / "var" / "e2e"
SEED_MAX_AGE = 12 * 3600  # seconds; the demo data has dates relative to "now"

COMMAND_TIMEOUT = 300  # migrate, seed_demo
SERVER_START_TIMEOUT = 90
SERVER_STOP_TIMEOUT = 10

SMALL = {"width": 360, "height": 640}
LARGE = {"width": 1280, "height": 800}
WEIGHT_BUDGET = 100 * 1024  # bytes, media excluded

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
    # Nothing but the live server resolves: a stray request can never reach the internet.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

DEMO_PASSWORD = "balise-demo"


# --- The live server -------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    run_dir: Path
    log: Path

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc

    @property
    def mail_dir(self) -> Path:
        return self.run_dir / "mail"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(run_dir: Path, site_url: str = "http://127.0.0.1") -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        # The developer's configuration must not leak into the throw-away server.
        if not key.startswith(("DATABASE_URL", "EMAIL_URL", "CELERY_", "AWS_", "CACHE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.e2e.server_settings",
        BALISE_E2E_DIR=str(run_dir),
        DATABASE_URL=f"sqlite:///{run_dir / 'db.sqlite3'}",
        DEBUG="1",
        SITE_URL=site_url,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(args: list[str], env: dict, log: Path) -> None:
    with log.open("a") as out:
        out.write(f"\n$ manage.py {' '.join(args)}\n")
        out.flush()
        completed = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    if completed.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        pytest.fail(f"manage.py {' '.join(args)} failed ({completed.returncode}):\n{tail}")


def seed_fingerprint() -> str:
    """What the seeded database depends on: the apps' code (models, migrations, demo),
    the demo assets, the server settings and the locked dependencies."""
    digest = hashlib.sha256()
    roots = [REPO / "lms", REPO / "pathways"]
    files = sorted(
        path
        for root in roots
        for path in root.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and (path.suffix in (".py", ".yaml") or "assets" in path.parts)
    )
    files += [HERE / "server_settings.py", REPO / "uv.lock"]
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def seeded_template() -> Path:
    """A migrated database with the demo loaded, and its media files; built once per
    fingerprint (about a minute), reused while it is fresh. ``BALISE_E2E_FRESH=1``
    rebuilds it."""
    key = seed_fingerprint()
    template = SEED_CACHE / f"seed-{key}"
    marker = template / "ready"
    fresh = marker.exists() and time.time() - marker.stat().st_mtime < SEED_MAX_AGE
    if fresh and not os.environ.get("BALISE_E2E_FRESH"):
        REPORT.notes.append(f"demo database reused from {template.relative_to(REPO)}")
        return template
    SEED_CACHE.mkdir(parents=True, exist_ok=True)
    building = SEED_CACHE / f"building-{key}-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    env = server_env(building)
    log = building / "seed.log"
    started = time.monotonic()
    manage(["migrate", "--no-input"], env, log)
    manage(["seed_demo"], env, log)
    shutil.rmtree(building / "mail", ignore_errors=True)
    took = time.monotonic() - started
    (building / "ready").write_text(f"built in {took:.0f} s\n")
    REPORT.notes.append(f"demo database migrated and seeded in {took:.0f} s (cached for next runs)")
    for old in SEED_CACHE.glob("seed-*"):
        shutil.rmtree(old, ignore_errors=True)
    for old in SEED_CACHE.glob("building-*"):  # left by an interrupted run
        if old != building and time.time() - old.stat().st_mtime > 3600:
            shutil.rmtree(old, ignore_errors=True)
    with contextlib.suppress(OSError):  # another run may have just built the same one
        building.rename(template)
    if not marker.exists():
        return building
    shutil.rmtree(building, ignore_errors=True)
    return template


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=SERVER_STOP_TIMEOUT)


# --- What the run measured, printed at the end ---------------------------------------------


@dataclass
class AxeResult:
    journey: str
    page: str
    url: str
    counts: dict  # impact -> number of violated rules
    rules: list  # (rule id, impact, nodes)


@dataclass
class Weight:
    journey: str
    page: str
    transferred: int  # bytes, media excluded
    requests: int
    media_excluded: int  # requests for audio/video left out
    by_type: dict


@dataclass
class Report:
    setup_seconds: float = 0.0
    axe: list = field(default_factory=list)
    weights: list = field(default_factory=list)
    requests: int = 0
    foreign: list = field(default_factory=list)
    screenshots: int = 0
    notes: list = field(default_factory=list)
    tolerated: dict = field(default_factory=dict)  # known product bug -> requests


REPORT = Report()
IMPACTS = ["critical", "serious", "moderate", "minor"]
BLOCKING = {"critical", "serious"}


# --- Journeys ------------------------------------------------------------------------------

AXE_SOURCE = AXE_JS.read_text() if AXE_JS.exists() else ""
_version = re.search(r'version:\s*"([\d.]+)"|axe v([\d.]+)', AXE_SOURCE[:2000])
AXE_VERSION = next((g for g in _version.groups() if g), "?") if _version else "?"


class Journey:
    """One person's path through the site: their browser context and pages, axe-core on
    each page, screenshots, weights. Created by the ``journey`` fixture."""

    def __init__(self, name, server: LiveServer, new_context, *, tolerate=None, **context_args):
        self.name = name
        # {host: why}: requests to a host of a known, reported product bug; they are
        # counted and printed, never sent (external names do not resolve).
        self.tolerate = tolerate or {}
        self.server = server
        self._new_context = new_context
        self.context_args = context_args
        self.context = self._open(**context_args)
        self.page = self.context.new_page()
        self.axe_failures: list[str] = []
        self._shots = 0

    def _open(self, **kwargs):
        context = self._new_context(**{"viewport": LARGE, **kwargs})
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(30_000)
        context.on("request", self._check_request)
        return context

    def _check_request(self, request) -> None:
        REPORT.requests += 1
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.server.netloc:
            if parts.hostname in self.tolerate:
                why = self.tolerate[parts.hostname]
                REPORT.tolerated.setdefault(why, []).append(f"{self.name}: {request.url}")
            else:
                REPORT.foreign.append(f"{self.name}: {request.url}")

    def new_page(self, **kwargs):
        """Another context with the same person's cookies (e.g. an empty cache)."""
        state = self.context.storage_state()
        context = self._open(**{**self.context_args, **kwargs, "storage_state": state})
        return context.new_page()

    # Accessibility ---------------------------------------------------------------------

    def axe(self, label: str, page=None, *, enforce: bool = True) -> AxeResult:
        """Run axe-core on the page as it is; serious and critical violations are
        collected (``assert_accessible`` fails on them) unless ``enforce`` is off (pages
        that are not Balise's own, e.g. the Wagtail admin: reported only)."""
        page = page or self.page
        if not AXE_SOURCE:
            pytest.fail(f"{AXE_JS} is missing: run `npm ci` (make e2e does).")
        page.wait_for_load_state("load")
        if not page.evaluate("() => Boolean(window.axe)"):
            # Evaluated by the browser's debugging protocol: no <script>, no eval(), so a
            # Content-Security-Policy on the page does not get in the way.
            page.evaluate(f"{AXE_SOURCE}\n;void 0")
        violations = page.evaluate(
            """async () => {
                const results = await axe.run(document, {resultTypes: ["violations"]});
                return results.violations.map(v => ({
                    id: v.id, impact: v.impact || "minor", help: v.help,
                    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
                    nodes: v.nodes.length}));
            }"""
        )
        counts: dict = {}
        for violation in violations:
            counts[violation["impact"]] = counts.get(violation["impact"], 0) + 1
            if enforce and violation["impact"] in BLOCKING:
                self.axe_failures.append(
                    f"{self.name} · {label} ({page.url}): {violation['id']} "
                    f"[{violation['impact']}] {violation['help']} on {violation['targets']}"
                )
        result = AxeResult(
            self.name if enforce else f"{self.name} (not asserted)",
            label,
            page.url.replace(self.server.url, ""),
            counts,
            [(v["id"], v["impact"], v["nodes"]) for v in violations],
        )
        REPORT.axe.append(result)
        return result

    def assert_accessible(self) -> None:
        assert not self.axe_failures, "axe-core: serious or critical violations:\n" + "\n".join(
            self.axe_failures
        )

    def assert_fits(self, label: str, page=None) -> None:
        """Nothing wider than the viewport (no horizontal scrolling on a small phone)."""
        page = page or self.page
        overflow = page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                const over = document.documentElement.scrollWidth - width;
                const culprits = over <= 1 ? [] : [...document.querySelectorAll("body *")]
                    .filter(e => e.getBoundingClientRect().right > width + 1
                                 || e.scrollWidth > e.clientWidth + 1)
                    .slice(-5)
                    .map(e => `<${e.tagName.toLowerCase()} class="${e.className}">`
                              + ` ${(e.textContent || "").trim().slice(0, 60)}`);
                return {over, culprits};
            }"""
        )
        assert overflow["over"] <= 1, (
            f"{self.name} · {label} ({page.url}): {overflow['over']}px wider than the screen, "
            f"because of {overflow['culprits']}"
        )

    # Weight ---------------------------------------------------------------------------------

    def weigh(self, label: str, url: str) -> Weight:
        """What a first visit of ``url`` transfers (headers and bodies as sent on the wire,
        from the browser's network events), in a new context with this person's cookies
        and an empty cache; audio and video are left out (``preload="none"`` anyway)."""
        page = self.new_page()
        finished = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(url), f"{url} redirected to {page.url}"
        transferred = media = 0
        by_type: dict = {}
        for request in finished:
            response = request.response()
            content_type = (response.header_value("content-type") or "") if response else ""
            if request.resource_type == "media" or content_type.startswith(("audio/", "video/")):
                media += 1
                continue
            sizes = request.sizes()
            size = sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0)
            transferred += size
            by_type[request.resource_type] = by_type.get(request.resource_type, 0) + size
        by_type = dict(sorted(by_type.items(), key=lambda item: -item[1]))
        page.context.close()
        weight = Weight(self.name, label, transferred, len(finished) - media, media, by_type)
        REPORT.weights.append(weight)
        return weight

    # Screenshots -------------------------------------------------------------------------

    def shot(self, label: str, page=None, *, fits: bool = False) -> None:
        """Full-page screenshots at 360x640 and 1280x800 (the viewport is restored); with
        ``fits``, the page must not be wider than the small screen."""
        page = page or self.page
        self._shots += 1
        folder = ARTIFACTS / self.name
        folder.mkdir(parents=True, exist_ok=True)
        original = page.viewport_size
        ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_label.lower()).strip("-")
        try:
            for size in (SMALL, LARGE):
                page.set_viewport_size(size)
                if fits and size == SMALL:
                    self.assert_fits(label, page)
                name = f"{self._shots:02d}-{slug}-{size['width']}x{size['height']}.png"
                page.screenshot(path=folder / name, full_page=True, animations="disabled")
                REPORT.screenshots += 1
        finally:
            if original:
                page.set_viewport_size(original)

    def look(self, label: str, page=None, *, fits: bool = True) -> None:
        """A key screen of Balise: axe-core, screenshots at both sizes, and no horizontal
        scrolling on a 360 px wide phone."""
        self.axe(label, page)
        self.shot(label, page, fits=fits)

    # Mail ---------------------------------------------------------------------------------

    def mail_to(self, address: str, subject_contains: str = "", timeout: float = 10) -> str:
        """The newest e-mail to ``address`` in the server's outbox (file backend)."""
        return read_mail(self.server, address, subject_contains, timeout)


def read_mail(server: LiveServer, address: str, subject_contains: str = "", timeout=10.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        messages = []
        for path in sorted(server.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            for message in path.read_text(errors="replace").split("-" * 79):
                headers = message.strip().split("\n\n", 1)[0]
                if re.search(rf"^To: .*{re.escape(address)}", headers, re.M | re.I) and (
                    subject_contains in _decoded_subject(headers)
                ):
                    messages.append(message)
        if messages:
            return messages[-1]
        if time.monotonic() > deadline:
            pytest.fail(f"No e-mail to {address} ({subject_contains!r}) in {server.mail_dir}")
        time.sleep(0.2)


def _decoded_subject(headers: str) -> str:
    from email.header import decode_header, make_header

    match = re.search(r"^Subject: (.*(?:\n[ \t].*)*)", headers, re.M)
    if not match:
        return ""
    return str(make_header(decode_header(match.group(1).replace("\n", ""))))


def login_code(mail: str) -> str:
    """The one-time code of an allauth e-mail (e.g. ``RVWJ-HZJW``)."""
    match = re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]{4,})*)\s*$", mail.split("\n\n", 1)[1], re.M)
    assert match, f"No code in the e-mail:\n{mail}"
    return match.group(1)


class Autosaves:
    """Wagtail's autosaves of a page's form (background POSTs asking for JSON, 0.5 s after
    a change). Saving explicitly while one is in flight can let it land last, on a slow
    server, and leave its older content as the draft: ``settle()`` waits until none is
    in flight and the form has been quiet for longer than the autosave's delay."""

    def __init__(self, page):
        self.page = page
        self.pending: set = set()
        self.last = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    @staticmethod
    def _is_autosave(request) -> bool:
        return (
            request.method == "POST"
            and "application/json" in (request.headers.get("accept") or "")
            and re.search(r"/admin/pages/(add/[^?]*|\d+/edit/)$", request.url) is not None
        )

    def _started(self, request) -> None:
        if self._is_autosave(request):
            self.pending.add(request)
            self.last = time.monotonic()

    def _ended(self, request) -> None:
        if request in self.pending:
            self.pending.discard(request)
            self.last = time.monotonic()

    def settle(self, quiet: float = 5.0) -> None:
        deadline = time.monotonic() + 30
        while self.pending or time.monotonic() - self.last < quiet:
            assert time.monotonic() < deadline, "Wagtail's autosave did not settle"
            self.page.wait_for_timeout(250)
