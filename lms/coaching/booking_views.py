"""A learner books a coach's free slot; a coach edits their weekly slots and exceptions;
the video room's door for BigBlueButton. Thin, like ``views``."""

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms.accounts.models import Modality

from . import actions, groups, video
from .availability import Slot, bookable_profiles, load_free_slots
from .availability_forms import AvailabilityExceptionForm, AvailabilityRuleForm, BookSlotForm
from .forms import AvailabilityForm
from .models import (
    AvailabilityException,
    AvailabilityRule,
    CoachingRequest,
    CoachingSession,
    GroupSeat,
    GroupSession,
)
from .views import coach_required

logger = logging.getLogger(__name__)


# --- Learner: book a slot ------------------------------------------------------------------


@dataclass
class Day:
    day: date
    slots: list[tuple[Slot, object]] = field(default_factory=list)  # (slot, coach profile)

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass
class ModalityGroup:
    modality: str
    recommended: bool
    days: list[Day] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Modality(self.modality).label


def group_slots(slots: list[Slot], profiles: dict, recommended: str) -> list[ModalityGroup]:
    """Slots by modality (the recommended one first), then by day, in time order. Each
    moment is offered once per modality, with the first coach of ``profiles`` (ordered:
    the most room first) free then: learners choose a time, and the page stays short
    however many coaches a département has."""
    rank = {coach_id: index for index, coach_id in enumerate(profiles)}
    chosen: dict[tuple[str, object], Slot] = {}
    for slot in slots:
        key = (slot.modality, slot.starts_at)
        if key not in chosen or rank[slot.coach_id] < rank[chosen[key].coach_id]:
            chosen[key] = slot
    groups: dict[str, ModalityGroup] = {}
    for slot in sorted(chosen.values(), key=lambda s: s.starts_at):
        group = groups.setdefault(
            slot.modality, ModalityGroup(slot.modality, slot.modality == recommended)
        )
        day = slot.local_start.date()
        if not group.days or group.days[-1].day != day:
            group.days.append(Day(day))
        group.days[-1].slots.append((slot, profiles[slot.coach_id]))
    order = [m for m in Modality.values if m != recommended]
    return sorted(groups.values(), key=lambda g: -1 if g.recommended else order.index(g.modality))


def _booking_page(request, coaching_request: CoachingRequest, *, error: str = "", status=200):
    pending = actions.upcoming_session(coaching_request) if coaching_request.is_active else None
    groups = []
    if coaching_request.is_active and pending is None:
        profiles = bookable_profiles(coaching_request)
        slots = load_free_slots(profiles, coaching_request)
        groups = group_slots(
            slots, {p.user_id: p for p in profiles}, coaching_request.recommended_modality
        )
    return render(
        request,
        "coaching/booking.html",
        {
            "coaching_request": coaching_request,
            "pending": pending,
            "groups": groups,
            "error": error,
            "weeks": settings.COACHING_BOOKING_WEEKS,
        },
        status=status,
    )


def _learner_request(request, pk: int) -> CoachingRequest:
    return get_object_or_404(
        CoachingRequest.objects.for_learner(request.user).select_related("pathway", "coach"), pk=pk
    )


@login_required
@require_GET
def booking(request, pk: int):
    """The free slots the learner may book for their request, by modality and day."""
    return _booking_page(request, _learner_request(request, pk))


@login_required
@require_POST
def book(request, pk: int):
    coaching_request = _learner_request(request, pk)
    form = BookSlotForm(request.POST)
    if not form.is_valid():
        return _booking_page(
            request, coaching_request, error=_("Choisissez un créneau dans la liste."), status=422
        )
    coach_id, starts_at = form.cleaned_data["slot"]
    try:
        booked = actions.book_slot(
            request.user, coaching_request.pk, coach_id=coach_id, starts_at=starts_at
        )
    except actions.BookingError as refusal:
        status = 409 if refusal.code in ("taken", "pending") else 422
        if refusal.code == "taken":
            message = _("%(why)s Voici les créneaux encore libres.") % {"why": str(refusal)}
        else:
            message = str(refusal)
        coaching_request.refresh_from_db()
        return _booking_page(request, coaching_request, error=message, status=status)
    messages.success(
        request,
        _(
            "Rendez-vous confirmé le %(when)s : vous et la personne qui vous accompagne avez reçu "
            "l'invitation."
        )
        % {"when": timezone.localtime(booked.session.starts_at).strftime("%d/%m/%Y %H:%M")},
    )
    return redirect("coaching:my_coaching")


# --- Coach: weekly slots and exceptions ------------------------------------------------------


def availability_context(user, **forms) -> dict:
    """What the availability page shows beyond absence and capacity: the coach's weekly
    rules, their exceptions to come, and the forms to add one of each."""
    profile = user.coach_profile
    today = timezone.localdate()
    return {
        "rules": AvailabilityRule.objects.filter(coach=user).order_by("start_time", "pk"),
        "exceptions": AvailabilityException.objects.filter(coach=user, ends_on__gte=today),
        "rule_form": forms.get("rule_form") or AvailabilityRuleForm(profile=profile),
        "exception_form": forms.get("exception_form") or AvailabilityExceptionForm(),
        "profile": profile,
    }


def _availability_again(request, **forms):
    context = {
        "form": AvailabilityForm(instance=request.user.coach_profile),
        **availability_context(request.user, **forms),
    }
    return render(request, "coaching/availability.html", context, status=422)


@coach_required
@require_POST
def add_rule(request):
    form = AvailabilityRuleForm(request.POST, profile=request.user.coach_profile)
    if not form.is_valid():
        return _availability_again(request, rule_form=form)
    actions.add_availability_rule(request.user, **form.cleaned_data)
    messages.success(request, _("Créneaux publiés : les personnes peuvent les réserver."))
    return redirect("coaching:availability")


@coach_required
@require_POST
def remove_rule(request, pk: int):
    if actions.remove_availability_rule(request.user, pk):
        messages.success(request, _("Plage retirée. Les rendez-vous déjà réservés sont maintenus."))
    else:
        messages.error(request, _("Cette plage n'existe plus."))
    return redirect("coaching:availability")


@coach_required
@require_POST
def add_exception(request):
    form = AvailabilityExceptionForm(request.POST)
    if not form.is_valid():
        return _availability_again(request, exception_form=form)
    actions.add_availability_exception(request.user, **form.cleaned_data)
    messages.success(
        request,
        _(
            "Indisponibilité enregistrée : aucun créneau n'est proposé ces jours-là. Les "
            "rendez-vous déjà réservés sont maintenus."
        ),
    )
    return redirect("coaching:availability")


@coach_required
@require_POST
def remove_exception(request, pk: int):
    if actions.remove_availability_exception(request.user, pk):
        messages.success(request, _("Indisponibilité retirée."))
    else:
        messages.error(request, _("Cette indisponibilité n'existe plus."))
    return redirect("coaching:availability")


# --- The video room's door (BigBlueButton) -----------------------------------------------


@login_required
@require_GET
def session_video(request, room: str):
    """Send the session's learner or coach into its BigBlueButton room with their own signed
    link (the coach as moderator), creating the meeting if needed. Anyone else: 404."""
    if settings.VIDEO_SERVICE != "bbb" or not room:
        raise Http404
    session = (
        CoachingSession.objects.select_related("request", "coach").filter(video_room=room).first()
    )
    if session is None:
        return _group_video(request, room)
    if request.user.pk not in (session.coach_id, session.request.learner_id):
        raise Http404
    if not session.is_active:
        raise Http404
    return _enter_room(request, room, _("Rendez-vous Balise"), session.coach_id == request.user.pk)


def _group_video(request, room: str):
    """A group session's room: its registrants come in as viewers; its lead and the staff
    of the structures that run it as moderators. Anyone else: 404."""
    session = get_object_or_404(GroupSession.objects.scheduled(), video_room=room)
    scope = groups.staff_scope(request.user)
    staff = scope is not None and groups.sessions_for_staff(scope).filter(pk=session.pk).exists()
    registered = GroupSeat.objects.filter(session=session, learner=request.user).exists()
    if not staff and not registered:
        raise Http404
    return _enter_room(request, room, session.title, staff)


def _enter_room(request, room: str, name: str, moderator: bool):
    try:
        video.ensure_meeting(room, name)
    except OSError:
        logger.exception("BigBlueButton did not create the meeting of room %s.", room)
        messages.error(
            request, _("La salle de visioconférence ne répond pas : réessayez dans un instant.")
        )
        return redirect("coaching:my_coaching")
    full_name = request.user.get_full_name() or request.user.display_name
    return redirect(video.bbb_join_url(room, full_name, moderator=moderator))
