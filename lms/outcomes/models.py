"""What learners say about themselves and their project: self-diagnosis of entrepreneurial
competences (EntreComp), project milestones, satisfaction. The programme's figures
(``lms.reports``) are computed from these rows.

The questionnaire is editorial content: ``Competence`` snippets with their questions,
managed in Wagtail's admin. A diagnosis stores one ``CompetenceScore`` per competence
(the mean of its questions' answers, 1 to 5) so that progressions are aggregated in the
database.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

SCORE_MIN, SCORE_MAX = 1, 5


class Area(models.TextChoices):
    """The three areas of EntreComp, the European entrepreneurship competence framework."""

    IDEAS = "ideas", _("Idées et opportunités")
    RESOURCES = "resources", _("Ressources")
    ACTION = "action", _("Passage à l'action")


class Competence(ClusterableModel):
    """One EntreComp competence, with the statements a learner rates from 1 to 5."""

    area = models.CharField(_("domaine"), max_length=10, choices=Area.choices)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Identifiant stable, utilisé dans les exports (ex. « vision »)."),
    )
    name = models.CharField(_("nom"), max_length=80)
    description = models.CharField(
        _("en quelques mots"),
        max_length=300,
        help_text=_("Ce que recouvre la compétence, en français simple."),
    )
    level_1 = models.CharField(_("niveau 1"), max_length=120, default=_("Je ne l'ai jamais fait"))
    level_2 = models.CharField(_("niveau 2"), max_length=120, default=_("Je débute"))
    level_3 = models.CharField(
        _("niveau 3"), max_length=120, default=_("Je le fais avec un peu d'aide")
    )
    level_4 = models.CharField(_("niveau 4"), max_length=120, default=_("Je le fais seul·e"))
    level_5 = models.CharField(
        _("niveau 5"), max_length=120, default=_("Je pourrais l'expliquer à d'autres")
    )
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    panels = [
        FieldPanel("area"),
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("description"),
        InlinePanel("questions", label=_("Questions"), min_num=1),
        MultiFieldPanel(
            [FieldPanel(f"level_{level}") for level in range(SCORE_MIN, SCORE_MAX + 1)],
            heading=_("Échelle de réponse (de 1 à 5)"),
        ),
        FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name

    def levels(self) -> list[tuple[int, str]]:
        """The scale, as (score, plain-French descriptor) pairs."""
        return [
            (level, getattr(self, f"level_{level}")) for level in range(SCORE_MIN, SCORE_MAX + 1)
        ]


class CompetenceQuestion(Orderable):
    competence = ParentalKey(Competence, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(
        _("affirmation"),
        max_length=300,
        help_text=_(
            "Une phrase que la personne évalue de 1 à 5, ex. « Je sais dire à qui "
            "mon projet est utile »."
        ),
    )

    panels = [FieldPanel("text")]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text


class Moment(models.TextChoices):
    START = "start", _("Début de parcours")
    POINT = "point", _("Balise de progression")
    END = "end", _("Fin de parcours")
    FREE = "free", _("Libre")


class Diagnosis(models.Model):
    """A self-diagnosis: taken at the start and at the end of a pathway, or any time.

    One start and one end per learner and pathway (retaking replaces the answers);
    free diagnoses are kept as a history.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diagnoses"
    )
    pathway = models.ForeignKey(
        "pathways.PathwayPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="diagnoses",
    )
    moment = models.CharField(_("moment"), max_length=5, choices=Moment.choices)
    answers = models.JSONField(_("réponses"), default=dict, blank=True)  # question pk -> score
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("autodiagnostic")
        verbose_name_plural = _("autodiagnostics")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "pathway", "moment"],
                condition=Q(moment__in=["start", "end"]),
                name="one_start_and_end_diagnosis_per_pathway",
            ),
            models.CheckConstraint(
                condition=Q(moment__in=["start", "end", "free"]), name="diagnosis_moment_valid"
            ),
        ]

    def __str__(self):
        return f"{self.learner} {self.moment} {self.created_at:%Y-%m-%d}"


class CompetenceScore(models.Model):
    diagnosis = models.ForeignKey(Diagnosis, on_delete=models.CASCADE, related_name="scores")
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
    )

    class Meta:
        indexes = [
            # The reports pair start and end scores from this index alone (index-only scans).
            models.Index(fields=["diagnosis", "competence", "score"], name="score_pairing_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["diagnosis", "competence"], name="one_score_per_competence"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="score_in_scale"
            ),
        ]

    def __str__(self):
        return f"{self.competence_id}: {self.score}"


class Stage(models.TextChoices):
    IDEA = "idea", _("Idée")
    STUDY = "study", _("Étude")
    TEST = "test", _("Test")
    LAUNCH = "launch", _("Lancement")
    ACTIVITY = "activity", _("Activité")


class RevenueBracket(models.TextChoices):
    NONE = "none", _("Pas encore de chiffre d'affaires")
    UNDER_10K = "lt10k", _("Moins de 10 000 € par an")
    UNDER_50K = "lt50k", _("De 10 000 à 50 000 € par an")
    UNDER_200K = "lt200k", _("De 50 000 à 200 000 € par an")
    OVER_200K = "ge200k", _("200 000 € par an ou plus")


class LegalForm(models.TextChoices):
    NONE = "none", _("Pas encore de structure")
    ASSOCIATION = "association", _("Association")
    SCIC = "scic", _("SCIC (coopérative d'intérêt collectif)")
    SCOP = "scop", _("SCOP (coopérative de salariés)")
    SAS_ESUS = "sas_esus", _("SAS agréée ESUS")
    CAE = "cae", _("Entrepreneur·e salarié·e d'une CAE")
    MICRO = "micro", _("Micro-entreprise")
    OTHER_COMPANY = "company", _("Autre société (SARL, SAS…)")
    OTHER = "other", _("Autre")


class Milestone(models.Model):
    """Where the learner's project stands, as they declare it: at the start of a pathway,
    at each progression point and at the end (one row per moment, updated if given again)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="milestones"
    )
    pathway = models.ForeignKey(
        "pathways.PathwayPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
    )
    moment = models.CharField(_("moment"), max_length=5, choices=Moment.choices)
    point_id = models.CharField(max_length=64, blank=True)
    stage = models.CharField(_("étape du projet"), max_length=10, choices=Stage.choices)
    jobs_fte = models.DecimalField(
        _("emplois créés (équivalents temps plein)"),
        max_digits=5,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(999)],
    )
    # Optional to give (blank: not said), as the jobs are (0 unless said otherwise).
    revenue = models.CharField(
        _("chiffre d'affaires"), max_length=8, choices=RevenueBracket.choices, blank=True
    )
    legal_form = models.CharField(
        _("forme juridique"), max_length=12, choices=LegalForm.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("jalon du projet")
        verbose_name_plural = _("jalons du projet")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "pathway", "moment", "point_id"],
                condition=~Q(moment="free"),
                name="one_milestone_per_moment",
            ),
            models.CheckConstraint(
                condition=Q(jobs_fte__gte=0, jobs_fte__lte=999), name="jobs_fte_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.learner} {self.moment} {self.stage}"


class Satisfaction(models.Model):
    """At the end of a pathway: would the learner recommend it (0-10), and why."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="satisfactions"
    )
    pathway = models.ForeignKey(
        "pathways.PathwayPage", on_delete=models.CASCADE, related_name="satisfactions"
    )
    score = models.PositiveSmallIntegerField(
        _("recommanderiez-vous ce parcours ?"),
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    comment = models.TextField(_("votre avis"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("avis sur un parcours")
        verbose_name_plural = _("avis sur les parcours")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "pathway"], name="one_satisfaction_per_pathway"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=10), name="satisfaction_score_0_10"
            ),
        ]

    def __str__(self):
        return f"{self.learner} {self.pathway_id} {self.score}/10"


class ModuleFeedback(models.Model):
    """One click per module: was it useful?"""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_feedback"
    )
    module = models.ForeignKey(
        "pathways.ModulePage", on_delete=models.CASCADE, related_name="feedback"
    )
    useful = models.BooleanField(_("utile"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("singular", "avis sur un module")
        verbose_name_plural = pgettext_lazy("plural", "avis sur les modules")
        constraints = [
            models.UniqueConstraint(fields=["learner", "module"], name="one_feedback_per_module")
        ]

    def __str__(self):
        return f"{self.learner} {self.module_id} {'+' if self.useful else '-'}"
