"""The bench's scenarios, driven by ``tests/perf/loadclient.py``; ``tests/perf/bench.py``
runs them one at a time in a process of their own:

    python -m tests.perf.scenarios step_page --port 8000 --seconds 20 --users 20 --out x.json

Reads the plan written by ``tests/perf/prepare.py`` (``BENCH_PLAN``): one person per
user (``--people`` picks the pool, ``--offset`` where users start in it, so that each
phase can use other people), with the session cookie prepare.py wrote. Writes the
samples and the generator's own CPU time as JSON.

To add a scenario: write ``(person, rng) -> Request | None`` and list it in ``SCENARIOS``
with the pool of people it needs, then in ``tests/perf/bench.py`` with its targets.
"""

import argparse
import json
import os
import random
from datetime import date, timedelta
from urllib.parse import urlencode

from tests.perf.loadclient import Request, drive

CSRF = "benchcsrfbenchcsrfbenchcsrfbench"  # 32 characters: a valid unmasked CSRF secret


def get(person: dict | None, path: str, htmx: bool = False) -> Request:
    headers = [("Cookie", f"sessionid={person['session']}")] if person else []
    if htmx:
        headers.append(("HX-Request", "true"))
    return Request("GET", path, tuple(headers))


def post(person: dict, path: str, data: dict | None = None) -> Request:
    headers = (
        ("Cookie", f"sessionid={person['session']}; csrftoken={CSRF}"),
        ("X-CSRFToken", CSRF),
        ("HX-Request", "true"),
        ("Content-Type", "application/x-www-form-urlencoded"),
    )
    return Request("POST", path, headers, urlencode(data or {}, doseq=True).encode())


def floor(person, rng):
    return get(None, "/healthz")


def step_page(person, rng):
    return get(person, rng.choice(person["steps"]))


def complete_step(person, rng):
    if person["complete"]:
        return post(person, person["complete"].pop(0))
    return post(person, rng.choice(person["steps"]) + "terminer/")


def save_answers(person, rng):
    exercise = rng.choice(person["exercises"])
    data = {"share_with_coach": "on"}
    for question in exercise["questions"]:
        if question["kind"] == "scale":
            value = str(rng.randint(1, 5))
        elif question["kind"] in ("single_choice", "multiple_choice"):
            value = rng.choice(question["choices"])
        else:
            value = "Notre projet répond à un besoin du quartier. " * rng.randint(1, 4)
        data[f"q_{question['id']}"] = value
    return post(person, exercise["url"], data)


def dashboard(person, rng):
    return get(person, "/apprendre/")


QUEUE_FILTERS = [
    {},
    {"origin": "help"},
    {"modality": "video"},
    {"age": "old"},
    {"age": "week", "origin": "checkpoint"},
]


def coach_queue(person, rng):
    params = dict(rng.choice(QUEUE_FILTERS))
    if rng.random() < 0.4:
        params["departement"] = rng.choice(person["departements"])
    return get(person, f"/accompagnement/file/?{urlencode(params)}")


def learner_file(person, rng):
    return get(person, rng.choice(person["requests"]))


def booking_page(person, rng):
    return get(person, person["booking"])


def agenda(person, rng):
    weeks = rng.choice(["", "?semaine=" + person["next_week"]])
    return get(person, f"/accompagnement/agenda/{weeks}")


def manager_dashboard(person, rng):
    return get(person, "/rapports/")


def report_filters(choices: dict, rng: random.Random, today: date) -> dict:
    """One selection of the dashboard's filters (lms/reports/forms.py): a period, a
    pathway, a département and a type of territory, each present or not."""
    params = {}
    if rng.random() < 0.7:
        start = today - timedelta(days=rng.randint(30, 730))
        params["start"] = start.isoformat()
        if rng.random() < 0.6:
            params["end"] = min(today, start + timedelta(days=rng.randint(7, 365))).isoformat()
    if rng.random() < 0.6:
        params["pathway"] = rng.choice(choices["pathways"])
    if rng.random() < 0.5:
        params["departement"] = rng.choice(choices["departements"])
    if rng.random() < 0.4:
        params["area_type"] = rng.choice(choices["area_types"])
    return params


def manager_filters(person, rng):
    """A selection no earlier request of the run used: each one misses the figures' cache
    (kept per filter set), as a manager exploring the data does."""
    seen = person.setdefault("seen", set())
    today = date.fromisoformat(person["today"])
    while True:
        params = report_filters(person, rng, today)
        key = tuple(sorted(params.items()))
        if key not in seen:
            seen.add(key)
            return get(person, f"/rapports/?{urlencode(params)}")


def first_steps(person, rng):
    """One step page of the published module (see bench.measure_publish)."""
    return get(person, person["steps"][0])


# scenario -> (the plan's pool of people it needs by default, the request maker)
SCENARIOS = {
    "floor": ("learners", floor),
    "step_page": ("learners", step_page),
    "complete_step": ("learners", complete_step),
    "save_answers": ("learners", save_answers),
    "dashboard": ("learners", dashboard),
    "coach_queue": ("coaches", coach_queue),
    "learner_file": ("coaches", learner_file),
    "booking_page": ("bookers", booking_page),
    "agenda": ("coaches", agenda),
    "manager_dashboard": ("manager", manager_dashboard),
    "manager_filters": ("manager", manager_filters),
    "first_steps": ("publish", first_steps),
}


def users(plan: dict, scenario: str, count: int, offset: int, people: str | None, seed: int):
    """One request maker per user, each with its own copy of a person of the pool (the
    manager is shared: one person, many tabs)."""
    default, make = SCENARIOS[scenario]
    pool_name = people or default
    if pool_name == "publish":  # each learner of the cohort once, whichever user is free
        queue = list(plan["publish"]["learners"])
        rng = random.Random(seed)

        def next_learner():
            return make(queue.pop(0), rng) if queue else None

        return [next_learner] * count
    if pool_name == "manager":
        pool = [plan["manager"]]
    else:
        pool = plan[pool_name]
        if pool_name == "coaches":
            pool = [c for c in pool if c["requests"]] or pool
    shared = json.loads(json.dumps(plan["manager"])) if pool_name == "manager" else None
    makers = []
    for number in range(count):
        person = shared or json.loads(json.dumps(pool[(offset + number) % len(pool)]))
        rng = random.Random(seed * 1000 + number)
        makers.append(lambda person=person, rng=rng: make(person, rng))
    return makers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--think", type=float, default=0.0)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--people", help="the plan's pool of people (default: the scenario's)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    plan = json.loads(open(os.environ.get("BENCH_PLAN", "var/bench/plan.json")).read())  # noqa: SIM115
    makers = users(plan, args.scenario, args.users, args.offset, args.people, args.offset + 1)
    result = drive(makers, port=args.port, seconds=args.seconds, think=args.think, seed=args.offset)
    samples = [[s.start, s.ms, s.status, s.queries] for s in result.samples]
    with open(args.out, "w") as out:
        json.dump({"samples": samples, "wall": result.wall_seconds, "cpu": result.cpu_seconds}, out)


if __name__ == "__main__":
    main()
