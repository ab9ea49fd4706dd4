"""Profile one benchmark scenario in-process: ``python -m tests.perf.profiling step_page [N]``.

Runs N GET requests of the scenario through Django's test client against the
benchmark database (the environment of ``make bench``: run ``make bench`` once
first for the plan and the sessions), prints pyinstrument's call tree and the
SQL statements of the last request. ``BENCH_PATCHES=name`` applies an experiment
of ``tests/perf/patches.py`` first, to compare.
"""

import json
import os
import sys
import time

import django


def urls(plan: dict, scenario: str, n: int) -> list[tuple[str, str]]:
    """(session, url) pairs for ``scenario``."""
    learners, coaches = plan["learners"], [c for c in plan["coaches"] if c["requests"]]
    pairs = []
    for i in range(n):
        learner, coach = learners[i % len(learners)], coaches[i % len(coaches)]
        if scenario == "step_page":
            pairs.append((learner["session"], learner["steps"][i % len(learner["steps"])]))
        elif scenario == "dashboard":
            pairs.append((learner["session"], "/apprendre/"))
        elif scenario == "coach_queue":
            pairs.append((coach["session"], "/accompagnement/file/?origin=help"))
        elif scenario == "learner_file":
            pairs.append((coach["session"], coach["requests"][i % len(coach["requests"])]))
        elif scenario == "complete_step":  # POSTs: they change the data (prepare resets it)
            if learner["complete"]:
                pairs.append((learner["session"], learner["complete"].pop(0)))
        elif scenario == "manager_dashboard":
            pairs.append((plan["manager"]["session"], "/rapports/"))
        else:
            raise SystemExit(f"unknown scenario {scenario}")
    return pairs


def fetch(client, url: str):
    if url.endswith("/terminer/"):
        return client.post(url, headers={"HX-Request": "true"})
    return client.get(url)


def main() -> None:
    sys.path.insert(0, os.getcwd())
    from tests.perf.bench import VAR, env

    os.environ.update({k: v for k, v in env().items() if k not in os.environ or k == "DEBUG"})
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    if os.environ.get("BENCH_PATCHES"):
        from tests.perf import patches

        patches.apply(os.environ["BENCH_PATCHES"].split(","))

    scenario = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    plan = json.loads((VAR / "plan.json").read_text())
    pairs = urls(plan, scenario, n)
    client = Client(HTTP_HOST="127.0.0.1")
    for session, url in pairs[:20]:  # warm-up: templates, connections
        client.cookies["sessionid"] = session
        fetch(client, url)
    # Without the profiler first: the CPU time per request, then the profile.
    start_cpu = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        for session, url in pairs:
            client.cookies["sessionid"] = session
            response = fetch(client, url)
            assert response.status_code == 200, (url, response.status_code)  # noqa: S101
    cpu = 1000 * (time.process_time() - start_cpu) / n
    sql = len(queries) / n
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for session, url in pairs:
        client.cookies["sessionid"] = session
        fetch(client, url)
    profiler.stop()
    # PROFILE_FLAT=self|total: a flat list of functions (own time, or time including callees).
    flat = os.environ.get("PROFILE_FLAT")
    print(  # noqa: T201
        profiler.output_text(unicode=True, flat=bool(flat), flat_time=flat or "self")
    )
    with CaptureQueriesContext(connection) as queries:
        fetch(client, pairs[-1][1])
    for query in queries.captured_queries:
        print(f"{query['time']}s  {query['sql'][:300]}")  # noqa: T201
    print(f"{scenario}: {cpu:.1f} ms CPU per request, {sql:.1f} queries per request")  # noqa: T201


if __name__ == "__main__":
    main()
