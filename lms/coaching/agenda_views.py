"""The coach's agenda and private calendar feed; moving, cancelling a session and recording
its attendance, from either side's pages. Thin: check who may act, parse, call one action,
redirect with a message."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import actions, agenda
from .forms import AttendanceForm, MoveSessionForm, SessionReasonForm
from .ics import feed_calendar
from .models import CalendarFeed, CoachingSession
from .views import coach_required

FEED_MAX_AGE = 300  # seconds a calendar client (or a proxy of the coach's) may keep the feed


@coach_required
@require_GET
def agenda_page(request):
    """The week's sessions (``?semaine=YYYY-MM-DD``, any day of it) and free slots, with
    attendance buttons for the past ones and the private calendar feed."""
    week = agenda.week_agenda(request.user, agenda.monday_of(request.GET.get("semaine")))
    feed_url = (
        request.build_absolute_uri(reverse("coaching:agenda_feed", args=[week.feed.token]))
        if week.feed
        else ""
    )
    return render(
        request,
        "coaching/agenda.html",
        {"week": week, "feed_url": feed_url, "next_url": request.get_full_path()},
    )


@coach_required
@require_POST
def agenda_feed_token(request):
    """Open or renew (``action=renew``) the calendar feed, or close it (``action=revoke``)."""
    if request.POST.get("action") == "revoke":
        if actions.revoke_calendar_feed(request.user):
            messages.success(
                request, _("Le lien de votre agenda est désactivé : il ne donne plus rien.")
            )
    else:
        renewing = CalendarFeed.objects.filter(coach=request.user).exists()
        actions.open_calendar_feed(request.user)
        messages.success(
            request,
            _(
                "Nouveau lien créé : l'ancien ne fonctionne plus. Abonnez votre agenda au "
                "nouveau lien."
            )
            if renewing
            else _("Lien créé : abonnez-y votre agenda (Thunderbird, Google, Outlook)."),
        )
    return redirect("coaching:agenda")


@require_GET
def agenda_feed(request, token: str):
    """The coach's sessions as a calendar to subscribe to: no login, the secret URL is the
    key; an unknown or revoked token is a 404."""
    feed = CalendarFeed.objects.filter(token=token).select_related("coach").first()
    if feed is None:
        raise Http404
    text = feed_calendar(agenda.feed_sessions(feed.coach), _("Balise – mes rendez-vous"))
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    # Private to the coach's client; short so that a move shows within minutes.
    response["Cache-Control"] = f"private, max-age={FEED_MAX_AGE}"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Moving, cancelling, attendance ------------------------------------------------------------


def _session_for(user, pk: int) -> CoachingSession:
    """A session of which ``user`` is the coach or the learner (404 otherwise)."""
    sessions = CoachingSession.objects.select_related("request__learner", "coach")
    session = get_object_or_404(sessions, pk=pk)
    if user.pk not in (session.coach_id, session.request.learner_id):
        raise Http404
    return session


def _back(request, session: CoachingSession):
    """Where the form was: the agenda or the request file for the coach (``next``), « Mon
    accompagnement » for the learner."""
    if request.user.pk != session.coach_id:
        return redirect("coaching:my_coaching")
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("coaching:request", pk=session.request_id)


def _errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@login_required
@require_POST
def move_session(request, pk: int):
    session = _session_for(request.user, pk)
    form = MoveSessionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Le rendez-vous n'est pas déplacé : %(why)s") % {"why": _errors(form)}
        )
        return _back(request, session)
    try:
        moved = actions.move_session(
            request.user,
            session,
            starts_at=form.cleaned_data["starts_at"],
            reason=form.cleaned_data["reason"],
        )
    except actions.CoachingError as error:
        messages.error(request, _("Le rendez-vous n'est pas déplacé : %(why)s") % {"why": error})
    else:
        messages.success(
            request,
            _("Rendez-vous déplacé au %(when)s : l'autre personne est prévenue.")
            % {"when": date_format(localtime(moved.starts_at), "DATETIME_FORMAT")},
        )
    return _back(request, session)


@login_required
@require_POST
def cancel_session(request, pk: int):
    session = _session_for(request.user, pk)
    form = SessionReasonForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Le rendez-vous n'est pas annulé : %(why)s") % {"why": _errors(form)}
        )
        return _back(request, session)
    try:
        cancelled = actions.cancel_session(
            request.user, session, reason=form.cleaned_data["reason"]
        )
    except actions.CoachingError as error:
        messages.error(request, _("Le rendez-vous n'est pas annulé : %(why)s") % {"why": error})
    else:
        if cancelled.attendance:
            messages.warning(
                request,
                _(
                    "Rendez-vous annulé, l'autre personne est prévenue. Annulation tardive "
                    "(moins de %(hours)s h avant) : elle est notée comme telle."
                )
                % {"hours": settings.BALISE_LATE_CANCELLATION_HOURS},
            )
        else:
            messages.success(request, _("Rendez-vous annulé : l'autre personne est prévenue."))
    return _back(request, session)


@coach_required
@require_POST
def record_attendance(request, pk: int):
    session = get_object_or_404(CoachingSession.objects.filter(coach=request.user), pk=pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez : tenu, absence ou annulation tardive."))
        return _back(request, session)
    try:
        recorded = actions.record_attendance(request.user, session, form.cleaned_data["attendance"])
    except actions.CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Rendez-vous du %(when)s : « %(attendance)s » noté.")
            % {
                "when": date_format(localtime(recorded.starts_at), "SHORT_DATETIME_FORMAT"),
                "attendance": recorded.get_attendance_display(),
            },
        )
    return _back(request, session)
