"""Coaching requests and sessions: where a learner's progress becomes a human meeting."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.accounts.models import Modality, validate_departement_list


class Origin(models.TextChoices):
    CHECKPOINT = "checkpoint", _("Balise de progression")
    HELP = "help", _("Demande d'aide")
    INACTIVITY = "inactivity", _("Inactivité")
    SELF_ASSESSMENT = "self_assessment", _("Autodiagnostic")


class Status(models.TextChoices):
    OPEN = "open", _("En attente")
    CLAIMED = "claimed", _("Prise en charge")
    SCHEDULED = "scheduled", _("Rendez-vous planifié")
    DONE = "done", _("Terminée")
    CANCELLED = "cancelled", _("Annulée")
    EXPIRED = "expired", _("Expirée")


ACTIVE_STATUSES = [Status.OPEN, Status.CLAIMED, Status.SCHEDULED]


class Outcome(models.TextChoices):
    CONTINUES = "continues", _("Le projet avance : suite du parcours")
    FOLLOW_UP = "follow_up", _("Un autre rendez-vous est prévu")
    REFERRED = "referred", _("Orienté·e vers une autre structure")
    PAUSED = "paused", _("Projet en pause")
    NO_SHOW = "no_show", _("La personne n'est pas venue")
    GROUP = "group", _("Accompagné·e en groupe")


class CoachingRequestQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def for_learner(self, user):
        """The requests a learner may see: their own."""
        return self.filter(learner=user)

    def visible_to_coach(self, user, profile):
        """Requests a coach may see: theirs, and open ones of their territory or, for
        remote-capable coaches, of the network-wide queue."""
        if profile is None:
            return self.none()
        territory = Q(status=Status.OPEN, coach__isnull=True, departement__in=profile.departements)
        if profile.offers_remote:
            territory |= Q(status=Status.OPEN, coach__isnull=True, network_queue=True)
        return self.filter(Q(coach=user) | territory)

    def claimable_by(self, profile):
        """Open, unclaimed requests of the coach's territory (and of the network queue for
        remote-capable coaches): the queue's second part. Written as plain conditions on
        ``status`` and ``coach`` so that PostgreSQL reads them from the partial index of
        open, unclaimed requests, in due-date order."""
        if profile is None:
            return self.none()
        territory = Q(departement__in=profile.departements)
        if profile.offers_remote:
            territory |= Q(network_queue=True)
        return self.filter(territory, status=Status.OPEN, coach__isnull=True)


class CoachingRequest(models.Model):
    """A learner's request for a human coach, with a snapshot of their situation."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_requests"
    )
    pathway = models.ForeignKey(
        "pathways.PathwayPage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The point this request is about: a progression point's block id, or "help" /
    # "inactivity" / "self_assessment" (its first origin's; a gate point reached while
    # the request is active replaces it, so closing the request releases the gate).
    # At most one active request per (learner, pathway): later origins join it as events.
    point_id = models.CharField(max_length=64)
    origin = models.CharField(_("origine"), max_length=16, choices=Origin.choices)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    message = models.TextField(_("message de la personne"), blank=True, max_length=4000)
    context = models.JSONField(_("contexte"), default=dict, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True, db_index=True)
    network_queue = models.BooleanField(_("file nationale"), default=False)
    # The structure the request belongs to (its département's), set when it is routed;
    # none for a département no structure covers. Its managers follow it.
    structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    # Where the coach oriented the learner when closing it (outcome « referred »).
    oriented_to = models.ForeignKey(
        "accounts.Structure",
        verbose_name=_("orienté·e vers"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="oriented_requests",
    )
    recommended_modality = models.CharField(
        _("modalité recommandée"), max_length=10, choices=Modality.choices
    )
    recommendation_reason = models.TextField(_("raison de la recommandation"))  # to the learner
    # The same reason about the learner, for coaches; empty on rows older than it.
    coach_recommendation_reason = models.TextField(
        _("raison de la recommandation, pour les accompagnateur·rices"),
        blank=True,
        default="",
        db_default="",
    )
    releases_gate = models.BooleanField(default=False)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coached_requests",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    due_at = models.DateTimeField(_("réponse attendue avant"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("issue"), max_length=12, choices=Outcome.choices, blank=True)
    summary = models.TextField(_("synthèse partagée"), blank=True, max_length=8000)
    next_steps = models.TextField(_("prochaines étapes"), blank=True, max_length=4000)
    private_notes = models.TextField(_("notes privées"), blank=True, max_length=8000)

    objects = CoachingRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande d'accompagnement")
        verbose_name_plural = _("demandes d'accompagnement")
        ordering = ["due_at"]
        constraints = [
            # A request whose pathway was deleted (SET NULL) escapes it: NULLs are distinct.
            models.UniqueConstraint(
                fields=["learner", "pathway"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_request_per_pathway",
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            # The coach queue reads open, unclaimed requests by due date, a page at a time;
            # the filters' columns are included so that PostgreSQL filters on the index
            # alone (an index-only scan), however many requests the network holds.
            models.Index(
                fields=["due_at", "id"],
                include=[
                    "departement",
                    "network_queue",
                    "origin",
                    "recommended_modality",
                    "created_at",
                ],
                condition=Q(status="open", coach__isnull=True),
                name="request_open_unclaimed_due",
            ),
            # The same, a département at a time: a queue filtered to a département, or a
            # coach's territory without the national queue, reads that département's open
            # requests only, where the index above would scan the network's to fill a page.
            models.Index(
                fields=["departement", "due_at", "id"],
                include=["network_queue", "origin", "recommended_modality", "created_at"],
                condition=Q(status="open", coach__isnull=True),
                name="request_open_unclaimed_dept",
            ),
            # A coach's own active requests, without reading their closed ones.
            models.Index(
                fields=["coach", "due_at"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="request_coach_active_due",
            ),
        ]

    # Set by ``actions.open_request`` on the instance it returns: True when the origin
    # joined a request that was already active instead of opening one.
    joined = False

    def __str__(self):
        return f"#{self.pk} {self.learner} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return is_overdue(self.status, self.due_at)

    @property
    def reason_for_coach(self) -> str:
        return self.coach_recommendation_reason or self.recommendation_reason

    @property
    def booked_session(self) -> "CoachingSession | None":
        """The accepted session that says how the learner meets: the next one to come, else
        the last one held. Reads ``sessions.all()``, so prefetch them for a list."""
        accepted = [s for s in self.sessions.all() if s.status == SessionStatus.ACCEPTED]
        now = timezone.now()
        upcoming = [s for s in accepted if s.starts_at > now]
        if upcoming:
            return min(upcoming, key=lambda s: s.starts_at)
        return max(accepted, key=lambda s: s.starts_at, default=None)


class RequestEvent(models.Model):
    """One origin of a request: the one that opened it, then each one that joined it (a
    second « J'ai besoin d'aide » message, a point reached while it is active...).

    ``announced_at`` is the outbox mark of the hop « coaches told »: it is set in the
    same transaction as the notifications it stands for, and the sweeper announces the
    events left without it (routing or the notification write failed).
    """

    request = models.ForeignKey(CoachingRequest, on_delete=models.CASCADE, related_name="events")
    origin = models.CharField(_("origine"), max_length=16, choices=Origin.choices)
    point_id = models.CharField(max_length=64)
    message = models.TextField(_("message de la personne"), blank=True, max_length=4000)
    where = models.CharField(_("où en est la personne"), max_length=255, blank=True)
    opened_request = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("événement de demande")
        verbose_name_plural = _("événements de demande")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(announced_at__isnull=True),
                name="request_event_to_announce",
            )
        ]

    def __str__(self):
        return f"{self.request_id}: {self.origin} {self.point_id}"


def is_overdue(status: str, due_at, now=None) -> bool:
    """Still waiting for a first response after its due time."""
    return status == Status.OPEN and due_at < (now or timezone.now())


class SessionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposé")
    ACCEPTED = "accepted", _("Accepté")
    DECLINED = "declined", _("Refusé")
    RESCHEDULE = "reschedule", _("Autre créneau demandé")
    CANCELLED = "cancelled", _("Annulé")


ACTIVE_SESSION_STATUSES = [SessionStatus.PROPOSED, SessionStatus.ACCEPTED]


class Attendance(models.TextChoices):
    HELD = "held", _("Tenu")
    NO_SHOW = "no_show", _("Absence")
    LATE_CANCELLED = "late_cancelled", _("Annulation tardive")


class CoachingSession(models.Model):
    """A meeting a coach proposes for a request; the learner accepts, declines or asks again."""

    request = models.ForeignKey(CoachingRequest, on_delete=models.CASCADE, related_name="sessions")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_sessions"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    starts_at = models.DateTimeField(_("début"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=60)
    modality = models.CharField(_("modalité"), max_length=10, choices=Modality.choices)
    location = models.CharField(_("lieu ou lien"), max_length=500)
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.PROPOSED
    )
    learner_message = models.TextField(_("message de la personne"), blank=True, max_length=2000)
    sequence = models.PositiveIntegerField(default=0)  # iCalendar SEQUENCE, bumped on change
    created_at = models.DateTimeField(auto_now_add=True)
    # Self-booking and video links (``availability``, ``video``): the weekly rule of the
    # slot the learner booked (none for a coach's proposal), and the session's unguessable
    # video room (empty unless it meets by video with a generated link).
    rule = models.ForeignKey(
        "coaching.AvailabilityRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    video_room = models.CharField(
        _("salle de visioconférence"), max_length=64, blank=True, default="", db_default=""
    )
    # What happened, recorded by the coach once the time is past (or « cancelled late » when
    # either side cancels less than BALISE_LATE_CANCELLATION_HOURS before); empty until then.
    attendance = models.CharField(
        _("présence"),
        max_length=14,
        choices=Attendance.choices,
        blank=True,
        default="",
        db_default="",
    )

    class Meta:
        verbose_name = pgettext_lazy("singular", "rendez-vous")
        verbose_name_plural = pgettext_lazy("plural", "rendez-vous")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["coach", "starts_at"],
                condition=Q(status__in=ACTIVE_SESSION_STATUSES),
                name="one_active_session_per_coach_slot",
            )
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M} ({self.get_modality_display()})"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_SESSION_STATUSES

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def can_change(self) -> bool:
        """Still to come and on: either side may move or cancel it."""
        return self.is_active and not self.has_started

    @property
    def late_hours(self) -> int:
        """Hours before the start under which a cancellation is « tardive »."""
        return settings.BALISE_LATE_CANCELLATION_HOURS

    @property
    def awaits_attendance(self) -> bool:
        """Its time has come and it was on (or its attendance is being corrected)."""
        return self.has_started and (self.is_active or bool(self.attendance))


class InactivityNudge(models.Model):
    """A reminder sent to an idle learner: one per threshold and idle period."""

    enrollment = models.ForeignKey(
        "pathways.Enrollment", on_delete=models.CASCADE, related_name="inactivity_nudges"
    )
    level = models.PositiveSmallIntegerField()
    # The enrollment's last activity when nudged: a new idle period starts a new series.
    activity_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "level", "activity_at"], name="one_nudge_per_idle_period"
            )
        ]

    def __str__(self):
        return f"{self.enrollment_id} level {self.level}"


class AuthorRole(models.TextChoices):
    """Who wrote a message, as the request stood then (a coach may later hand it back)."""

    LEARNER = "learner", _("Personne accompagnée")
    COACH = "coach", _("Accompagnateur·rice")
    MANAGER = "manager", _("Équipe de la structure")


MESSAGE_MAX_LENGTH = 4000


class RequestMessage(models.Model):
    """One message of a request's thread, between the learner, their coach and the
    structure's managers. Plain text; shown escaped, its addresses made links."""

    request = models.ForeignKey(
        CoachingRequest, on_delete=models.CASCADE, related_name="thread_messages"
    )
    # SET_NULL: a thread outlives the deletion of an account (its role still shows).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_role = models.CharField(_("rôle de l'auteur·rice"), max_length=10, choices=AuthorRole)
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["pk"]
        indexes = [models.Index(fields=["request", "id"], name="message_request_id")]

    def __str__(self):
        return f"{self.request_id}: {self.author_role} {self.created_at:%Y-%m-%d %H:%M}"


class ThreadReader(models.Model):
    """Where one person stands in a request's thread: the last message they read on the
    site, the last one an e-mail told them about, and the e-mail digest waiting to leave.

    ``digest_due_at`` is the outbox mark of the hop « new message -> e-mail »: set in the
    message's transaction when no digest is pending (one row per reader and request, so
    a burst of messages waits for one digest), cleared by the digest's transaction; the
    sweeper sends the digests still due after ``MESSAGE_DIGEST_DELAY``.
    """

    request = models.ForeignKey(CoachingRequest, on_delete=models.CASCADE, related_name="+")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_up_to = models.PositiveBigIntegerField(default=0)  # a RequestMessage id
    notified_up_to = models.PositiveBigIntegerField(default=0)  # a RequestMessage id
    digest_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "reader"], name="one_reader_per_thread")
        ]
        indexes = [
            models.Index(
                fields=["digest_due_at"],
                condition=Q(digest_due_at__isnull=False),
                name="thread_digest_due",
            )
        ]

    def __str__(self):
        return f"{self.request_id}: {self.reader_id} read {self.read_up_to}"


# --- Availability and self-booking --------------------------------------------------------


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")


class AvailabilityRule(models.Model):
    """A coach's weekly recurring slots: on these days, from ``start_time`` to ``end_time``
    (the site's wall-clock time), slots of ``slot_minutes`` in one modality, between
    ``valid_from`` and ``valid_until``. ``availability.occurrences`` expands it (dateutil's
    rrule); French public holidays are left out unless ``on_public_holidays``."""

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_rules"
    )
    weekdays = models.JSONField(_("jours"), default=list)  # Weekday values, 0 = Monday
    start_time = models.TimeField(_("heure de début"))
    end_time = models.TimeField(_("heure de fin"))
    slot_minutes = models.PositiveSmallIntegerField(_("durée d'un créneau (minutes)"), default=60)
    modality = models.CharField(_("modalité"), max_length=10, choices=Modality.choices)
    # In person: the address; by phone: the number the learner calls (else the structure's).
    place = models.CharField(_("lieu ou numéro"), max_length=300, blank=True)
    valid_from = models.DateField(_("à partir du"))
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)
    on_public_holidays = models.BooleanField(_("aussi les jours fériés"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plage de disponibilité")
        verbose_name_plural = _("plages de disponibilité")
        ordering = ["coach", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="availability_rule_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="availability_rule_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=15, slot_minutes__lte=240),
                name="availability_rule_slot_length",
            ),
        ]

    def __str__(self):
        return f"{self.coach_id} {self.weekdays} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    @property
    def weekday_labels(self) -> list[str]:
        return [Weekday(day).label for day in sorted(self.weekdays) if day in Weekday.values]


class AvailabilityException(models.Model):
    """Days a coach takes no booking (holidays, training, absence), both ends included."""

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_exceptions"
    )
    starts_on = models.DateField(_("premier jour"))
    ends_on = models.DateField(_("dernier jour"))
    reason = models.CharField(_("motif (facultatif)"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("indisponibilité")
        verbose_name_plural = _("indisponibilités")
        ordering = ["coach", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="availability_exception_ends_after"
            )
        ]

    def __str__(self):
        return f"{self.coach_id} {self.starts_on}-{self.ends_on}"


class SessionReminder(models.Model):
    """A reminder of an accepted session, written with its notifications: one per session,
    offset (hours before) and start time, so a restarted or second worker never reminds
    twice, and a session moved to a new time is reminded again for it."""

    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="reminders")
    hours_before = models.PositiveSmallIntegerField(_("heures avant"))
    starts_at = models.DateTimeField(_("début du rendez-vous rappelé"))
    sent_at = models.DateTimeField(_("rappel écrit le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rappel de rendez-vous")
        verbose_name_plural = _("rappels de rendez-vous")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "hours_before", "starts_at"], name="one_reminder_per_offset"
            )
        ]

    def __str__(self):
        return f"{self.session_id} -{self.hours_before}h"


class SessionChangeKind(models.TextChoices):
    MOVED = "moved", _("Déplacé")
    CANCELLED = "cancelled", _("Annulé")
    ATTENDANCE = "attendance", _("Présence notée")


class SessionChange(models.Model):
    """One change in a session's life, for its history on the request file: who moved or
    cancelled it, when and why (a cancellation less than BALISE_LATE_CANCELLATION_HOURS
    before the start is ``late``), or who recorded (or corrected) its attendance."""

    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("changement"), max_length=10, choices=SessionChangeKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    reason = models.TextField(_("raison"), blank=True, max_length=1000)
    previous_starts_at = models.DateTimeField(_("ancien début"), null=True, blank=True)
    starts_at = models.DateTimeField(_("nouveau début"), null=True, blank=True)
    late = models.BooleanField(_("annulation tardive"), default=False)
    attendance = models.CharField(
        _("présence"),
        max_length=14,
        choices=Attendance.choices,
        blank=True,
        default="",
        db_default="",
    )
    previous_attendance = models.CharField(
        _("présence corrigée"), max_length=14, choices=Attendance.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("changement de rendez-vous")
        verbose_name_plural = _("changements de rendez-vous")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.session_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A coach's private calendar feed: the secret in its URL is the only key (no login), so
    renewing it replaces the token and the old URL answers 404."""

    coach = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agenda abonné")
        verbose_name_plural = _("agendas abonnés")

    def __str__(self):
        return f"feed of {self.coach_id}"


# --- Group sessions -----------------------------------------------------------------------


class GroupModality(models.TextChoices):
    IN_PERSON = "in_person", _("En présentiel")
    REMOTE = "remote", _("À distance")
    HYBRID = "hybrid", _("Hybride (sur place et à distance)")


class GroupStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Prévue")
    CANCELLED = "cancelled", _("Annulée")


GROUP_SEATS_MIN = 2
GROUP_SEATS_MAX = 30


def _brief_audio_upload_to(session, filename: str) -> str:
    # An unguessable folder: the audio is served only through the brief's view.
    return f"syntheses-collectives/{uuid.uuid4().hex}/{filename}"


class GroupSessionQuerySet(models.QuerySet):
    def scheduled(self):
        return self.filter(status=GroupStatus.SCHEDULED)

    def run_by_structures(self, structure_ids):
        """Sessions one of these structures co-runs (``None``: every session)."""
        if structure_ids is None:
            return self
        return self.filter(structures__in=structure_ids).distinct()


class GroupSession(models.Model):
    """A session that gathers several learners, often those who stand at the same
    progression point of a pathway: one coach (the lead) for many people.

    Its seats are rows (``GroupSeat``, one per place, numbered from 1), so that
    registering is one conditional UPDATE of a free seat and never more people than
    ``seats`` register. Several structures may co-run it (``structures``): their coaches
    and managers follow it. A peer circle's meeting (``lms.community``) is one of these."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # iCalendar UID
    title = models.CharField(_("titre"), max_length=200)
    theme = models.CharField(_("thème"), max_length=200, blank=True)
    description = models.TextField(_("présentation"), blank=True, max_length=2000)
    pathway = models.ForeignKey(
        "pathways.PathwayPage",
        verbose_name=_("parcours"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The progression point's block id in the pathway's outline; empty for a theme.
    point_id = models.CharField(_("balise de progression"), max_length=64, blank=True)
    starts_at = models.DateTimeField(_("début"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=90)
    modality = models.CharField(_("modalité"), max_length=10, choices=GroupModality.choices)
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    video_room = models.CharField(_("salle de visioconférence"), max_length=64, blank=True)
    seats = models.PositiveSmallIntegerField(_("nombre de places"))
    # Départements whose learners are invited; empty: the whole network.
    departements = models.JSONField(
        _("départements"), default=list, blank=True, validators=[validate_departement_list]
    )
    structures = models.ManyToManyField(
        "accounts.Structure",
        verbose_name=_("structures qui l'organisent"),
        related_name="group_sessions",
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("animé par"),
        on_delete=models.PROTECT,
        related_name="led_group_sessions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    waiting_list = models.BooleanField(_("liste d'attente"), default=False)
    status = models.CharField(
        _("état"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.SCHEDULED
    )
    cancel_reason = models.TextField(_("raison de l'annulation"), blank=True, max_length=1000)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0)  # iCalendar SEQUENCE, bumped on change
    brief = models.TextField(_("synthèse"), blank=True, max_length=8000)
    brief_audio = models.FileField(
        _("synthèse audio"), upload_to=_brief_audio_upload_to, blank=True, max_length=255
    )
    brief_posted_at = models.DateTimeField(_("synthèse publiée le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("séance collective")
        verbose_name_plural = _("séances collectives")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=GROUP_SEATS_MIN, seats__lte=GROUP_SEATS_MAX),
                name="group_session_seats_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="group_session_duration_range",
            ),
        ]
        indexes = [models.Index(fields=["pathway", "point_id", "starts_at"])]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M})"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == GroupStatus.CANCELLED

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def is_remote_only(self) -> bool:
        return self.modality == GroupModality.REMOTE

    @property
    def meets_in_person(self) -> bool:
        return self.modality in (GroupModality.IN_PERSON, GroupModality.HYBRID)

    @property
    def meets_by_video(self) -> bool:
        return self.modality in (GroupModality.REMOTE, GroupModality.HYBRID)

    @property
    def video_link(self) -> str:
        from . import video

        return video.link(self.video_room) if self.video_room else ""

    @property
    def location(self) -> str:
        """What people are told of where it happens: the place, the video link, or both."""
        parts = []
        if self.meets_in_person and self.place:
            parts.append(self.place)
        if self.meets_by_video and self.video_room:
            parts.append(self.video_link)
        return " – ".join(parts)


class GroupSeat(models.Model):
    """One seat of a group session, created with it (numbers 1 to ``seats``). A learner
    takes the first free one with a conditional UPDATE (``learner IS NULL``), so the
    number of registrants never passes the seats, even when two register at once."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="seat_rows")
    number = models.PositiveSmallIntegerField(_("place n°"))
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="group_seats",
    )
    registered_at = models.DateTimeField(_("inscrite le"), null=True, blank=True)
    attendance = models.CharField(
        _("présence"), max_length=14, choices=Attendance.choices, blank=True, default=""
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    # The learner asked to keep their individual request open after the session.
    keep_request = models.BooleanField(_("garder ma demande individuelle"), default=False)

    class Meta:
        verbose_name = _("place de séance collective")
        verbose_name_plural = _("places de séances collectives")
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="one_seat_per_number"),
            models.UniqueConstraint(
                fields=["session", "learner"],
                condition=Q(learner__isnull=False),
                name="one_seat_per_learner",
            ),
        ]

    def __str__(self):
        return f"{self.session_id} #{self.number}: {self.learner_id or '-'}"


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invitée")
    REGISTERED = "registered", _("Inscrite")
    DECLINED = "declined", _("A décliné")
    WAITING = "waiting", _("En liste d'attente")
    CANCELLED = "cancelled", _("Annulée")


class GroupInvitation(models.Model):
    """A learner's place in a group session's story: invited, then registered, declined or
    waiting for a seat. One per learner and session; a learner who registers without an
    invitation (a circle's member, an open session) gets one too."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="invitations")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_invitations"
    )
    status = models.CharField(
        _("réponse"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.INVITED,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invitée le"), default=timezone.now)
    responded_at = models.DateTimeField(_("réponse le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation à une séance collective")
        verbose_name_plural = _("invitations à des séances collectives")
        ordering = ["invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "learner"], name="one_invitation_per_learner"
            )
        ]
        indexes = [models.Index(fields=["learner", "status"])]

    def __str__(self):
        return f"{self.session_id}: {self.learner_id} {self.status}"


class GroupSeatReminder(models.Model):
    """A reminder of a group session to one registrant, written with its notification: one
    per session, learner, offset and start time (same rule as ``SessionReminder``)."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="reminders")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    hours_before = models.PositiveSmallIntegerField(_("heures avant"))
    starts_at = models.DateTimeField(_("début de la séance rappelée"))
    sent_at = models.DateTimeField(_("rappel écrit le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rappel de séance collective")
        verbose_name_plural = _("rappels de séances collectives")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "learner", "hours_before", "starts_at"],
                name="one_group_reminder_per_offset",
            )
        ]

    def __str__(self):
        return f"{self.session_id} {self.learner_id} -{self.hours_before}h"
