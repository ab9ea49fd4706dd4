"""Constant queries: the dashboard, the print page and an export at two data sizes, computed
(the cache off, as in every test of ``tests/reports``) and read from the cache."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import programme

pytestmark = pytest.mark.django_db

SIZES = [2, 8]  # learners per département, each with progress, requests, outcomes

# Session, user and roles (3), the unread notifications' count on HTML pages (1), the
# pathways (1), then one query per figure; PostgreSQL computes the response times' percentiles
# in two queries where SQLite reads the sorted hours in one (hence the + 1).
# SCOPE: the structures the manager sees (one query, whatever the number of structures): it
# decides which figures, hence which snapshot, the page may show.
SCOPE = 1
# The attendance table (« presences »): the recorded sessions by origin, and each request's
# first session held (two reads of the one table).
PRESENCES = 2
# The group and one-to-one table (« collectif »): one-to-one attendance, group seats, and the
# group sessions held.
GROUPS = 3
# The peer circles' table (« cercles »): circles, meetings held, posts, memberships, approved
# mentors and their hours, the mentors' structures' names (whatever the number of circles).
CIRCLES = 7
BUDGETS = {
    # + 1: the live revisions of the funnel's modules, before they come from the cache.
    ("reports:dashboard", ""): 23 + 1 + 1 + SCOPE + PRESENCES + GROUPS + CIRCLES,
    ("reports:print", ""): 22 + 1 + 1 + SCOPE + PRESENCES + GROUPS + CIRCLES,
    # An export computes every table, as the print page does: which figures it hides
    # depends on what the other tables show. (+ 1: PostgreSQL's percentiles, as above.)
    ("reports:export", "parcours"): 22 + 1 + 1 + SCOPE + PRESENCES + GROUPS + CIRCLES,
    ("reports:export", "entonnoir"): 22 + 1 + 1 + SCOPE + PRESENCES + GROUPS + CIRCLES,
    ("reports:export", "demandes"): 22 + 1 + 1 + SCOPE + PRESENCES + GROUPS + CIRCLES,
}


# Read from the cache: session, user and roles (3), the structures the manager sees (1), the
# pathways (1); nothing else whatever the data (the navigation's count of notifications
# comes from the cache too).
CACHED_BUDGETS = {
    ("reports:dashboard", ""): 4 + SCOPE,
    ("reports:print", ""): 4 + SCOPE,
    ("reports:export", "parcours"): 4 + SCOPE,
    ("reports:export", "entonnoir"): 4 + SCOPE,
    ("reports:export", "demandes"): 4 + SCOPE,
}


def _get(client, name, table):
    return client.get(reverse(name), {"table": table} if table else {})


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("name", "table"), list(BUDGETS))
def test_budget(manager_client, django_assert_max_num_queries, size, name, table):
    programme(size)
    with django_assert_max_num_queries(BUDGETS[(name, table)]):
        response = _get(manager_client, name, table)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "table"), list(BUDGETS))
def test_the_count_does_not_grow_with_the_data(manager_client, name, table):
    counts = []
    for size in SIZES:
        programme(size)
        with CaptureQueriesContext(connection) as queries:
            response = _get(manager_client, name, table)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("name", "table"), list(CACHED_BUDGETS))
def test_cached_budget(manager_client, cache_on, django_assert_num_queries, size, name, table):
    programme(size)
    _get(manager_client, "reports:dashboard", "")  # computes and stores the figures
    with django_assert_num_queries(CACHED_BUDGETS[(name, table)]):
        response = _get(manager_client, name, table)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200
