"""The session attendance sheet for funders (« feuille d'émargement »): each session whose
time has come in a period, with its learner, date, duration, modality, coach, structure and
attendance, as a page, a CSV (French spreadsheets: BOM, ``;``) and a PDF (WeasyPrint).

Who sees which sessions is decided here once: a structure's managers the sessions of the
requests their structures hold (``scope.visibility``; the network's managers every one), a
coach their own sessions. Named people, so no statistical secrecy: the sheet is the proof
of attendance a funder asks for, reachable only by those who already see these files.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.accounts.roles import Role, has_role
from lms.coaching.models import CoachingSession, GroupSeat, GroupStatus, SessionStatus

from .exports import BOM, FORMULA_START
from .scope import Visibility, visibility

MAX_DAYS = 366  # a sheet covers at most a year


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class Reader:
    """Whose sessions a person may list: ``structure_ids`` (None: all) as a manager, else
    their own as a coach; ``structures`` are a manager's choices."""

    user_id: int
    manager: bool
    structure_ids: tuple[int, ...] | None
    visibility: Visibility | None = None

    @property
    def structures(self):
        return self.visibility.structures if self.visibility else ()


def reader(user) -> Reader | None:
    """What ``user`` may read of the attendance sheet, or None (refused)."""
    if has_role(user, Role.MANAGER):
        seen = visibility(user)
        if not seen.sees_nothing:
            ids = None if seen.network else tuple(s.pk for s in seen.structures)
            return Reader(user.pk, True, ids, seen)
    if has_role(user, Role.COACH):
        return Reader(user.pk, False, ())
    return None


class AttendanceFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Du"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Date de début invalide (jj/mm/aaaa).")},
    )
    end = forms.DateField(
        label=gettext_lazy("Au"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Date de fin invalide (jj/mm/aaaa).")},
    )
    structure = forms.TypedChoiceField(
        label=gettext_lazy("Structure"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Cette structure n’existe pas ou ses rendez-vous ne vous sont pas ouverts."
            )
        },
    )

    def __init__(self, data, reader: Reader):
        today = timezone.localdate()
        first = today.replace(day=1)
        data = data.copy() if data else {}
        data.setdefault("start", first.isoformat())
        data.setdefault("end", today.isoformat())
        super().__init__(data)
        self.reader = reader
        if reader.manager and len(reader.structures) > 1:
            self.fields["structure"].choices = [("", _("Toutes mes structures"))] + [
                (s.pk, s.name) for s in reader.structures
            ]
        else:
            del self.fields["structure"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("La date de fin précède la date de début."))
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(_("Choisissez une période d’un an au plus."))
        return cleaned


@dataclass(frozen=True)
class AttendanceLine:
    learner: str
    starts_at: datetime
    duration_minutes: int
    modality: str
    coach: str
    structure: str
    attendance: str


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def sessions(reader: Reader, start: date, end: date, structure_id: int | None = None):
    """Sessions whose time has come between ``start`` and ``end`` (inclusive, Paris days)
    that took place or were expected to: accepted ones, and any with an attendance
    recorded (a late cancellation included), in the reader's scope. One query."""
    now = timezone.now()
    q = Q(starts_at__gte=_midnight(start), starts_at__lt=_midnight(end + timedelta(days=1)))
    q &= Q(starts_at__lte=now) & (Q(status=SessionStatus.ACCEPTED) | ~Q(attendance=""))
    if not reader.manager:
        q &= Q(coach_id=reader.user_id)
    elif structure_id is not None and structure_id in (s.pk for s in reader.structures):
        q &= Q(request__structure_id=structure_id)
    elif reader.structure_ids is not None:
        q &= Q(request__structure_id__in=reader.structure_ids)
    return (
        CoachingSession.objects.filter(q)
        .select_related("request__learner", "request__structure", "coach")
        .order_by("starts_at", "pk")
    )


def lines(queryset) -> list[AttendanceLine]:
    return [
        AttendanceLine(
            learner=session.request.learner.get_full_name() or session.request.learner.display_name,
            starts_at=timezone.localtime(session.starts_at),
            duration_minutes=session.duration_minutes,
            modality=session.get_modality_display(),
            coach=session.coach.get_full_name() or session.coach.display_name,
            structure=session.request.structure.name if session.request.structure_id else "",
            attendance=session.get_attendance_display() if session.attendance else _("À noter"),
        )
        for session in queryset
    ]


def group_seats(reader: Reader, start: date, end: date, structure_id: int | None = None):
    """Registrants of group sessions still on whose time has come between ``start`` and
    ``end``, in the reader's scope: a coach's own sessions, a manager's structures' (those
    that co-run them). One query."""
    now = timezone.now()
    q = Q(
        session__starts_at__gte=_midnight(start),
        session__starts_at__lt=_midnight(end + timedelta(days=1)),
        session__starts_at__lte=now,
        session__status=GroupStatus.SCHEDULED,
        learner__isnull=False,
    )
    if not reader.manager:
        q &= Q(session__coach_id=reader.user_id)
    else:
        ids = reader.structure_ids
        if structure_id is not None and structure_id in (s.pk for s in reader.structures):
            ids = (structure_id,)
        if ids is not None:
            q &= Q(session__structures__in=ids)
    return (
        GroupSeat.objects.filter(q)
        .select_related("learner", "session__coach")
        .prefetch_related("session__structures")
        .distinct()
        .order_by("session__starts_at", "session_id", "number")
    )


def group_lines(queryset) -> list[AttendanceLine]:
    return [
        AttendanceLine(
            learner=seat.learner.get_full_name() or seat.learner.display_name,
            starts_at=timezone.localtime(seat.session.starts_at),
            duration_minutes=seat.session.duration_minutes,
            modality=_("Séance collective « %(title)s » (%(modality)s)")
            % {"title": seat.session.title, "modality": seat.session.get_modality_display()},
            coach=seat.session.coach.get_full_name() or seat.session.coach.display_name,
            structure=", ".join(s.name for s in seat.session.structures.all()),
            attendance=seat.get_attendance_display() if seat.attendance else _("À noter"),
        )
        for seat in queryset
    ]


def all_lines(reader: Reader, start: date, end: date, structure_id: int | None = None):
    """One-to-one sessions and group seats, by time."""
    rows = lines(sessions(reader, start, end, structure_id))
    rows += group_lines(group_seats(reader, start, end, structure_id))
    return sorted(rows, key=lambda row: row.starts_at)


def headers() -> list[str]:
    return [
        _("Personne accompagnée"),
        _("Date"),
        _("Heure"),
        _("Durée (minutes)"),
        _("Modalité"),
        _("Accompagnateur·rice"),
        _("Structure"),
        _("Présence"),
    ]


def _safe(value: str) -> str:
    """A text a spreadsheet would read as a formula is quoted."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def csv_lines(rows: list[AttendanceLine]) -> Iterator[str]:
    """The sheet as CSV lines for French spreadsheets: BOM, ``;``, dates as dd/mm/yyyy."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield BOM + writer.writerow(headers())
    if not rows:
        yield writer.writerow([_("Aucun rendez-vous sur cette période.")])
    for row in rows:
        yield writer.writerow(
            [
                _safe(row.learner),
                f"{row.starts_at:%d/%m/%Y}",
                f"{row.starts_at:%H:%M}",
                str(row.duration_minutes),
                row.modality,
                _safe(row.coach),
                _safe(row.structure),
                row.attendance,
            ]
        )
