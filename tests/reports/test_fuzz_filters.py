"""Whatever the query string, the dashboard, the print page and the exports answer without
a 500 and never reflect a submitted value unescaped."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.reports.tables import BUILDERS

pytestmark = pytest.mark.django_db

ATTACKS = ["<script>alert(1)</script>", '"><b>x</b>']
HOSTILE = [*ATTACKS, "\x00", "9" * 5000, "2025-02-30", "-1", "1e9"]
values = st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE), st.dates().map(str))
params = st.fixed_dictionaries(
    {},
    optional={
        "start": values,
        "end": values,
        "pathway": st.one_of(values, st.integers().map(str)),
        "departement": st.one_of(values, st.sampled_from(["69", "2a", " 7", "975", "20"])),
        "area_type": st.one_of(values, st.sampled_from(["rural", "urban", "qpv"])),
        "structure": st.one_of(values, st.integers().map(str)),
        "table": st.one_of(values, st.sampled_from(sorted(BUILDERS))),
    },
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=params, name=st.sampled_from(["reports:dashboard", "reports:print", "reports:export"]))
def test_any_query_string(manager_client, query, name):
    response = manager_client.get(reverse(name), query)
    assert response.status_code in (200, 400)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
        return
    html = response.content.decode()
    for value in query.values():
        if value in ATTACKS:
            assert value not in html, value
