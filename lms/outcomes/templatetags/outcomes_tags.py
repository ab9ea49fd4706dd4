"""Outcomes' filters and tags, and the prompts it shows on pathways' pages."""

from dataclasses import dataclass, replace

from django import template

from pathways.models import Enrollment
from pathways.progress import ModuleState

from ..forms import MilestoneForm
from ..models import Milestone, Moment
from ..queries import Prompts, is_finished, milestone_for, prompt_flags, read_prompts

register = template.Library()


@register.filter
def feedback_of(prompts, module_pk):
    """The learner's « utile » for a module: True, False, or None when not given yet."""
    return prompts.feedback.get(module_pk) if prompts is not None else None


@register.filter
def asks_feedback_for(prompts, module_pk) -> bool:
    """Whether the page offers the one-click feedback on this module."""
    return prompts is not None and module_pk in prompts.feedback


# --- What outcomes asks of the learner on pathways' pages ------------------------------------
# pathways never imports outcomes: its pages load these tags, and outcomes reads what it
# needs (one query on a page that asks something, none otherwise).


@register.simple_tag(takes_context=True)
def pathway_prompts(context, pathway, progress) -> Prompts | None:
    """On a pathway page: the start self-diagnosis and milestone while not given, the
    end-of-pathway review once finished, the feedback of each module done."""
    finished = is_finished(progress)
    done = [m.module_id for m in progress.modules if m.state == ModuleState.DONE]
    return _prompts(
        context, pathway, finished, start=not finished, end=finished, feedback_modules=done
    )


@register.simple_tag(takes_context=True)
def step_prompts(context, pathway, outline, progress, module, step_id) -> Prompts | None:
    """On a step page: the start self-diagnosis on the pathway's first step, the module's
    feedback on the last step of a finished module."""
    modules = [i.module for i in outline if i.kind == "module" and i.module.step_ids]
    first = bool(modules) and (modules[0].pk, modules[0].step_ids[0]) == (module.pk, step_id)
    state = progress.module(module.pk)
    last_done = (
        step_id == module.step_ids[-1] and state is not None and state.state == ModuleState.DONE
    )
    return _prompts(
        context, pathway, False, start=first, feedback_modules=[module.pk] if last_done else []
    )


@dataclass(frozen=True)
class PointMilestone:
    milestone: Milestone | None
    form: MilestoneForm


@register.simple_tag(takes_context=True)
def point_milestone(context, pathway, point_id) -> PointMilestone:
    """At a progression point: the milestone given there (or the latest, to prefill)."""
    user = context["request"].user
    milestone, prefill = milestone_for(user, pathway, Moment.POINT, point_id)
    return PointMilestone(milestone, MilestoneForm(instance=milestone, prefill=prefill))


def _prompts(context, pathway, finished, **asked) -> Prompts | None:
    user = context["request"].user
    if not user.is_authenticated:
        return None
    flags = prompt_flags(user, pathway, **asked)
    if not flags:  # most step pages ask nothing: no query
        return None
    enrollment = Enrollment.objects.filter(learner=user, pathway=pathway).annotate(**flags).first()
    if enrollment is None:
        return None
    return replace(read_prompts(enrollment), finished=finished)
