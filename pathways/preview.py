"""Wagtail previews of modules and pathways: the learner's own pages, drawn from the draft.

Wagtail builds the page from the edit form (or from a revision: « Voir le brouillon »,
the history, moderation) and calls its ``serve_preview(request, mode)``; the page models
hand it to ``serve_module_preview`` / ``serve_pathway_preview``. The preview renders the
learner templates with ``preview`` set: the same blocks, forms and outline, but every
action is shown disabled (forms without an action, disabled buttons, links to nowhere),
so nothing can be sent from a preview and nothing is written: no enrollment, completion,
answer, passage or coaching request. The learner seen is one who has just started:
nothing done, nothing answered.

Modes (``module_preview_modes``, ``pathway_preview_modes``): a module as a learner goes
through it (every step one after another, the default, which moderation shows), its
overview page, or one step at a time; a pathway as a learner who started it sees it, or
before starting. A pathway's outline shows its modules' latest drafts in their place,
the unpublished ones marked as such.

A pathway's progression points preview too (``point-1``…), as the page a learner reaches
there. A page awaiting review shows, to whoever its task lets approve it, a moderation bar
above the learner's page whose forms post to Wagtail's own workflow action view
(``moderation_bar``).

Wagtail's preview views ask whether the person may edit (or publish) the page, but its
moderation preview only asks whether they belong to the task's group, which the
structures narrow (``pathways.ownership``): so every preview checks again here, on the
page's own row, and refuses anyone who may neither edit nor publish it.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Revision, TaskState

from .forms import AnswersForm, ExerciseForm
from .models import CheckpointPassage, ModulePage, OutlineItem, PathwayPage
from .progress import ModuleState
from .queries import build_view

# Module modes. The first is the default: the one moderation shows.
WHOLE_MODULE = "learner"
MODULE_OVERVIEW = "overview"
STEP_MODE = "step-"  # "step-1", "step-2"…: a step by its position in the draft

# Pathway modes.
PATHWAY_STARTED = "learner"
PATHWAY_NOT_STARTED = "visitor"
POINT_MODE = "point-"  # "point-1", "point-2"…: a progression point by its place among points


def module_preview_modes(module: ModulePage) -> list[tuple[str, str]]:
    """The whole module, its overview, then one mode per step (« Étape 2 : titre »), read
    from the raw steps (a form-built draft may have steps without ids yet)."""
    titles = [item["value"].get("title", "") for item in module.steps.raw_data]
    return [
        (WHOLE_MODULE, _("Voir comme une personne accompagnée : toutes les étapes")),
        (MODULE_OVERVIEW, _("Présentation du module")),
        *(
            (
                f"{STEP_MODE}{number}",
                gettext("Étape %(number)s : %(title)s") % {"number": number, "title": title},
            )
            for number, title in enumerate(titles, start=1)
        ),
    ]


def _raw_points(pathway: PathwayPage) -> list[dict]:
    return [item for item in pathway.outline.raw_data if item["type"] == "progression_point"]


def pathway_preview_modes(pathway: PathwayPage) -> list[tuple[str, str]]:
    """The pathway as a learner who started it sees it, before starting, then one mode per
    progression point of the draft (« Balise 1 : titre »): the page the learner reaches."""
    titles = [item["value"].get("title", "") for item in _raw_points(pathway)]
    return [
        (PATHWAY_STARTED, _("Voir comme une personne accompagnée")),
        (PATHWAY_NOT_STARTED, _("Avant de commencer le parcours")),
        *(
            (
                f"{POINT_MODE}{number}",
                gettext("Balise %(number)s : %(title)s") % {"number": number, "title": title},
            )
            for number, title in enumerate(titles, start=1)
        ),
    ]


def may_preview(user, page: Page) -> bool:
    """Whether ``user`` may edit or publish ``page``, judged on the page's own row (a draft
    or an old revision may name another structure, or none)."""
    if page.pk is not None:
        page = type(page).objects.filter(pk=page.pk).first() or page
    permissions = page.permissions_for_user(user)
    return permissions.can_edit() or permissions.can_publish()


def _refuse_unless_allowed(request, page: Page) -> None:
    if not may_preview(request.user, page):
        raise PermissionDenied


def _with_block_ids(page: Page, field: str) -> None:
    """Give every block of the draft's stream an id, as saving would. The edit form may
    send blocks without one (a new step, a new question): the learner pages key steps,
    questions and points on these ids."""
    setattr(page, field, getattr(page, field).get_prep_value())
    for cached in ("step_ids", "step_titles"):
        page.__dict__.pop(cached, None)


def _base_context(page: Page, request) -> dict:
    # Page.get_context, not the page's own: that one reads the live content and progress.
    return {
        **Page.get_context(page, request),
        "preview": True,
        "moderation": moderation_bar(request, page),
    }


# --- Moderation from the preview ---------------------------------------------------------------


@dataclass(frozen=True)
class ModerationBar:
    """A page awaiting review, seen by someone its task lets approve it: the bar above the
    learner's page posts to Wagtail's own workflow action view, which checks again."""

    task_state: TaskState
    latest_revision: Revision | None
    approve_url: str
    reject_url: str | None
    from_form: bool  # the preview shows the edit form's data, perhaps not saved

    @property
    def requested_by(self):
        return self.task_state.workflow_state.requested_by

    @property
    def submitted_at(self):
        return self.task_state.started_at


def _workflow_action_url(page: Page, action: str, task_state: TaskState) -> str:
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])


def moderation_bar(request, page: Page) -> ModerationBar | None:
    """The moderation bar of ``page`` for ``request.user``, or None: when the page is not
    awaiting review, or its task offers them no approval (``StructureApprovalTask``: the
    managers of its structure, the network's, superusers). The same question as Wagtail's
    workflow action view asks, on the same object (the page's base row)."""
    user = getattr(request, "user", None)
    if page.pk is None or user is None or not user.is_authenticated:
        return None
    row = Page.objects.filter(pk=page.pk).select_related("latest_revision").first()
    task_state = row.current_workflow_task_state if row is not None else None
    if task_state is None:
        return None
    actions = {name for name, *_ in task_state.task.specific.get_actions(row, user)}
    if "approve" not in actions:
        return None
    return ModerationBar(
        task_state=task_state,
        latest_revision=row.latest_revision,
        approve_url=_workflow_action_url(row, "approve", task_state),
        reject_url=_workflow_action_url(row, "reject", task_state) if "reject" in actions else None,
        from_form=getattr(request, "is_editing", False),
    )


# --- Modules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewStep:
    """One step of the draft as its learner page shows it, with nothing done."""

    number: int
    step: object  # the bound step block
    form: ExerciseForm | None
    previous_url: str | None
    next_url: str | None
    content_key: str  # the step's digest, as the learner page caches it

    @property
    def step_id(self) -> str:
        return self.step.id

    @property
    def dom_suffix(self) -> str:
        """Keeps ids unique when several steps share a page: ``etape-2``, ``step-title-2``."""
        return f"-{self.number}"

    def context(self) -> dict:
        """What ``pathways/step.html`` reads of the step itself."""
        return {
            "step": self.step,
            "step_id": self.step_id,
            "step_number": self.number,
            "form": self.form,
            "previous_url": self.previous_url,
            "next_url": self.next_url,
            "content_key": self.content_key,
        }


def _disabled_exercise_form(step, prefix: str | None = None) -> ExerciseForm:
    """The exercise's form as a learner first gets it (no answer, sharing not ticked),
    every field disabled."""
    form = ExerciseForm(
        step.value.questions_with_ids(),
        share_offered=step.value["share_with_coach"],
        prefix=prefix,
    )
    for field in form.fields.values():
        field.disabled = True
    return form


def _preview_steps(module: ModulePage, link, prefixed: bool) -> list[PreviewStep]:
    """The draft's steps; ``link(number)`` is the address of step ``number`` in this mode.
    ``prefixed``: the exercises' fields get ids of their own (several on one page)."""
    count = len(module.step_ids)
    steps = []
    for number, step in enumerate(module.steps, start=1):
        form = None
        if step.block_type == "guided_exercise":
            form = _disabled_exercise_form(step, f"etape-{number}" if prefixed else None)
        steps.append(
            PreviewStep(
                number=number,
                step=module.step_ref(step.id, bound=step),
                form=form,
                previous_url=link(number - 1) if number > 1 else None,
                next_url=link(number + 1) if number < count else None,
                content_key=module.step_digest(step.id),
            )
        )
    return steps


def _module_context(module: ModulePage, link, current: int | None) -> dict:
    """What ``pathways/step.html`` reads of the module around a step: its step list (side
    panel) and the progress of someone who just started, in a pathway of this module
    alone; no pathway (a module serves several), no prompts."""
    outline = [OutlineItem(kind="module", key=str(module.pk), module=module)]
    view = build_view(None, outline, set(), {})
    steps = [
        {
            "id": step_id,
            "title": module.step_titles[step_id],
            "url": link(number),
            "done": False,
            "current": number == current,
        }
        for number, step_id in enumerate(module.step_ids, start=1)
    ]
    return {
        "pathway": None,
        "module": module,
        "steps": steps,
        "is_done": False,
        "progress": view.progress,
        "outline": view.outline,
        "prompts": None,
        # Never store a draft's rendering (a learner's, of the same content, may be read).
        "step_cache_seconds": 0,
    }


def _step_mode_number(module: ModulePage, mode_name: str | None) -> int | None:
    if not mode_name or not mode_name.startswith(STEP_MODE):
        return None
    number = mode_name.removeprefix(STEP_MODE)
    if not number.isdigit() or not 1 <= int(number) <= len(module.step_ids):
        return None  # a step removed from the draft since the mode was listed
    return int(number)


def _step_link(number: int) -> str:
    # Relative to the preview's own address, whichever admin view serves it.
    return f"?mode={STEP_MODE}{number}"


def _step_anchor(number: int) -> str:
    return f"#etape-{number}"


def serve_module_preview(module: ModulePage, request, mode_name: str | None) -> TemplateResponse:
    _refuse_unless_allowed(request, module)
    _with_block_ids(module, "steps")
    context = _base_context(module, request)
    if mode_name == MODULE_OVERVIEW:
        context["step_titles"] = [module.step_titles[step_id] for step_id in module.step_ids]
        return TemplateResponse(request, "pathways/preview/module_page.html", context)
    number = _step_mode_number(module, mode_name)
    if number is not None:
        context.update(_module_context(module, _step_link, current=number))
        context.update(_preview_steps(module, _step_link, prefixed=False)[number - 1].context())
        return TemplateResponse(request, "pathways/preview/step.html", context)
    context.update(_module_context(module, _step_anchor, current=None))
    context["preview_steps"] = _preview_steps(module, _step_anchor, prefixed=True)
    return TemplateResponse(request, "pathways/preview/module_steps.html", context)


# --- Pathways --------------------------------------------------------------------------------


def draft_modules(ids) -> dict[int, ModulePage]:
    """The modules with these ids as their latest revisions, published or not (one query):
    what the pathway will show once everything in it is published. Each keeps its row's
    ``live`` and ``has_unpublished_changes``, which the outline's draft marks read."""
    modules = ModulePage.objects.filter(pk__in=list(ids)).select_related("latest_revision")
    return {
        module.pk: module.with_content_json(module.latest_revision.content)
        if module.latest_revision is not None
        else module
        for module in modules
    }


def _point_mode_number(pathway: PathwayPage, mode_name: str | None) -> int | None:
    if not mode_name or not mode_name.startswith(POINT_MODE):
        return None
    number = mode_name.removeprefix(POINT_MODE)
    if not number.isdigit() or not 1 <= int(number) <= len(_raw_points(pathway)):
        return None  # a point removed from the draft since the mode was listed
    return int(number)


def _point_context(pathway: PathwayPage, number: int) -> dict:
    """What ``pathways/point.html`` reads: the point as a learner who just reached it sees
    it (not released, nothing answered), its questions' fields disabled. The passage is a
    stand-in, never saved."""
    point = [child for child in pathway.outline if child.block_type == "progression_point"]
    point = point[number - 1]
    questions = point.value.questions_with_ids()
    form = None
    if questions:
        form = AnswersForm(questions)
        for field in form.fields.values():
            field.disabled = True
    return {
        "pathway": pathway,
        "point": point.value,
        "point_number": number,
        "passage": CheckpointPassage(point_id=point.id, trigger=point.value["trigger"]),
        "form": form,
    }


def serve_pathway_preview(pathway: PathwayPage, request, mode_name: str | None) -> TemplateResponse:
    _refuse_unless_allowed(request, pathway)
    _with_block_ids(pathway, "outline")
    context = _base_context(pathway, request)
    number = _point_mode_number(pathway, mode_name)
    if number is not None:
        context.update(_point_context(pathway, number))
        return TemplateResponse(request, "pathways/preview/point.html", context)
    outline = pathway.outline_items(draft_modules(pathway.module_ids()))
    context.update(
        {
            "view": build_view(pathway, outline, set(), {}),
            "enrolled": mode_name != PATHWAY_NOT_STARTED,
            "ModuleState": ModuleState,
        }
    )
    return TemplateResponse(request, "pathways/preview/pathway_page.html", context)
