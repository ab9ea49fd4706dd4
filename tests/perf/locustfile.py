"""Locust scenarios of the benchmark; ``tests/perf/bench.py`` runs them one at a time.

Environment: ``BENCH_SCENARIO`` (a key of ``SCENARIOS``), ``BENCH_PLAN`` (the JSON
written by ``tests/perf/prepare.py``), ``BENCH_OUT`` (where to write the samples:
one ``[milliseconds, ok, sql queries]`` per request). Users have no think time
unless ``BENCH_THINK`` is set: 20 users keep 20 requests in flight, which measures
capacity, and latency is then about 20 / throughput.

To add a scenario: write a function ``(user) -> None`` making one request with
``user.get`` / ``user.post``, add it to ``SCENARIOS``, and list it in
``tests/perf/bench.py`` with its targets.
"""

import itertools
import json
import os
import random

from locust import HttpUser, between, constant, events, task

PLAN = json.loads(open(os.environ.get("BENCH_PLAN", "var/bench/plan.json")).read())  # noqa: SIM115
SCENARIO = os.environ.get("BENCH_SCENARIO", "floor")
CSRF = "benchcsrfbenchcsrfbenchcsrfbench"  # 32 characters: a valid unmasked CSRF secret
SAMPLES: list[list] = []
# BENCH_OFFSET: where users start in the plan's people (each phase of a scenario its own).
_numbers = itertools.count(int(os.environ.get("BENCH_OFFSET") or 0))


def bare(user):
    user.get("/bench/bare", name="/bench/bare", anonymous=True)


def floor(user):
    user.get("/healthz", name="/healthz", anonymous=True)


def step_page(user):
    user.get(random.choice(user.person["steps"]), name="step page")


def complete_step(user):
    targets = user.person["complete"] or user.person["steps"]
    url = targets.pop(0) if user.person["complete"] else random.choice(targets) + "terminer/"
    user.post(url, name="complete step", htmx=True)


def save_answers(user):
    exercise = random.choice(user.person["exercises"])
    data = {"share_with_coach": "on"}
    for question in exercise["questions"]:
        if question["kind"] == "scale":
            value = str(random.randint(1, 5))
        elif question["kind"] in ("single_choice", "multiple_choice"):
            value = random.choice(question["choices"])
        else:
            value = "Notre projet répond à un besoin du quartier. " * random.randint(1, 4)
        data[f"q_{question['id']}"] = value
    user.post(exercise["url"], name="save answers", data=data, htmx=True)


def dashboard(user):
    user.get("/apprendre/", name="/apprendre/")


QUEUE_FILTERS = [
    {},
    {"origin": "help"},
    {"modality": "video"},
    {"age": "old"},
    {"age": "week", "origin": "checkpoint"},
]


def coach_queue(user):
    params = dict(random.choice(QUEUE_FILTERS))
    if random.random() < 0.4:
        params["departement"] = random.choice(user.person["departements"])
    user.get("/accompagnement/file/", name="coach queue", params=params)


def learner_file(user):
    user.get(random.choice(user.person["requests"]), name="learner file")


def manager_dashboard(user):
    user.get("/rapports/", name="/rapports/")


# scenario -> (the plan's people it needs, the task)
SCENARIOS = {
    "bare": ("learners", bare),
    "floor": ("learners", floor),
    "step_page": ("learners", step_page),
    "complete_step": ("learners", complete_step),
    "save_answers": ("learners", save_answers),
    "dashboard": ("learners", dashboard),
    "coach_queue": ("coaches", coach_queue),
    "learner_file": ("coaches", learner_file),
    "manager_dashboard": ("manager", manager_dashboard),
}


# BENCH_THINK=seconds gives users a think time (uniform, 0.5x to 1.5x) instead of none.
THINK = float(os.environ.get("BENCH_THINK") or 0)


class BenchUser(HttpUser):
    wait_time = between(THINK / 2, THINK * 1.5) if THINK else constant(0)

    def on_start(self):
        people, self.scenario = SCENARIOS[SCENARIO]
        number = next(_numbers)
        if people == "manager":
            self.person = PLAN["manager"]
        else:
            pool = PLAN[people]
            if people == "coaches":
                pool = [c for c in pool if c["requests"]] or pool
            # Each user has its own person (copied: complete_step consumes its list).
            self.person = json.loads(json.dumps(pool[number % len(pool)]))
        self.cookie = f"sessionid={self.person['session']}; csrftoken={CSRF}"

    @task
    def act(self):
        self.scenario(self)

    def _request(self, method, url, name, anonymous=False, htmx=False, **kwargs):
        headers = {} if anonymous else {"Cookie": self.cookie}
        if method == "POST":
            headers["X-CSRFToken"] = CSRF
        if htmx:
            headers["HX-Request"] = "true"
        with self.client.request(
            method,
            url,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            ok = response.status_code == 200
            if not ok:
                response.failure(f"HTTP {response.status_code}")
            queries = response.headers.get("X-Bench-Queries")
            SAMPLES.append(
                [
                    response.request_meta["response_time"],
                    ok,
                    int(queries) if queries is not None else None,
                ]
            )
        self.client.cookies.clear()

    def get(self, url, name, **kwargs):
        self._request("GET", url, name, **kwargs)

    def post(self, url, name, **kwargs):
        self._request("POST", url, name, **kwargs)


@events.quitting.add_listener
def _write_samples(environment, **kwargs):
    out = os.environ.get("BENCH_OUT")
    if out:
        with open(out, "w") as file:
            json.dump(SAMPLES, file)
