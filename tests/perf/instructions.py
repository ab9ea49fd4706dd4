"""Instructions per request of one scenario, counted by valgrind: a figure that does not
move with the load of a shared machine, to compare two versions of the code.

    python -m tests.perf.instructions step_page 30

Runs like ``tests/perf/profiling.py`` (the bench database and plan: run ``make bench``
once first): N requests of the scenario through Django's test client, once to warm the
process's caches, then again under callgrind's counting (valgrind starts with counting
off; a tiny C helper, compiled into ``var/bench`` with the machine's gcc, turns it on
and off around the measured requests). Prints millions of instructions per request.
Needs valgrind, its headers and gcc (Debian: valgrind, gcc). Takes about a minute.
"""

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

HELPER_SOURCE = """
#include <valgrind/callgrind.h>
void balise_count_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void balise_count_stop(void) {
  CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS_AT("measured");
}
"""


def helper(var: Path) -> Path:
    library = var / "callgrind_helper.so"
    if not library.exists():
        source = var / "callgrind_helper.c"
        source.write_text(HELPER_SOURCE)
        subprocess.run(  # noqa: S603
            ["gcc", "-O1", "-shared", "-fPIC", "-o", str(library), str(source)],  # noqa: S607
            check=True,
        )
    return library


def measure(scenario: str, n: int, library: Path) -> None:
    """In the valgrind process: warm up, then count the same requests again."""
    import django

    from tests.perf.bench import VAR, env

    os.environ.update({k: v for k, v in env().items() if k not in os.environ or k == "DEBUG"})
    django.setup()
    from django.test import Client

    from tests.perf.profiling import fetch, urls

    counter = ctypes.CDLL(str(library))
    pairs = urls(json.loads((VAR / "plan.json").read_text()), scenario, n)
    client = Client(HTTP_HOST="127.0.0.1")
    for phase in ("warm", "count"):
        if phase == "count":
            counter.balise_count_start()
        for session, url in pairs:
            client.cookies["sessionid"] = session
            response = fetch(client, url)
            assert response.status_code == 200, (url, response.status_code)  # noqa: S101
    counter.balise_count_stop()


def main() -> None:
    sys.path.insert(0, os.getcwd())
    from tests.perf.bench import VAR

    scenario, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30
    library = helper(VAR)
    if os.environ.get("BALISE_UNDER_VALGRIND"):
        measure(scenario, n, library)
        return
    out = VAR / "callgrind"
    out.mkdir(exist_ok=True)
    for old in out.glob("out.*"):
        old.unlink()
    subprocess.run(  # noqa: S603
        ["valgrind", "--tool=callgrind", "--instr-atstart=no",  # noqa: S607
         f"--callgrind-out-file={out}/out.%p", sys.executable, "-m", "tests.perf.instructions",
         scenario, str(n)],
        env={**os.environ, "BALISE_UNDER_VALGRIND": "1"},
        check=True,
        capture_output=True,
    )  # fmt: skip
    dump = next(out.glob("out.*.1"))
    totals = next(line for line in dump.read_text().splitlines() if line.startswith("totals:"))
    per_request = int(totals.split()[1]) / n / 1e6
    print(f"{scenario}: {per_request:.2f} M instructions per request ({n} requests, warm)")  # noqa: T201


if __name__ == "__main__":
    main()
