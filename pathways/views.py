"""Learner pages and htmx partials. Thin: parse input, call one action, render.

Every view loads its objects through the live pathway and its outline, so a step
of another module, a module outside the pathway, a deleted step or a locked
module is refused with a clear page, never a 500.
"""

import copy
import json
import uuid
from dataclasses import dataclass, replace

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from lms.notifications.navigation import navigation_context
from lms.ratelimit import rate_limited

from . import actions
from .forms import AnswersForm, ExerciseForm
from .glossary import dictionary_order, glossary_terms, in_language
from .models import (
    CheckpointPassage,
    Enrollment,
    ExerciseResponse,
    ModulePage,
    OfflineSync,
    PathwayPage,
)
from .progress import ModuleState
from .queries import (
    PathwayView,
    learner_dashboard,
    learner_progress,
    live_pathway,
    live_pathway_outline,
    servable_media,
    step_reading,
)

# --- Lookups shared by the learner views -------------------------------------------------


@dataclass(frozen=True)
class StepContext:
    pathway: PathwayPage
    view: PathwayView
    module: ModulePage
    step_id: str
    enrolled: bool | None = None  # None: not read yet (``_require_enrollment`` asks)
    glossary_version: str = ""
    navigation: dict | None = None  # read with the progress on a page (``step_reading``)
    # Steps with answers kept offline to show, read with the progress on a page (None: ask).
    offline_kept: frozenset | None = None

    @property
    def module_progress(self):
        return self.view.progress.module(self.module.pk)

    @property
    def is_locked(self) -> bool:
        progress = self.module_progress
        return progress is not None and progress.state == ModuleState.LOCKED


def _live_pathway(pathway_id: int) -> PathwayPage:
    pathway = live_pathway(pathway_id)
    if pathway is None:
        raise Http404(_("Ce parcours n'existe pas ou n'est plus en ligne."))
    return pathway


def _step_context(
    request, pathway_id: int, module_id: int, step_id: str, *, page: bool = False
) -> StepContext:
    """The step, its pathway and the learner's progress there. For a page (``page``: GET),
    progress and enrolment come from the cache (``step_reading``); an action reads them
    from the database."""
    enrolled, glossary, navigation, kept = None, "", None, None
    if page:
        reading = step_reading(request.user, pathway_id)
        if reading is None:
            raise Http404(_("Ce parcours n'existe pas ou n'est plus en ligne."))
        view, enrolled, glossary = reading.view, reading.enrolled, reading.glossary_version
        pathway, navigation, kept = view.pathway, reading.navigation, reading.offline_kept
    else:
        found = live_pathway_outline(pathway_id)
        if found is None:
            raise Http404(_("Ce parcours n'existe pas ou n'est plus en ligne."))
        pathway, outline = found
        view = learner_progress(request.user, pathway, outline)
    module = next(
        (i.module for i in view.outline if i.kind == "module" and i.module.pk == module_id), None
    )
    if module is None or step_id not in module.step_ids:
        raise Http404(_("Cette étape n'existe pas ou ne fait plus partie de ce parcours."))
    return StepContext(pathway, view, module, step_id, enrolled, glossary, navigation, kept)


def _locked_response(request, ctx: StepContext):
    return render(
        request, "pathways/locked.html", {"pathway": ctx.pathway, "module": ctx.module}, status=403
    )


def _step_url(pathway_id: int, module_id: int, step_id: str) -> str:
    return reverse("pathways:step", args=[pathway_id, module_id, step_id])


def _neighbours(view: PathwayView, ctx: StepContext) -> tuple[str | None, str | None]:
    """URLs of the previous and next steps across the pathway's modules, in outline order."""
    sequence = [
        (item.module.pk, step_id)
        for item in view.outline
        if item.kind == "module"
        for step_id in item.module.step_ids
    ]
    here = sequence.index((ctx.module.pk, ctx.step_id))
    previous = sequence[here - 1] if here > 0 else None
    following = sequence[here + 1] if here + 1 < len(sequence) else None
    return (
        _step_url(ctx.pathway.pk, *previous) if previous else None,
        _step_url(ctx.pathway.pk, *following) if following else None,
    )


# --- Learner views -----------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request):
    """« Mes parcours »: every pathway followed, with progress and the next step."""
    return render(request, "pathways/dashboard.html", {"rows": learner_dashboard(request.user)})


@login_required
@require_POST
def enroll(request, pathway_id: int):
    pathway = _live_pathway(pathway_id)
    actions.enroll(request.user, pathway)
    return redirect("pathways:continue", pathway_id=pathway.pk)


@login_required
@require_GET
def continue_pathway(request, pathway_id: int):
    """Go to the next unfinished step, or back to the pathway when none is open."""
    pathway = _live_pathway(pathway_id)
    if not Enrollment.objects.filter(learner=request.user, pathway=pathway).exists():
        return redirect(pathway.url)
    next_step = learner_progress(request.user, pathway).progress.next_step
    if next_step is None:
        return redirect(pathway.url)
    return redirect(_step_url(pathway.pk, *next_step))


@require_GET
def glossary(request):
    """« Glossaire »: the field's words in plain words, one anchor each (``#slug``), where
    learner pages link them. Public."""
    terms = [in_language(term) for term in sorted(glossary_terms(), key=dictionary_order)]
    return render(request, "pathways/glossary.html", {"terms": terms})


@login_required
@require_GET
def media_file(request, media_id: int):
    """A stable address for a step's audio or video, so that a step's cached content never
    holds a file URL that expires: redirects to the file, through a fresh signed URL when
    files sit in a private bucket. Only media of live pages (editors: drafts too)."""
    media = servable_media(request.user, media_id)
    if media is None:
        raise Http404(_("Ce média n'existe pas ou n'est pas publié."))
    return redirect(media.file.url)


def _render_step(request, ctx: StepContext, form=None, status=200):
    step = ctx.module.step_ref(ctx.step_id)
    done_ids = {step_id for module_id, step_id in ctx.view.completed if module_id == ctx.module.pk}
    if form is None and step.block_type == "guided_exercise":
        form = _exercise_form(request.user, ctx, step)
    previous_url, next_url = _neighbours(ctx.view, ctx)
    # Built only when the step list's cached fragment is missing (its key: ``done_key``...).
    steps = SimpleLazyObject(
        lambda: [
            {
                "id": step_id,
                "title": ctx.module.step_titles[step_id],
                "url": _step_url(ctx.pathway.pk, ctx.module.pk, step_id),
                "done": step_id in done_ids,
                "current": step_id == ctx.step_id,
            }
            for step_id in ctx.module.step_ids
        ]
    )
    context = {
        "pathway": ctx.pathway,
        "module": ctx.module,
        "step": step,
        "step_id": ctx.step_id,
        "steps": steps,
        "done_key": " ".join(sorted(done_ids)),
        "step_number": ctx.module.step_ids.index(ctx.step_id) + 1,
        "is_done": ctx.step_id in done_ids,
        "form": form,
        "previous_url": previous_url,
        "next_url": next_url,
        "progress": ctx.view.progress,
        "outline": ctx.view.outline,
        "offline_kept": _offline_kept(request.user, ctx)
        if getattr(form, "offline_kept", False)
        else [],
        "step_cache_seconds": settings.BALISE_STEP_CACHE_SECONDS,
        "content_key": ctx.module.step_digest(ctx.step_id),
        "glossary": ctx.glossary_version,
    }
    if ctx.navigation is not None:
        context.update(navigation_context(ctx.navigation))
    return render(request, "pathways/step.html", context, status=status)


def _exercise_form(user, ctx: StepContext, step, data=None):
    # Whether answers typed offline wait to be shown (questions changed meanwhile): on a
    # page, known with the progress; for an action, read with the answers (same query).
    # Kept answers always come with stored ones: ``sync_offline_answers`` saves the others
    # in the same step.
    responses = ExerciseResponse.objects.filter(
        learner_id=user.pk, module_id=ctx.module.pk, step_id=ctx.step_id
    )
    if ctx.offline_kept is None:
        responses = responses.annotate(
            offline_kept=Exists(
                OfflineSync.objects.filter(
                    learner=OuterRef("learner"),
                    module=OuterRef("module"),
                    step_id=OuterRef("step_id"),
                    outcome=OfflineSync.Outcome.QUESTIONS_CHANGED,
                )
            )
        )
    response = responses.first()
    form = ExerciseForm(
        step.value.questions_with_ids(),
        data,
        stored_answers=response.answers if response else None,
        shared=response.shared_with_coach if response else False,
        share_offered=step.value["share_with_coach"],
    )
    # The version of the answers this form shows: answers typed offline on it carry it,
    # so that the server sees whether the stored answers changed since.
    form.version = response.updated_at.isoformat() if response else ""
    if ctx.offline_kept is None:
        form.offline_kept = bool(response and response.offline_kept)
    else:
        form.offline_kept = (ctx.module.pk, ctx.step_id) in ctx.offline_kept
    return form


def _offline_kept(user, ctx: StepContext) -> list:
    """Answers typed offline to questions this exercise no longer asks: shown on its page."""
    rows = OfflineSync.objects.filter(
        learner=user,
        module_id=ctx.module.pk,
        step_id=ctx.step_id,
        outcome=OfflineSync.Outcome.QUESTIONS_CHANGED,
    ).only("kept", "typed_at", "received_at")
    return [{"at": row.typed_at or row.received_at, "answers": row.kept} for row in rows]


def _require_enrollment(request, ctx: StepContext):
    enrolled = ctx.enrolled
    if enrolled is None:
        enrolled = Enrollment.objects.filter(learner=request.user, pathway=ctx.pathway).exists()
    if enrolled:
        return None
    messages.info(request, _("Commencez le parcours pour accéder à ses étapes."))
    return redirect(ctx.pathway.url)


@login_required
@require_GET
def step(request, pathway_id: int, module_id: int, step_id: str):
    ctx = _step_context(request, pathway_id, module_id, step_id, page=True)
    if refusal := _require_enrollment(request, ctx):
        return refusal
    if ctx.is_locked:
        return _locked_response(request, ctx)
    return _render_step(request, ctx)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def complete_step(request, pathway_id: int, module_id: int, step_id: str):
    """« J'ai terminé cette étape »: idempotent; htmx gets the updated box, others a redirect."""
    ctx = _step_context(request, pathway_id, module_id, step_id)
    if refusal := _require_enrollment(request, ctx):
        return refusal
    if ctx.is_locked:
        return _locked_response(request, ctx)
    passages = actions.complete_step(request.user, ctx.module, ctx.step_id)
    return _completed_response(request, ctx, passages)


def _completed_response(request, ctx: StepContext, passages):
    """Move on after a completion: to the point just reached, else to the next step (or
    back to the pathway). With htmx too, the browser loads that page (``HX-Redirect``), so
    the checklist, the progress bar and the place in the pathway are all up to date and
    moving on costs no extra click; a module's feedback is offered on the pathway page."""
    reached = [p for p in passages if p.pathway_id == ctx.pathway.pk]
    if reached:
        target = reverse("pathways:point", args=[ctx.pathway.pk, reached[0].point_id])
    else:
        view = learner_progress(request.user, ctx.pathway)
        target = _neighbours(view, ctx)[1] or ctx.pathway.url
    messages.success(request, _("Étape terminée, bravo !"))
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def save_answers(request, pathway_id: int, module_id: int, step_id: str):
    """Save a guided exercise (autosave via htmx, or a plain submit; ``complete`` also finishes
    the step). On invalid input nothing typed is lost: the form comes back with the answers."""
    ctx = _step_context(request, pathway_id, module_id, step_id)
    if refusal := _require_enrollment(request, ctx):
        return refusal
    if ctx.is_locked:
        return _locked_response(request, ctx)
    step = ctx.module.find_step(ctx.step_id)
    if step.block_type != "guided_exercise":
        raise Http404(_("Cette étape ne contient pas d'exercice."))
    form = _exercise_form(request.user, ctx, step, data=request.POST)
    if not form.submitted():
        # Not this exercise's form (a truncated or forged request): nothing to write, and
        # writing it would erase every answer and the sharing choice.
        if "complete" in request.POST:
            passages = actions.complete_step(request.user, ctx.module, ctx.step_id)
            return _completed_response(request, ctx, passages)
        return HttpResponseBadRequest(_("Ce formulaire ne contient aucune réponse."))
    if not form.is_valid():
        if request.htmx:
            return render(request, "pathways/step.html#autosave_status", {"form": form})
        return _render_step(request, ctx, form=form, status=422)
    response = actions.save_answers(
        request.user, ctx.module, ctx.step_id, form.merged_answers(), form.share_choice()
    )
    if "complete" in request.POST:
        passages = actions.complete_step(request.user, ctx.module, ctx.step_id)
        return _completed_response(request, ctx, passages)
    if request.htmx:
        return render(
            request,
            "pathways/step.html#autosave_status",
            {"form": form, "saved_at": timezone.now(), "version": response.updated_at.isoformat()},
        )
    messages.success(request, _("Vos réponses sont enregistrées."))
    return redirect(_step_url(ctx.pathway.pk, ctx.module.pk, ctx.step_id))


@login_required
@require_http_methods(["GET", "POST"])
def point(request, pathway_id: int, point_id: str):
    """A progression point the learner reached: its message, what happens next, its questions."""
    pathway = _live_pathway(pathway_id)
    value = pathway.point_value(point_id)
    if value is None:
        raise Http404(_("Cette balise n'existe pas ou ne fait plus partie de ce parcours."))
    passage = CheckpointPassage.objects.filter(
        learner=request.user, pathway=pathway, point_id=point_id
    ).first()
    if passage is None:
        return render(
            request,
            "pathways/point_not_reached.html",
            {"pathway": pathway, "point": value},
            status=403,
        )
    questions = value.questions_with_ids()
    form = (
        AnswersForm(questions, request.POST or None, answers=passage.answers) if questions else None
    )
    if request.method == "POST" and form is not None and form.is_valid():
        actions.answer_point_questions(passage, form.answers())
        messages.success(request, _("Merci, vos réponses sont enregistrées."))
        return redirect("pathways:point", pathway_id=pathway.pk, point_id=point_id)
    return render(
        request,
        "pathways/point.html",
        {
            "pathway": pathway,
            "point": value,
            "passage": passage,
            "form": form,
        },
        status=422 if form is not None and form.errors else 200,
    )


# --- Offline reading and sync --------------------------------------------------------------


@login_required
@require_GET
@never_cache
def offline_module(request, pathway_id: int, module_id: int):
    """What « Enregistrer pour lire hors connexion » stores for a module: its step pages and
    their documents, each with its size in bytes, so that the learner sees the total first.
    The pages are rendered here as the learner would receive them (measured, not guessed)."""
    found = live_pathway_outline(pathway_id)
    module = None
    if found is not None:
        module = next(
            (i.module for i in found[1] if i.kind == "module" and i.module.pk == module_id), None
        )
    if module is None or not module.step_ids:
        raise Http404(_("Ce module n'existe pas ou ne fait plus partie de ce parcours."))
    ctx = _step_context(request, pathway_id, module_id, module.step_ids[0])
    if not Enrollment.objects.filter(learner=request.user, pathway=ctx.pathway).exists():
        raise Http404(_("Commencez le parcours pour accéder à ses étapes."))
    if ctx.is_locked:
        return _locked_response(request, ctx)
    # A copy of the request: rendering must not consume the learner's pending messages.
    quiet = copy.copy(request)
    quiet._messages = []
    pages, documents = [], {}
    for step_id in ctx.module.step_ids:
        step_ctx = replace(ctx, step_id=step_id)
        rendered = _render_step(quiet, step_ctx)
        url = _step_url(ctx.pathway.pk, ctx.module.pk, step_id)
        pages.append({"url": url, "bytes": len(rendered.content)})
        document = _step_document(ctx.module, step_id)
        if document is not None:
            documents[document.url] = {"url": document.url, "bytes": document.get_file_size() or 0}
    resources = pages + list(documents.values())
    total = sum(item["bytes"] for item in resources)
    return JsonResponse(
        {
            "module": ctx.module.title,
            "resources": resources,
            "total_bytes": total,
            "total": filesizeformat(total),
        }
    )


def _step_document(module: ModulePage, step_id: str):
    step = module.find_step(step_id)
    if step is None or step.block_type != "workshop_sheet":
        return None
    return step.value.get("document")


def _sync_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"outcome": "refused", "message": message}, status=status)


OUTCOME_MESSAGES = {
    OfflineSync.Outcome.SAVED: gettext_lazy("Envoyé."),
    OfflineSync.Outcome.MERGED: gettext_lazy(
        "Vos réponses avaient changé sur un autre appareil : votre texte écrit hors "
        "connexion y a été ajouté, relisez-les."
    ),
    OfflineSync.Outcome.QUESTIONS_CHANGED: gettext_lazy(
        "Les questions de cet exercice ont changé depuis : vos réponses aux questions "
        "retirées sont gardées et affichées sur la page de l'exercice."
    ),
}


@login_required
@require_POST
@rate_limited("offline_sync")
def offline_sync(request):
    """One change made offline (answers typed, a step marked done), sent as JSON by the
    page's script when the network returns. Checked as the form it replaces (live step,
    enrolment, lock, answers cleaned by the exercise's form) and applied once per key."""
    try:
        item = json.loads(request.body)
        key = uuid.UUID(str(item["key"]))
        kind = item["kind"]
        pathway_id, module_id = int(item["pathway"]), int(item["module"])
        step_id = str(item["step"])
    except (ValueError, KeyError, TypeError):
        return _sync_error(_("Envoi illisible."), 400)
    if str(item.get("user", request.user.pk)) != str(request.user.pk):
        return _sync_error(_("Ces réponses ont été écrites sous un autre compte."), 403)
    if kind not in OfflineSync.Kind.values:
        return _sync_error(_("Envoi illisible."), 400)
    done = OfflineSync.objects.filter(key=key).first()
    if done is not None:
        return _sync_answer(request, done)
    ctx = _step_context(request, pathway_id, module_id, step_id)
    if not Enrollment.objects.filter(learner=request.user, pathway=ctx.pathway).exists():
        raise Http404(_("Commencez le parcours pour accéder à ses étapes."))
    if ctx.is_locked:
        return _sync_error(_("Ce module n'est pas encore ouvert."), 403)
    typed_at = parse_datetime(str(item.get("typed_at") or "")) or None
    try:
        if kind == OfflineSync.Kind.COMPLETE:
            record = actions.sync_offline_completion(
                request.user, ctx.module, ctx.step_id, key=key, typed_at=typed_at
            )
        else:
            record = _sync_answers(request, ctx, item, key, typed_at)
    except IntegrityError:  # the same key, sent twice at once: the other one applied it
        record = OfflineSync.objects.filter(key=key).first()
        if record is None:
            raise
    if isinstance(record, JsonResponse):
        return record
    return _sync_answer(request, record)


def _sync_answers(request, ctx: StepContext, item: dict, key, typed_at):
    step = ctx.module.find_step(ctx.step_id)
    if step.block_type != "guided_exercise":
        raise Http404(_("Cette étape ne contient pas d'exercice."))
    fields = item.get("fields")
    labels = item.get("labels") or {}
    if not isinstance(fields, dict) or not isinstance(labels, dict):
        return _sync_error(_("Envoi illisible."), 400)
    data = QueryDict(mutable=True)
    for name, values in fields.items():
        values = values if isinstance(values, list) else [values]
        data.setlist(str(name), [str(value) for value in values])
    form = _exercise_form(request.user, ctx, step, data=data)
    if not form.is_valid():
        errors = " ".join(str(e) for field in form for e in field.errors)
        return _sync_error(errors or _("Envoi illisible."), 422)
    sent = form.submitted()
    answers = {qid: value for qid, value in form.answers().items() if f"q_{qid}" in sent}
    asked = {f"q_{qid}" for qid in form.question_ids}
    kept = [
        {"question": str(labels.get(name, "")), "answer": data.getlist(name)}
        for name in fields
        if name.startswith("q_") and name not in asked and any(data.getlist(name))
    ]
    for entry in kept:
        if len(entry["answer"]) == 1:
            entry["answer"] = entry["answer"][0]
    based_on = parse_datetime(str(item.get("based_on") or "")) or None
    share = form.share_choice() if "share_with_coach" in sent else None
    return actions.sync_offline_answers(
        request.user,
        ctx.module,
        ctx.step_id,
        key=key,
        answers=answers,
        texts=frozenset(
            qid for qid in form.question_ids if isinstance(form.fields[f"q_{qid}"], forms.CharField)
        ),
        shared_with_coach=share,
        kept=kept,
        based_on=based_on,
        typed_at=typed_at,
    )


def _sync_answer(request, record: OfflineSync) -> JsonResponse:
    if record.learner_id != request.user.pk:
        return _sync_error(_("Ces réponses ont été écrites sous un autre compte."), 403)
    version = ""
    if record.kind == OfflineSync.Kind.ANSWERS:
        response = ExerciseResponse.objects.filter(
            learner=request.user, module_id=record.module_id, step_id=record.step_id
        ).first()
        version = response.updated_at.isoformat() if response else ""
    return JsonResponse(
        {
            "outcome": record.outcome,
            "message": str(OUTCOME_MESSAGES[record.outcome]),
            "version": version,
        }
    )
