"""Wagtail content of Balise (home, pathways, module library) and learner progress rows.

Modules live once in a module library; pathways reference them in their
``outline`` with progression points between them. Progress keys on
(module, step block id), so completing a module counts in every pathway that
uses it, and editing a module keeps existing progress meaningful.
"""

import hashlib
import json
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.widgets import SlugInput
from wagtail.coreutils import string_to_ascii
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import OutlineStreamBlock, StepStreamBlock
from .glossary import GlossaryTerm  # noqa: F401 (a model: the glossary's terms)
from .ownership import StructureOwned, StructureOwnedPageForm
from .workflow import StructureApprovalTask, StructureApprovalTaskState  # noqa: F401 (models)

INTRO_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class Theme(models.TextChoices):
    EMERGENCE = "emergence", _("Faire émerger son projet")
    BUSINESS_MODEL = "business_model", _("Modèle économique")
    IMPACT = "impact", _("Impact social")
    GOVERNANCE = "governance", _("Gouvernance et statuts")
    FUNDING = "funding", _("Financement")


class Audience(models.TextChoices):
    ALL = "all", _("Tout public")
    RURAL = "rural", _("Territoires ruraux")
    EMPLOYED = "employed", _("Personnes en emploi")
    QPV = "qpv", _("Quartiers prioritaires")


class HomePage(Page):
    """The site's root: tells a project holder what Balise is and how to start."""

    headline = models.CharField(
        _("accroche"),
        max_length=200,
        blank=True,
        help_text=_("Laisser vide pour garder l'accroche par défaut."),
    )
    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=INTRO_FEATURES,
        help_text=_("Quelques phrases simples pour un·e porteur·se de projet qui découvre Balise."),
    )

    content_panels = [*Page.content_panels, FieldPanel("headline"), FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["pathways.PathwayIndexPage", "pathways.ModuleLibraryPage"]
    max_count = 1

    class Meta:
        verbose_name = _("page d'accueil")
        verbose_name_plural = _("pages d'accueil")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        index = PathwayIndexPage.objects.child_of(self).live().first()
        context["pathway_index"] = index
        context["pathways"] = (
            PathwayPage.objects.child_of(index).live().order_by("path")[:6] if index else []
        )
        return context


class PathwayIndexPage(Page):
    """Lists the live pathways, filtered by theme and audience."""

    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["pathways.HomePage"]
    subpage_types = ["pathways.PathwayPage"]
    max_count = 1

    class Meta:
        verbose_name = _("liste des parcours")
        verbose_name_plural = _("listes des parcours")

    def get_context(self, request, *args, **kwargs):
        from .page_context import pathway_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(pathway_index_context(self, request))
        return context


def author_structure():
    """The structure that wrote a pathway or a module (``pathways.ownership``).

    PROTECT, not SET_NULL: a page without a structure is editable by every editor, so
    deleting a structure must not silently open its pages to the whole network. A
    structure that stops is deactivated (``Structure.active``), or its pages are given to
    another structure first."""
    return models.ForeignKey(
        "accounts.Structure",
        verbose_name=_("structure autrice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Ses éditeur·rices modifient ce contenu, ses responsables le publient. "
            "Sans structure, tous les éditeur·rices le modifient."
        ),
    )


class SelfAssessmentCoaching(models.TextChoices):
    OFFER = "offer", _("proposer un accompagnement")
    OPEN = "open", _("ouvrir directement une demande d'accompagnement")


# Ligatures that Wagtail's script drops from ASCII slugs (« mettre-en-uvre »): spelt out.
LIGATURES = [("œ", "oe"), ("Œ", "Oe"), ("æ", "ae"), ("Æ", "Ae")]


class AsciiSlugForm(StructureOwnedPageForm):
    """Slugs in plain ASCII (« creer-son-activite »), as the browser writes them with
    ``WAGTAIL_ALLOW_UNICODE_SLUGS = False``, whatever the browser sends: links then carry
    no ``%C3%A9``. An empty slug is left to Wagtail, which makes it from the title."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].widget = SlugInput(formatters=LIGATURES)

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        return slugify(string_to_ascii(slug)) if slug else slug


class PathwayPageForm(AsciiSlugForm):
    audiences = forms.MultipleChoiceField(
        label=_("Publics"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Laisser vide équivaut à « Tout public »."),
    )


class PathwayPage(StructureOwned, Page):
    """A pathway: an ordered outline of modules with progression points between them."""

    structure = author_structure()

    intro = RichTextField(_("introduction"), features=INTRO_FEATURES)
    theme = models.CharField(_("thème"), max_length=20, choices=Theme.choices)
    audiences = models.JSONField(_("publics"), default=list, blank=True)
    estimated_hours = models.PositiveSmallIntegerField(
        _("durée estimée (heures)"), default=1, help_text=_("Temps total pour suivre le parcours.")
    )
    outline = StreamField(
        OutlineStreamBlock(),
        verbose_name=_("déroulé"),
        help_text=_(
            "Les modules dans l'ordre, avec des balises de progression entre eux. "
            "Une balise est atteinte quand tous les modules placés avant elle sont terminés."
        ),
    )

    inactivity_request = models.BooleanField(
        _("ouvrir une demande d'accompagnement après les relances d'inactivité"),
        default=False,
        help_text=_(
            "Si la personne n'avance plus malgré les relances, un·e accompagnateur·rice "
            "est sollicité·e."
        ),
    )

    # Self-diagnosis: a low score on one of these competences asks for a coach.
    coaching_competences = ParentalManyToManyField(
        "outcomes.Competence",
        blank=True,
        related_name="+",
        verbose_name=_("compétences à accompagner"),
        help_text=_(
            "Si la personne s'attribue un score bas sur l'une de ces compétences dans son "
            "autodiagnostic, un accompagnement lui est proposé (ou demandé pour elle)."
        ),
    )
    coaching_threshold = models.PositiveSmallIntegerField(
        _("score bas (inclus)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("De 1 à 4 : un score inférieur ou égal est considéré comme bas."),
    )
    self_assessment_coaching = models.CharField(
        _("en cas de score bas"),
        max_length=5,
        choices=SelfAssessmentCoaching.choices,
        default=SelfAssessmentCoaching.OFFER,
    )

    base_form_class = PathwayPageForm
    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("theme"),
        FieldPanel("audiences"),
        FieldPanel("estimated_hours"),
        FieldPanel("outline"),
        FieldPanel("inactivity_request"),
        FieldPanel("structure"),
        MultiFieldPanel(
            [
                FieldPanel("coaching_competences", widget=forms.CheckboxSelectMultiple),
                FieldPanel("coaching_threshold"),
                FieldPanel("self_assessment_coaching"),
            ],
            heading=_("Autodiagnostic et accompagnement"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["pathways.PathwayIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = pgettext_lazy("singular", "parcours")
        verbose_name_plural = pgettext_lazy("plural", "parcours")

    def audience_labels(self) -> list[str]:
        values = self.audiences or [Audience.ALL]
        return [Audience(value).label for value in values if value in Audience.values]

    def is_for(self, audience: str) -> bool:
        return not self.audiences or Audience.ALL in self.audiences or audience in self.audiences

    def module_ids(self) -> list[int]:
        """Ids of the modules the outline names, in order (read from the raw outline)."""
        return [item["value"] for item in self.outline.raw_data if item["type"] == "module"]

    def ends_after(self, point_id: str) -> bool:
        """True when no module follows this point in the outline: the pathway ends there."""
        raw = list(self.outline.raw_data)
        positions = {item["id"]: index for index, item in enumerate(raw)}
        if point_id not in positions:
            return False
        return all(item["type"] != "module" for item in raw[positions[point_id] + 1 :])

    def outline_items(self, modules: dict | None = None) -> list["OutlineItem"]:
        """The outline as plain data, with its live modules loaded in one query
        (or taken from ``modules``, a dict by pk loaded for several pathways at once).

        A module that was deleted or unpublished drops out of the outline, so a
        learner page never breaks on it.
        """
        if modules is None:
            modules = (
                ModulePage.objects.live().select_related("structure").in_bulk(self.module_ids())
            )
        items = []
        for item in self.outline.raw_data:
            if item["type"] == "module":
                module = modules.get(item["value"])
                if module is not None:
                    items.append(OutlineItem(kind="module", key=str(module.pk), module=module))
            elif item["type"] == "progression_point":
                value = item["value"]
                items.append(
                    OutlineItem(
                        kind="point",
                        key=item["id"],
                        title=value.get("title", ""),
                        trigger=value.get("trigger", "automatic"),
                    )
                )
        return items

    def point_value(self, point_id: str):
        """The rendered value of a progression point (rich message, questions), or None."""
        for child in self.outline:
            if child.block_type == "progression_point" and child.id == point_id:
                return child.value
        return None

    @property
    def preview_modes(self):
        from .preview import pathway_preview_modes

        return pathway_preview_modes(self)

    def serve_preview(self, request, mode_name):
        from .preview import serve_pathway_preview

        return serve_pathway_preview(self, request, mode_name)

    def get_context(self, request, *args, **kwargs):
        from .page_context import pathway_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(pathway_page_context(self, request))
        return context


@dataclass(frozen=True)
class OutlineItem:
    """One entry of a pathway's outline: a module, or a progression point."""

    kind: str  # "module" | "point"
    key: str  # module pk as text, or the point's block id
    module: "ModulePage | None" = None
    title: str = ""
    trigger: str = ""

    @property
    def label(self) -> str:
        return self.module.title if self.module is not None else self.title


class ModuleLibraryPage(Page):
    """Holds the modules; pathways pick them from here."""

    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["pathways.HomePage"]
    subpage_types = ["pathways.ModulePage"]

    class Meta:
        verbose_name = _("bibliothèque de modules")
        verbose_name_plural = _("bibliothèques de modules")


class ModulePage(StructureOwned, Page):
    """A reusable module: a summary and a sequence of steps. Written by one structure,
    usable in the pathways of every structure (the library is shared)."""

    structure = author_structure()

    summary = models.TextField(
        _("résumé"),
        max_length=600,
        help_text=_(
            "Deux ou trois phrases pour la personne qui choisit : ce que le module lui "
            "apporte et ce qu'elle saura faire à la fin. Affiché sous son titre dans le "
            "déroulé du parcours, en tête du module et dans la bibliothèque."
        ),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"), default=30, help_text=_("Temps estimé pour suivre le module.")
    )
    steps = StreamField(
        StepStreamBlock(),
        verbose_name=_("étapes"),
        help_text=_(
            "Chaque bloc est une étape. Ajouter, retirer ou réordonner des étapes garde "
            "la progression des personnes sur les étapes qui restent."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("duration_minutes"),
        FieldPanel("steps"),
        FieldPanel("structure"),
    ]
    base_form_class = AsciiSlugForm
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["pathways.ModuleLibraryPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    @cached_property
    def step_ids(self) -> tuple[str, ...]:
        """The live revision's step ids, in order (no chooser is resolved)."""
        return tuple(item["id"] for item in self.steps.raw_data)

    @cached_property
    def step_titles(self) -> dict[str, str]:
        return {item["id"]: item["value"].get("title", "") for item in self.steps.raw_data}

    def step_digest(self, step_id: str) -> str:
        """A fingerprint of a step's stored content: the key of its cached rendering, so
        that any change (a publish, a test editing the page) is seen at once."""
        raw = self.steps.raw_data[self.step_ids.index(step_id)]
        encoded = json.dumps(raw, sort_keys=True, cls=DjangoJSONEncoder).encode()
        return hashlib.blake2b(encoded, digest_size=16).hexdigest()

    def find_step(self, step_id: str):
        """The bound step block with this id, or None (deleted step, other module)."""
        if step_id not in self.step_ids:
            return None
        return self.steps[self.step_ids.index(step_id)]

    def step_ref(self, step_id: str, bound=None) -> "StepRef | None":
        """The step with this id as its page shows it around its content, or None."""
        if step_id not in self.step_ids:
            return None
        return StepRef(self, self.steps.raw_data[self.step_ids.index(step_id)], bound)

    @property
    def preview_modes(self):
        from .preview import module_preview_modes

        return module_preview_modes(self)

    def serve_preview(self, request, mode_name):
        from .preview import serve_module_preview

        return serve_module_preview(self, request, mode_name)

    def get_context(self, request, *args, **kwargs):
        from .page_context import module_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(module_page_context(self, request))
        return context


class StepRef:
    """A step read from its stored data: what its page shows around the content (type,
    title, kind). The bound block (``bound``) is built only when the content is rendered:
    binding converts every step of that type in the module and resolves their choosers (a
    query for a sheet's documents), while the content usually comes from the cache."""

    def __init__(self, module: ModulePage, raw: dict, bound=None):
        self.module = module
        self.id = raw["id"]
        self.block_type = raw["type"]
        self.title = raw["value"].get("title", "")
        if bound is not None:
            self.bound = bound

    @property
    def label(self) -> str:
        return self.module.steps.stream_block.child_blocks[self.block_type].meta.label

    @cached_property
    def bound(self):
        return self.module.find_step(self.id)

    @property
    def value(self):
        return self.bound.value


class ProvisionalPage(models.Model):
    """A page that Wagtail's autosave created before its editor ever saved it.

    The first autosave of the « add » form creates the page. Until its editor saves it
    (draft, submission or publication), it is only a work in progress, perhaps abandoned or
    refused: the page choosers leave it out, so that no pathway picks a stray draft. An
    explicit save removes the row (``pathways.wagtail_hooks``); a page published some
    other way is offered all the same (the choosers hide only pages that are not live).
    """

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("page pas encore enregistrée")
        verbose_name_plural = _("pages pas encore enregistrées")

    def __str__(self):
        return str(self.page_id)


# --- Learner progress ------------------------------------------------------------


class Enrollment(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    pathway = models.ForeignKey(PathwayPage, on_delete=models.CASCADE, related_name="enrollments")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(fields=["learner", "pathway"], name="unique_enrollment")
        ]

    def __str__(self):
        return f"{self.learner} → {self.pathway_id}"


class StepCompletion(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="step_completions"
    )
    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="+")
    step_id = models.CharField(max_length=64)
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("étape terminée")
        verbose_name_plural = _("étapes terminées")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "module", "step_id"], name="unique_step_completion"
            )
        ]

    def __str__(self):
        return f"{self.learner_id}: {self.module_id}/{self.step_id}"


class ExerciseResponse(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_responses"
    )
    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="+")
    step_id = models.CharField(max_length=64)
    answers = models.JSONField(default=dict, blank=True)
    shared_with_coach = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réponses à un exercice")
        verbose_name_plural = _("réponses aux exercices")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "module", "step_id"], name="unique_exercise_response"
            )
        ]

    def __str__(self):
        return f"{self.learner_id}: {self.module_id}/{self.step_id}"


class CheckpointPassage(models.Model):
    """A learner reached a progression point of a pathway (recorded once)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkpoint_passages"
    )
    pathway = models.ForeignKey(PathwayPage, on_delete=models.CASCADE, related_name="passages")
    point_id = models.CharField(max_length=64)
    trigger = models.CharField(max_length=12)
    reached_at = models.DateTimeField(auto_now_add=True)
    answers = models.JSONField(default=dict, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("balise atteinte")
        verbose_name_plural = _("balises atteintes")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "pathway", "point_id"], name="unique_checkpoint_passage"
            )
        ]

    def __str__(self):
        return f"{self.learner_id}: {self.pathway_id}/{self.point_id}"

    @property
    def is_released(self) -> bool:
        return self.trigger != "gate" or self.released_at is not None


class OfflineSync(models.Model):
    """One change a learner made offline (answers typed, a step marked done), received
    once: the client's key is unique, so a sync replayed (a lost answer, two tabs) is
    applied once and answered with the first outcome.

    The answers sent are kept as they were typed (``answers``), whatever became of them:
    when the stored answers changed in the meantime or the exercise's questions changed,
    nothing typed is lost, and the step page shows what could not be merged (``kept``).
    """

    class Kind(models.TextChoices):
        ANSWERS = "answers", _("réponses")
        COMPLETE = "complete", _("étape terminée")

    class Outcome(models.TextChoices):
        SAVED = "saved", _("enregistré")
        MERGED = "merged", _("ajouté aux réponses enregistrées entre-temps")
        QUESTIONS_CHANGED = "questions_changed", _("questions modifiées entre-temps")

    key = models.UUIDField(unique=True)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offline_syncs"
    )
    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="+")
    step_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    # The answers as typed offline, by question id.
    answers = models.JSONField(default=dict, blank=True)
    # Answers to questions the exercise no longer asks, with the question as it was shown.
    kept = models.JSONField(default=list, blank=True)
    typed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("envoi hors connexion")
        verbose_name_plural = _("envois hors connexion")
        indexes = [models.Index(fields=["learner", "module", "step_id"])]

    def __str__(self):
        return f"{self.learner_id}: {self.module_id}/{self.step_id} ({self.kind})"
