"""Builders of programme data for the reports' tests: rows are written directly (with the
dates a test needs) except progress, which goes through ``pathways.actions``."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.coaching.models import (
    ACTIVE_STATUSES,
    CoachingRequest,
    CoachingSession,
    SessionStatus,
    Status,
)
from lms.outcomes.models import (
    Competence,
    CompetenceScore,
    Diagnosis,
    Milestone,
    ModuleFeedback,
    Satisfaction,
)
from pathways import actions
from pathways.models import Enrollment
from tests.factories.accounts import coach, learner
from tests.factories.accounts import manager as network_manager
from tests.factories.pathways import build_pathway, modules_of


def at(day: str, hour: int = 12) -> datetime:
    """An aware datetime in the site's time zone, e.g. at("2025-03-10")."""
    return timezone.make_aware(datetime.fromisoformat(day).replace(hour=hour))


def enroll(user, pathway, day: str = "2025-03-10"):
    actions.enroll(user, pathway)
    Enrollment.objects.filter(learner=user, pathway=pathway).update(enrolled_at=at(day))


def complete(user, module, steps: int | None = None):
    for step_id in module.step_ids[:steps]:
        actions.complete_step(user, module, step_id)


def make_request(
    user,
    pathway=None,
    *,
    origin="help",
    created="2025-03-10",
    response_hours: float | None = None,
    due_hours: float = 48,
    departement=None,
    modality="video",
    status=None,
    point_id=None,
    structure=None,
):
    created_at = at(created)
    status = status or (Status.CLAIMED if response_hours is not None else Status.OPEN)
    if status in ACTIVE_STATUSES and pathway is not None:
        # One active request per learner and pathway: the earlier one was closed by the
        # time this one was opened (an automatic point reached while building the data).
        CoachingRequest.objects.active().filter(learner=user, pathway=pathway).update(
            status=Status.DONE, closed_at=created_at
        )
    request = CoachingRequest.objects.create(
        learner=user,
        pathway=pathway,
        point_id=point_id or f"help-{CoachingRequest.objects.count()}",
        origin=origin,
        status=status,
        structure=structure,
        departement=departement if departement is not None else user.learner_profile.departement,
        recommended_modality=modality,
        recommendation_reason="Test.",
        due_at=created_at + timedelta(hours=due_hours),
        first_response_at=None
        if response_hours is None
        else created_at + timedelta(hours=response_hours),
    )
    CoachingRequest.objects.filter(pk=request.pk).update(created_at=created_at)
    return request


_slot = iter(range(10**6))


def make_session(request, *, starts="2025-03-12", modality="video", status=SessionStatus.ACCEPTED):
    starts_at = at(starts) + timedelta(minutes=next(_slot))
    return CoachingSession.objects.create(
        request=request,
        coach=request.coach or coach(),
        starts_at=starts_at,
        modality=modality,
        location="Visio",
        status=status,
    )


def make_competence(code: str, name: str, order: int) -> Competence:
    return Competence.objects.create(
        area="ideas", code=code, name=name, description="Test.", sort_order=order
    )


def diagnose(user, pathway, moment, scores: dict, day="2025-03-10"):
    diagnosis = Diagnosis.objects.create(learner=user, pathway=pathway, moment=moment)
    Diagnosis.objects.filter(pk=diagnosis.pk).update(created_at=at(day))
    CompetenceScore.objects.bulk_create(
        CompetenceScore(diagnosis=diagnosis, competence=competence, score=Decimal(str(score)))
        for competence, score in scores.items()
    )
    return diagnosis


def milestone(user, pathway, moment, stage, jobs="0", day="2025-03-10", hour=12):
    row = Milestone.objects.create(
        learner=user,
        pathway=pathway,
        moment=moment,
        stage=stage,
        jobs_fte=Decimal(jobs),
        revenue="none",
        legal_form="none",
    )
    Milestone.objects.filter(pk=row.pk).update(created_at=at(day, hour))
    return row


def satisfaction(user, pathway, score, day="2025-03-10"):
    row = Satisfaction.objects.create(learner=user, pathway=pathway, score=score)
    Satisfaction.objects.filter(pk=row.pk).update(created_at=at(day))
    return row


def feedback(user, module, useful, day="2025-03-10"):
    row = ModuleFeedback.objects.create(learner=user, module=module, useful=useful)
    ModuleFeedback.objects.filter(pk=row.pk).update(created_at=at(day))
    return row


@pytest.fixture
def manager():
    """A manager of the network's head: every structure's figures."""
    return network_manager()


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    # The first request of a process finds the Wagtail site (then kept for a while): done
    # here, so that query budgets count what every later request costs.
    client.get(reverse("reports:export"))
    return client


def programme(size: int):
    """``size`` learners in each of two départements following a pathway, with requests,
    sessions, diagnoses, milestones and opinions: the data grows, the queries must not."""
    pathway = build_pathway(["m:2", "p:offered", "m:2", "p:offered", "m:1"])
    other = build_pathway(["m:1"])
    modules = modules_of(pathway)
    competence = make_competence(f"budget-{size}", "Budget", 0)
    for index in range(size * 2):
        user = learner(departement="69" if index % 2 else "07", area_type="rural")
        enroll(user, pathway)
        enroll(user, other)
        for module in modules[: index % 4]:
            complete(user, module)
        request = make_request(user, pathway, response_hours=index + 1)
        make_session(request)
        diagnose(user, pathway, "start", {competence: 2})
        diagnose(user, pathway, "end", {competence: 4}, day="2025-03-20")
        milestone(user, pathway, "start", "idea")
        milestone(user, pathway, "end", "test", jobs="1.5", day="2025-03-20")
        satisfaction(user, pathway, index % 11)
        feedback(user, modules[0], bool(index % 2))
    return pathway


@pytest.fixture(autouse=True)
def _reports_cache_off(settings):
    """Figures computed on each request, so that a test changing data between two requests
    reads fresh ones (``test_cache`` turns the cache on)."""
    settings.BALISE_REPORTS_CACHE_SECONDS = 0


@pytest.fixture
def cache_on(settings, monkeypatch):
    """The figures' cache on, with a worker that computes what it is sent at once (a test
    that holds what is sent instead patches ``delay`` after this fixture)."""
    from lms.reports.tasks import refresh_snapshot_task

    settings.BALISE_REPORTS_CACHE_SECONDS = 300
    monkeypatch.setattr(refresh_snapshot_task, "delay", refresh_snapshot_task)
