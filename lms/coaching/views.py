"""Coach workspace and the learner's « Mon accompagnement ». Thin: check who may act, parse,
call one action, render. Every object is loaded through a filter of what the user may see."""

import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from lms.accounts.models import CoachProfile, LearnerProfile
from lms.accounts.roles import Role, roles_of
from lms.accounts.structures import is_network_manager, managed_structure_ids, may_manage
from lms.ratelimit import rate_limited
from pathways.carnet import build_carnet
from pathways.models import CheckpointPassage, PathwayPage
from pathways.queries import learner_progress

from . import actions, queries, threads
from .forms import (
    AcceptOfferForm,
    AnswerSessionForm,
    AssignForm,
    AvailabilityForm,
    CloseForm,
    HelpRequestForm,
    MessageForm,
    NotesForm,
    QueueFilterForm,
    SessionForm,
    page_number,
)
from .groups import learner_group_sessions
from .ics import session_calendar
from .models import (
    ACTIVE_STATUSES,
    AuthorRole,
    CoachingRequest,
    CoachingSession,
    SessionStatus,
    Status,
)
from .routing import may_claim

logger = logging.getLogger(__name__)

# When the request could not be saved at all: nothing half-done is kept, the text typed
# is shown again, the learner may send it again.
SAVE_FAILED = gettext_lazy(
    "Votre demande n'a pas pu être enregistrée à cause d'un souci technique. Votre message "
    "est conservé ci-dessous : réessayez dans un instant."
)


def coach_required(view):
    """Coaches with a profile only; others get a 403 page."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if Role.COACH not in roles_of(request.user):
            raise PermissionDenied
        # With its structure, which the coach's pages name: one query rather than two.
        profile = CoachProfile.objects.select_related("structure").filter(user=request.user).first()
        if profile is None:
            raise PermissionDenied
        request.user.coach_profile = profile
        return view(request, *args, **kwargs)

    return wrapper


def _coach_request(request, pk: int) -> CoachingRequest:
    queryset = CoachingRequest.objects.visible_to_coach(
        request.user, request.user.coach_profile
    ).select_related("learner", "pathway", "coach")
    return get_object_or_404(queryset, pk=pk)


# --- Coach workspace ---------------------------------------------------------------------


@coach_required
@require_GET
@vary_on_headers("HX-Request")
def queue(request):
    """Requests to take (territory, network queue) and mine, with filters: mine first, then
    by due date, ``queries.QUEUE_PAGE_SIZE`` (20) per page (``?page=``; the links keep the
    filters)."""
    profile = request.user.coach_profile
    form = QueueFilterForm(request.GET or None)
    page = queries.coach_queue(
        request.user, profile, page=page_number(request.GET.get("page")), refine=form.filter
    )
    context = {
        "form": form,
        "page": page,
        "open_requests": page.open,
        "my_requests": page.mine,
        "profile": profile,
    }
    if request.htmx:
        return render(request, "coaching/queue.html#queue_lists", context)
    return render(request, "coaching/queue.html", context)


@coach_required
@require_POST
def claim(request, pk: int):
    result = actions.claim_request(request.user, pk)
    if result.ok:
        messages.success(request, result.message)
        return redirect("coaching:request", pk=pk)
    messages.error(request, result.message)
    return redirect("coaching:queue")


def _learner_file(coaching_request: CoachingRequest) -> dict:
    learner = coaching_request.learner
    pathway = coaching_request.pathway
    return {
        "learner_profile": LearnerProfile.objects.filter(user=learner).first(),
        "progress": learner_progress(learner, pathway) if pathway else None,
        "carnet": build_carnet(learner, pathway, shared_only=True) if pathway else None,
        "sessions": CoachingSession.objects.filter(request__learner=learner)
        .select_related("coach")
        .prefetch_related(queries.session_changes("changes"))
        .order_by("-starts_at"),
        "other_requests": CoachingRequest.objects.filter(learner=learner)
        .exclude(pk=coaching_request.pk)
        .order_by("-created_at")[:10],
    }


@login_required
@require_GET
def request_detail(request, pk: int):
    """The learner's file for a coach (or a manager, read-only)."""
    roles = roles_of(request.user)
    if Role.COACH in roles and hasattr(request.user, "coach_profile"):
        coaching_request = _coach_request(request, pk)
    elif Role.MANAGER in roles:
        coaching_request = get_object_or_404(_managed_requests(request.user), pk=pk)
    else:
        raise PermissionDenied
    mine = coaching_request.coach_id == request.user.pk and coaching_request.is_active
    context = {
        "coaching_request": coaching_request,
        "mine": mine,
        "can_claim": coaching_request.status == Status.OPEN
        and may_claim(getattr(request.user, "coach_profile", None), coaching_request),
        "session_form": SessionForm(initial={"modality": coaching_request.recommended_modality}),
        "notes_form": NotesForm(
            initial={
                "private_notes": coaching_request.private_notes,
                "summary": coaching_request.summary,
                "next_steps": coaching_request.next_steps,
            }
        ),
        "close_form": CloseForm(
            initial={"summary": coaching_request.summary, "next_steps": coaching_request.next_steps}
        ),
        "assign_form": _assign_form(request.user, coaching_request),
        **_learner_file(coaching_request),
        **_thread_context(request.user, coaching_request),
    }
    return render(request, "coaching/request.html", context)


# --- Structure managers ----------------------------------------------------------------------


def _managed_requests(user):
    """The requests of the structures ``user`` manages (all of them for the network's)."""
    requests = CoachingRequest.objects.select_related("learner", "pathway", "coach", "structure")
    managed = managed_structure_ids(user)
    return requests if managed is None else requests.filter(structure_id__in=managed)


def _assign_form(user, coaching_request, data=None):
    """The form to give an active request to a coach, for its structure's managers."""
    if not coaching_request.is_active or Role.MANAGER not in roles_of(user):
        return None
    if not may_manage(user, coaching_request.structure_id):
        return None
    profiles = actions.assignable_coaches(user, coaching_request)
    return AssignForm(data, profiles=profiles) if profiles else None


def manager_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if Role.MANAGER not in roles_of(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@manager_required
@require_GET
def structure_requests(request):
    """Active requests of the manager's structures, those nobody holds first, by due date."""
    requests = (
        _managed_requests(request.user)
        .filter(status__in=ACTIVE_STATUSES)
        .order_by(F("coach").asc(nulls_first=True), "due_at", "pk")
    )
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    unread = threads.unread_counts(
        request.user, Q(request_id__in=[item.pk for item in page.object_list])
    )
    for item in page.object_list:
        item.unread_messages = unread.get(item.pk, 0)
    return render(
        request,
        "coaching/structure_requests.html",
        {"page_obj": page, "network": is_network_manager(request.user)},
    )


@manager_required
@require_POST
def assign(request, pk: int):
    coaching_request = get_object_or_404(_managed_requests(request.user), pk=pk)
    form = _assign_form(request.user, coaching_request, request.POST)
    if form is None:
        messages.error(request, _("Cette demande ne peut plus être confiée."))
        return redirect("coaching:request", pk=pk)
    if form.is_valid():
        try:
            actions.assign_request(request.user, coaching_request, form.cleaned_data["coach"].user)
        except actions.CoachingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Demande confiée à %(name)s, qui est prévenu·e.")
                % {"name": form.cleaned_data["coach"].user.display_name},
            )
    else:
        messages.error(request, " ".join(form.errors.get("coach", [])))
    return redirect("coaching:request", pk=pk)


@coach_required
@require_http_methods(["GET", "POST"])
def availability(request):
    """A coach's own absence (no new request routed to them until then) and capacity, and
    their weekly slots that learners book (edited by ``booking_views``)."""
    profile = request.user.coach_profile
    form = AvailabilityForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Vos disponibilités sont enregistrées."))
        return redirect("coaching:queue")
    status = 422 if request.method == "POST" else 200
    from .booking_views import availability_context  # the weekly slots, beside the absence

    context = {"form": form, **availability_context(request.user)}
    return render(request, "coaching/availability.html", context, status=status)


def _my_active_request(request, pk) -> CoachingRequest:
    coaching_request = _coach_request(request, pk)
    if coaching_request.coach_id != request.user.pk or not coaching_request.is_active:
        raise PermissionDenied
    return coaching_request


def _rerender(request, coaching_request, **forms):
    """The learner file again with a form's errors (nothing typed is lost)."""
    context = {
        "coaching_request": coaching_request,
        "mine": True,
        "can_claim": False,
        "session_form": SessionForm(initial={"modality": coaching_request.recommended_modality}),
        "notes_form": NotesForm(),
        "close_form": CloseForm(),
        **_learner_file(coaching_request),
        **_thread_context(request.user, coaching_request),
        **forms,
    }
    return render(request, "coaching/request.html", context, status=422)


@coach_required
@require_POST
@rate_limited("session_proposal")
def propose_session(request, pk: int):
    coaching_request = _my_active_request(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            actions.propose_session(
                request.user,
                coaching_request,
                starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                modality=form.cleaned_data["modality"],
                location=form.cleaned_data["location"],
            )
        except actions.CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Rendez-vous proposé : la personne a reçu l'invitation."))
            return redirect("coaching:request", pk=pk)
    return _rerender(request, coaching_request, session_form=form)


@coach_required
@require_POST
def save_notes(request, pk: int):
    coaching_request = _my_active_request(request, pk)
    form = NotesForm(request.POST)
    if not form.is_valid():
        return _rerender(request, coaching_request, notes_form=form)
    actions.save_notes(request.user, coaching_request, **form.cleaned_data)
    messages.success(request, _("Notes enregistrées."))
    return redirect("coaching:request", pk=pk)


@coach_required
@require_POST
def close(request, pk: int):
    coaching_request = _my_active_request(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _rerender(request, coaching_request, close_form=form)
    try:
        closed = actions.close_request(request.user, coaching_request, **form.cleaned_data)
    except actions.CoachingError as error:
        form.add_error("oriented_to", str(error))
        return _rerender(request, coaching_request, close_form=form)
    messages.success(request, _("Demande clôturée : la synthèse est partagée avec la personne."))
    for session in closed.upcoming:
        messages.warning(
            request,
            _(
                "Le rendez-vous du %(when)s, accepté par la personne, reste prévu : elle vous "
                "attend à cette date."
            )
            % {"when": date_format(localtime(session.starts_at), "DATETIME_FORMAT")},
        )
    return redirect("coaching:queue")


@coach_required
@require_POST
def hand_back(request, pk: int):
    coaching_request = _my_active_request(request, pk)
    actions.hand_back(request.user, coaching_request)
    messages.info(request, _("Demande rendue à la file d'attente."))
    return redirect("coaching:queue")


# --- Learner side --------------------------------------------------------------------------


@login_required
@require_GET
def my_coaching(request):
    """« Mon accompagnement »: my requests, proposed and planned sessions, summaries."""
    requests_ = (
        CoachingRequest.objects.for_learner(request.user)
        .select_related("coach__coach_profile__structure", "pathway", "oriented_to")
        .prefetch_related(queries.session_changes("sessions__changes"), "events")
        .order_by("-created_at")
    )
    unread = threads.unread_counts(request.user, Q(request__learner=request.user))
    requests_ = list(requests_)
    for item in requests_:
        item.unread_messages = unread.get(item.pk, 0)
    return render(
        request,
        "coaching/my_coaching.html",
        {
            "coaching_requests": requests_,
            "answer_form": AnswerSessionForm(),
            "group_invitations": learner_group_sessions(request.user),
        },
    )


@login_required
@require_POST
def cancel(request, pk: int):
    coaching_request = get_object_or_404(CoachingRequest.objects.for_learner(request.user), pk=pk)
    try:
        actions.cancel_request(request.user, coaching_request)
    except actions.CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Votre demande est annulée."))
    return redirect("coaching:my_coaching")


@login_required
@require_POST
def answer_session(request, pk: int):
    session = get_object_or_404(
        CoachingSession.objects.filter(request__learner=request.user).select_related("coach"),
        pk=pk,
    )
    form = AnswerSessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez une réponse."))
        return redirect("coaching:my_coaching")
    try:
        actions.answer_session(
            request.user, session, form.cleaned_data["answer"], form.cleaned_data["message"]
        )
    except actions.CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Votre réponse est transmise."))
    return redirect("coaching:my_coaching")


@login_required
@require_GET
def session_ics(request, pk: int):
    """The session's invitation, for the learner and the coach only."""
    session = get_object_or_404(
        CoachingSession.objects.select_related("coach", "request__learner"), pk=pk
    )
    if request.user.pk not in (session.coach_id, session.request.learner_id):
        raise Http404
    if session.status not in (SessionStatus.PROPOSED, SessionStatus.ACCEPTED):
        raise Http404
    response = HttpResponse(session_calendar(session), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "rendez-vous-balise.ics")
    return response


def _plain_text(value: str) -> str:
    """One line of text without control characters (NUL is refused by PostgreSQL)."""
    return "".join(ch for ch in value if ch.isprintable()).strip()


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("help_request")
def ask_for_help(request, pathway_id: int):
    """« J'ai besoin d'aide »: a message pre-filled with where the learner is."""
    pathway = get_object_or_404(PathwayPage.objects.live(), pk=pathway_id)
    where = _plain_text(request.GET.get("ou", "") or request.POST.get("where", ""))[:200]
    initial = {"message": _("Je bloque sur « %(where)s » : ") % {"where": where}} if where else {}
    form = HelpRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            opened = actions.open_help_request(
                request.user, pathway, form.cleaned_data["message"], where or pathway.title
            )
        except DatabaseError:
            logger.exception("Help request of user %s not saved.", request.user.pk)
            messages.error(request, SAVE_FAILED)
            return render(
                request, "coaching/help.html", {"form": form, "pathway": pathway, "where": where}
            )
        if opened.joined:
            messages.info(
                request,
                _(
                    "Votre message est ajouté à votre demande en cours pour ce parcours : "
                    "la personne qui la suit est prévenue."
                ),
            )
        else:
            messages.success(
                request, _("Votre demande est envoyée : une personne va vous répondre.")
            )
        return redirect("coaching:my_coaching")
    return render(request, "coaching/help.html", {"form": form, "pathway": pathway, "where": where})


@login_required
@require_POST
def accept_offer(request, pathway_id: int, point_id: str):
    """The learner accepts the coaching an ``offered`` progression point proposes."""
    passage = get_object_or_404(
        CheckpointPassage.objects.select_related("pathway", "learner"),
        learner=request.user,
        pathway_id=pathway_id,
        point_id=point_id,
        trigger="offered",
    )
    form = AcceptOfferForm(request.POST)
    point = passage.pathway.point_value(point_id)
    if not form.is_valid() or point is None:
        raise Http404
    try:
        opened = actions.accept_offered_point(passage, point, form.cleaned_data["message"])
    except DatabaseError:
        logger.exception("Offered point accepted by user %s not saved.", request.user.pk)
        messages.error(request, SAVE_FAILED)
        return redirect(reverse("coaching:my_coaching"))
    if opened.joined:
        messages.info(request, _("Votre demande est déjà en cours."))
    else:
        messages.success(request, _("C'est noté : une personne va vous proposer un échange."))
    return redirect(reverse("coaching:my_coaching"))


# --- Messages: a request's thread ---------------------------------------------------------


def _thread_context(user, coaching_request, form=None, thread_from="file") -> dict:
    """The thread for the people who take part in it (nothing for a coach of the territory
    who does not hold the request); reading it marks its messages read."""
    role = threads.participant_role(user, coaching_request)
    if role is None:
        return {}
    thread = threads.thread_for(user, coaching_request)
    actions.mark_thread_read(user, coaching_request, thread.last_id)
    return {
        "thread": thread,
        "viewer_role": role.value,
        "message_form": form or MessageForm(),
        "thread_from": thread_from,
    }


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("request_message")
def thread(request, pk: int):
    """A request's messages, and the form to write one: for the learner, the coach holding
    the request and the managers of its structure (or the network's); 404 for anyone else.
    A message to a closed request is refused and the text comes back in the form."""
    coaching_request = get_object_or_404(
        CoachingRequest.objects.select_related("learner", "coach", "pathway", "structure"), pk=pk
    )
    role = threads.participant_role(request.user, coaching_request)
    if role is None:
        raise Http404
    form = MessageForm(request.POST if request.method == "POST" else None)
    thread_from = "file" if request.POST.get("from") == "file" else "thread"
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.post_message(request.user, pk, form.cleaned_data["body"])
            except actions.CoachingError as error:
                form.add_error(None, str(error))
                coaching_request.refresh_from_db(fields=["status", "closed_at"])
            else:
                messages.success(request, _("Message envoyé."))
                if thread_from == "file" and role != AuthorRole.LEARNER:
                    return redirect(reverse("coaching:request", args=[pk]) + "#dernier-message")
                return redirect(reverse("coaching:thread", args=[pk]) + "#dernier-message")
        thread_from = "thread"
    context = {
        "coaching_request": coaching_request,
        **_thread_context(request.user, coaching_request, form, thread_from),
    }
    return render(request, "coaching/thread.html", context, status=422 if form.is_bound else 200)
