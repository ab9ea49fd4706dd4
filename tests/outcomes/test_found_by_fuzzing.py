"""What ``tests/test_fuzz.py`` found in outcomes, pinned as plain tests."""

import pytest
from django.urls import reverse

from lms.outcomes.models import ModuleFeedback
from pathways import actions as pathway_actions
from tests.factories.pathways import modules_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("next_url", ["0", "x", "notifications", "../../etc/passwd"])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_module_feedback_with_a_next_that_is_not_a_path(client, person, pathway, next_url, htmx):
    """A ``next`` without a leading "/" went to ``redirect()``, which takes a bare word for a
    URL name: NoReverseMatch, a 500 (and htmx echoed it in the box's hidden field). It is
    now ignored: back to the pathway."""
    client.force_login(person)
    pathway_actions.enroll(person, pathway)
    module = modules_of(pathway)[0]
    pathway_actions.complete_step(person, module, module.step_ids[0])
    url = reverse("outcomes:module_feedback", args=[pathway.pk, module.pk])
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(url, {"useful": "1", "next": next_url}, headers=headers)
    if htmx:
        assert response.status_code == 200
        assert f'name="next" value="{pathway.url}"' in response.content.decode()
    else:
        assert response.status_code == 302 and response.url == pathway.url
    assert ModuleFeedback.objects.get().useful is True


HUGE = 10**23


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("outcomes:diagnosis_start", []),
        ("outcomes:diagnosis_end", []),
        ("outcomes:milestone_start", []),
        ("outcomes:milestone_point", ["balise"]),
        ("outcomes:milestone_end", []),
        ("outcomes:satisfaction", []),
        ("outcomes:module_feedback", [1]),
    ],
)
def test_a_pathway_id_too_large_for_the_database_is_a_404(client, person, name, extra):
    """``<int:pathway_id>`` took any number of digits; SQLite raised OverflowError on
    comparing an id beyond 2**63 - 1 (a 500). The ``id`` converter stops them at 18 digits."""
    client.force_login(person)
    url = reverse(name, args=[987654, *extra]).replace("/987654/", f"/{HUGE}/")
    assert client.post(url).status_code == 404
    if name != "outcomes:module_feedback":
        assert client.get(url).status_code == 404
