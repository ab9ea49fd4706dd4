"""Progress rules as tables, and a property: any order of completions reaches each point once."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.progress import (
    ModuleInput,
    ModuleState,
    PassageInput,
    PointInput,
    compute_progress,
)

A = ModuleInput(1, ("a1", "a2"))
B = ModuleInput(2, ("b1",))
C = ModuleInput(3, ("c1", "c2", "c3"))
AUTO = PointInput("p-auto", "automatic")
GATE = PointInput("p-gate", "gate")
OUTLINE = [A, AUTO, B, GATE, C]


def done(*pairs):
    return set(pairs)


@pytest.mark.parametrize(
    ("completed", "passages", "states", "to_record", "percent", "next_step"),
    [
        # Modules after a gate are locked until a coach releases it.
        (set(), {}, ["not_started", "not_started", "locked"], [], 0, (1, "a1")),
        (done((1, "a1")), {}, ["in_progress", "not_started", "locked"], [], 17, (1, "a2")),
        (
            done((1, "a1"), (1, "a2")),
            {},
            ["done", "not_started", "locked"],
            ["p-auto"],
            33,
            (2, "b1"),
        ),
        # B done before A: the automatic point waits for A.
        (done((2, "b1")), {}, ["not_started", "done", "locked"], [], 17, (1, "a1")),
        # Everything before the gate done: gate to record, C locked.
        (
            done((1, "a1"), (1, "a2"), (2, "b1")),
            {"p-auto": PassageInput("p-auto", True)},
            ["done", "done", "locked"],
            ["p-gate"],
            50,
            None,
        ),
        # Gate reached, not released: C stays locked even if its steps were done elsewhere.
        (
            done((1, "a1"), (1, "a2"), (2, "b1"), (3, "c1")),
            {"p-auto": PassageInput("p-auto", True), "p-gate": PassageInput("p-gate", False)},
            ["done", "done", "locked"],
            [],
            67,
            None,
        ),
        # Gate released: C opens.
        (
            done((1, "a1"), (1, "a2"), (2, "b1")),
            {"p-auto": PassageInput("p-auto", True), "p-gate": PassageInput("p-gate", True)},
            ["done", "done", "not_started"],
            [],
            50,
            (3, "c1"),
        ),
    ],
)
def test_progress_table(completed, passages, states, to_record, percent, next_step):
    progress = compute_progress(OUTLINE, completed, passages)
    assert [m.state for m in progress.modules] == [ModuleState(s) for s in states]
    assert [p.point_id for p in progress.points_to_record] == to_record
    assert progress.percent == percent
    assert progress.next_step == next_step


def test_stale_completions_of_deleted_steps_do_not_count():
    progress = compute_progress([A], done((1, "deleted-step"), (1, "a1")), {})
    assert progress.modules[0].done_steps == 1
    assert progress.percent == 50


def test_module_without_steps_is_done_and_does_not_block_points():
    empty = ModuleInput(9, ())
    progress = compute_progress([empty, AUTO], set(), {})
    assert progress.modules[0].state == ModuleState.DONE
    assert [p.point_id for p in progress.points_to_record] == ["p-auto"]


def test_a_module_twice_in_an_outline_counts_once_in_the_percentage():
    progress = compute_progress([A, AUTO, A], done((1, "a1")), {})
    assert progress.total_steps == 2
    assert progress.percent == 50


def test_complete_only_when_every_module_done_and_gates_released():
    all_done = done((1, "a1"), (1, "a2"), (2, "b1"), (3, "c1"), (3, "c2"), (3, "c3"))
    released = {"p-auto": PassageInput("p-auto", True), "p-gate": PassageInput("p-gate", True)}
    assert compute_progress(OUTLINE, all_done, released).is_complete
    held = {**released, "p-gate": PassageInput("p-gate", False)}
    assert not compute_progress(OUTLINE, all_done, held).is_complete


ALL_STEPS = [(m.module_id, s) for m in (A, B, C) for s in m.step_ids]


@settings(max_examples=200, deadline=None)
@given(order=st.permutations(ALL_STEPS), release_gate_at=st.integers(0, len(ALL_STEPS)))
def test_any_completion_order_records_each_point_exactly_once(order, release_gate_at):
    """Simulate the action loop: after each completion, record what is reachable."""
    completed: set = set()
    passages: dict[str, PassageInput] = {}
    recorded: list[str] = []
    for index, step in enumerate(order):
        if index == release_gate_at and "p-gate" in passages:
            passages["p-gate"] = PassageInput("p-gate", True)
        completed.add(step)
        for point in compute_progress(OUTLINE, completed, passages).points_to_record:
            assert point.point_id not in passages
            passages[point.point_id] = PassageInput(point.point_id, point.trigger != "gate")
            recorded.append(point.point_id)
    assert len(recorded) == len(set(recorded))
    assert set(recorded) == {"p-auto", "p-gate"}
    assert recorded.index("p-auto") < recorded.index("p-gate")
