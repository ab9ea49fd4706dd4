"""Pure computations of a learner's progress in a pathway (no database access).

Inputs are plain data: the outline (modules with their live step ids, points
with their trigger), the set of (module id, step id) the learner completed, and
the passages recorded for the pathway. The rules:

- a module is *done* when every live step is completed (a module without steps
  is done); *in progress* when some are; *locked* when it comes after a gate
  point that has not been released;
- a progression point is *reached* when every module before it in the outline
  is done;
- the percentage counts completed live steps over all live steps of the
  distinct modules of the outline;
- the next step is the first unfinished step of the first unlocked module that
  is not done, in outline order.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class ModuleState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LOCKED = "locked"


@dataclass(frozen=True)
class ModuleInput:
    module_id: int
    step_ids: Sequence[str]


@dataclass(frozen=True)
class PointInput:
    point_id: str
    trigger: str  # "automatic" | "offered" | "gate"


@dataclass(frozen=True)
class PassageInput:
    point_id: str
    released: bool


@dataclass(frozen=True)
class ModuleProgress:
    module_id: int
    done_steps: int
    total_steps: int
    state: ModuleState
    next_step_id: str | None

    @property
    def percent(self) -> int:
        return 100 if not self.total_steps else round(100 * self.done_steps / self.total_steps)


@dataclass(frozen=True)
class PointProgress:
    point_id: str
    trigger: str
    reachable: bool  # every module before it is done
    passed: bool  # a passage is recorded
    released: bool  # gates: released by a coach; other triggers: always True

    @property
    def blocks_what_follows(self) -> bool:
        return self.trigger == "gate" and not (self.passed and self.released)


@dataclass(frozen=True)
class PathwayProgress:
    items: list[ModuleProgress | PointProgress] = field(default_factory=list)
    done_steps: int = 0
    total_steps: int = 0

    @property
    def percent(self) -> int:
        return 0 if not self.total_steps else round(100 * self.done_steps / self.total_steps)

    @property
    def modules(self) -> list[ModuleProgress]:
        return [item for item in self.items if isinstance(item, ModuleProgress)]

    @property
    def points(self) -> list[PointProgress]:
        return [item for item in self.items if isinstance(item, PointProgress)]

    def module(self, module_id: int) -> ModuleProgress | None:
        return next((m for m in self.modules if m.module_id == module_id), None)

    @property
    def next_step(self) -> tuple[int, str] | None:
        """(module id, step id) of the next step to do, or None."""
        for module in self.modules:
            if module.state not in (ModuleState.DONE, ModuleState.LOCKED) and module.next_step_id:
                return module.module_id, module.next_step_id
        return None

    @property
    def is_complete(self) -> bool:
        return all(m.state == ModuleState.DONE for m in self.modules) and all(
            p.passed and p.released for p in self.points
        )

    @property
    def points_to_record(self) -> list[PointProgress]:
        """Points every module before which is done, with no passage yet."""
        return [p for p in self.points if p.reachable and not p.passed]


def compute_progress(
    outline: Iterable[ModuleInput | PointInput],
    completed: set[tuple[int, str]],
    passages: Mapping[str, PassageInput],
) -> PathwayProgress:
    """Progress of one learner in one pathway; see the module docstring for the rules."""
    items: list[ModuleProgress | PointProgress] = []
    all_before_done = True
    locked = False
    counted: set[int] = set()
    done_total = steps_total = 0
    for entry in outline:
        if isinstance(entry, PointInput):
            passage = passages.get(entry.point_id)
            point = PointProgress(
                point_id=entry.point_id,
                trigger=entry.trigger,
                reachable=all_before_done and not locked,
                passed=passage is not None,
                released=passage.released if passage is not None else entry.trigger != "gate",
            )
            items.append(point)
            locked = locked or point.blocks_what_follows
            continue
        done = [step for step in entry.step_ids if (entry.module_id, step) in completed]
        remaining = [step for step in entry.step_ids if (entry.module_id, step) not in completed]
        if locked:
            state = ModuleState.LOCKED
        elif not remaining:
            state = ModuleState.DONE
        elif done:
            state = ModuleState.IN_PROGRESS
        else:
            state = ModuleState.NOT_STARTED
        if remaining:
            all_before_done = False
        if entry.module_id not in counted:
            counted.add(entry.module_id)
            done_total += len(done)
            steps_total += len(entry.step_ids)
        items.append(
            ModuleProgress(
                module_id=entry.module_id,
                done_steps=len(done),
                total_steps=len(entry.step_ids),
                state=state,
                next_step_id=remaining[0] if remaining else None,
            )
        )
    return PathwayProgress(items=items, done_steps=done_total, total_steps=steps_total)
