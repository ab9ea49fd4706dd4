"""Group sessions' pages: the coach's and manager's (« Qui attend ? », create, invite,
attendance, brief, cancel) under /accompagnement/collectif/, and the learner's answers
from « Mon accompagnement ». Thin: check who may act, parse, call one action, render.

Staff see a session when one of their structures co-runs it or they lead it (the
network's managers: every session); learners, when they were invited or registered.
Anyone else gets a 404."""

import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.accounts.models import User
from pathways.models import PathwayPage

from . import actions, groups
from .actions.groups import group_point, point_allows_group
from .group_forms import (
    BriefForm,
    CancelGroupForm,
    GroupAttendanceForm,
    GroupSessionForm,
    InviteForm,
)
from .ics import group_calendar
from .models import GroupInvitation, GroupSeat, GroupSession, GroupStatus, InvitationStatus

logger = logging.getLogger(__name__)


def staff_required(view):
    """Coaches and managers; anyone else gets a 404 (the pages' existence is not told)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        scope = groups.staff_scope(request.user)
        if scope is None:
            raise Http404
        request.group_scope = scope
        return view(request, *args, **kwargs)

    return wrapper


def _staff_session(request, pk: int) -> GroupSession:
    return get_object_or_404(groups.sessions_for_staff(request.group_scope), pk=pk)


def _durably(action, *args, **kwargs):
    with transaction.atomic(durable=True):
        return action(*args, **kwargs)


@staff_required
@require_GET
def group_list(request):
    """The sessions my structures run: to come first, then the past ones."""
    sessions = groups.sessions_for_staff(request.group_scope).prefetch_related("seat_rows")
    now = timezone.now()
    upcoming = list(sessions.filter(starts_at__gte=now).order_by("starts_at", "pk"))
    past = list(sessions.filter(starts_at__lt=now).order_by("-starts_at", "-pk")[:50])
    for session in [*upcoming, *past]:
        session.taken = sum(1 for seat in session.seat_rows.all() if seat.learner_id)
    return render(request, "coaching/groups/list.html", {"upcoming": upcoming, "past": past})


@staff_required
@require_GET
def group_waiting(request):
    """« Qui attend ? »: learners waiting at each point of a pathway, by département."""
    points = groups.waiting_points(request.group_scope)
    departements = sorted({code for point in points for code in point.by_departement})
    return render(
        request,
        "coaching/groups/waiting.html",
        {
            "points": points,
            "departements": departements,
            "scope_departements": sorted(request.group_scope.departements or []),
        },
    )


def _form_choices(user, scope):
    pathways = list(PathwayPage.objects.live().order_by("title"))
    structures = groups.co_running_choices()
    coaches = User.objects.filter(is_active=True, coach_profile__isnull=False)
    if scope.structures is not None:
        coaches = coaches.filter(coach_profile__structure_id__in=scope.structures)
    return {
        "pathways": pathways,
        "structures": structures,
        "coaches": coaches.order_by("first_name"),
    }


@staff_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    scope = request.group_scope
    choices = _form_choices(request.user, scope)
    own_structures = [] if scope.structures is None else list(scope.structures)
    initial = {
        "point": request.GET.get("balise", ""),
        "departements": sorted(scope.departements or []),
        "structures": own_structures,
        "coach": request.user.pk if hasattr(request.user, "coach_profile") else None,
    }
    chosen = request.GET.get("balise", "")
    if chosen:
        for pathway in choices["pathways"]:
            point = group_point(pathway, chosen.partition(":")[2])
            if point and chosen.startswith(f"{pathway.pk}:"):
                initial["title"] = point.get("title", "")
    form = GroupSessionForm(request.POST or None, initial=initial, **choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pathway, point_id = data["point"] or (None, "")
        try:
            session = _durably(
                actions.create_group_session,
                actor=request.user,
                title=data["title"],
                theme=data["theme"],
                description=data["description"],
                pathway=pathway,
                point_id=point_id,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                modality=data["modality"],
                place=data["place"],
                seats=data["seats"],
                departements=data["departements"],
                structures=list(data["structures"]),
                coach=data["coach"],
                waiting_list=data["waiting_list"],
            )
        except actions.CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Séance créée. Invitez maintenant les personnes qui attendent.")
            )
            return redirect("coaching:group", pk=session.pk)
    return render(request, "coaching/groups/create.html", {"form": form})


def _detail_context(session, invite_form=None, brief_form=None, cancel_form=None):
    seats = groups.session_seats(session)
    invitations = groups.session_invitations(session)
    candidates = (
        groups.candidates(session)
        if session.status == GroupStatus.SCHEDULED and not session.has_started
        else []
    )
    return {
        "session": session,
        "seats": seats,
        "taken": [seat for seat in seats if seat.learner_id],
        "free": sum(1 for seat in seats if not seat.learner_id),
        "invitations": invitations,
        "waiting": [i for i in invitations if i.status == InvitationStatus.WAITING],
        "candidates": candidates,
        "invite_form": invite_form or (InviteForm(candidates=candidates) if candidates else None),
        "brief_form": brief_form or BriefForm(initial={"brief": session.brief}),
        "cancel_form": cancel_form or CancelGroupForm(),
        "group_allowed": point_allows_group(session.pathway, session.point_id),
        "point_title": (group_point(session.pathway, session.point_id) or {}).get("title", ""),
    }


@staff_required
@require_GET
def group_detail(request, pk: int):
    session = _staff_session(request, pk)
    return render(request, "coaching/groups/detail.html", _detail_context(session))


@staff_required
@require_POST
def group_invite(request, pk: int):
    session = _staff_session(request, pk)
    candidates = groups.candidates(session)
    form = InviteForm(request.POST, candidates=candidates)
    if not form.is_valid():
        return render(
            request,
            "coaching/groups/detail.html",
            _detail_context(session, invite_form=form),
            status=400,
        )
    try:
        invited = _durably(
            actions.invite_to_group_session,
            request.user,
            session,
            list(form.cleaned_data["learners"]),
        )
    except actions.CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(n)s personne(s) invitée(s) : chacune est prévenue par e-mail.") % {"n": invited},
        )
    return redirect("coaching:group", pk=session.pk)


@staff_required
@require_POST
def group_attendance(request, pk: int, seat_pk: int):
    session = _staff_session(request, pk)
    seat = get_object_or_404(
        GroupSeat.objects.select_related("learner"), pk=seat_pk, session=session
    )
    form = GroupAttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez « présent·e » ou « absent·e »."))
        return redirect("coaching:group", pk=session.pk)
    try:
        met = _durably(
            actions.record_group_attendance, request.user, seat, form.cleaned_data["attendance"]
        )
    except actions.CoachingError as error:
        messages.error(request, str(error))
    else:
        name = seat.learner.get_full_name() or seat.learner.display_name
        if met:
            messages.success(
                request,
                _(
                    "%(name)s : présence notée. La balise est franchie, la suite du parcours "
                    "est ouverte."
                )
                % {"name": name},
            )
        else:
            messages.success(request, _("%(name)s : présence notée.") % {"name": name})
    return redirect(reverse("coaching:group", args=[session.pk]) + "#presences")


@staff_required
@require_POST
def group_brief(request, pk: int):
    session = _staff_session(request, pk)
    form = BriefForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request,
            "coaching/groups/detail.html",
            _detail_context(session, brief_form=form),
            status=400,
        )
    try:
        _durably(
            actions.post_group_brief,
            request.user,
            session,
            text=form.cleaned_data["brief"],
            audio=form.cleaned_data["audio"],
        )
    except actions.CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Synthèse publiée : chaque personne inscrite la trouve dans son espace.")
        )
    return redirect("coaching:group", pk=session.pk)


@staff_required
@require_POST
def group_cancel(request, pk: int):
    session = _staff_session(request, pk)
    form = CancelGroupForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "coaching/groups/detail.html",
            _detail_context(session, cancel_form=form),
            status=400,
        )
    try:
        told = _durably(
            actions.cancel_group_session, request.user, session, reason=form.cleaned_data["reason"]
        )
    except actions.CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Séance annulée : %(n)s personne(s) prévenue(s), avec l'annulation pour leur agenda.")
            % {"n": told},
        )
    return redirect("coaching:group", pk=session.pk)


# --- Learners -------------------------------------------------------------------------------


def _my_session(request, pk: int) -> GroupSession:
    """A session the learner was invited to or registered for; else 404."""
    invited = GroupInvitation.objects.filter(learner=request.user, session_id=pk)
    seated = GroupSeat.objects.filter(learner=request.user, session_id=pk)
    if not invited.exists() and not seated.exists():
        raise Http404
    return get_object_or_404(GroupSession.objects.select_related("coach"), pk=pk)


def _back():
    return redirect(reverse("coaching:my_coaching") + "#seances-collectives")


@login_required
@require_POST
def group_register(request, pk: int):
    session = _my_session(request, pk)
    try:
        invitation = _durably(actions.register_for_group_session, session, request.user)
    except actions.CoachingError as error:
        messages.error(request, str(error))
    else:
        if invitation.status == InvitationStatus.WAITING:
            messages.success(
                request,
                _(
                    "La séance est complète : vous êtes sur la liste d'attente. Si une place se "
                    "libère, elle est pour vous et vous êtes prévenu·e."
                ),
            )
        else:
            messages.success(
                request, _("Vous êtes inscrit·e. L'invitation pour votre agenda vous est envoyée.")
            )
    return _back()


@login_required
@require_POST
def group_decline(request, pk: int):
    session = _my_session(request, pk)
    try:
        _durably(actions.decline_group_invitation, session, request.user)
    except actions.CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("C'est noté : vous ne participerez pas à cette séance."))
    return _back()


@login_required
@require_POST
def group_unregister(request, pk: int):
    session = _my_session(request, pk)
    try:
        _durably(actions.unregister_from_group_session, session, request.user)
    except actions.CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Votre place est rendue : elle servira à quelqu'un d'autre."))
    return _back()


@login_required
@require_POST
def group_keep_request(request, pk: int):
    session = _my_session(request, pk)
    keep = request.POST.get("keep") == "1"
    try:
        _durably(actions.keep_individual_request, session, request.user, keep)
    except actions.CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("C'est noté : votre demande individuelle restera ouverte après la séance.")
            if keep
            else _("C'est noté : la séance vaudra rendez-vous pour cette étape."),
        )
    return _back()


@login_required
@require_GET
def group_ics(request, pk: int):
    """A registrant's invitation (or its cancellation once the session is called off)."""
    seat = get_object_or_404(
        GroupSeat.objects.select_related("session__coach"), session_id=pk, learner=request.user
    )
    text = group_calendar(seat.session, request.user)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, "seance-collective-balise.ics"
    )
    return response


@login_required
@require_GET
def group_brief_audio(request, pk: int):
    """The brief's audio, for the session's registrants and staff only."""
    session = get_object_or_404(GroupSession, pk=pk)
    allowed = GroupSeat.objects.filter(session=session, learner=request.user).exists()
    if not allowed:
        scope = groups.staff_scope(request.user)
        allowed = scope is not None and groups.sessions_for_staff(scope).filter(pk=pk).exists()
    if not allowed or not session.brief_audio or not session.brief_posted_at:
        raise Http404
    return FileResponse(session.brief_audio.open("rb"), as_attachment=False)
