"""``make bench``: Balise on PostgreSQL at size M, measured scenario by scenario.

Starts a production-like stack on loopback (gunicorn with 2 workers and DEBUG off,
a Celery worker on Redis, an SMTP sink), loads the dataset once (seed_load, kept
in the database ``balise_bench`` and reused while its marker matches), then runs
each scenario alone for ``BENCH_SECONDS`` with 20 users (``tests/perf/scenarios.py``
on the asyncio client of ``tests/perf/loadclient.py``) and reads the CPU time of the
gunicorn workers, of PostgreSQL and of the load generator around it
(``/proc/<pid>/stat``). Every CPU figure is per request, and compared with the floor's
(``/healthz``) of the same run. Then a module is published and the first step pages
after it are measured; last, poised learners complete the step before an automatic
progression point and the delay until their e-mail reaches the SMTP sink is
measured. Prints a table with the targets and writes ``var/bench/latest.md``,
``latest.json`` and ``<size>.json`` (the S -> L growth is printed when both exist).
"""

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script (``python tests/perf/bench.py``)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.perf.loadclient import Result, Sample, percentile, summary  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench"
PY = sys.executable
SIZE = os.environ.get("BENCH_SIZE", "M")
DB_NAME = os.environ.get("BENCH_DB", f"balise_bench{'' if SIZE == 'M' else '_' + SIZE.lower()}")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Free ports unless given: another server (a `make run`) may hold any fixed one.
PORT = int(os.environ.get("BENCH_PORT") or free_port())
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT") or free_port())
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
# Latency phase: the same users, each pausing about this long between pages (a person
# reading), so that p50/p95/p99 measure the service, not the queue of a saturated server.
# 0 measures latencies at saturation instead (the throughput phase).
LATENCY_THINK = float(os.environ.get("BENCH_LATENCY_THINK", "1"))
LATENCY_SECONDS = int(os.environ.get("BENCH_LATENCY_SECONDS", "20"))
USERS = int(os.environ.get("BENCH_USERS", "20"))
EMAILS = int(os.environ.get("BENCH_EMAILS", "40"))
SELECTIONS = int(os.environ.get("BENCH_SELECTIONS", "10"))
COMPUTING_MARK = b'http-equiv="refresh"'  # the page of a selection still being computed
# BENCH_ONLY=step_page,point_email: only these scenarios (the floor always runs), for a
# quick look after a change; the table of record is a full run.
ONLY = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
TICK = os.sysconf("SC_CLK_TCK")
HOST = f"http://127.0.0.1:{PORT}"


@dataclass(frozen=True)
class Target:
    """A limit on one figure of a row: ``value <= limit``. ``size``: the dataset size the
    target is set for; at other sizes the figure is printed against it for information."""

    metric: str
    limit: float
    figure: str  # how the figure reads, e.g. "p95 {value:.0f} ms"
    bound: str  # how the limit reads, e.g. "<= {limit:g} ms"
    size: str | None = None

    def check(self, row: dict) -> bool | None:
        value = row.get(self.metric)
        return None if value is None else value <= self.limit

    def verdict(self, row: dict, size: str) -> str | None:
        ok = self.check(row)
        if ok is None:
            return None
        value = row[self.metric]
        figure = self.figure.format(value=value)
        bound = self.bound.format(limit=self.limit)
        if self.size and self.size != size:
            return f"{figure} (target at {self.size}: {bound})"
        if ok:
            return f"OK {figure} ({bound})"
        over = f"{value / self.limit:.2f} x the limit" if self.limit else f"{value:g} over"
        return f"MISSED {figure} ({bound}; {over})"


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    targets: list[Target] = field(default_factory=list)


NO_ERRORS = Target("errors", 0, "{value:g} errors", "none")


def p95(limit: float, size: str | None = None) -> Target:
    return Target("p95", limit, "p95 {value:.0f} ms", "<= {limit:g} ms", size)


SCENARIOS = [
    Scenario("floor", "floor: GET /healthz", [NO_ERRORS]),
    Scenario(
        "step_page",
        "learner step page (GET)",
        [
            Target("cpu_x_floor", 20, "CPU {value:.1f} x the floor's", "<= {limit:g} x"),
            Target("sql_max", 12, "SQL {value:g} at most", "<= {limit:g}"),
            p95(150),
            NO_ERRORS,
        ],
    ),
    Scenario("complete_step", "complete step (htmx POST)", [p95(200), NO_ERRORS]),
    Scenario("save_answers", "exercise autosave (htmx POST)", [NO_ERRORS]),
    Scenario("dashboard", "learner dashboard /apprendre/", [NO_ERRORS]),
    Scenario("coach_queue", "coach queue with filters", [p95(200), NO_ERRORS]),
    Scenario("learner_file", "learner file (coach)", [NO_ERRORS]),
    # Booking and agenda within the step page's query budget (issue « Sessions that fit »).
    Scenario(
        "booking_page",
        "learner booking page (free slots)",
        [Target("sql_max", 12, "SQL {value:g} at most", "<= {limit:g}"), NO_ERRORS],
    ),
    Scenario(
        "agenda",
        "coach agenda (week, free slots)",
        [Target("sql_max", 12, "SQL {value:g} at most", "<= {limit:g}"), NO_ERRORS],
    ),
    Scenario("manager_dashboard", "manager dashboard /rapports/", [p95(500), NO_ERRORS]),
    Scenario(
        "manager_filters",
        "manager dashboard, a new filter selection each request (page shown)",
        [p95(500, "L"), NO_ERRORS],
    ),
]
PUBLISH_TARGETS = [
    Target("cpu_ratio", 1.3, "CPU {value:.2f} x warm", "<= {limit:g} x"),
    NO_ERRORS,
]
EMAIL_TARGETS = [p95(2000), NO_ERRORS]
SELECTION_TARGETS = [NO_ERRORS]  # printed for information: the page itself has the target
# From S to L (each size's run stores its rows in var/bench/<size>.json).
CONSTANT_SQL = Target("sql_max", 1.0, "SQL max L/S {value:.2f}", "<= {limit:g}: constant")
GROWTH_TARGETS = {
    "coach_queue": [
        Target("cpu", 1.3, "CPU L/S {value:.2f}", "<= {limit:g}"),
        Target("db_cpu", 1.3, "DB CPU L/S {value:.2f}", "<= {limit:g}"),
        CONSTANT_SQL,
    ],
    "step_page": [CONSTANT_SQL],
    "learner_file": [CONSTANT_SQL],
    "booking_page": [CONSTANT_SQL],
    "agenda": [CONSTANT_SQL],
    "manager_dashboard": [CONSTANT_SQL],
}


def env() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SITE_URL": HOST,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "CELERY_BROKER_URL": f"{REDIS}/13",
        "CACHE_URL": f"{REDIS}/12",
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "LOG_LEVEL": "WARNING",
        "BENCH": "1",
        "BENCH_PLAN": str(VAR / "plan.json"),
        "PYTHONUNBUFFERED": "1",
    }


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)  # noqa: T201


def run(*args, check=True, quiet=False, env_extra=None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        args,
        cwd=ROOT,
        env={**env(), **(env_extra or {})},
        check=check,
        text=True,
        capture_output=quiet,
    )


# --- Database ---------------------------------------------------------------------------


def psql(sql: str, database: str = "postgres") -> str:
    result = subprocess.run(  # noqa: S603
        ["psql", f"{PG}/{database}", "-tAc", sql],  # noqa: S607
        check=True,
        text=True,
        capture_output=True,
    )
    return result.stdout.strip()


def ensure_database() -> None:
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'") == "1"  # noqa: S608
    if not exists:
        say(f"creating database {DB_NAME}")
        psql(f'CREATE DATABASE "{DB_NAME}"')
    run(PY, "manage.py", "migrate", "--no-input", "-v", "0")
    start = time.perf_counter()
    result = run(
        PY, "manage.py", "seed_load", "--size", SIZE, "--if-needed", "--force",
        check=False, quiet=True,
    )  # fmt: skip
    if result.returncode != 0:
        say(f"{DB_NAME} holds another dataset: recreating it ({result.stderr.strip()[-200:]})")
        psql(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
        psql(f'CREATE DATABASE "{DB_NAME}"')
        run(PY, "manage.py", "migrate", "--no-input", "-v", "0")
        start = time.perf_counter()
        result = run(PY, "manage.py", "seed_load", "--size", SIZE, "--force", quiet=True)
    print(result.stdout.strip())  # noqa: T201
    if "Already loaded" not in result.stdout:
        say(f"dataset {SIZE} loaded in {time.perf_counter() - start:.1f} s")


# --- SMTP sink ------------------------------------------------------------------------------


class Sink:
    """Records when each message is accepted, by recipient."""

    def __init__(self):
        self.arrivals: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        now = time.time()
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.arrivals.setdefault(rcpt.lower(), []).append(now)
        return "250 OK"


def start_smtp() -> tuple:
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    return controller, sink


# --- Processes ------------------------------------------------------------------------------


def start(*args, log: str) -> subprocess.Popen:
    handle = (VAR / log).open("w")
    return subprocess.Popen(  # noqa: S603
        args, cwd=ROOT, env=env(), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:  # the parent's pid
                found.append(int(entry.name))
    return found


def cpu_by_pid(pids) -> dict[int, float]:
    """CPU seconds (user + system) of each live process among ``pids``."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return found


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two snapshots; processes born meanwhile count from zero."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def host_busy_seconds() -> float:
    """CPU seconds all processes of the machine spent busy (from /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / TICK


def postgres_cpu() -> float:
    """CPU seconds of PostgreSQL: its live processes, plus what the postmaster reaped of
    the backends that exited (their ``cutime``/``cstime``). Counting live backends only
    lost every connection closed during a scenario (two runs read 0.02 ms per request)."""
    total = 0.0
    for pid in postgres_pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += sum(int(value) for value in fields[11:15]) / TICK  # u, s, cu, cs time
    return total


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            timeout = max(2.0, min(60.0, deadline - time.time()))
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"bench: {url} did not answer in {seconds} s (see var/bench/*.log)")


# --- Measurements --------------------------------------------------------------------------


def drain(seconds: float = 300) -> float:
    """Wait until the server has answered every request still queued (a request the
    generator gave up on is still served); return how long that took."""
    start = time.time()
    wait_for(f"{HOST}/healthz", seconds)
    return time.time() - start


def generate(scenario: str, seconds: float, think: float = 0.0, **options) -> dict:
    """Run the load generator in a process of its own (its CPU is then its own) and
    return what it wrote: samples, wall time and its CPU time."""
    out = VAR / f"samples-{scenario}.json"
    out.unlink(missing_ok=True)
    args = [f"--{name}={value}" for name, value in options.items() if value is not None]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run(
        PY, "-m", "tests.perf.scenarios", scenario, f"--port={PORT}", f"--seconds={seconds}",
        f"--users={USERS}", f"--think={think}", f"--out={out}", *args,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    process_cpu = sum(getattr(after, f) - getattr(before, f) for f in ("ru_utime", "ru_stime"))
    # "cpu" counts the driving only; "process_cpu" its start-up (Python, the plan) too.
    return json.loads(out.read_text()) | {"process_cpu": process_cpu}


def measure(name: str, master: int, seconds: float, think: float = 0.0, **options) -> dict:
    """Run one scenario alone; CPU of the gunicorn workers, of PostgreSQL, of the load
    generator, and of every other process of the machine (the Celery worker, other
    people's jobs)."""
    before, db_before = cpu_by_pid(children(master)), postgres_cpu()
    busy_before, wall_before = host_busy_seconds(), time.time()
    generated = generate(name, seconds, think, **options)
    cpu = cpu_delta(before, cpu_by_pid(children(master)))
    db_cpu = postgres_cpu() - db_before
    busy, wall = host_busy_seconds() - busy_before, time.time() - wall_before
    result = Result(
        samples=[Sample(*sample) for sample in generated["samples"]],
        wall_seconds=generated["wall"],
        cpu_seconds=generated["cpu"],
    )
    row = summary(result)
    n = row["requests"]
    return row | {
        "scenario": name,
        "cpu": 1000 * cpu / n if n else None,
        "db_cpu": 1000 * db_cpu / n if n else None,
        # The generator's share of one core while it drove the users.
        "generator_busy": 100 * generated["cpu"] / generated["wall"],
        # Share of the machine's cores used by anything else than gunicorn, PostgreSQL and
        # the generator (the bench's Celery worker, and any other job on the machine).
        "others": 100 * (busy - cpu - db_cpu - generated["process_cpu"]) / (wall * os.cpu_count()),
        "drain_seconds": round(drain(), 1),
    }


def with_latencies(saturated: dict, thinking: dict) -> dict:
    """Throughput, CPU and queries from the saturated phase; latencies from the phase where
    users think between pages; errors of both."""
    return saturated | {
        "saturated_p95": saturated["p95"],
        "p50": thinking["p50"],
        "p95": thinking["p95"],
        "p99": thinking["p99"],
        "errors": saturated["errors"] + thinking["errors"],
        "thinking_requests": thinking["requests"],
    }


def measure_publish(plan: dict, master: int) -> dict:
    """The first step pages after a module's new revision goes live, against the same
    requests once warm: learners of that pathway, each one step page of the module, 20
    at a time."""
    publish = plan["publish"]
    options = {"people": "publish"}
    measure("first_steps", master, 120, **options)  # these pages, warm before the publish
    run(PY, "-m", "tests.perf.publish", str(publish["module"]))
    # Every process sees the new live revision on its next request (pathways/queries.py).
    first = measure("first_steps", master, 120, **options)
    warm = measure("first_steps", master, 120, **options)
    return first | {
        "scenario": "publish",
        "label": f"first step pages after a publish (module {publish['module']})",
        "cpu_ratio": first["cpu"] / warm["cpu"] if warm["cpu"] else None,
        "mean_ratio": first["mean"] / warm["mean"] if warm["mean"] else None,
        "warm_cpu": warm["cpu"],
        "warm_p95": warm["p95"],
        "warm_mean": warm["mean"],
        "errors": first["errors"] + warm["errors"],
    }


def settle_worker(seconds: float = 300) -> float:
    """Drop the tasks still queued (a saturated scenario of new selections asks far more
    of the worker than managers would) and wait until the worker has finished those it
    holds; return how long that took."""
    start = time.time()
    run(PY, "-m", "celery", "-A", "lms", "purge", "-f", "-Q", "celery,reports", quiet=True)
    while time.time() - start < seconds:
        active = run(PY, "-m", "celery", "-A", "lms", "inspect", "active", "--json",
                     check=False, quiet=True)  # fmt: skip
        if active.returncode == 0 and not any(json.loads(active.stdout or "{}").values()):
            break
        time.sleep(1)
    return time.time() - start


def measure_selections(plan: dict, count: int = SELECTIONS) -> dict:
    """A manager exploring: a selection never seen before, then the page reloaded as its
    meta refresh does (every second here) until the figures are shown; the delay runs
    from the first request to the page with the figures."""
    from datetime import date
    from random import Random
    from urllib.parse import urlencode

    from tests.perf.scenarios import report_filters

    manager = plan["manager"]
    rng = Random(4242)
    today = date.fromisoformat(manager["today"])
    headers = {"Cookie": f"sessionid={manager['session']}"}
    delays, looks, errors = [], [], 0
    for _ in range(count):
        url = f"{HOST}/rapports/?{urlencode(report_filters(manager, rng, today))}"
        start, tries = time.time(), 0
        while time.time() - start < 120:
            tries += 1
            try:
                request = urllib.request.Request(url, headers=headers)  # noqa: S310
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    body = response.read()
            except OSError:
                errors += 1
                break
            if COMPUTING_MARK not in body:
                delays.append(time.time() - start)
                looks.append(tries)
                break
            time.sleep(1)
        else:
            errors += 1
    ms = [1000 * d for d in delays]
    return {
        "scenario": "selections",
        "label": "manager dashboard, a new selection until its figures show",
        "requests": count,
        "rps": None,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "errors": errors,
        "sql": None,
        "sql_max": None,
        "cpu": None,
        "db_cpu": None,
        "others": None,
        "looks": looks,
    }


def measure_emails(plan: dict, sink: Sink) -> dict:
    """Poised learners complete the step before an automatic point, 2 per second; the delay
    runs from sending that POST to the SMTP sink accepting the learner's e-mail."""
    people = plan["poised"][:EMAILS]
    sent: dict[str, float] = {}
    errors = 0

    def complete(person) -> bool:
        request = urllib.request.Request(  # noqa: S310
            HOST + person["complete"],
            data=b"",
            method="POST",
            headers={
                "Cookie": f"sessionid={person['session']}; csrftoken={'b' * 32}",
                "X-CSRFToken": "b" * 32,
                "HX-Request": "true",
            },
        )
        sent[person["email"]] = time.time()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status == 200 and "HX-Redirect" in response.headers
        except OSError:  # HTTP errors and time-outs
            return False

    with sink.lock:
        accepted_before = sum(len(times) for times in sink.arrivals.values())
    phase_start = time.time()
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = []
        for person in people:
            futures.append(pool.submit(complete, person))
            time.sleep(0.5)
        errors = sum(1 for f in futures if not f.result())
    deadline = time.time() + 30
    delays = []
    while time.time() < deadline:
        with sink.lock:
            delays = [
                sink.arrivals[email][0] - t0 for email, t0 in sent.items() if email in sink.arrivals
            ]
        if len(delays) == len(sent):
            break
        time.sleep(0.2)
    missing = len(sent) - len(delays)
    ms = [1000 * d for d in delays]
    with sink.lock:
        arrivals = [t for times in sink.arrivals.values() for t in times if t >= phase_start]
    accepted = sum(len(times) for times in sink.arrivals.values()) - accepted_before
    last = max(arrivals, default=phase_start)
    say(
        f"point_email: {accepted} e-mails (learners and coaches) accepted in "
        f"{last - phase_start:.1f} s, i.e. {accepted / max(last - phase_start, 0.001):.1f}/s"
    )
    return {
        "scenario": "point_email",
        "label": "progression point -> e-mail at SMTP",
        "requests": len(sent),
        "rps": None,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "errors": errors + missing,
        "sql": None,
        "sql_max": None,
        "cpu": None,
        "db_cpu": None,
        "others": None,
        "emails_accepted": accepted,
        "emails_seconds": round(last - phase_start, 1),
    }


# --- Report ---------------------------------------------------------------------------------


def verdicts(row: dict, targets: list[Target]) -> str:
    return "; ".join(filter(None, (target.verdict(row, SIZE) for target in targets)))


def fmt(value, digits=0) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


def growth(sizes: dict[str, dict]) -> list[str]:
    """S -> L ratios of the figures that must stay flat, from var/bench/<size>.json."""
    if not {"S", "L"} <= sizes.keys():
        return ["Growth S -> L: run `BENCH_SIZE=S make bench` and `BENCH_SIZE=L make bench`."]
    rows = {size: {r["scenario"]: r for r in sizes[size]["rows"]} for size in ("S", "L")}
    dates = ", ".join(f"{size} {sizes[size]['meta']['date']}" for size in ("S", "L"))
    lines = [f"Growth S -> L (runs of {dates}):", ""]
    for name, targets in GROWTH_TARGETS.items():
        small, large = rows["S"].get(name), rows["L"].get(name)
        if not small or not large:
            continue
        ratios = {
            t.metric: large[t.metric] / small[t.metric]
            for t in targets
            if small.get(t.metric) and large.get(t.metric) is not None
        }
        figures = ", ".join(
            f"{t.metric} {fmt(small.get(t.metric), 1)} -> {fmt(large.get(t.metric), 1)}"
            for t in targets
        )
        lines.append(f"- {name}: {figures}: {verdicts(ratios, targets)}")
    return lines


def report(rows: list[dict], targets: dict, meta: dict, sizes: dict[str, dict]) -> str:
    lines = [
        f"Balise benchmark, size {meta['size']}, {meta['users']} users, "
        f"{meta['seconds']} s per scenario ({meta['date']}, commit {meta['commit']})",
        f"req/s, CPU, SQL and p95 sat.: {meta['users']} users without pause (saturation); "
        f"p50/p95/p99: the same users pausing {meta['think']:g} s on average between pages. "
        "CPU: milliseconds per request; x floor: over the floor's (/healthz) of this run.",
        "",
        "| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | p95 sat. ms | errors "
        "| SQL/req (max) | server CPU ms/req | x floor | DB CPU ms/req | generator CPU ms/req "
        "| others' CPU % | targets |",
        "| --- " + "| ---: " * 13 + "| --- |",
    ]
    for row in rows:
        sql = f"{fmt(row['sql'], 1)} ({fmt(row['sql_max'])})" if row.get("sql") is not None else "–"
        lines.append(
            f"| {row['label']} | {row['requests']} | {fmt(row.get('rps'), 1)} "
            f"| {fmt(row['p50'])} | {fmt(row['p95'])} | {fmt(row['p99'])} "
            f"| {fmt(row.get('saturated_p95'))} | {row['errors']} | {sql} "
            f"| {fmt(row.get('cpu'), 2)} | {fmt(row.get('cpu_x_floor'), 1)} "
            f"| {fmt(row.get('db_cpu'), 2)} | {fmt(row.get('generator_cpu_ms'), 2)} "
            f"| {fmt(row.get('others'))} | {verdicts(row, targets.get(row['scenario'], []))} |"
        )
    missed = [
        r["scenario"] for r in rows if "MISSED" in verdicts(r, targets.get(r["scenario"], []))
    ]
    lines += ["", f"Targets missed: {', '.join(missed) if missed else 'none'}."]
    floor = next((r for r in rows if r["scenario"] == "floor"), None)
    if floor and floor.get("cpu"):
        step = next((r for r in rows if r["scenario"] == "step_page"), None)
        busiest = max((r["generator_busy"] for r in rows if "generator_busy" in r), default=0)
        lines += [
            "",
            f"Load generator: at the floor it used {floor['generator_cpu_ms']:.2f} ms of CPU per "
            f"request against the server's {floor['cpu']:.2f} ms "
            f"({floor['generator_cpu_ms'] / floor['cpu']:.0%}), {floor['generator_busy']:.0f} % "
            f"of one core (at most {busiest:.0f} % in any scenario)"
            + (
                f"; on the step page {step['generator_cpu_ms']:.2f} ms against {step['cpu']:.2f} ms"
                if step and step.get("cpu")
                else ""
            )
            + (
                ": not the bottleneck."
                if busiest < 80
                else ": it was busy most of the time, the floor may be its own."
            ),
        ]
    publish = next((r for r in rows if r["scenario"] == "publish"), None)
    if publish:
        lines += [
            "",
            f"Just after a publish: {publish['requests']} first step pages cost "
            f"{fmt(publish['cpu'], 2)} ms of CPU per request against {fmt(publish['warm_cpu'], 2)} "
            f"once warm (x {fmt(publish['cpu_ratio'], 2)}); mean latency {fmt(publish['mean'])} "
            f"against {fmt(publish['warm_mean'])} ms (x {fmt(publish['mean_ratio'], 2)}), p95 "
            f"{fmt(publish['p95'])} against {fmt(publish['warm_p95'])} ms.",
        ]
    lines += ["", *growth(sizes)]
    return "\n".join(lines)


def main() -> None:
    started = time.time()
    VAR.mkdir(parents=True, exist_ok=True)
    ensure_database()
    run(PY, "manage.py", "collectstatic", "--no-input", "-v", "0")
    run(PY, "-m", "tests.perf.prepare")
    # As autovacuum keeps a live database: without a visibility map (a database just
    # loaded by COPY, rows deleted by prepare), PostgreSQL reads the heap for every row
    # an index-only scan returns, and the coach queue's grows with the whole network.
    started_vacuum = time.perf_counter()
    psql("VACUUM (ANALYZE)", DB_NAME)
    say(f"vacuumed in {time.perf_counter() - started_vacuum:.1f} s")
    plan = json.loads((VAR / "plan.json").read_text())

    import redis

    for db in (12, 13):
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()
    controller, sink = start_smtp()
    # The workers compute off the request path: on this one machine they yield the CPU to
    # the web processes, as workers on their own host or at a lower priority would; the
    # dashboard's computations one at a time, on their own queue (as in production).
    worker = start("nice", "-n", "10", PY, "-m", "celery", "-A", "lms", "worker",
                   "-Q", "celery", "-n", "main@%h", "--concurrency=2",
                   "--loglevel=WARNING", log="celery.log")  # fmt: skip
    reports_worker = start("nice", "-n", "10", PY, "-m", "celery", "-A", "lms", "worker",
                           "-Q", "reports", "-n", "reports@%h", "--concurrency=1",
                           "--loglevel=WARNING", log="celery-reports.log")  # fmt: skip
    web = start(PY, "-m", "gunicorn", "tests.perf.wsgi:application", "--workers", "2",
                "--bind", f"127.0.0.1:{PORT}", log="gunicorn.log")  # fmt: skip
    rows = []
    try:
        wait_for(f"{HOST}/healthz")
        time.sleep(1)
        workers = children(web.pid)
        if web.poll() is not None or len(workers) != 2:
            raise SystemExit("bench: gunicorn did not start 2 workers (var/bench/gunicorn.log)")
        say(f"gunicorn workers {workers}; warming up")
        # Warm-up: every process loads the pathways and step contents it serves, as a
        # server that has been running does, with learners who are not measured afterwards.
        measure("step_page", web.pid, 10, people="warmup")
        for scenario in SCENARIOS:
            if ONLY and scenario.name not in ONLY | {"floor"}:
                continue
            row = measure(scenario.name, web.pid, SECONDS)
            say(
                f"{scenario.name}: {row['rps']:.1f} req/s, saturated p95 {row['p95']:.0f} ms, "
                f"{fmt(row['cpu'], 2)} ms CPU/req (generator {fmt(row['generator_cpu_ms'], 2)})"
                + (f" (drained in {row['drain_seconds']} s)" if row["drain_seconds"] > 1 else "")
            )
            if LATENCY_THINK:
                # Other people than the saturated phase's (offset), so no cache is theirs yet.
                thinking = measure(scenario.name, web.pid, LATENCY_SECONDS, LATENCY_THINK,
                                   offset=100)  # fmt: skip
                row = with_latencies(row, thinking)
                say(f"{scenario.name}: p95 {row['p95']:.0f} ms with {LATENCY_THINK:g} s think time")
            rows.append(row | {"label": scenario.label})
            if scenario.name == "manager_filters":
                say(f"manager_filters: worker settled in {settle_worker():.0f} s")
                if not ONLY or "selections" in ONLY or "manager_filters" in ONLY:
                    rows.append(measure_selections(plan))
                    say(f"selections: figures shown after p95 {rows[-1]['p95']:.0f} ms")
        if not ONLY or "publish" in ONLY:
            rows.append(measure_publish(plan, web.pid))
            say(f"publish: CPU x {fmt(rows[-1]['cpu_ratio'], 2)} of warm")
        if not ONLY or "point_email" in ONLY:
            rows.append(measure_emails(plan, sink))
    finally:
        stop(web)
        stop(worker)
        stop(reports_worker)
        controller.stop()
    floor_cpu = next((r["cpu"] for r in rows if r["scenario"] == "floor"), None)
    for row in rows:
        if floor_cpu and row.get("cpu") is not None:
            row["cpu_x_floor"] = row["cpu"] / floor_cpu
    commit = subprocess.run(  # noqa: S603
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    meta = {
        "size": SIZE,
        "users": USERS,
        "seconds": SECONDS,
        "think": LATENCY_THINK,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "commit": commit,
        "only": sorted(ONLY),
        "total_seconds": round(time.time() - started),
    }
    results = json.dumps({"meta": meta, "rows": rows}, indent=2)
    (VAR / "latest.json").write_text(results)
    if not ONLY:  # a partial run does not replace the size's figures of record
        (VAR / f"{SIZE}.json").write_text(results)
    sizes = {}
    for size in ("S", "M", "L"):
        path = VAR / f"{size}.json"
        if path.exists():
            sizes[size] = json.loads(path.read_text())
    targets = {s.name: s.targets for s in SCENARIOS} | {
        "publish": PUBLISH_TARGETS,
        "point_email": EMAIL_TARGETS,
        "selections": SELECTION_TARGETS,
    }
    table = report(rows, targets, meta, sizes)
    (VAR / "latest.md").write_text(table + "\n")
    print("\n" + table + f"\n\nbench: done in {meta['total_seconds']} s; var/bench/latest.md")  # noqa: T201


if __name__ == "__main__":
    main()
