"""Peer circles, their threads and meetings, and the alumni who mentor or facilitate.

A circle gathers 4 to 8 learners who chose to join, led by a facilitator (a coach, or an
alumnus whose offer to facilitate was approved). Its members meet through group sessions
(``CircleMeeting`` wraps a ``coaching.GroupSession``) with the co-development format, and
exchange between meetings in a moderated thread. Who may see what is written once, in the
querysets' ``visible_to`` methods and ``lms.community.access``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# A circle is small enough for everyone to speak at each meeting (the field's practice of
# co-development): it meets from 4 members and takes no more than 8.
CIRCLE_MIN_MEMBERS = 4
CIRCLE_MAX_MEMBERS = 8
POST_MAX_LENGTH = 4000


class CircleStatus(models.TextChoices):
    OPEN = "open", _("Ouvert")
    CLOSED = "closed", _("Clos")


class PeerCircleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The circles ``user`` may open: those they belong to now, those they facilitate,
        and, for managers, those of the structures they manage (the network's: all).
        Anyone else sees none: learners choose to join, and nothing about a circle's
        members shows to people outside it."""
        from lms.accounts.roles import Role, roles_of
        from lms.accounts.structures import managed_structure_ids

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        mine = Q(facilitator=user) | Q(
            pk__in=CircleMembership.objects.filter(learner=user, left_at__isnull=True).values(
                "circle_id"
            )
        )
        if Role.MANAGER in roles_of(user):
            managed = managed_structure_ids(user)
            if managed is None:
                return self.all()
            mine |= Q(structure_id__in=managed)
        return self.filter(mine)


class PeerCircle(models.Model):
    """A small group of learners at a similar stage or on a theme, led by a facilitator."""

    name = models.CharField(_("nom du cercle"), max_length=120)
    theme = models.CharField(_("thème"), max_length=200, blank=True)
    pathway = models.ForeignKey(
        "pathways.PathwayPage",
        verbose_name=_("parcours"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    stage = models.CharField(
        _("étape des projets"),
        max_length=300,
        blank=True,
        help_text=_("Où en sont les projets des membres, en une phrase."),
    )
    description = models.TextField(_("présentation"), blank=True, max_length=2000)
    # Départements whose learners see the circle among those to join; empty: everyone
    # (a circle that meets by video).
    departements = models.JSONField(_("départements"), default=list, blank=True)
    # The structure that runs it; empty for a circle of the network.
    structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name=_("structure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="peer_circles",
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("animé par"),
        on_delete=models.PROTECT,
        related_name="facilitated_circles",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("état"), max_length=8, choices=CircleStatus.choices, default=CircleStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PeerCircleQuerySet.as_manager()

    class Meta:
        verbose_name = _("cercle de pairs")
        verbose_name_plural = _("cercles de pairs")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class CircleMembership(models.Model):
    """A learner's place in a circle: joined, and left (kept: the thread shows who wrote)."""

    circle = models.ForeignKey(PeerCircle, on_delete=models.CASCADE, related_name="memberships")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participation à un cercle")
        verbose_name_plural = _("participations à des cercles")
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "learner"],
                condition=Q(left_at__isnull=True),
                name="one_active_membership_per_circle",
            )
        ]

    def __str__(self):
        return f"{self.learner_id} in {self.circle_id}"


class CircleMeeting(models.Model):
    """A meeting of a circle: a group session (seats, calendar file, reminders, attendance
    come from ``lms.coaching``) run with the co-development format. One member brings a
    question; the others ask clarifying questions, then suggest; a « top / flop » round
    closes it, whose notes the facilitator posts to the thread."""

    circle = models.ForeignKey(PeerCircle, on_delete=models.CASCADE, related_name="meetings")
    group_session = models.OneToOneField(
        "coaching.GroupSession", on_delete=models.PROTECT, related_name="circle_meeting"
    )
    question_bringer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("porte la question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    question = models.TextField(_("la question apportée"), blank=True, max_length=2000)
    top_flop_notes = models.TextField(_("tour « top / flop »"), blank=True, max_length=4000)
    notes_posted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rencontre de cercle")
        verbose_name_plural = _("rencontres de cercles")

    def __str__(self):
        return f"{self.circle_id}: {self.group_session_id}"


class CirclePostQuerySet(models.QuerySet):
    def shown_to(self, user):
        """What ``user`` reads in a thread: every post not hidden, and their own hidden ones
        (marked as such)."""
        return self.filter(Q(hidden_at__isnull=True) | Q(author=user))


class HiddenReason(models.TextChoices):
    REPORTED = "reported", _("Signalé, en attente de relecture")
    MODERATED = "moderated", _("Masqué après relecture")


class CirclePost(models.Model):
    """A post in a circle's thread, or a reply to one (``parent``). Never deleted: a report
    hides it at once pending review; a moderator restores it or keeps it hidden."""

    circle = models.ForeignKey(PeerCircle, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="circle_posts",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # The « top / flop » notes of a meeting, posted by its facilitator.
    meeting = models.ForeignKey(
        CircleMeeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    body = models.TextField(_("message"), max_length=POST_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=10, choices=HiddenReason.choices, blank=True)

    objects = CirclePostQuerySet.as_manager()

    class Meta:
        verbose_name = _("message de cercle")
        verbose_name_plural = _("messages de cercles")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.circle_id}: {self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ReportDecision(models.TextChoices):
    RESTORE = "restore", _("Remis en ligne")
    KEEP_HIDDEN = "keep_hidden", _("Laissé masqué")


class PostReport(models.Model):
    """Someone reported a post: it is hidden at once, until the facilitator or a manager
    of the circle's structure restores it or keeps it hidden."""

    post = models.ForeignKey(CirclePost, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("ce qui pose problème"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=12, choices=ReportDecision.choices, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.post_id}: {self.decision or 'pending'}"


class CircleReader(models.Model):
    """Where one person stands in a circle's thread: the last post read on the site, the
    last one an e-mail told them about, and the digest waiting to leave (the outbox mark
    of the hop « new post -> e-mail », as ``coaching.ThreadReader``)."""

    circle = models.ForeignKey(PeerCircle, on_delete=models.CASCADE, related_name="+")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_up_to = models.PositiveBigIntegerField(default=0)  # a CirclePost id
    notified_up_to = models.PositiveBigIntegerField(default=0)  # a CirclePost id
    digest_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "reader"], name="one_reader_per_circle")
        ]
        indexes = [
            models.Index(
                fields=["digest_due_at"],
                condition=Q(digest_due_at__isnull=False),
                name="circle_digest_due",
            )
        ]

    def __str__(self):
        return f"{self.circle_id}: {self.reader_id} read {self.read_up_to}"


class OfferKind(models.TextChoices):
    MENTOR = "mentor", _("Parrainer ou marrainer une personne")
    FACILITATOR = "facilitator", _("Animer un cercle de pairs")


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    APPROVED = "approved", _("Acceptée")
    REFUSED = "refused", _("Déclinée")


class MentorOffer(models.Model):
    """An alumnus (a learner who finished a pathway) offers to mentor or to facilitate;
    the managers of their structure (else the network's) decide."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_offers"
    )
    kind = models.CharField(_("proposition"), max_length=12, choices=OfferKind.choices)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    # The structure whose managers decide (the one that accompanied them); empty: the
    # network's managers.
    structure = models.ForeignKey(
        "accounts.Structure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("état"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("mot de la structure"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("proposition de mentorat")
        verbose_name_plural = _("propositions de mentorat")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "kind"],
                condition=Q(status__in=["pending", "approved"]),
                name="one_live_offer_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.learner_id}: {self.kind} ({self.status})"


class MentorHours(models.Model):
    """Time a mentor or facilitator gave, recorded by them or a manager (the field's
    charters ask a minimum per year: ``BALISE_MENTOR_MIN_HOURS``)."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_hours"
    )
    date = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("durée (minutes)"))
    activity = models.CharField(_("activité"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("heures de mentorat")
        verbose_name_plural = _("heures de mentorat")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=5, minutes__lte=720), name="mentor_hours_minutes_range"
            )
        ]

    def __str__(self):
        return f"{self.mentor_id}: {self.minutes} min on {self.date}"
