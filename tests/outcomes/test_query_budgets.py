"""Constant queries on the outcomes pages, whatever the learner's history and the
questionnaire's size."""

import pytest
from django.urls import reverse

from lms.outcomes import actions
from lms.outcomes.models import Moment
from lms.outcomes.queries import questionnaire
from pathways import actions as pathway_actions
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, modules_of, point_ids

from .conftest import finish, make_competence

pytestmark = pytest.mark.django_db

SIZES = [1, 5]  # competences per area, questions per competence, pathways and diagnoses


@pytest.fixture
def world(competences, size):
    """A learner who finished `size` pathways with start and end diagnoses, and took `size`
    free ones, on a questionnaire of 3 + 3 * `size` competences."""
    for n in range(size):
        for area in ("ideas", "resources", "action"):
            make_competence(area, f"{area}-{n}", f"{area} {n}", [f"Q{i}" for i in range(size)])
    person = learner()
    competences = questionnaire()
    answers = {q.pk: 1 + q.pk % 5 for c in competences for q in c.questions.all()}
    pathways = [build_pathway(["m:1", "p:offered", "m:1"]) for _ in range(size)]
    for pathway in pathways:
        pathway.coaching_competences.set(competences[:3])
        finish(person, pathway)
        for moment in (Moment.START, Moment.END):
            actions.take_diagnosis(person, competences, answers, moment=moment, pathway=pathway)
        actions.record_satisfaction(person, pathway, score=7, comment="")
    for _ in range(size):
        actions.take_diagnosis(person, competences, answers, moment=Moment.FREE)
    return person, pathways


@pytest.mark.parametrize("size", SIZES)
def test_profile(client, django_assert_max_num_queries, world):
    person, _pathways = world
    client.force_login(person)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("outcomes:profile")).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_diagnosis_form(client, django_assert_max_num_queries, world):
    person, pathways = world
    client.force_login(person)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("outcomes:diagnosis_free")).status_code == 200
    with django_assert_max_num_queries(14):  # + enrolment, progress (3), previous answers
        url = reverse("outcomes:diagnosis_end", args=[pathways[-1].pk])
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_diagnosis_result(client, django_assert_max_num_queries, world):
    person, _pathways = world
    client.force_login(person)
    diagnosis = person.diagnoses.filter(moment=Moment.END).latest("pk")
    with django_assert_max_num_queries(12):
        url = reverse("outcomes:diagnosis_result", args=[diagnosis.pk])
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_milestone_and_satisfaction_pages(client, django_assert_max_num_queries, world):
    person, pathways = world
    client.force_login(person)
    with django_assert_max_num_queries(13):
        url = reverse("outcomes:milestone_end", args=[pathways[-1].pk])
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(13):
        url = reverse("outcomes:satisfaction", args=[pathways[-1].pk])
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_point_page_with_its_milestone_form(client, django_assert_max_num_queries, world):
    person, pathways = world
    client.force_login(person)
    url = reverse("pathways:point", args=[pathways[-1].pk, point_ids(pathways[-1])[0]])
    with django_assert_max_num_queries(11):  # the milestone: given here, else the latest
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_finished_pathway_page_with_its_prompts(client, django_assert_max_num_queries, world):
    """The pathway page's budget (tests/pathways) holds with every prompt shown."""
    person, pathways = world
    client.force_login(person)
    # The modules come from the cache after one light query of their live revisions; the
    # glossary (linked in the intro) costs one query on a cold cache.
    with django_assert_max_num_queries(19):
        page = client.get(pathways[-1].url)
    assert reverse("outcomes:satisfaction", args=[pathways[-1].pk]) in page.content.decode()


@pytest.mark.parametrize("size", SIZES)
def test_module_feedback(client, django_assert_max_num_queries, world):
    person, pathways = world
    client.force_login(person)
    module = modules_of(pathways[-1])[0]
    url = reverse("outcomes:module_feedback", args=[pathways[-1].pk, module.pk])
    with django_assert_max_num_queries(15):  # 11 queries and 4 savepoint statements
        assert client.post(url, {"useful": "1"}, HTTP_HX_REQUEST="true").status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_start_step_page_with_its_prompts(client, django_assert_max_num_queries, size):
    """The step page's budget (tests/pathways) holds on a first step that is also the last of
    a finished module (both prompts)."""
    person = learner()
    pathway = build_pathway(["m:1", "m:1"] * size)
    pathway_actions.enroll(person, pathway)
    module = modules_of(pathway)[0]
    pathway_actions.complete_step(person, module, module.step_ids[0])
    client.force_login(person)
    url = reverse("pathways:step", args=[pathway.pk, module.pk, module.step_ids[0]])
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert reverse("outcomes:diagnosis_start", args=[pathway.pk]) in page
    assert reverse("outcomes:module_feedback", args=[pathway.pk, module.pk]) in page
