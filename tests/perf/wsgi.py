"""WSGI entry point of the benchmark: Balise's own application, measured.

``make bench`` serves ``tests.perf.wsgi:application`` with gunicorn. With
``BENCH=1`` every response carries ``X-Bench-Queries``, the number of SQL
statements its request ran (a ``connection.execute_wrapper`` around the request);
without it the application is returned untouched. Production code paths are not
altered: nothing here is imported by ``lms``.

Optional, for one-off investigations:

- ``BENCH_PROFILE=<regex>``: requests whose path matches are profiled with
  pyinstrument; each worker writes ``var/bench/profile-<pid>.txt`` every 50 of them.
- ``BENCH_PATCHES=name,name``: apply experiments from ``tests/perf/patches.py``
  (monkeypatches of proposed optimisations) before serving.
"""

import os
import re

from lms.wsgi import application as balise_application

QUERIES_HEADER = "X-Bench-Queries"


def counting(app):
    from django.db import connections

    def application(environ, start_response):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        def respond(status, headers, exc_info=None):
            headers.append((QUERIES_HEADER, str(count[0])))
            return start_response(status, headers, exc_info)

        with connections["default"].execute_wrapper(counter):
            return app(environ, respond)

    return application


def profiling(app, pattern: str):
    from pathlib import Path

    from django.conf import settings
    from pyinstrument import Profiler

    matches = re.compile(pattern).search
    profiler = Profiler(interval=0.0005)
    seen = [0]
    out = Path(settings.BASE_DIR) / "var" / "bench" / f"profile-{os.getpid()}.txt"

    def application(environ, start_response):
        if not matches(environ.get("PATH_INFO", "")):
            return app(environ, start_response)
        profiler.start()
        try:
            result = app(environ, start_response)
        finally:
            profiler.stop()
        seen[0] += 1
        if seen[0] % 50 == 0:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(profiler.output_text(unicode=True, show_all=False))
        return result

    return application


application = balise_application
if os.environ.get("BENCH_PATCHES"):
    from tests.perf import patches

    patches.apply(os.environ["BENCH_PATCHES"].split(","))
if os.environ.get("BENCH_PROFILE"):
    application = profiling(application, os.environ["BENCH_PROFILE"])
if os.environ.get("BENCH") == "1":
    application = counting(application)
