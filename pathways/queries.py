"""Reads of learner progress: a constant number of queries, whatever the sizes."""

from dataclasses import dataclass

from lms.accounts.models import User

from .models import CheckpointPassage, OutlineItem, PathwayPage, StepCompletion
from .progress import ModuleInput, PassageInput, PathwayProgress, PointInput, compute_progress


@dataclass(frozen=True)
class PathwayView:
    """A pathway's outline, the learner's progress in it, and their passages by point id."""

    pathway: PathwayPage
    outline: list[OutlineItem]
    progress: PathwayProgress
    passages: dict[str, CheckpointPassage]

    def rows(self):
        """(outline item, its progress) pairs, in outline order."""
        return list(zip(self.outline, self.progress.items, strict=True))


def completed_steps(learner: User, module_ids) -> set[tuple[int, str]]:
    """(module id, step id) pairs the learner completed in these modules: one query."""
    return set(
        StepCompletion.objects.filter(learner=learner, module_id__in=module_ids).values_list(
            "module_id", "step_id"
        )
    )


def to_inputs(outline: list[OutlineItem]):
    return [
        ModuleInput(module_id=item.module.pk, step_ids=item.module.step_ids)
        if item.kind == "module"
        else PointInput(point_id=item.key, trigger=item.trigger)
        for item in outline
    ]


def learner_progress(
    learner: User | None, pathway: PathwayPage, outline: list[OutlineItem] | None = None
) -> PathwayView:
    """Progress of a learner (or of nobody, for visitors) in a pathway: three queries."""
    if outline is None:
        outline = pathway.outline_items()
    module_ids = [item.module.pk for item in outline if item.kind == "module"]
    if learner is not None and learner.is_authenticated:
        completed = completed_steps(learner, module_ids)
        passages = {
            p.point_id: p for p in CheckpointPassage.objects.filter(learner=learner, pathway=pathway)
        }
    else:
        completed, passages = set(), {}
    progress = compute_progress(
        to_inputs(outline),
        completed,
        {pid: PassageInput(pid, p.is_released) for pid, p in passages.items()},
    )
    return PathwayView(pathway, outline, progress, passages)
