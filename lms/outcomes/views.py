"""Learner pages of outcomes: self-diagnosis and its result, competence profile, milestones,
satisfaction, module feedback. Thin: check who may act, parse, call one action, render.

Only the logged-in learner, only their own rows: diagnoses are loaded through
``learner=request.user`` (another person's is a 404). Pathway pages need a live pathway
the learner follows; end-of-pathway pages need it finished; a progression point's
milestone needs the point reached.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from lms.ratelimit import rate_limited
from pathways.models import CheckpointPassage, Enrollment
from pathways.progress import ModuleState
from pathways.queries import learner_progress, live_pathway

from . import actions
from .charts import Series, bar_chart
from .forms import DiagnosisForm, MilestoneForm, ModuleFeedbackForm, SatisfactionForm
from .models import Competence, Diagnosis, Moment, Satisfaction
from .queries import (
    active_self_assessment_request,
    competence_profile,
    grouped,
    is_finished,
    low_competences_of,
    milestone_for,
    questionnaire,
)

logger = logging.getLogger(__name__)

SAVE_FAILED = gettext_lazy(
    "Vos réponses n'ont pas pu être enregistrées à cause d'un souci technique. Elles sont "
    "conservées ci-dessous : réessayez dans un instant."
)


def _status(form) -> int:
    return 422 if form.is_bound and form.errors else 200


def _followed_pathway(request, pathway_id: int, *, finished: bool = False):
    """(live pathway the learner follows, None) or (pathway, a redirect explaining why not)."""
    pathway = live_pathway(pathway_id)
    if pathway is None:
        raise Http404(_("Ce parcours n'existe pas ou n'est plus en ligne."))
    if not Enrollment.objects.filter(learner=request.user, pathway=pathway).exists():
        messages.info(request, _("Commencez d'abord ce parcours."))
        return pathway, redirect(pathway.url)
    if finished and not is_finished(learner_progress(request.user, pathway).progress):
        messages.info(
            request, _("Le bilan de fin s'ouvre quand vous avez terminé toutes les étapes.")
        )
        return pathway, redirect(pathway.url)
    return pathway, None


# --- Self-diagnosis ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def diagnosis(request, pathway_id: int | None = None, moment: str = Moment.FREE):
    """The questionnaire: at the start or the end of a pathway, or any time (free).

    Retaking a start or end diagnosis shows the previous answers and replaces them."""
    pathway = None
    previous = None
    if pathway_id is not None:
        pathway, refusal = _followed_pathway(request, pathway_id, finished=moment == Moment.END)
        if refusal:
            return refusal
        previous = Diagnosis.objects.filter(
            learner=request.user, pathway=pathway, moment=moment
        ).first()
    competences = questionnaire()
    form = DiagnosisForm(
        competences,
        request.POST if request.method == "POST" else None,
        answers=previous.answers if previous else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = actions.take_diagnosis(
                request.user, competences, form.answers(), moment=moment, pathway=pathway
            )
        except DatabaseError:
            # The diagnosis and its request commit together or not at all: nothing is
            # half-saved, and the form comes back with the person's answers.
            logger.exception("Self-diagnosis of user %s not saved.", request.user.pk)
            messages.error(request, SAVE_FAILED)
            return _diagnosis_form(request, form, pathway, moment, previous, status=503)
        messages.success(request, _("Merci, votre autodiagnostic est enregistré."))
        names = ", ".join(f"« {c.name} »" for c in outcome.low)
        if outcome.request is not None:
            messages.success(
                request,
                _(
                    "Vous vous donnez un score bas sur %(names)s : nous avons demandé un "
                    "accompagnement pour vous. Une accompagnatrice ou un accompagnateur va "
                    "vous contacter."
                )
                % {"names": names},
            )
        elif outcome.request_already_active:
            messages.info(
                request,
                _(
                    "Vous avez déjà une demande d'accompagnement en cours pour ce parcours : "
                    "la personne qui vous accompagne verra aussi ces résultats."
                ),
            )
        return redirect("outcomes:diagnosis_result", pk=outcome.diagnosis.pk)
    return _diagnosis_form(request, form, pathway, moment, previous, status=_status(form))


def _diagnosis_form(request, form, pathway, moment, previous, status):
    return render(
        request,
        "outcomes/diagnosis_form.html",
        {"form": form, "pathway": pathway, "moment": moment, "previous": previous},
        status=status,
    )


def _own_diagnosis(request, pk: int, **filters) -> Diagnosis:
    queryset = Diagnosis.objects.filter(learner=request.user, **filters).select_related("pathway")
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_GET
def diagnosis_result(request, pk: int):
    """Scores of one diagnosis (chart and table), what happens about low scores, what next."""
    diagnosis = _own_diagnosis(request, pk)
    scores = {s.competence_id: s.score for s in diagnosis.scores.all()}
    competences = [c for c in Competence.objects.all() if c.pk in scores]
    chart = bar_chart(
        [Series("latest", _("score"))], grouped(competences, lambda c: (c.name, [scores[c.pk]]))
    )
    pathway = diagnosis.pathway if diagnosis.pathway and diagnosis.pathway.live else None
    low, request_active, milestone_form = [], False, None
    if pathway is not None:
        low_pks = low_competences_of(pathway, scores)
        low = sorted((c for c in competences if c.pk in low_pks), key=lambda c: scores[c.pk])
        request_active = bool(low) and active_self_assessment_request(request.user, pathway)
        if diagnosis.moment in (Moment.START, Moment.END):
            given, prefill = milestone_for(request.user, pathway, diagnosis.moment)
            milestone_form = MilestoneForm(instance=given, prefill=prefill)
    return render(
        request,
        "outcomes/diagnosis_result.html",
        {
            "diagnosis": diagnosis,
            "pathway": pathway,
            "rows": grouped(competences, lambda c: (c, scores[c.pk])),
            "chart": chart,
            "low": low,
            "low_scores": [(c, scores[c.pk]) for c in low],
            "request_active": request_active,
            "milestone_form": milestone_form,
        },
    )


@login_required
@require_POST
@rate_limited("help_request")
def diagnosis_request_coaching(request, pk: int):
    """« Demander un accompagnement » after a diagnosis with low scores (pathways that offer
    it rather than opening the request directly)."""
    diagnosis = _own_diagnosis(request, pk, pathway__live=True)
    scores = {s.competence_id: s.score for s in diagnosis.scores.all()}
    if not low_competences_of(diagnosis.pathway, scores):
        messages.info(
            request,
            _(
                "Vos réponses ne demandent pas d'accompagnement particulier. En cas de besoin, "
                "« J'ai besoin d'aide » reste disponible à chaque étape."
            ),
        )
        return redirect("outcomes:diagnosis_result", pk=diagnosis.pk)
    try:
        opened = actions.request_coaching_after_diagnosis(diagnosis)
    except DatabaseError:
        logger.exception("Coaching request after diagnosis %s not saved.", diagnosis.pk)
        messages.error(
            request,
            _(
                "Votre demande n'a pas pu être enregistrée à cause d'un souci technique : "
                "réessayez dans un instant."
            ),
        )
        return redirect("outcomes:diagnosis_result", pk=diagnosis.pk)
    if opened is None:
        messages.info(request, _("Votre demande d'accompagnement est déjà en cours."))
    else:
        messages.success(
            request,
            _("C'est noté : une accompagnatrice ou un accompagnateur va vous contacter."),
        )
    return redirect("coaching:my_coaching")


@login_required
@require_GET
def profile(request):
    """« Mon profil de compétences »: latest scores, and start vs end for each pathway."""
    data = competence_profile(
        request.user, {"latest": _("score"), "start": _("début"), "end": _("fin")}
    )
    return render(request, "outcomes/profile.html", {"profile": data})


# --- Milestones and satisfaction ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def milestone(request, pathway_id: int, moment: str, point_id: str = ""):
    """Where the project stands, at the start, at a progression point, at the end."""
    pathway, refusal = _followed_pathway(request, pathway_id, finished=moment == Moment.END)
    if refusal:
        return refusal
    if moment == Moment.POINT:
        point = pathway.point_value(point_id)
        if point is None:
            raise Http404(_("Cette balise n'existe pas ou ne fait plus partie de ce parcours."))
        if not CheckpointPassage.objects.filter(
            learner=request.user, pathway=pathway, point_id=point_id
        ).exists():
            return render(
                request,
                "pathways/point_not_reached.html",
                {"pathway": pathway, "point": point},
                status=403,
            )
    given, prefill = milestone_for(request.user, pathway, moment, point_id)
    form = MilestoneForm(
        request.POST if request.method == "POST" else None, instance=given, prefill=prefill
    )
    if request.method == "POST" and form.is_valid():
        actions.record_milestone(
            request.user, pathway, moment=moment, point_id=point_id, **form.cleaned_data
        )
        messages.success(request, _("Merci, c'est noté : vous pourrez le modifier plus tard."))
        if moment == Moment.START:
            return redirect("pathways:continue", pathway_id=pathway.pk)
        if moment == Moment.POINT:
            return redirect("pathways:point", pathway_id=pathway.pk, point_id=point_id)
        return redirect("outcomes:satisfaction", pathway_id=pathway.pk)
    return render(
        request,
        "outcomes/milestone_form.html",
        {
            "form": form,
            "pathway": pathway,
            "moment": moment,
            "action": request.path,
            "given": given,
        },
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def satisfaction(request, pathway_id: int):
    """At the end of a pathway: would the learner recommend it (0-10), and why. Editable."""
    pathway, refusal = _followed_pathway(request, pathway_id, finished=True)
    if refusal:
        return refusal
    given = Satisfaction.objects.filter(learner=request.user, pathway=pathway).first()
    form = SatisfactionForm(request.POST if request.method == "POST" else None, instance=given)
    if request.method == "POST" and form.is_valid():
        actions.record_satisfaction(request.user, pathway, **form.cleaned_data)
        messages.success(request, _("Merci pour votre avis : il aide à améliorer les parcours."))
        return redirect(pathway.url)
    return render(
        request,
        "outcomes/satisfaction_form.html",
        {"form": form, "pathway": pathway, "given": given},
        status=_status(form),
    )


# --- Module feedback -----------------------------------------------------------------------


def _safe_next(request, fallback: str) -> str:
    """``next`` when it is a path of this site, else ``fallback``. A bare word ("0") or a
    relative path is refused: ``redirect()`` would take a word for a URL name (a 500)."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
@vary_on_headers("HX-Request")
def module_feedback(request, pathway_id: int, module_id: int):
    """« Utile » / « Pas utile » on a completed module: htmx swaps in a thank-you, a plain
    POST goes back to the page it came from."""
    pathway, refusal = _followed_pathway(request, pathway_id)
    if refusal:
        return refusal
    view = learner_progress(request.user, pathway)
    module = next(
        (i.module for i in view.outline if i.kind == "module" and i.module.pk == module_id), None
    )
    if module is None:
        raise Http404(_("Ce module ne fait pas partie de ce parcours."))
    back = _safe_next(request, pathway.url)
    if view.progress.module(module.pk).state != ModuleState.DONE:
        messages.info(request, _("Vous pourrez donner votre avis une fois le module terminé."))
        return redirect(back)
    form = ModuleFeedbackForm(request.POST)
    context = {"pathway": pathway, "module": module, "next": back}
    if not form.is_valid():
        if request.htmx:
            return render(
                request, "outcomes/module_feedback.html#box", {**context, "invalid": True}
            )
        messages.error(request, _("Choisissez « Utile » ou « Pas utile »."))
        return redirect(back)
    feedback = actions.record_module_feedback(
        request.user, module, useful=form.cleaned_data["useful"]
    )
    if request.htmx:
        return render(
            request,
            "outcomes/module_feedback.html#box",
            {**context, "useful": feedback.useful, "thanks": True},
        )
    messages.success(request, _("Merci pour votre avis sur « %(module)s ».") % {"module": module})
    return redirect(back)
