"""Reads of outcomes, in a constant number of queries whatever the learner's history.

The prompts shown on pathway pages (« faites votre autodiagnostic », « votre avis ») cost
no query of their own: ``prompt_flags`` gives subqueries that the page's enrolment query
carries as annotations, and ``read_prompts`` reads them back.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import BooleanField, Exists, Subquery

from lms.accounts.models import User
from lms.coaching.models import CoachingRequest
from pathways.models import PathwayPage

from .charts import Chart, Series, bar_chart
from .models import (
    Area,
    Competence,
    CompetenceScore,
    Diagnosis,
    Milestone,
    ModuleFeedback,
    Moment,
    Satisfaction,
)
from .scoring import low_competences

# The coaching request a low self-diagnosis opens: one active per learner and pathway.
SELF_ASSESSMENT_POINT = "self_assessment"

PREFIX = "outcomes_"


def questionnaire() -> list[Competence]:
    """The live questionnaire: competences in order with their questions (two queries)."""
    return list(Competence.objects.prefetch_related("questions"))


# --- Prompts on the pathway pages -----------------------------------------------------------


@dataclass(frozen=True)
class Prompts:
    """What the learner has already given for a pathway (None: not asked on this page)."""

    start_diagnosis: bool | None = None
    start_milestone: bool | None = None
    end_diagnosis: bool | None = None
    end_milestone: bool | None = None
    satisfaction: bool | None = None
    feedback: dict[int, bool | None] = field(default_factory=dict)  # module pk -> useful
    finished: bool = False  # the pathway is finished: the end-of-pathway review is asked

    @property
    def start_pending(self) -> bool:
        return self.start_diagnosis is False or self.start_milestone is False


def prompt_flags(
    learner: User,
    pathway: PathwayPage,
    *,
    start: bool = False,
    end: bool = False,
    feedback_modules: Iterable[int] = (),
) -> dict:
    """Annotations for a query of the learner's enrolment (uncorrelated subqueries)."""
    flags = {}
    mine = {"learner": learner, "pathway": pathway}
    if start:
        flags["start_diagnosis"] = Exists(Diagnosis.objects.filter(moment=Moment.START, **mine))
        flags["start_milestone"] = Exists(Milestone.objects.filter(moment=Moment.START, **mine))
    if end:
        flags["end_diagnosis"] = Exists(Diagnosis.objects.filter(moment=Moment.END, **mine))
        flags["end_milestone"] = Exists(Milestone.objects.filter(moment=Moment.END, **mine))
        flags["satisfaction"] = Exists(Satisfaction.objects.filter(**mine))
    for pk in feedback_modules:
        flags[f"feedback_{pk}"] = Subquery(
            ModuleFeedback.objects.filter(learner=learner, module_id=pk).values("useful")[:1],
            output_field=BooleanField(),
        )
    return {PREFIX + name: value for name, value in flags.items()}


def read_prompts(row) -> Prompts:
    """The ``Prompts`` of a row annotated with ``prompt_flags``."""
    values = {
        name[len(PREFIX) :]: value for name, value in vars(row).items() if name.startswith(PREFIX)
    }
    feedback = {
        int(name.removeprefix("feedback_")): None if value is None else bool(value)
        for name, value in values.items()
        if name.startswith("feedback_")
    }
    known = {
        name: bool(value) for name, value in values.items() if not name.startswith("feedback_")
    }
    return Prompts(feedback=feedback, **known)


def is_finished(progress) -> bool:
    """A pathway with modules, every one done and every point passed (end prompts)."""
    return bool(progress.modules) and progress.is_complete


# --- Low scores -----------------------------------------------------------------------------


def low_competences_of(pathway: PathwayPage, scores: dict[int, Decimal]) -> list[int]:
    """The pathway's watched competences scored at or below its threshold (one query)."""
    watched = sorted(pathway.coaching_competences.all(), key=lambda c: (c.sort_order, c.pk))
    return low_competences(scores, [c.pk for c in watched], pathway.coaching_threshold)


def active_self_assessment_request(learner: User, pathway: PathwayPage) -> bool:
    """Whether a coaching request opened by a self-diagnosis is active for the pathway."""
    return (
        CoachingRequest.objects.for_learner(learner)
        .active()
        .filter(pathway=pathway, point_id=SELF_ASSESSMENT_POINT)
        .exists()
    )


# --- Milestones -----------------------------------------------------------------------------


def milestone_for(
    learner: User, pathway: PathwayPage, moment: str, point_id: str = ""
) -> tuple[Milestone | None, Milestone | None]:
    """(the milestone given at this moment, the learner's latest one to prefill from):
    at most two queries."""
    given = Milestone.objects.filter(
        learner=learner, pathway=pathway, moment=moment, point_id=point_id
    ).first()
    if given is not None:
        return given, given
    latest = Milestone.objects.filter(learner=learner).order_by("-updated_at", "-pk").first()
    return None, latest


# --- Competence profile ---------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Start and end diagnoses of one pathway, with the chart and table rows."""

    pathway: PathwayPage
    start: Diagnosis
    end: Diagnosis
    chart: Chart
    rows: list[tuple[Competence, Decimal | None, Decimal | None, Decimal | None]]

    @property
    def key(self) -> str:
        """A unique prefix for the ids of this comparison's chart."""
        return f"comparison-{self.pathway.pk}"


@dataclass(frozen=True)
class Profile:
    competences: list[Competence]
    latest: dict[int, tuple[Decimal, datetime]]  # competence pk -> (score, taken at)
    latest_chart: Chart | None
    comparisons: list[Comparison]
    diagnoses: list[Diagnosis]  # newest first

    @property
    def latest_rows(self):
        """``[(area label, [(competence, score, taken at)])]`` in questionnaire order."""
        return grouped(self.competences, lambda c: (c, *self.latest.get(c.pk, (None, None))))


def grouped(competences: list[Competence], row) -> list[tuple[str, list]]:
    """``[(area label, [row(competence), ...])]``, areas in the framework's order."""
    groups = []
    for area, label in Area.choices:
        rows = [row(c) for c in competences if c.area == area]
        if rows:
            groups.append((label, rows))
    return groups


def competence_profile(learner: User, series_labels: dict[str, str]) -> Profile:
    """The learner's latest score per competence and, for each pathway where they took both,
    their start and end scores (two queries). ``series_labels`` names the chart's series
    (``latest``, ``start``, ``end``) in the request's language."""
    competences = list(Competence.objects.all())
    scores = list(
        CompetenceScore.objects.filter(diagnosis__learner=learner)
        .select_related("diagnosis", "diagnosis__pathway")
        .order_by("diagnosis__created_at", "diagnosis__pk")
    )
    diagnoses: dict[int, Diagnosis] = {}
    latest: dict[int, tuple[Decimal, datetime]] = {}
    by_diagnosis: dict[int, dict[int, Decimal]] = {}
    for score in scores:
        diagnosis = diagnoses.setdefault(score.diagnosis_id, score.diagnosis)
        by_diagnosis.setdefault(diagnosis.pk, {})[score.competence_id] = score.score
        latest[score.competence_id] = (score.score, diagnosis.updated_at)
    known = [c for c in competences if c.pk in latest]
    latest_chart = None
    if known:
        latest_chart = bar_chart(
            [Series("latest", series_labels["latest"])],
            grouped(known, lambda c: (c.name, [latest[c.pk][0]])),
        )
    comparisons = []
    pairs: dict[int, dict[str, Diagnosis]] = {}
    for diagnosis in diagnoses.values():
        if diagnosis.pathway_id and diagnosis.moment in (Moment.START, Moment.END):
            pairs.setdefault(diagnosis.pathway_id, {})[diagnosis.moment] = diagnosis
    series = [
        Series("start", series_labels["start"], hatched=True),
        Series("end", series_labels["end"]),
    ]
    for pair in pairs.values():
        if len(pair) < 2:
            continue
        start, end = pair[Moment.START], pair[Moment.END]
        before, after = by_diagnosis[start.pk], by_diagnosis[end.pk]
        shown = [c for c in competences if c.pk in before or c.pk in after]
        rows = [
            (
                c,
                before.get(c.pk),
                after.get(c.pk),
                after[c.pk] - before[c.pk] if c.pk in before and c.pk in after else None,
            )
            for c in shown
        ]
        chart = bar_chart(
            series,
            grouped(shown, lambda c, b=before, a=after: (c.name, [b.get(c.pk), a.get(c.pk)])),
        )
        comparisons.append(Comparison(end.pathway, start, end, chart, rows))
    comparisons.sort(key=lambda comparison: comparison.end.updated_at, reverse=True)
    history = sorted(diagnoses.values(), key=lambda d: (d.created_at, d.pk), reverse=True)
    return Profile(competences, latest, latest_chart, comparisons, history)
