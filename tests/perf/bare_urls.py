"""The bench's yardstick: a bare Django view (``/bench/bare``), served without middleware.

The issue gives its CPU targets for a machine where such a view costs 0.27 ms of CPU at
20 connections; measuring the same view in the same run tells how fast this machine is
today (see ``YARDSTICK_MS`` in ``tests/perf/bench.py``).
"""

from django.http import HttpResponse
from django.urls import path


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare)]
