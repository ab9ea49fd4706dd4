"""seed_load at a tiny size: the dataset's shape and the command's safety rules."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from lms.accounts.models import CoachProfile, LearnerProfile, User
from lms.accounts.roles import Role
from lms.coaching.models import ACTIVE_STATUSES, CoachingRequest, CoachingSession, Status
from lms.outcomes.models import CompetenceScore, Diagnosis
from pathways.models import (
    CheckpointPassage,
    Enrollment,
    ExerciseResponse,
    ModulePage,
    PathwayPage,
    StepCompletion,
)
from pathways.queries import learner_progress, to_inputs
from tests.perf import loadgen

LEARNERS = 60


@pytest.fixture
def loaded(db, settings):
    settings.DEBUG = True
    call_command("seed_load", "--size", "XS", "--learners", str(LEARNERS))


def test_people(loaded):
    learners = User.objects.filter(groups__name=Role.LEARNER.value)
    assert learners.count() == LEARNERS
    assert LearnerProfile.objects.filter(user__in=learners).count() == LEARNERS
    coaches = User.objects.filter(groups__name=Role.COACH.value)
    assert coaches.count() == loadgen.SIZES["XS"].coaches
    assert CoachProfile.objects.filter(user__in=coaches).count() == coaches.count()
    assert User.objects.filter(groups__name=Role.MANAGER.value).count() == 1
    assert not User.objects.exclude(email__endswith=f"@{loadgen.LOAD_DOMAIN}").exists()
    assert User.objects.first().check_password(loadgen.PASSWORD)


def test_content_is_live_wagtail_pages(loaded):
    size = loadgen.SIZES["XS"]
    assert PathwayPage.objects.live().count() == size.pathways
    assert ModulePage.objects.live().count() == size.modules
    for page in [*PathwayPage.objects.all(), *ModulePage.objects.all()]:
        assert page.live_revision_id is not None
        assert page.slug.startswith(loadgen.SLUG_PREFIX)
    for pathway in PathwayPage.objects.all():
        items = pathway.outline_items()
        assert [i.kind for i in items].count("module") == len(pathway.module_ids()) >= 3
        assert any(i.kind == "point" and i.trigger == "automatic" for i in items)


def test_progress_rows_match_the_content(loaded):
    steps = {m.pk: set(m.step_ids) for m in ModulePage.objects.all()}
    exercises = {
        (m.pk, child.id)
        for m in ModulePage.objects.all()
        for child in m.steps
        if child.block_type == "guided_exercise"
    }
    enrolled = set(Enrollment.objects.values_list("learner_id", "pathway_id"))
    modules_of = {p.pk: set(p.module_ids()) for p in PathwayPage.objects.all()}
    completions = list(StepCompletion.objects.values_list("learner_id", "module_id", "step_id"))
    assert completions
    for learner, module, step_id in completions:
        assert step_id in steps[module]
        assert any(module in modules_of[p] for (lrn, p) in enrolled if lrn == learner)
    answers = ExerciseResponse.objects.values_list("module_id", "step_id")
    assert answers and all(pair in exercises for pair in answers)


def test_passages_agree_with_the_progress_rules(loaded):
    """Each passage is for a point the learner reaches by the app's own rules, once."""
    assert CheckpointPassage.objects.exists()
    duplicates = (
        CheckpointPassage.objects.values("learner", "pathway", "point_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    for enrollment in Enrollment.objects.select_related("learner", "pathway"):
        view = learner_progress(enrollment.learner, enrollment.pathway)
        points = {p.point_id: p for p in view.progress.points}
        for point_id in view.passages:
            assert points[point_id].reachable or points[point_id].passed
            # Everything before a recorded point is done.
            position = next(i for i, item in enumerate(view.outline) if item.key == point_id)
            before = to_inputs(view.outline[:position])
            assert all(
                (m.module_id, s) in view.completed
                for m in before
                if hasattr(m, "step_ids")
                for s in m.step_ids
            )


def test_requests_and_sessions(loaded):
    requests = list(CoachingRequest.objects.all())
    assert len(requests) >= LEARNERS * loadgen.SIZES["XS"].requests // 60 // 2
    assert {r.status for r in requests} <= set(Status.values)
    active = Counter(
        (r.learner_id, r.pathway_id, r.point_id) for r in requests if r.status in ACTIVE_STATUSES
    )
    assert all(n == 1 for n in active.values())
    for request in requests:
        if request.status in (Status.CLAIMED, Status.SCHEDULED, Status.DONE):
            assert request.coach_id is not None
        if request.status == Status.OPEN:
            assert request.coach_id is None
    sessions = CoachingSession.objects.values_list("request__status", flat=True)
    assert sessions and set(sessions) <= {Status.SCHEDULED, Status.DONE}


def test_outcomes(loaded):
    enrollments = Enrollment.objects.count()
    assert Diagnosis.objects.filter(moment="start").count() == enrollments
    completed = Enrollment.objects.filter(completed_at__isnull=False).count()
    assert Diagnosis.objects.filter(moment="end").count() == completed
    assert CompetenceScore.objects.count() > 0


def test_poised_learners_are_one_step_before_an_automatic_point(loaded):
    poised = User.objects.filter(email__startswith=loadgen.POISED_PREFIX)
    assert poised.exists()
    for user in poised:
        enrollment = Enrollment.objects.get(learner=user)
        view = learner_progress(user, enrollment.pathway)
        module_id, step_id = view.progress.next_step
        after = view.outline.index(
            next(i for i in view.outline if i.kind == "module" and i.module.pk == module_id)
        )
        following = view.outline[after + 1]
        assert following.kind == "point" and following.trigger == "automatic"
        assert following.key not in view.passages
        total = len(view.outline[after].module.step_ids)
        assert view.progress.module(module_id).done_steps == total - 1


def test_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_load", "--size", "XS", "--learners", "5")


def test_refuses_a_database_with_other_data(db, settings):
    settings.DEBUG = True
    User.objects.create_user("someone@example.org")
    with pytest.raises(CommandError, match="accounts outside"):
        call_command("seed_load", "--size", "XS", "--learners", "5", "--force")


def test_second_load_needs_replace_and_wipes_only_its_own(loaded):
    with pytest.raises(CommandError, match="--replace"):
        call_command("seed_load", "--size", "XS", "--learners", "10")
    call_command("seed_load", "--size", "XS", "--learners", "10", "--replace")
    assert User.objects.filter(groups__name=Role.LEARNER.value).count() == 10
    assert PathwayPage.objects.count() == loadgen.SIZES["XS"].pathways


def test_structures_hold_the_coaches_and_their_requests(loaded):
    from lms.accounts.models import Membership, Structure
    from lms.coaching.models import CoachingRequest

    structures = Structure.objects.exclude(kind="network")
    assert structures.count() == min(loadgen.STRUCTURES, loadgen.SIZES["XS"].coaches)
    assert all(s.departements for s in structures)
    assert not CoachProfile.objects.exclude(structure__in=structures).exists()
    assert Membership.objects.filter(role="manager", structure__kind="network").count() == 1
    local = CoachingRequest.objects.filter(network_queue=False)
    assert local.exists() and not local.filter(structure__isnull=True).exists()
