"""State changes of outcomes: self-diagnoses, milestones, satisfaction, module feedback.

Views validate input (``forms.py``); these functions assume it is valid. Natural keys are
unique in the database (one start and one end diagnosis per learner and pathway, one
milestone per moment, one opinion per pathway or module), so giving one again replaces
it and a double click never creates twins.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lms.accounts.models import User
from lms.coaching.actions import open_request
from lms.coaching.models import CoachingRequest, Origin
from pathways.models import ModulePage, PathwayPage, SelfAssessmentCoaching

from .models import (
    Competence,
    CompetenceScore,
    Diagnosis,
    Milestone,
    ModuleFeedback,
    Moment,
    Satisfaction,
)
from .queries import SELF_ASSESSMENT_POINT, low_competences_of
from .scoring import scores_from_answers


@dataclass(frozen=True)
class DiagnosisOutcome:
    """What taking a diagnosis did: its row, its low competences (watched by the pathway)
    and, when the pathway opens requests directly, whether one was opened."""

    diagnosis: Diagnosis
    low: list[Competence] = field(default_factory=list)
    request: CoachingRequest | None = None
    request_already_active: bool = False


@transaction.atomic(durable=True)
def take_diagnosis(
    learner: User,
    competences: list[Competence],
    answers: dict[int, int],
    *,
    moment: str,
    pathway: PathwayPage | None = None,
) -> DiagnosisOutcome:
    """Record a self-diagnosis and its per-competence scores, in one transaction.

    ``competences`` is the questionnaire the form was built from (with its questions
    prefetched); ``answers`` maps its question pks to 1-5. A start or end diagnosis
    taken again replaces the previous one (answers and scores); free ones add to the
    history. When the pathway watches a competence scored low and opens requests
    directly, a coaching request is opened in the same transaction (at most one
    active: ``request_already_active`` says when one was already there).
    """
    competence_of = {q.pk: c.pk for c in competences for q in c.questions.all()}
    scores = scores_from_answers(answers, competence_of)
    stored = {str(question): score for question, score in answers.items()}
    if moment == Moment.FREE:
        diagnosis = Diagnosis.objects.create(
            learner=learner, pathway=pathway, moment=moment, answers=stored
        )
    else:
        diagnosis, created = Diagnosis.objects.get_or_create(
            learner=learner,
            pathway=pathway,
            moment=moment,
            defaults={"answers": stored},
        )
        if not created:
            diagnosis.answers = stored
            diagnosis.save(update_fields=["answers", "updated_at"])
            diagnosis.scores.all().delete()
    CompetenceScore.objects.bulk_create(
        CompetenceScore(diagnosis=diagnosis, competence_id=pk, score=score)
        for pk, score in scores.items()
    )
    if pathway is None:
        return DiagnosisOutcome(diagnosis)
    by_pk = {c.pk: c for c in competences}
    low = [by_pk[pk] for pk in low_competences_of(pathway, scores)]
    if not low or pathway.self_assessment_coaching != SelfAssessmentCoaching.OPEN:
        return DiagnosisOutcome(diagnosis, low)
    request = _open_self_assessment_request(learner, pathway, diagnosis, low, scores)
    if request.joined:  # added to the active request of the pathway
        return DiagnosisOutcome(diagnosis, low, request_already_active=True)
    return DiagnosisOutcome(diagnosis, low, request)


@transaction.atomic(durable=True)
def request_coaching_after_diagnosis(diagnosis: Diagnosis) -> CoachingRequest | None:
    """« Demander un accompagnement » from a diagnosis result with low scores.

    Precondition: the diagnosis has a live pathway and low competences (the view checks).
    Returns None when a request is already active for the pathway (the self-diagnosis is
    added to it, so the coach reads it there).
    """
    scores = {s.competence_id: s.score for s in diagnosis.scores.all()}
    pks = low_competences_of(diagnosis.pathway, scores)
    low = list(Competence.objects.filter(pk__in=pks))
    low.sort(key=lambda c: pks.index(c.pk))
    request = _open_self_assessment_request(
        diagnosis.learner, diagnosis.pathway, diagnosis, low, scores
    )
    return None if request.joined else request


def _open_self_assessment_request(learner, pathway, diagnosis, low, scores):
    with translation.override(settings.LANGUAGE_CODE):  # coaches read the site's language
        names = ", ".join(f"« {c.name} »" for c in low)
        details = ", ".join(
            _("%(name)s : %(score)s/5")
            % {"name": c.name, "score": number_format(scores[c.pk], decimal_pos=1)}
            for c in low
        )
        message = _(
            "Autodiagnostic (%(moment)s) : la personne s'attribue un score bas sur %(details)s."
        ) % {"moment": diagnosis.get_moment_display().lower(), "details": details}
    return open_request(
        learner,
        origin=Origin.SELF_ASSESSMENT,
        pathway=pathway,
        point_id=SELF_ASSESSMENT_POINT,
        message=message,
        where=names,
    )


@transaction.atomic(durable=True)
def record_milestone(
    learner: User,
    pathway: PathwayPage,
    *,
    moment: str,
    point_id: str = "",
    stage: str,
    jobs_fte: Decimal,
    revenue: str,
    legal_form: str,
) -> Milestone:
    """Where the project stands at a moment of a pathway (given again: updated)."""
    values = {"stage": stage, "jobs_fte": jobs_fte, "revenue": revenue, "legal_form": legal_form}
    milestone, created = Milestone.objects.get_or_create(
        learner=learner,
        pathway=pathway,
        moment=moment,
        point_id=point_id,
        defaults=values,
    )
    if not created:
        for name, value in values.items():
            setattr(milestone, name, value)
        milestone.save(update_fields=[*values, "updated_at"])
    return milestone


@transaction.atomic(durable=True)
def record_satisfaction(
    learner: User, pathway: PathwayPage, *, score: int, comment: str
) -> Satisfaction:
    """The learner's opinion of a pathway they finished (given again: updated)."""
    satisfaction, created = Satisfaction.objects.get_or_create(
        learner=learner,
        pathway=pathway,
        defaults={"score": score, "comment": comment},
    )
    if not created:
        satisfaction.score, satisfaction.comment = score, comment
        satisfaction.save(update_fields=["score", "comment", "updated_at"])
    return satisfaction


@transaction.atomic(durable=True)
def record_module_feedback(learner: User, module: ModulePage, *, useful: bool) -> ModuleFeedback:
    """« Utile » / « Pas utile » on a module the learner completed (clicked again: updated)."""
    feedback, created = ModuleFeedback.objects.get_or_create(
        learner=learner, module=module, defaults={"useful": useful}
    )
    if not created and feedback.useful != useful:
        feedback.useful = useful
        feedback.save(update_fields=["useful", "updated_at"])
    return feedback
