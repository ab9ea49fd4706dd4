"""Reads behind the programme's dashboard: one function per table, each a constant number
of grouped queries (the database counts; Python only shapes a few dozen rows).

How the filters apply (``Filters``):

- period: enrolment date for the funnel and the territories' learners; creation date for
  coaching requests, module feedback and satisfaction; start date for sessions; the date
  of the *end* diagnosis or milestone for start-vs-end progressions, of the milestone
  itself for the latest stages.
- département and area type: the learner's profile, except for coaching requests and
  sessions, whose département is the one recorded on the request when it was opened.
- structure (``Scope``): a structure's figures are those of the learners living in the
  départements it covers (their profile) and of the requests it holds (``structure_id``),
  and their sessions; no scope is the whole network (requests of the network's queue too).
- pathway: the detailed funnel's pathway; restricts requests, diagnoses, milestones,
  satisfaction and enrolments to that pathway and module feedback to its modules. The
  pathways' summary always lists every pathway, for comparison.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Func,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.utils import timezone

from lms.accounts.models import Structure
from lms.coaching.models import (
    Attendance,
    CoachingRequest,
    CoachingSession,
    GroupSeat,
    GroupSession,
    GroupStatus,
    SessionStatus,
    Status,
)
from lms.community.models import (
    CircleMeeting,
    CircleMembership,
    CirclePost,
    MentorHours,
    MentorOffer,
    PeerCircle,
)
from lms.outcomes.models import (
    Competence,
    CompetenceScore,
    Milestone,
    ModuleFeedback,
    Moment,
    Satisfaction,
)
from pathways.models import CheckpointPassage, Enrollment, ModulePage, PathwayPage, StepCompletion

PERCENTILES = (0.5, 0.9)


@dataclass(frozen=True)
class Scope:
    """One or more structures: their ids (sorted) and the départements they cover (sorted).
    Part of ``Filters``, hence of the cache's key: each scope has its own figures."""

    structure_ids: tuple[int, ...]
    departements: tuple[str, ...]

    @classmethod
    def of(cls, structures) -> "Scope":
        """The scope of ``structures`` (objects with ``pk`` and ``departements``)."""
        return cls(
            tuple(sorted({s.pk for s in structures})),
            tuple(sorted({code for s in structures for code in s.departements})),
        )


@dataclass(frozen=True)
class Filters:
    """The manager's selection; empty fields do not filter. ``scope`` None: the whole
    network."""

    start: date | None = None
    end: date | None = None  # inclusive
    pathway_id: int | None = None
    departement: str = ""
    area_type: str = ""
    scope: Scope | None = None

    def as_json(self) -> dict:
        """The selection as plain JSON values (a task's argument)."""
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "pathway_id": self.pathway_id,
            "departement": self.departement,
            "area_type": self.area_type,
            "scope": None
            if self.scope is None
            else {
                "structure_ids": list(self.scope.structure_ids),
                "departements": list(self.scope.departements),
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> "Filters":
        days = {
            name: date.fromisoformat(data[name]) if data.get(name) else None
            for name in ("start", "end")
        }
        scope = data.get("scope")
        return cls(
            **days,
            pathway_id=data.get("pathway_id"),
            departement=data.get("departement", ""),
            area_type=data.get("area_type", ""),
            scope=None
            if scope is None
            else Scope(tuple(scope["structure_ids"]), tuple(scope["departements"])),
        )

    def period(self, field: str) -> Q:
        """``field`` within the period, from the first day's midnight to the day after the
        last, in the site's time zone."""
        q = Q()
        if self.start:
            q &= Q(**{f"{field}__gte": _midnight(self.start)})
        if self.end:
            q &= Q(**{f"{field}__lt": _midnight(self.end + timedelta(days=1))})
        return q

    def learner(self, prefix: str = "learner__") -> Q:
        """The learner (reached through ``prefix``) lives in the département / area type,
        and in a département of the scope."""
        q = Q()
        if self.scope is not None:
            q &= Q(**{f"{prefix}learner_profile__departement__in": self.scope.departements})
        if self.departement:
            q &= Q(**{f"{prefix}learner_profile__departement": self.departement})
        if self.area_type:
            q &= Q(**{f"{prefix}learner_profile__area_type": self.area_type})
        return q

    def pathway(self, field: str = "pathway_id") -> Q:
        return Q(**{field: self.pathway_id}) if self.pathway_id else Q()


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Database expressions --------------------------------------------------------------------


class HoursBetween(Func):
    """``end - start`` in hours, as a float, on PostgreSQL and SQLite."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        end, start = self.get_source_expressions()
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        if connection.vendor == "postgresql":
            seconds = f"EXTRACT(EPOCH FROM ({end_sql} - {start_sql}))"
            sql = f"(CAST({seconds} AS double precision) / 3600.0)"
        else:
            sql = f"((julianday({end_sql}) - julianday({start_sql})) * 24.0)"
        return sql, (*end_params, *start_params)


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile (``figures.percentile`` is the same in Python)."""

    function = "PERCENTILE_CONT"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError(fraction)
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


# --- Pathways and the funnel -----------------------------------------------------------------


class PathwayRef(NamedTuple):
    """What the dashboard shows of a pathway; ``Report.selected_page`` loads the one whose
    figures are computed."""

    pk: int
    title: str
    live: bool


def pathways() -> list[PathwayRef]:
    """Every pathway (drafts too: they may have had learners), in tree order: plain rows,
    since loading a hundred pages was half of a cached dashboard's time."""
    return [
        PathwayRef(*row)
        for row in PathwayPage.objects.order_by("path").values_list("pk", "title", "live")
    ]


def enrollments(f: Filters):
    return Enrollment.objects.filter(f.period("enrolled_at"), f.learner())


def pathway_summary(f: Filters) -> dict[int, dict]:
    """Enrolled and completed learners by pathway id (every pathway: the pathway filter
    does not apply)."""
    rows = (
        enrollments(f)
        .values("pathway_id")
        .annotate(enrolled=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False)))
        .order_by()
    )
    return {row["pathway_id"]: row for row in rows}


def _cohort(f: Filters, pathway_id: int):
    """The learners of the selection enrolled in this pathway, as a subquery."""
    return enrollments(f).filter(pathway_id=pathway_id).values("learner_id")


def _steps_of(modules: dict[int, tuple[str, ...]]) -> Q:
    q = Q(pk__in=[])
    for module_id, step_ids in modules.items():
        q |= Q(module_id=module_id, step_id__in=step_ids)
    return q


def step_counts(
    f: Filters, pathway_id: int, modules: dict[int, tuple[str, ...]]
) -> dict[tuple[int, str], int]:
    """Learners of the pathway's cohort who completed each step, by (module id, step id).
    ``modules``: the live step ids of each module of the outline."""
    if not modules:
        return {}
    rows = (
        StepCompletion.objects.filter(_steps_of(modules), learner_id__in=_cohort(f, pathway_id))
        .values_list("module_id", "step_id")
        .annotate(learners=Count("pk"))
        .order_by()
    )
    return {(module_id, step_id): learners for module_id, step_id, learners in rows}


def module_completions(
    f: Filters, pathway_id: int, modules: dict[int, tuple[str, ...]]
) -> dict[int, int]:
    """Learners of the cohort who completed every (live) step of each module, by module id:
    completions are grouped by learner and module, then counted, in one query."""
    with_steps = {module_id: steps for module_id, steps in modules.items() if steps}
    if not with_steps:
        return {}
    per_learner = (
        StepCompletion.objects.filter(_steps_of(with_steps), learner_id__in=_cohort(f, pathway_id))
        .values("learner_id", "module_id")
        .annotate(done=Count("pk"))
        .order_by()
    )
    totals = per_learner.aggregate(
        **{
            f"m{module_id}": Count(
                "learner_id", filter=Q(module_id=module_id, done__gte=len(steps))
            )
            for module_id, steps in with_steps.items()
        }
    )
    return {module_id: totals[f"m{module_id}"] or 0 for module_id in with_steps}


def passage_counts(f: Filters, pathway_id: int) -> dict[str, int]:
    """Learners of the cohort who reached each progression point, by point id."""
    rows = (
        CheckpointPassage.objects.filter(
            pathway_id=pathway_id, learner_id__in=_cohort(f, pathway_id)
        )
        .values_list("point_id")
        .annotate(learners=Count("pk"))
        .order_by()
    )
    return dict(rows)


def live_modules(module_ids) -> dict[int, ModulePage]:
    return ModulePage.objects.live().in_bulk(module_ids)


# --- Coaching --------------------------------------------------------------------------------


def coaching_requests(f: Filters):
    q = f.period("created_at") & f.pathway()
    if f.scope is not None:  # the structure holding the request, not where the learner lives
        q &= Q(structure_id__in=f.scope.structure_ids)
    if f.departement:  # the request's own département: the learner may have moved since
        q &= Q(departement=f.departement)
    if f.area_type:
        q &= Q(learner__learner_profile__area_type=f.area_type)
    return CoachingRequest.objects.filter(q)


def requests_by_origin(f: Filters, now: datetime | None = None) -> list[dict]:
    """Requests, answered ones, those answered within the service level, and those that
    count for the service level (answered, or unanswered past their due time and not
    cancelled), by origin."""
    now = now or timezone.now()
    answered = Q(first_response_at__isnull=False)
    return list(
        coaching_requests(f)
        .values("origin")
        .annotate(
            requests=Count("pk"),
            answered=Count("pk", filter=answered),
            within_sla=Count("pk", filter=Q(first_response_at__lte=F("due_at"))),
            sla_due=Count(
                "pk",
                filter=answered
                | (Q(due_at__lt=now, first_response_at__isnull=True) & ~Q(status=Status.CANCELLED)),
            ),
        )
        .order_by("origin")
    )


def response_hours(f: Filters) -> tuple[dict[str, list[float | None]], list[float | None]]:
    """Median and 90th percentile of the hours to a first response, by origin and overall.

    PostgreSQL computes them (``percentile_cont``, two queries); elsewhere the answered
    requests' hours are read in one query, sorted by the database, and
    ``figures.percentile`` interpolates the same way."""
    from .figures import percentiles_by_group

    answered = coaching_requests(f).filter(first_response_at__isnull=False)
    hours = HoursBetween(F("first_response_at"), F("created_at"))
    if connection.vendor == "postgresql":
        aggregates = {f"p{int(q * 100)}": PercentileCont(hours, q) for q in PERCENTILES}
        by_origin = {
            row["origin"]: [row[key] for key in aggregates]
            for row in answered.values("origin").annotate(**aggregates).order_by()
        }
        overall = answered.aggregate(**aggregates)
        return by_origin, [overall[key] for key in aggregates]
    rows = answered.annotate(hours=hours).order_by("hours").values_list("origin", "hours")
    return percentiles_by_group(rows, PERCENTILES)


def _sessions(f: Filters, q: Q):
    q &= f.period("starts_at") & f.pathway("request__pathway_id")
    if f.scope is not None:
        q &= Q(request__structure_id__in=f.scope.structure_ids)
    if f.departement:
        q &= Q(request__departement=f.departement)
    if f.area_type:
        q &= Q(request__learner__learner_profile__area_type=f.area_type)
    return CoachingSession.objects.filter(q)


def held_sessions(f: Filters, now: datetime | None = None):
    """Accepted sessions whose start is past, in the period (by start), but those the coach
    recorded as a no-show or a late cancellation."""
    q = Q(status=SessionStatus.ACCEPTED, starts_at__lt=now or timezone.now())
    q &= ~Q(attendance__in=[Attendance.NO_SHOW, Attendance.LATE_CANCELLED])
    return _sessions(f, q)


def attendance_by_origin(f: Filters) -> list[dict]:
    """Sessions of the period (by start) whose attendance the coach recorded as held or
    no-show, by their request's origin: ``held`` and ``no_show``."""
    return list(
        _sessions(f, Q(attendance__in=[Attendance.HELD, Attendance.NO_SHOW]))
        .values(origin=F("request__origin"))
        .annotate(
            held=Count("pk", filter=Q(attendance=Attendance.HELD)),
            no_show=Count("pk", filter=Q(attendance=Attendance.NO_SHOW)),
        )
        .order_by("origin")
    )


def _group_seats(f: Filters, q: Q):
    """Seats of group sessions still on, of the period (by the session's start), of the
    scope's structures (co-running), and of learners of the département / area chosen."""
    q &= f.period("session__starts_at") & f.pathway("session__pathway_id")
    q &= Q(session__status=GroupStatus.SCHEDULED, learner__isnull=False)
    if f.scope is not None:
        q &= Q(
            session__in=GroupSession.objects.filter(structures__in=f.scope.structure_ids).values(
                "pk"
            )
        )
    if f.departement:
        q &= Q(learner__learner_profile__departement=f.departement)
    if f.area_type:
        q &= Q(learner__learner_profile__area_type=f.area_type)
    return GroupSeat.objects.filter(q)


def group_and_individual(f: Filters) -> dict[str, dict]:
    """For one-to-one sessions and group sessions of the period whose attendance was
    recorded: sessions held (at least one person came), attendances recorded and held,
    distinct people who came, and the coach's minutes of the sessions held. Three queries."""
    recorded = Q(attendance__in=[Attendance.HELD, Attendance.NO_SHOW])
    held = Q(attendance=Attendance.HELD)
    individual = _sessions(f, recorded).aggregate(
        recorded=Count("pk"),
        held=Count("pk", filter=held),
        people=Count("request__learner", distinct=True, filter=held),
        minutes=Sum("duration_minutes", filter=held),
    )
    individual["sessions"] = individual["held"]
    seats = _group_seats(f, recorded)
    group = seats.aggregate(
        recorded=Count("pk"),
        held=Count("pk", filter=held),
        people=Count("learner", distinct=True, filter=held),
    )
    sessions = GroupSession.objects.filter(
        pk__in=seats.filter(held).values("session_id")
    ).aggregate(sessions=Count("pk"), minutes=Sum("duration_minutes"))
    group.update(sessions)
    for row in (individual, group):
        row["minutes"] = row["minutes"] or 0
    return {"individual": individual, "group": group}


def first_held_days(f: Filters) -> tuple[dict[str, list[float | None]], list[float | None], dict]:
    """Days from a request (of the period) to its first session recorded as held: median
    and 90th percentile by origin and overall, and how many requests had one by origin.
    One query: each such request's delay, sorted by the database; ``figures`` interpolates
    as PostgreSQL's ``percentile_cont`` does."""
    from .figures import percentiles_by_group

    rows = list(
        coaching_requests(f)
        .annotate(
            first_held=Min("sessions__starts_at", filter=Q(sessions__attendance=Attendance.HELD))
        )
        .filter(first_held__isnull=False)
        .annotate(days=HoursBetween(F("first_held"), F("created_at")) / 24.0)
        .order_by("days")
        .values_list("origin", "days")
    )
    counts: dict[str, int] = {}
    for origin, _days in rows:
        counts[origin] = counts.get(origin, 0) + 1
    by_origin, overall = percentiles_by_group(rows, PERCENTILES)
    return by_origin, overall, counts


def recommended_modalities(f: Filters) -> list[tuple[str | None, str, int]]:
    """(learner's area type, recommended modality, requests)."""
    return list(
        coaching_requests(f)
        .values_list("learner__learner_profile__area_type", "recommended_modality")
        .annotate(n=Count("pk"))
        .order_by()
    )


def session_modalities(f: Filters) -> list[tuple[str | None, str, int]]:
    """(learner's area type, session modality, sessions held)."""
    return list(
        held_sessions(f)
        .values_list("request__learner__learner_profile__area_type", "modality")
        .annotate(n=Count("pk"))
        .order_by()
    )


# --- Territories -----------------------------------------------------------------------------


def learners_by_departement(f: Filters) -> dict[str | None, int]:
    """Distinct learners enrolled in the period (in the pathway, if chosen), by the
    département of their profile (None: no profile)."""
    rows = (
        enrollments(f)
        .filter(f.pathway())
        .values_list("learner__learner_profile__departement")
        .annotate(n=Count("learner_id", distinct=True))
        .order_by()
    )
    return dict(rows)


def requests_by_departement(f: Filters) -> dict[str, int]:
    rows = coaching_requests(f).values_list("departement").annotate(n=Count("pk")).order_by()
    return dict(rows)


def sessions_by_departement(f: Filters) -> dict[str, int]:
    rows = held_sessions(f).values_list("request__departement").annotate(n=Count("pk")).order_by()
    return dict(rows)


# --- Outcomes --------------------------------------------------------------------------------


def _diagnosis_filter(f: Filters, prefix: str = "") -> Q:
    return (
        f.period(f"{prefix}created_at")
        & f.learner(f"{prefix}learner__")
        & f.pathway(f"{prefix}pathway_id")
    )


def competence_progression(f: Filters) -> tuple[list[dict], int]:
    """For each competence: learners with a start and an end score in the same pathway
    (end diagnosis in the period) and the means of those scores; and how many learners
    have such a pair for any competence.

    Each end score of the selection is joined to the score of the same competence in the
    start diagnosis of the same learner and pathway (one start and one end per learner and
    pathway: a unique constraint), then counted and averaged per competence in the same
    query: only the pairs are read, not every score."""
    competences = list(Competence.objects.order_by("sort_order", "pk").values_list("pk", "name"))
    if not competences:
        return [], 0
    start = "diagnosis__learner__diagnoses"
    pairs = (
        CompetenceScore.objects.annotate(
            start_diagnosis=FilteredRelation(
                start,
                condition=Q(
                    **{
                        f"{start}__moment": Moment.START,
                        f"{start}__pathway_id": F("diagnosis__pathway_id"),
                    }
                ),
            ),
            start_score=FilteredRelation(
                "start_diagnosis__scores",
                condition=Q(start_diagnosis__scores__competence_id=F("competence_id")),
            ),
        )
        .filter(
            f.period("diagnosis__created_at"),
            f.learner("diagnosis__learner__"),
            f.pathway("diagnosis__pathway_id"),
            diagnosis__moment=Moment.END,
            diagnosis__pathway__isnull=False,
            # An inner join; the score (not the id) keeps the index-only scan.
            start_score__score__isnull=False,
        )
        .order_by()
    )
    aggregates = {"learners": Count("diagnosis__learner_id", distinct=True)}
    for pk, _name in competences:
        mine = Q(competence_id=pk)
        aggregates[f"n{pk}"] = Count("diagnosis__learner_id", distinct=True, filter=mine)
        aggregates[f"start{pk}"] = Avg("start_score__score", filter=mine)
        aggregates[f"end{pk}"] = Avg("score", filter=mine)
    totals = pairs.aggregate(**aggregates)
    rows = [
        {
            "competence_id": pk,
            "name": name,
            "learners": totals[f"n{pk}"],
            "start": totals[f"start{pk}"],
            "end": totals[f"end{pk}"],
        }
        for pk, name in competences
        if totals[f"n{pk}"]
    ]
    return rows, totals["learners"] or 0


def latest_stages(f: Filters) -> list[dict]:
    """Each learner's latest milestone of the selection (latest by date, then id): learners
    and the sum of their declared jobs (FTE), by stage."""
    selection = Milestone.objects.filter(_diagnosis_filter(f))
    later = selection.filter(learner_id=OuterRef("learner_id")).filter(
        Q(created_at__gt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
    )
    return list(
        selection.filter(~Exists(later))
        .values("stage")
        .annotate(learners=Count("learner_id", distinct=True), jobs=Sum("jobs_fte"))
        .order_by()
    )


def stage_transitions(f: Filters) -> list[tuple[str, str, int]]:
    """(stage at the start, stage at the end, learners) for the learners who declared both
    in the same pathway (end milestone in the period)."""
    start_stage = Milestone.objects.filter(
        learner_id=OuterRef("learner_id"),
        pathway_id=OuterRef("pathway_id"),
        moment=Moment.START,
    ).values("stage")[:1]
    return list(
        Milestone.objects.filter(_diagnosis_filter(f), moment=Moment.END)
        .annotate(start_stage=Subquery(start_stage))
        .filter(start_stage__isnull=False)
        .values_list("start_stage", "stage")
        .annotate(n=Count("learner_id", distinct=True))
        .order_by()
    )


def satisfaction_by_pathway(f: Filters) -> list[dict]:
    """Answers, their sum, promoters (9-10) and detractors (0-6), by pathway."""
    return list(
        Satisfaction.objects.filter(_diagnosis_filter(f))
        .values("pathway_id", "pathway__title")
        .annotate(
            answers=Count("pk"),
            total=Sum("score"),
            promoters=Count("pk", filter=Q(score__gte=9)),
            detractors=Count("pk", filter=Q(score__lte=6)),
        )
        .order_by("pathway__title", "pathway_id")
    )


def module_usefulness(f: Filters, module_ids: list[int] | None) -> list[dict]:
    """Feedback answers and "useful" ones by module (the pathway's modules if one is
    chosen: ``module_ids``)."""
    q = f.period("created_at") & f.learner()
    if module_ids is not None:
        q &= Q(module_id__in=module_ids)
    return list(
        ModuleFeedback.objects.filter(q)
        .values("module_id", "module__title")
        .annotate(answers=Count("pk"), useful=Count("pk", filter=Q(useful=True)))
        .order_by("module__title", "module_id")
    )


# --- Editors: one module's drop-off ----------------------------------------------------------


def module_step_counts(module: ModulePage) -> dict[str, int]:
    """Learners who completed each step of a module (any pathway, any time), by step id."""
    rows = (
        StepCompletion.objects.filter(module=module)
        .values_list("step_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


# --- Funder reports: kinds of territory and months -------------------------------------------


def learners_by_area_type(f: Filters) -> dict[str | None, int]:
    """Distinct learners enrolled in the period (in the pathway, if chosen), by the kind of
    territory of their profile (None: not given): the same people as
    ``learners_by_departement``, broken down another way."""
    rows = (
        enrollments(f)
        .filter(f.pathway())
        .values_list("learner__learner_profile__area_type")
        .annotate(n=Count("learner_id", distinct=True))
        .order_by()
    )
    return {area or None: n for area, n in rows}


def _by_month(queryset, field: str) -> dict[date, int]:
    from django.db.models.functions import TruncMonth

    rows = (
        queryset.annotate(month=TruncMonth(field, tzinfo=timezone.get_current_timezone()))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: dict[date, int] = {}
    for month, n in rows:
        day = timezone.localtime(month).date() if isinstance(month, datetime) else month
        found[day] = found.get(day, 0) + n
    return found


def monthly_series(f: Filters, now: datetime | None = None) -> dict[str, dict[date, int]]:
    """Enrolments (every pathway's, as the pathways' table counts them), coaching requests
    and sessions held, by month (its first day) of the period: three grouped queries."""
    return {
        "enrolments": _by_month(enrollments(f), "enrolled_at"),
        "requests": _by_month(coaching_requests(f), "created_at"),
        "sessions": _by_month(held_sessions(f, now), "starts_at"),
    }


# --- Peer circles and mentoring (lms.community) ------------------------------------------------


def _circle_scope(f: Filters) -> Q:
    q = f.pathway()
    if f.scope is not None:  # the structure running the circle; the network's: no scope
        q &= Q(structure_id__in=f.scope.structure_ids)
    return q


def peer_circles(f: Filters, now: datetime | None = None) -> dict:
    """Circles active in the period (a meeting held or a post written then), by the
    structure running them (None: the network): ``rows`` {structure id: {name, circles,
    members, meetings, posts, mentors, minutes}} and the distinct people of all of them
    (``members``, ``mentors``). Members are learners who belonged to an active circle during
    the period; mentors, approved mentors who recorded hours then, by the structure that
    approved them. Five queries whatever the number of circles."""
    now = now or timezone.now()
    circles = {
        row["pk"]: row
        for row in PeerCircle.objects.filter(_circle_scope(f)).values(
            "pk", "structure_id", "structure__name"
        )
    }
    held = Q(group_session__status="scheduled", group_session__starts_at__lte=now) & f.period(
        "group_session__starts_at"
    )
    meetings = dict(
        CircleMeeting.objects.filter(held, circle_id__in=circles)
        .values("circle_id")
        .annotate(n=Count("pk"))
        .values_list("circle_id", "n")
        .order_by()
    )
    posts = dict(
        CirclePost.objects.filter(f.period("created_at"), circle_id__in=circles)
        .values("circle_id")
        .annotate(n=Count("pk"))
        .values_list("circle_id", "n")
        .order_by()
    )
    active = {pk for pk in circles if meetings.get(pk) or posts.get(pk)}
    during = Q()
    if f.end:
        during &= Q(joined_at__lt=_midnight(f.end + timedelta(days=1)))
    if f.start:
        during &= Q(left_at__isnull=True) | Q(left_at__gte=_midnight(f.start))
    memberships = list(
        CircleMembership.objects.filter(during, f.learner(), circle_id__in=active).values_list(
            "circle_id", "learner_id"
        )
    )
    approved = dict(
        MentorOffer.objects.filter(status="approved")
        .order_by("decided_at", "pk")
        .values_list("learner_id", "structure_id")
    )
    hours = MentorHours.objects.filter(mentor_id__in=approved)
    if f.start:
        hours = hours.filter(date__gte=f.start)
    if f.end:
        hours = hours.filter(date__lte=f.end)
    minutes = dict(
        hours.values("mentor_id")
        .annotate(n=Sum("minutes"))
        .values_list("mentor_id", "n")
        .order_by()
    )
    names = {row["structure_id"]: row["structure__name"] for row in circles.values()}
    names.update(
        Structure.objects.filter(pk__in={approved[m] for m in minutes}).values_list("pk", "name")
    )
    rows: dict[int | None, dict] = {}

    def row_of(structure_id):
        return rows.setdefault(
            structure_id,
            {
                "name": names.get(structure_id) or "",
                "circles": 0,
                "members": set(),
                "meetings": 0,
                "posts": 0,
                "mentors": set(),
                "minutes": 0,
            },
        )

    for pk in sorted(active):
        row = row_of(circles[pk]["structure_id"])
        row["circles"] += 1
        row["meetings"] += meetings.get(pk, 0)
        row["posts"] += posts.get(pk, 0)
    for circle_id, learner_id in memberships:
        row_of(circles[circle_id]["structure_id"])["members"].add(learner_id)
    for mentor_id, total in minutes.items():
        structure_id = approved[mentor_id]
        if f.scope is not None and structure_id not in f.scope.structure_ids:
            continue
        row = row_of(structure_id)
        row["mentors"].add(mentor_id)
        row["minutes"] += total
    return {
        "rows": rows,
        "members": len({learner for _circle, learner in memberships}),
        "mentors": len({m for row in rows.values() for m in row["mentors"]}),
    }
