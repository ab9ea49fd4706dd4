"""Actions of learner progress: idempotent completions, points recorded once, gates."""

import pytest

from pathways import actions
from pathways.models import CheckpointPassage, Enrollment, ExerciseResponse, StepCompletion
from pathways.queries import learner_progress
from pathways.signals import progression_point_reached
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, module, modules_of, point_ids, refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def reached():
    calls = []

    def receiver(sender, passage, point, **kwargs):
        calls.append((passage.point_id, point["trigger"], point["title"]))

    progression_point_reached.connect(receiver)
    yield calls
    progression_point_reached.disconnect(receiver)


def complete_module(user, mod):
    passages = []
    for step_id in mod.step_ids:
        passages += actions.complete_step(user, mod, step_id)
    return passages


def test_completing_twice_is_a_no_op(django_capture_on_commit_callbacks):
    pathway = build_pathway(["m:2"])
    user = learner()
    actions.enroll(user, pathway)
    (mod,) = modules_of(pathway)
    actions.complete_step(user, mod, mod.step_ids[0])
    actions.complete_step(user, mod, mod.step_ids[0])
    assert StepCompletion.objects.filter(learner=user).count() == 1


def test_point_recorded_once_and_signal_sent_with_it(reached, django_capture_on_commit_callbacks):
    pathway = build_pathway(["m:2", "p:automatic", "m:1"])
    user = learner()
    actions.enroll(user, pathway)
    first, _ = modules_of(pathway)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.complete_step(user, first, first.step_ids[0])
        assert reached == []
        passages = actions.complete_step(user, first, first.step_ids[1])
        actions.complete_step(user, first, first.step_ids[1])
    assert [p.point_id for p in passages] == point_ids(pathway)
    assert callbacks  # what receivers queue (e-mails) runs after commit only
    assert reached == [(point_ids(pathway)[0], "automatic", "Balise 1")]
    assert CheckpointPassage.objects.filter(learner=user).count() == 1


def test_rolled_back_completion_keeps_nothing_receivers_wrote(
    reached, django_capture_on_commit_callbacks
):
    """The signal is sent inside the transaction: a receiver's writes (coaching's request)
    commit with the passage or not at all."""
    from django.db import transaction

    from lms.coaching.models import CoachingRequest

    pathway = build_pathway(["m:1", "p:automatic"])
    user = learner()
    actions.enroll(user, pathway)
    (mod,) = modules_of(pathway)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        actions.complete_step(user, mod, mod.step_ids[0])
        assert CoachingRequest.objects.filter(learner=user).exists()
        raise RuntimeError("boom")
    assert not CheckpointPassage.objects.exists()
    assert not CoachingRequest.objects.exists()


def test_a_failing_receiver_keeps_the_progress(django_capture_on_commit_callbacks):
    """A receiver that raises rolls back its own writes only: the step and the passage are
    recorded, the learner's action succeeds (its repair is the receiver's business)."""
    from pathways.signals import progression_point_reached

    def broken(sender, **kwargs):
        raise RuntimeError("receiver down")

    pathway = build_pathway(["m:1", "p:automatic"])
    user = learner()
    actions.enroll(user, pathway)
    (mod,) = modules_of(pathway)
    progression_point_reached.connect(broken, dispatch_uid="test_broken_receiver")
    try:
        passages = actions.complete_step(user, mod, mod.step_ids[0])
    finally:
        progression_point_reached.disconnect(dispatch_uid="test_broken_receiver")
    assert [p.point_id for p in passages] == point_ids(pathway)
    assert CheckpointPassage.objects.filter(learner=user).count() == 1
    assert StepCompletion.objects.filter(learner=user).count() == 1


def test_shared_module_counts_in_every_pathway(django_capture_on_commit_callbacks):
    shared = module(1)
    first = build_pathway([shared, "p:offered", "m:1"])
    second = build_pathway(["m:1", "p:automatic", shared, "p:automatic"])
    user = learner()
    actions.enroll(user, first)
    actions.enroll(user, second)
    passages = complete_module(user, shared)
    assert {p.pathway_id for p in passages} == {first.pk}
    assert learner_progress(user, second).progress.module(shared.pk).state == "done"


def test_enrolling_late_records_points_already_reached(django_capture_on_commit_callbacks):
    shared = module(1)
    first = build_pathway([shared])
    second = build_pathway([shared, "p:automatic"])
    user = learner()
    actions.enroll(user, first)
    complete_module(user, shared)
    actions.enroll(user, second)
    assert CheckpointPassage.objects.filter(pathway=second, learner=user).count() == 1


def test_gate_locks_then_release_opens_and_records_following_points(
    reached, django_capture_on_commit_callbacks
):
    pathway = build_pathway(["m:1", "p:gate", "m:1", "p:automatic"])
    user = learner()
    actions.enroll(user, pathway)
    before, after = modules_of(pathway)
    gate, auto = point_ids(pathway)
    with django_capture_on_commit_callbacks(execute=True):
        complete_module(user, before)
        # Steps of the locked module done through another pathway still wait for the gate.
        StepCompletion.objects.create(learner=user, module=after, step_id=after.step_ids[0])
        assert learner_progress(user, pathway).progress.module(after.pk).state == "locked"
        passage = actions.release_gate(user, pathway, gate)
    assert passage.released_at is not None
    assert [r[0] for r in reached] == [gate, auto]
    first_release = passage.released_at
    assert actions.release_gate(user, pathway, gate).released_at == first_release


def test_release_before_reaching_does_nothing():
    pathway = build_pathway(["m:1", "p:gate", "m:1"])
    user = learner()
    actions.enroll(user, pathway)
    assert actions.release_gate(user, pathway, point_ids(pathway)[0]) is None


def test_editing_a_module_keeps_progress_on_remaining_steps(django_capture_on_commit_callbacks):
    pathway = build_pathway(["m:3", "p:automatic"])
    user = learner()
    actions.enroll(user, pathway)
    (mod,) = modules_of(pathway)
    a, b, c = mod.step_ids
    actions.complete_step(user, mod, a)
    actions.complete_step(user, mod, b)
    # The editor deletes step c and moves b first: the module is now done.
    raw = {item["id"]: dict(item) for item in mod.steps.raw_data}
    mod.steps = [raw[b], raw[a]]
    mod.save_revision().publish()
    mod = refresh(mod)
    assert mod.step_ids == (b, a)
    progress = learner_progress(user, refresh(pathway)).progress
    assert progress.module(mod.pk).state == "done"
    assert progress.points_to_record  # the point can now be reached
    assert c not in mod.step_ids


def test_save_answers_last_write_wins():
    pathway = build_pathway(["m:1"])
    user = learner()
    actions.enroll(user, pathway)
    (mod,) = modules_of(pathway)
    actions.save_answers(user, mod, mod.step_ids[0], {"q": "premier"}, True)
    actions.save_answers(user, mod, mod.step_ids[0], {"q": "second"}, False)
    response = ExerciseResponse.objects.get()
    assert response.answers == {"q": "second"}
    assert response.shared_with_coach is False


def test_completing_everything_marks_the_enrollment_complete(django_capture_on_commit_callbacks):
    pathway = build_pathway(["m:1", "p:automatic", "m:1"])
    user = learner()
    actions.enroll(user, pathway)
    for mod in modules_of(pathway):
        complete_module(user, mod)
    assert Enrollment.objects.get().completed_at is not None


def test_a_pathway_ending_on_a_gate_is_complete_once_released(django_capture_on_commit_callbacks):
    """The funnel counts it and the learner is no longer nudged to finish it."""
    pathway = build_pathway(["m:1", "p:gate"])
    user = learner()
    actions.enroll(user, pathway)
    (mod,) = modules_of(pathway)
    complete_module(user, mod)
    assert Enrollment.objects.get().completed_at is None  # waiting for the coach
    actions.release_gate(user, pathway, point_ids(pathway)[0])
    assert Enrollment.objects.get().completed_at is not None
