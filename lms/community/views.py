"""Peer circles and mentoring pages. Thin: check who may act (``access``), parse, call one
action, render. Circles are loaded through ``PeerCircle.objects.visible_to``: a circle one
does not belong to, lead or manage is a 404, and nothing about its members shows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.accounts.models import Structure, User
from lms.accounts.roles import Role, roles_of
from lms.accounts.structures import managed_structure_ids
from lms.coaching.ics import group_calendar
from lms.coaching.models import GroupSeat
from lms.ratelimit import rate_limited

from . import actions, queries
from .access import CirclePart, circle_part, is_alumnus, may_create_circles, may_moderate, may_write
from .forms import (
    CircleForm,
    DecisionForm,
    HoursForm,
    MeetingForm,
    OfferForm,
    PostForm,
    QuestionForm,
    ReplyForm,
    ReportForm,
    ReviewForm,
    TopFlopForm,
)
from .models import (
    CIRCLE_MAX_MEMBERS,
    CIRCLE_MIN_MEMBERS,
    CircleMeeting,
    CirclePost,
    MentorHours,
    MentorOffer,
    OfferStatus,
    PeerCircle,
)


def _visible_circle(user, pk: int) -> tuple[PeerCircle, CirclePart]:
    circle = get_object_or_404(
        PeerCircle.objects.visible_to(user).select_related("facilitator", "pathway", "structure"),
        pk=pk,
    )
    part = circle_part(user, circle)
    if part is None:
        raise Http404
    return circle, part


@login_required
@require_GET
def home(request):
    """« Cercles de pairs »: my circles, circles I may join, what facilitators and managers
    follow."""
    user = request.user
    roles = roles_of(user)
    context = {
        "my_circles": queries.my_circles(user),
        "to_join": queries.circles_to_join(user) if Role.LEARNER in roles else [],
        "is_learner": Role.LEARNER in roles,
        "managed": queries.managed_circles(user) if Role.MANAGER in roles else [],
        "may_create": may_create_circles(user),
        "max_members": CIRCLE_MAX_MEMBERS,
        "min_members": CIRCLE_MIN_MEMBERS,
    }
    return render(request, "community/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create_circle(request):
    """Open a circle (coaches and managers), led by a coach or an approved alumnus."""
    if not may_create_circles(request.user):
        raise PermissionDenied
    managed = managed_structure_ids(request.user)
    structures = Structure.objects.active()
    if managed is not None:
        own = set(managed)
        profile = getattr(request.user, "coach_profile", None)
        if profile is not None:
            own.add(profile.structure_id)
        structures = structures.filter(pk__in=own)
    form = CircleForm(
        request.POST if request.method == "POST" else None,
        structures=structures,
        initial={"facilitator": request.user.email},
    )
    if form.is_valid():
        data = form.cleaned_data
        structure = data["structure"]
        if structure is None and managed is not None and structures.exists():
            structure = structures.first()
        try:
            circle = actions.create_circle(
                request.user,
                name=data["name"],
                facilitator=data["facilitator"],
                theme=data["theme"],
                pathway=data["pathway"],
                stage=data["stage"],
                description=data["description"],
                departements=data["departements"],
                structure=structure,
            )
        except actions.CommunityError as error:
            form.add_error("facilitator", str(error))
        else:
            messages.success(
                request, _("Le cercle est ouvert : les personnes concernées peuvent le rejoindre.")
            )
            return redirect(actions.circle_url(circle.pk))
    status = 422 if form.is_bound else 200
    return render(request, "community/circle_form.html", {"form": form}, status=status)


def _circle_context(request, circle, part, post_form=None, reply_to=None, reply_form=None):
    thread = queries.circle_thread(request.user, circle)
    actions.mark_circle_read(request.user, circle, thread.last_id)
    upcoming, past = queries.meetings_of(circle)
    members = list(queries.members_of(circle))
    return {
        "circle": circle,
        "part": part.value,
        "may_write": may_write(part),
        "may_moderate": may_moderate(part),
        "members": members,
        "thread": thread,
        "post_form": post_form or PostForm(),
        "reply_to": reply_to,
        "reply_form": reply_form,
        "upcoming": upcoming,
        "past": past,
        "min_members": CIRCLE_MIN_MEMBERS,
        "max_members": CIRCLE_MAX_MEMBERS,
        "pending_reports": (
            len([r for r in queries.moderation_queue(request.user) if r["circle"].pk == circle.pk])
            if may_moderate(part)
            else 0
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("circle_post")
def circle(request, pk: int):
    """A circle: members, meetings, and its thread (posts and replies). Members and the
    facilitator write; managers read and moderate; anyone else gets a 404. A post refused
    (the author left meanwhile, the circle closed) comes back in its form."""
    circle, part = _visible_circle(request.user, pk)
    post_form = reply_form = None
    reply_to = None
    if request.method == "POST":
        if not may_write(part):
            raise PermissionDenied
        is_reply = bool(request.POST.get("parent"))
        form = (ReplyForm if is_reply else PostForm)(request.POST)
        if form.is_valid():
            try:
                post = actions.post_to_circle(
                    request.user, circle.pk, form.cleaned_data["body"], form.cleaned_data["parent"]
                )
            except actions.CommunityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Message publié."))
                return redirect(actions.circle_url(circle.pk) + f"#message-{post.pk}")
        if is_reply:
            reply_form, reply_to = form, form.data.get("parent")
        else:
            post_form = form
    context = _circle_context(request, circle, part, post_form, reply_to, reply_form)
    status = 422 if request.method == "POST" else 200
    return render(request, "community/circle.html", context, status=status)


@login_required
@require_POST
def join(request, pk: int):
    """A learner joins an open circle of their territory with a place left."""
    if Role.LEARNER not in roles_of(request.user):
        raise PermissionDenied
    circle = get_object_or_404(PeerCircle, pk=pk)
    try:
        actions.join_circle(request.user, circle.pk)
    except actions.CommunityError as error:
        messages.error(request, str(error))
        return redirect(reverse("community:home"))
    messages.success(
        request,
        _("Bienvenue dans le cercle « %(name)s ». Présentez-vous dans le fil !")
        % {"name": circle.name},
    )
    return redirect(actions.circle_url(circle.pk))


@login_required
@require_POST
def leave(request, pk: int):
    """A member leaves; what they wrote stays in the thread."""
    circle, _part = _visible_circle(request.user, pk)
    try:
        actions.leave_circle(request.user, circle.pk)
    except actions.CommunityError as error:
        messages.error(request, str(error))
        return redirect(actions.circle_url(circle.pk))
    messages.success(request, _("Vous avez quitté le cercle « %(name)s ».") % {"name": circle.name})
    return redirect(reverse("community:home"))


@login_required
@require_POST
def close(request, pk: int):
    """The facilitator or a manager closes the circle (kept, readable by its members)."""
    circle, part = _visible_circle(request.user, pk)
    if not may_moderate(part):
        raise Http404
    try:
        actions.close_circle(request.user, circle.pk)
    except actions.CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Le cercle est clos : ses membres gardent son fil."))
    return redirect(actions.circle_url(circle.pk))


@login_required
@require_http_methods(["GET", "POST"])
def schedule_meeting(request, pk: int):
    """The facilitator (or a manager) schedules a meeting: a group session with a seat for
    each member, who gets the calendar file."""
    circle, part = _visible_circle(request.user, pk)
    if not may_moderate(part):
        raise Http404
    members = queries.members_of(circle)
    form = MeetingForm(request.POST if request.method == "POST" else None, members=members)
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = actions.schedule_meeting(
                request.user,
                circle.pk,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                modality=data["modality"],
                place=data["place"],
                question_bringer=data["question_bringer"],
            )
        except actions.CommunityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Rencontre programmée : chaque membre a reçu l'invitation.")
            )
            return redirect(reverse("community:meeting", args=[meeting.pk]))
    context = {
        "circle": circle,
        "form": form,
        "member_count": members.count(),
        "min_members": CIRCLE_MIN_MEMBERS,
    }
    return render(
        request, "community/meeting_form.html", context, status=422 if form.is_bound else 200
    )


def _visible_meeting(user, pk: int) -> tuple[CircleMeeting, CirclePart]:
    meeting = get_object_or_404(
        CircleMeeting.objects.select_related("group_session__coach", "question_bringer"), pk=pk
    )
    circle, part = _visible_circle(user, meeting.circle_id)
    meeting.circle = circle
    return meeting, part


@login_required
@require_GET
def meeting(request, pk: int):
    """A meeting and its guided co-development agenda; for the facilitator, who brings the
    question and the « top / flop » notes."""
    meeting, part = _visible_meeting(request.user, pk)
    members = queries.members_of(meeting.circle)
    context = {
        "meeting": meeting,
        "circle": meeting.circle,
        "session": meeting.group_session,
        "part": part.value,
        "may_moderate": may_moderate(part),
        "is_facilitator": part == CirclePart.FACILITATOR,
        "has_seat": GroupSeat.objects.filter(
            session=meeting.group_session, learner=request.user
        ).exists(),
        "question_form": QuestionForm(
            members=members,
            initial={"question_bringer": meeting.question_bringer_id, "question": meeting.question},
        ),
        "top_flop_form": TopFlopForm(initial={"notes": meeting.top_flop_notes}),
    }
    return render(request, "community/meeting.html", context)


@login_required
@require_POST
def choose_question(request, pk: int):
    meeting, part = _visible_meeting(request.user, pk)
    if not may_moderate(part):
        raise Http404
    form = QuestionForm(request.POST, members=queries.members_of(meeting.circle))
    if not form.is_valid():
        messages.error(request, _("Choisissez un·e membre du cercle."))
    else:
        bringer = form.cleaned_data["question_bringer"]
        try:
            actions.choose_question_bringer(
                request.user,
                meeting.pk,
                bringer.pk if bringer else None,
                form.cleaned_data["question"],
            )
        except actions.CommunityError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("C'est noté."))
    return redirect(reverse("community:meeting", args=[meeting.pk]))


@login_required
@require_POST
def top_flop(request, pk: int):
    meeting, part = _visible_meeting(request.user, pk)
    if not may_moderate(part):
        raise Http404
    form = TopFlopForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Écrivez le tour « top / flop » avant de le publier."))
    else:
        try:
            actions.post_top_flop(request.user, meeting.pk, form.cleaned_data["notes"])
        except actions.CommunityError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Le tour « top / flop » est publié dans le fil du cercle."))
    return redirect(reverse("community:meeting", args=[meeting.pk]))


@login_required
@require_GET
def meeting_ics(request, pk: int):
    """The meeting's calendar file, for a member with a seat (the facilitator too)."""
    meeting, part = _visible_meeting(request.user, pk)
    session = meeting.group_session
    if (
        part != CirclePart.FACILITATOR
        and not GroupSeat.objects.filter(session=session, learner=request.user).exists()
    ):
        raise Http404
    response = HttpResponse(
        group_calendar(session, request.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, "cercle-balise.ics")
    return response


def _visible_post(user, pk: int) -> tuple[CirclePost, CirclePart]:
    post = get_object_or_404(CirclePost.objects.select_related("author"), pk=pk)
    circle, part = _visible_circle(user, post.circle_id)
    if post.hidden_at is not None and post.author_id != user.pk and not may_moderate(part):
        raise Http404
    post.circle = circle
    return post, part


@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk: int):
    """Report a post: it is hidden at once, pending review."""
    post, part = _visible_post(request.user, pk)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            actions.report_post(request.user, post.pk, form.cleaned_data["reason"])
        except actions.CommunityError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "Merci. Le message est masqué en attendant d'être relu par la personne "
                    "qui anime le cercle."
                ),
            )
        return redirect(actions.thread_url(post.circle_id))
    context = {"post": post, "circle": post.circle, "form": form}
    return render(request, "community/report.html", context, status=422 if form.is_bound else 200)


@login_required
@require_POST
def review(request, pk: int):
    """The facilitator or a manager restores a reported post or keeps it hidden."""
    post, part = _visible_post(request.user, pk)
    if not may_moderate(part):
        raise Http404
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Choisissez de remettre le message en ligne ou de le laisser masqué.")
        )
    else:
        try:
            actions.review_post(request.user, post.pk, form.cleaned_data["decision"])
        except actions.CommunityError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Décision enregistrée."))
    return redirect(reverse("community:moderation"))


@login_required
@require_GET
def moderation(request):
    """Reported posts waiting for review in the circles one leads or manages."""
    return render(
        request, "community/moderation.html", {"queue": queries.moderation_queue(request.user)}
    )


# --- Mentoring -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mentoring(request):
    """An alumnus offers to mentor or to facilitate, sees their offers and their hours."""
    user = request.user
    form = OfferForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            actions.offer_to_mentor(user, form.cleaned_data["kind"], form.cleaned_data["message"])
        except actions.CommunityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Merci ! Votre proposition est transmise à la structure, qui vous répondra."),
            )
            return redirect(reverse("community:mentoring"))
    minutes = queries.minutes_this_year([user.pk]).get(user.pk, 0)
    context = {
        "form": form,
        "alumnus": is_alumnus(user),
        "offers": MentorOffer.objects.filter(learner=user),
        "hours": MentorHours.objects.filter(mentor=user)[:50],
        "given_hours": minutes / 60,
        "min_hours": _min_hours(),
        "may_record": actions.may_record_hours(user, user),
        "hours_form": HoursForm(
            mentors=User.objects.filter(pk=user.pk), initial={"mentor": user.pk}
        ),
    }
    return render(
        request, "community/mentoring.html", context, status=422 if form.is_bound else 200
    )


def _min_hours() -> int:
    from django.conf import settings

    return settings.BALISE_MENTOR_MIN_HOURS


def _manager_required(user) -> None:
    if Role.MANAGER not in roles_of(user):
        raise PermissionDenied


@login_required
@require_GET
def offers(request):
    """Managers: the offers of their structures' alumni (the network's: all), those
    waiting first; the approved mentors with their hours against the charter's minimum."""
    _manager_required(request.user)
    all_offers = list(queries.offers_to_decide(request.user))
    mentors = list(queries.approved_mentors(request.user))
    minutes = queries.minutes_this_year([m.pk for m in mentors])
    for mentor in mentors:
        mentor.minutes = minutes.get(mentor.pk, 0)
        mentor.hours = mentor.minutes / 60
    context = {
        "pending": [o for o in all_offers if o.status == OfferStatus.PENDING],
        "decided": [o for o in all_offers if o.status != OfferStatus.PENDING][:50],
        "mentors": mentors,
        "min_hours": _min_hours(),
        "min_minutes": _min_hours() * 60,
        "decision_form": DecisionForm(),
        "hours_form": HoursForm(mentors=queries.approved_mentors(request.user)),
    }
    return render(request, "community/offers.html", context)


@login_required
@require_POST
def decide(request, pk: int):
    _manager_required(request.user)
    offer = get_object_or_404(queries.offers_to_decide(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez d'accepter ou de décliner la proposition."))
    else:
        try:
            actions.decide_offer(
                request.user, offer.pk, form.cleaned_data["approve"], form.cleaned_data["note"]
            )
        except actions.CommunityError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Réponse envoyée."))
    return redirect(reverse("community:offers"))


@login_required
@require_POST
def record_hours(request):
    """A mentor records their own hours, a manager those of their structures' mentors."""
    user = request.user
    mentors = (
        queries.approved_mentors(user) if Role.MANAGER in roles_of(user) else User.objects.none()
    )
    mentors = mentors | User.objects.filter(pk=user.pk)
    form = HoursForm(request.POST, mentors=mentors.distinct())
    back = (
        reverse("community:offers")
        if Role.MANAGER in roles_of(user)
        else reverse("community:mentoring")
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    try:
        actions.record_hours(
            user,
            data["mentor"],
            on=data["date"],
            minutes=data["minutes"],
            activity=data["activity"],
        )
    except actions.CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Heures enregistrées."))
    return redirect(back)
