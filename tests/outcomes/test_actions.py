"""State changes of outcomes: diagnoses and their scores, low scores and coaching,
milestones, satisfaction, module feedback."""

from decimal import Decimal

import pytest

from lms.coaching.models import CoachingRequest, Status
from lms.outcomes import actions
from lms.outcomes.models import CompetenceScore, Diagnosis, Milestone, ModuleFeedback, Moment
from lms.outcomes.queries import questionnaire
from tests.factories.pathways import modules_of

from .conftest import ALL_THREES, answers_for

pytestmark = pytest.mark.django_db


def scores_of(diagnosis) -> dict[str, Decimal]:
    return {s.competence.code: s.score for s in diagnosis.scores.select_related("competence")}


def take(person, competences, moment=Moment.FREE, pathway=None, **scores):
    return actions.take_diagnosis(
        person,
        questionnaire(),
        answers_for(competences, **(scores or ALL_THREES)),
        moment=moment,
        pathway=pathway,
    )


def test_scores_are_the_mean_of_each_competence(person, competences):
    outcome = take(person, competences, vision=[1, 2], confiance=[5], planifier=[4, 5])
    diagnosis = outcome.diagnosis
    assert scores_of(diagnosis) == {
        "vision": Decimal("1.50"),
        "confiance": Decimal("5.00"),
        "planifier": Decimal("4.50"),
    }
    first = competences["vision"].questions.order_by("sort_order").first()
    assert diagnosis.answers[str(first.pk)] == 1
    assert diagnosis.pathway is None and outcome.low == [] and outcome.request is None


def test_free_diagnoses_are_a_history(person, competences):
    take(person, competences)
    take(person, competences)
    assert Diagnosis.objects.filter(learner=person, moment=Moment.FREE).count() == 2
    assert CompetenceScore.objects.count() == 6


@pytest.mark.parametrize("moment", [Moment.START, Moment.END])
def test_start_and_end_taken_again_replace_the_previous(enrolled, pathway, competences, moment):
    first = take(enrolled, competences, moment, pathway).diagnosis
    again = take(
        enrolled, competences, moment, pathway, vision=[5, 5], confiance=[5], planifier=[5, 4]
    ).diagnosis
    assert again.pk == first.pk
    assert Diagnosis.objects.filter(learner=enrolled, moment=moment).count() == 1
    assert scores_of(again) == {
        "vision": Decimal("5.00"),
        "confiance": Decimal("5.00"),
        "planifier": Decimal("4.50"),
    }
    assert CompetenceScore.objects.filter(diagnosis=again).count() == 3


def watch(pathway, competences, mode, threshold=2, codes=("vision", "planifier")):
    pathway.coaching_competences.set([competences[c] for c in codes])
    pathway.coaching_threshold = threshold
    pathway.self_assessment_coaching = mode
    pathway.save()


def test_a_low_score_opens_a_request_when_the_pathway_says_open(
    enrolled, pathway, competences, django_capture_on_commit_callbacks
):
    watch(pathway, competences, "open")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = take(
            enrolled,
            competences,
            Moment.START,
            pathway,
            vision=[1, 2],
            confiance=[1],
            planifier=[3, 3],
        )
    # Confiance is low but not watched; Vision (1.5) is low and watched; Planifier (3) is not low.
    assert [c.code for c in outcome.low] == ["vision"]
    request = outcome.request
    assert request is not None and not outcome.request_already_active
    assert request.origin == "self_assessment" and request.point_id == "self_assessment"
    assert request.pathway == pathway and request.learner == enrolled
    assert request.status == Status.OPEN
    assert "Vision : 1,5/5" in request.message
    assert request.context["where"] == "« Vision »"
    # Taken again while the request is active: no second request, and the learner is told.
    again = take(
        enrolled, competences, Moment.START, pathway, vision=[1, 1], confiance=[1], planifier=[1, 1]
    )
    assert again.request is None and again.request_already_active
    assert [c.code for c in again.low] == ["vision", "planifier"]
    assert CoachingRequest.objects.filter(learner=enrolled).count() == 1


def test_a_low_score_only_offers_when_the_pathway_says_offer(enrolled, pathway, competences):
    watch(pathway, competences, "offer")
    outcome = take(
        enrolled, competences, Moment.START, pathway, vision=[1, 1], confiance=[5], planifier=[2, 2]
    )
    assert [c.code for c in outcome.low] == ["vision", "planifier"]
    assert outcome.request is None and not outcome.request_already_active
    assert not CoachingRequest.objects.exists()
    request = actions.request_coaching_after_diagnosis(outcome.diagnosis)
    assert request.origin == "self_assessment"
    assert request.context["where"] == "« Vision », « Planifier »"
    assert actions.request_coaching_after_diagnosis(outcome.diagnosis) is None


def test_no_request_above_the_threshold(enrolled, pathway, competences):
    watch(pathway, competences, "open", threshold=1)
    outcome = take(
        enrolled, competences, Moment.START, pathway, vision=[2, 1], confiance=[1], planifier=[2, 2]
    )
    assert outcome.low == [] and not CoachingRequest.objects.exists()


def test_milestones_are_updated_per_moment(enrolled, pathway):
    values = {"stage": "idea", "jobs_fte": Decimal("0"), "revenue": "none", "legal_form": "none"}
    first = actions.record_milestone(enrolled, pathway, moment=Moment.START, **values)
    again = actions.record_milestone(
        enrolled, pathway, moment=Moment.START, **(values | {"jobs_fte": Decimal("1.5")})
    )
    assert again.pk == first.pk and Milestone.objects.get().jobs_fte == Decimal("1.5")
    actions.record_milestone(enrolled, pathway, moment=Moment.POINT, point_id="a", **values)
    actions.record_milestone(enrolled, pathway, moment=Moment.POINT, point_id="b", **values)
    assert Milestone.objects.count() == 3


def test_satisfaction_is_one_per_pathway(enrolled, pathway):
    first = actions.record_satisfaction(enrolled, pathway, score=3, comment="Bof")
    again = actions.record_satisfaction(enrolled, pathway, score=9, comment="Finalement oui")
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.score, again.comment) == (9, "Finalement oui")


def test_module_feedback_is_one_per_module(enrolled, pathway):
    module = modules_of(pathway)[0]
    actions.record_module_feedback(enrolled, module, useful=True)
    actions.record_module_feedback(enrolled, module, useful=False)
    assert ModuleFeedback.objects.get().useful is False
