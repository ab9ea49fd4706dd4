"""« Mon carnet »: a learner downloads their own answers for a pathway (PDF or text).

``build_carnet()`` gathers everything in three queries, whatever the pathway's
size: the live modules of the outline, the learner's exercise responses for
those modules, and their passages at the pathway's progression points. Step and
question labels are read from the StreamFields of the loaded pages, with no
chooser resolved. The two views only render the result.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lms.accounts.models import User

from .models import CheckpointPassage, ExerciseResponse, PathwayPage


@dataclass(frozen=True)
class Answer:
    """A question and the learner's answer ("" when not answered yet)."""

    label: str
    text: str

    @property
    def is_answered(self) -> bool:
        return bool(self.text)

    @property
    def indented_text(self) -> str:
        """The answer with its continuation lines indented, for the plain-text carnet."""
        return self.text.replace("\n", "\n  ")


@dataclass(frozen=True)
class ExerciseSection:
    title: str
    answers: list[Answer]


@dataclass(frozen=True)
class ModuleSection:
    title: str
    exercises: list[ExerciseSection]


@dataclass(frozen=True)
class PointSection:
    title: str
    answers: list[Answer]


@dataclass(frozen=True)
class Carnet:
    pathway_title: str
    pathway_slug: str
    learner_name: str
    made_on: date
    modules: list[ModuleSection] = field(default_factory=list)
    points: list[PointSection] = field(default_factory=list)

    @property
    def all_answers(self) -> list[Answer]:
        from_modules = [
            answer
            for module in self.modules
            for exercise in module.exercises
            for answer in exercise.answers
        ]
        return from_modules + [answer for point in self.points for answer in point.answers]

    @property
    def is_empty(self) -> bool:
        """True when the learner has answered nothing yet in this pathway."""
        return not any(answer.is_answered for answer in self.all_answers)


def answer_text(value) -> str:
    """A stored answer (text, list of choices, number) as one line of text."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item).strip() for item in value if str(item).strip())
    return str(value).replace("\r\n", "\n").strip()


def _answers(questions_with_ids, answers: dict) -> list[Answer]:
    return [
        Answer(label=question["label"], text=answer_text(answers.get(question_id)))
        for question_id, question in questions_with_ids
    ]


def build_carnet(learner: User, pathway: PathwayPage, shared_only: bool = False) -> Carnet:
    """The learner's answers in a pathway, in outline then step order: three queries.

    With ``shared_only``, only the exercises the learner shares with their coach
    are filled in (what a coach may read).

    Every guided exercise of the pathway's live modules is listed, answered or
    not, so the carnet also serves as a worksheet. Progression points appear
    only once reached, and only when they ask questions.
    """
    outline = pathway.outline_items()
    modules = list(
        {item.module.pk: item.module for item in outline if item.kind == "module"}.values()
    )
    response_rows = ExerciseResponse.objects.filter(
        learner=learner, module__in=[module.pk for module in modules]
    )
    if shared_only:
        response_rows = response_rows.filter(shared_with_coach=True)
    responses = {
        (module_id, step_id): answers
        for module_id, step_id, answers in response_rows.values_list(
            "module_id", "step_id", "answers"
        )
    }
    passages = dict(
        CheckpointPassage.objects.filter(learner=learner, pathway=pathway).values_list(
            "point_id", "answers"
        )
    )

    module_sections = []
    for module in modules:
        exercises = [
            ExerciseSection(
                title=step.value["title"],
                answers=_answers(
                    step.value.questions_with_ids(), responses.get((module.pk, step.id)) or {}
                ),
            )
            for step in module.steps.blocks_by_name("guided_exercise")
        ]
        if exercises:
            module_sections.append(ModuleSection(title=module.title, exercises=exercises))

    point_sections = []
    for point in pathway.outline.blocks_by_name("progression_point"):
        if point.id not in passages:
            continue
        answers = _answers(point.value.questions_with_ids(), passages[point.id] or {})
        if answers:
            point_sections.append(PointSection(title=point.value["title"], answers=answers))

    return Carnet(
        pathway_title=pathway.title,
        pathway_slug=pathway.slug,
        learner_name=learner.get_full_name() or learner.email,
        made_on=timezone.localdate(),
        modules=module_sections,
        points=point_sections,
    )


def _carnet_for(request, pathway_id: int) -> Carnet:
    pathway = get_object_or_404(PathwayPage.objects.live(), pk=pathway_id)
    return build_carnet(request.user, pathway)


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _refuse_fetch(url, *args, **kwargs):
    """WeasyPrint URL fetcher: the carnet is self-contained, so nothing is fetched."""
    raise ValueError(f"The carnet fetches no external resource: {url}")


@require_GET
@login_required
@never_cache
def carnet_text(request, pathway_id: int):
    """The learner's carnet as plain text, to keep or paste elsewhere."""
    carnet = _carnet_for(request, pathway_id)
    text = render_to_string("pathways/carnet.txt", {"carnet": carnet})
    return _attachment(text, "text/plain; charset=utf-8", f"carnet-{carnet.pathway_slug}.txt")


@require_GET
@login_required
@never_cache
def carnet_pdf(request, pathway_id: int):
    """The learner's carnet as a printable PDF (WeasyPrint, no external resource)."""
    from weasyprint import HTML  # heavy import, only where it is used

    carnet = _carnet_for(request, pathway_id)
    html = render_to_string("pathways/carnet.html", {"carnet": carnet})
    pdf = HTML(
        string=html, base_url=request.build_absolute_uri("/"), url_fetcher=_refuse_fetch
    ).write_pdf()
    return _attachment(pdf, "application/pdf", f"carnet-{carnet.pathway_slug}.pdf")
