"""Step blocks of a module and the blocks of a pathway's outline.

A step is one child of ``ModulePage.steps``; its identity is the StreamField
block id (a UUID kept across revisions), so progress never keys on positions.
Questions of a guided exercise are items of a ListBlock: their item ids are
stable too, and answers key on them.
"""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtailmedia.blocks import AudioChooserBlock, VideoChooserBlock

from lms.webvtt import captions_problem

from .outline import MODULE, Entry, has_module

RICH_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "document-link"]


TESTIMONY_TRANSCRIPT_MISSING = _(
    "Un témoignage avec un audio ou une vidéo a une transcription : ajoutez-la avant de publier."
)
CAPTIONS_MISSING = _(
    "Une vidéo hébergée a des sous-titres : choisissez un fichier WebVTT (.vtt) avant de publier."
)


def missing_transcript(testimony) -> bool:
    """A testimony's audio or video without a transcript (a value or its raw dict)."""
    transcript = testimony.get("transcript")
    text = getattr(transcript, "source", transcript) or ""
    has_media = bool(testimony.get("audio") or testimony.get("video"))
    return has_media and not strip_tags(str(text)).strip()


def missing_captions(video) -> bool:
    """A hosted video without captions (an embedded one is captioned where it is hosted)."""
    return bool(video.get("video")) and not video.get("captions")


class StepValue(blocks.StructValue):
    """Common computed values of every step."""

    @property
    def kind_label(self):
        return self.block.meta.label


class StepBlock(blocks.StructBlock):
    """Base of the step blocks: every step has a short title shown in the step list."""

    title = blocks.CharBlock(
        label=_("Titre de l'étape"), max_length=120, help_text=_("Court et concret.")
    )

    class Meta:
        value_class = StepValue
        # A collapsed step reads its title, whichever of its fields is filled first (a new
        # exercise read « Réponse longue », its first question's type).
        label_format = "{title}"


class WorkshopSheetBlock(StepBlock):
    body = blocks.RichTextBlock(label=_("Contenu de la fiche"), features=RICH_FEATURES)
    document = DocumentChooserBlock(
        label=_("Document à télécharger"),
        required=False,
        help_text=_(
            "Facultatif : une fiche PDF ou un modèle à remplir. Son titre est le texte du "
            "bouton « Télécharger » que lit la personne : donnez-lui un titre parlant."
        ),
    )

    class Meta:
        label = _("Fiche atelier")
        icon = "doc-full"
        template = "blocks/workshop_sheet.html"
        description = _("Un texte de méthode, avec un document à télécharger si besoin.")
        preview_value = {
            "title": "Définir le besoin social",
            "body": "<p>À qui s'adresse votre projet, et quel problème résout-il ?</p>",
        }


class QuestionKind(blocks.ChoiceBlock):
    choices = [
        ("short_text", _("Réponse courte")),
        ("long_text", _("Réponse longue")),
        ("single_choice", _("Choix unique")),
        ("multiple_choice", _("Choix multiples")),
        ("scale", _("Échelle de 1 à 5")),
    ]


CHOICE_KINDS = {"single_choice", "multiple_choice"}


class QuestionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Question"), max_length=300)
    kind = QuestionKind(label=_("Type de réponse"), default="long_text")
    help_text = blocks.CharBlock(label=_("Aide"), required=False, max_length=300)
    choices = blocks.ListBlock(
        blocks.CharBlock(label=_("Choix"), max_length=200),
        label=_("Choix proposés"),
        required=False,
        default=[],
        help_text=_("Seulement pour les questions à choix."),
    )
    required = blocks.BooleanBlock(label=_("Réponse obligatoire"), required=False, default=False)

    class Meta:
        icon = "help"
        label = _("Question")
        label_format = "{label}"

    def clean(self, value):
        value = super().clean(value)
        if value["kind"] in CHOICE_KINDS and len(value["choices"]) < 2:
            raise StructBlockValidationError(
                block_errors={
                    "choices": ValidationError(_("Une question à choix propose au moins 2 choix."))
                }
            )
        return value


class GuidedExerciseValue(StepValue):
    def questions_with_ids(self):
        """(question id, question value) pairs; the ids are stable across revisions."""
        return [(child.id, child.value) for child in self["questions"].bound_blocks]


class GuidedExerciseBlock(StepBlock):
    instructions = blocks.RichTextBlock(label=_("Consigne"), features=RICH_FEATURES)
    questions = blocks.ListBlock(QuestionBlock(), label=_("Questions"), min_num=1)
    share_with_coach = blocks.BooleanBlock(
        label=_("Proposer de partager les réponses avec l'accompagnateur·rice"),
        required=False,
        default=True,
        help_text=_(
            "Affiche la case « partager avec mon accompagnateur·rice », jamais cochée "
            "d'avance : la personne choisit elle-même de partager ses réponses."
        ),
    )

    class Meta:
        label = _("Exercice guidé")
        icon = "edit"
        template = "blocks/guided_exercise.html"
        value_class = GuidedExerciseValue
        description = _("Des questions auxquelles la personne répond ; réponses enregistrées.")
        preview_value = {
            "title": "Mon public cible",
            "instructions": "<p>Décrivez les personnes à qui votre projet s'adresse.</p>",
            "questions": [{"label": "Qui sont-elles ?", "kind": "long_text"}],
        }


class TestimonyBlock(StepBlock):
    person = blocks.CharBlock(label=_("Personne"), max_length=120)
    structure = blocks.CharBlock(label=_("Structure"), max_length=200, required=False)
    territory = blocks.CharBlock(
        label=_("Territoire"), max_length=120, required=False, help_text=_("Ex. : Lozère, rural.")
    )
    quote = blocks.TextBlock(label=_("Citation"), max_length=400)
    story = blocks.RichTextBlock(label=_("Récit"), features=RICH_FEATURES)
    photo = ImageChooserBlock(label=_("Photo"), required=False)
    audio = AudioChooserBlock(label=_("Audio"), required=False)
    video = VideoChooserBlock(label=_("Vidéo"), required=False)
    transcript = blocks.RichTextBlock(
        label=_("Transcription"),
        features=RICH_FEATURES,
        required=False,
        help_text=_(
            "Obligatoire dès qu'il y a un audio ou une vidéo : pour les personnes sourdes ou "
            "qui préfèrent lire."
        ),
    )

    class Meta:
        label = _("Témoignage")
        icon = "user"
        template = "blocks/testimony.html"
        description = _("Le récit d'une personne qui a porté un projet.")
        preview_value = {
            "title": "Lancer une recyclerie",
            "person": "Aïcha",
            "quote": "On a commencé à trois, dans un garage.",
            "story": "<p>Le récit de son parcours.</p>",
        }

    def clean(self, value):
        """A testimony with audio or video has a transcript, as a podcast has: refused on
        publication and submission; a draft may lack it (Wagtail's deferred validation)
        and its editor is told (``pathways.wagtail_hooks``)."""
        value = super().clean(value)
        if self.is_deferred_validation or not missing_transcript(value):
            return value
        raise StructBlockValidationError(
            block_errors={"transcript": ValidationError(TESTIMONY_TRANSCRIPT_MISSING)}
        )


class ChapterBlock(blocks.StructBlock):
    start = blocks.RegexBlock(
        label=_("Début (mm:ss)"),
        regex=r"^\d{1,3}:[0-5]\d$",
        error_messages={"invalid": _("Format attendu : minutes:secondes, ex. 04:30.")},
    )
    title = blocks.CharBlock(label=_("Titre du chapitre"), max_length=120)

    class Meta:
        icon = "time"


class PodcastValue(StepValue):
    @property
    def duration_label(self) -> str:
        """The episode's length read on its media, e.g. « 12 min 05 s » ("" when unknown)."""
        audio = self.get("audio")
        seconds = round(getattr(audio, "duration", 0) or 0)
        if not seconds:
            return ""
        return _("%(minutes)d min %(seconds)02d s") % {
            "minutes": seconds // 60,
            "seconds": seconds % 60,
        }


class PodcastBlock(StepBlock):
    audio = AudioChooserBlock(
        label=_("Fichier audio"), help_text=_("Sa durée est lue sur le média.")
    )
    summary = blocks.TextBlock(label=_("Résumé"), max_length=600, required=False)
    chapters = blocks.ListBlock(ChapterBlock(), label=_("Chapitres"), required=False, default=[])
    transcript = blocks.RichTextBlock(
        label=_("Transcription"),
        features=RICH_FEATURES,
        help_text=_("Obligatoire : pour les personnes sourdes ou qui préfèrent lire."),
    )

    class Meta:
        label = _("Podcast")
        icon = "media"
        template = "blocks/podcast.html"
        value_class = PodcastValue
        description = _("Un épisode audio, avec transcription et chapitres.")
        preview_value = {"title": "Trouver ses premiers soutiens", "transcript": "<p>…</p>"}


class VideoBlock(StepBlock):
    video = VideoChooserBlock(label=_("Vidéo hébergée"), required=False)
    embed = EmbedBlock(
        label=_("Ou lien d'une vidéo en ligne"),
        required=False,
        help_text=_("Ex. : une vidéo PeerTube. Laisser vide si une vidéo hébergée est choisie."),
    )
    transcript = blocks.RichTextBlock(
        label=_("Transcription"),
        features=RICH_FEATURES,
        help_text=_("Obligatoire : la vidéo doit pouvoir être lue sans le son."),
    )
    captions = DocumentChooserBlock(
        label=_("Sous-titres (fichier WebVTT)"),
        required=False,
        help_text=_(
            "Un fichier .vtt qui commence par « WEBVTT ». Obligatoire pour publier une vidéo "
            "hébergée : un brouillon peut attendre ses sous-titres."
        ),
    )
    captions_language = blocks.ChoiceBlock(
        label=_("Langue des sous-titres"),
        choices=[("fr", _("Français")), ("en", _("Anglais"))],
        default="fr",
    )

    class Meta:
        label = _("Vidéo")
        icon = "media"
        template = "blocks/video.html"
        description = _("Une vidéo hébergée ou en ligne, avec sa transcription.")
        preview_value = {"title": "Présenter son projet en 2 minutes", "transcript": "<p>…</p>"}

    def clean(self, value):
        value = super().clean(value)
        if not value.get("video") and not value.get("embed"):
            raise StructBlockValidationError(
                block_errors={
                    "video": ValidationError(_("Choisissez une vidéo ou donnez un lien."))
                }
            )
        captions = value.get("captions")
        if captions is not None:
            # A wrong file is refused even on a draft: it would show nothing to anyone.
            problem = captions_problem(captions)
            if problem:
                raise StructBlockValidationError(
                    block_errors={"captions": ValidationError(problem)}
                )
        elif missing_captions(value) and not self.is_deferred_validation:
            raise StructBlockValidationError(
                block_errors={"captions": ValidationError(CAPTIONS_MISSING)}
            )
        return value


class StepStreamBlock(blocks.StreamBlock):
    workshop_sheet = WorkshopSheetBlock()
    guided_exercise = GuidedExerciseBlock()
    testimony = TestimonyBlock()
    podcast = PodcastBlock()
    video = VideoBlock()

    class Meta:
        block_counts = {}


# --- Pathway outline ---------------------------------------------------------------


class Trigger(blocks.ChoiceBlock):
    choices = [
        ("automatic", _("Automatique : une demande d'accompagnement est ouverte")),
        ("offered", _("Proposée : la personne est invitée à demander un accompagnement")),
        ("gate", _("Étape verrouillée : la suite s'ouvre quand un·e accompagnateur·rice valide")),
    ]


class RecommendedModality(blocks.ChoiceBlock):
    choices = [
        ("any", _("Indifférent")),
        ("remote", _("À distance")),
        ("in_person", _("En présentiel")),
    ]


class PointQuestionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Question"), max_length=300)
    kind = QuestionKind(label=_("Type de réponse"), default="long_text")
    choices = blocks.ListBlock(
        blocks.CharBlock(label=_("Choix"), max_length=200),
        label=_("Choix proposés"),
        required=False,
        default=[],
    )

    class Meta:
        icon = "help"
        label_format = "{label}"


class ProgressionPointValue(blocks.StructValue):
    def questions_with_ids(self):
        return [(child.id, child.value) for child in self["questions"].bound_blocks]


class ProgressionPointBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre de la balise"), max_length=120)
    trigger = Trigger(label=_("Déclenchement"), default="automatic")
    learner_message = blocks.RichTextBlock(
        label=_("Message à la personne"),
        features=["bold", "italic", "link", "ul"],
        help_text=_("Ce qu'elle lit en atteignant la balise."),
    )
    coach_brief = blocks.TextBlock(
        label=_("Consigne pour l'accompagnateur·rice"),
        help_text=_("Ce que le rendez-vous doit permettre de travailler."),
    )
    recommended_modality = RecommendedModality(
        label=_("Modalité recommandée"),
        default="any",
        # The rule is lms.coaching.balance.recommend_modality (tests/coaching/test_balance.py
        # checks that this text and the policy agree).
        help_text=_(
            "Un conseil pour le rendez-vous, pas une obligation. « En présentiel » passe avant "
            "la préférence de la personne dès qu'un·e accompagnateur·rice de son département "
            "reçoit en présentiel. « À distance » ne compte que si elle n'a dit aucune "
            "préférence : sa préférence (visio, téléphone, rencontre) et l'équilibre de ses "
            "rendez-vous passés l'emportent. Si personne n'est disponible dans son "
            "département, le premier échange a lieu à distance ; au bout du parcours, une "
            "rencontre en présentiel lui est proposée une fois."
        ),
    )
    group_allowed = blocks.BooleanBlock(
        label=_("Peut se faire en groupe"),
        required=False,
        default=False,
        help_text=_(
            "Une séance collective à cette balise vaut rendez-vous : y assister lève la "
            "balise pour la personne."
        ),
    )
    questions = blocks.ListBlock(
        PointQuestionBlock(),
        label=_("Questions à l'arrivée (facultatif)"),
        required=False,
        default=[],
    )

    class Meta:
        label = _("Balise de progression")
        icon = "flag"
        value_class = ProgressionPointValue
        label_format = "{title}"
        description = _("Un point où un humain prend le relais.")


class ModuleChooserBlock(blocks.PageChooserBlock):
    def __init__(self, **kwargs):
        super().__init__(page_type="pathways.ModulePage", **kwargs)


class OutlineStreamBlock(blocks.StreamBlock):
    module = ModuleChooserBlock(label=_("Module"), icon="folder-open-inverse")
    progression_point = ProgressionPointBlock()

    def clean(self, value):
        """An outline without any module is refused when the pathway is published or
        submitted, with that reason rather than « Champ requis » for an empty one; a draft
        (Wagtail's deferred validation) may still lack one (``pathways.outline``)."""
        entries = [
            Entry(MODULE, module_id=getattr(child.value, "pk", None))
            for child in value
            if child.block_type == "module"
        ]
        if self.is_deferred_validation or has_module(entries):
            return super().clean(value)
        no_module = ValidationError(
            _(
                "Un parcours contient au moins un module : ajoutez-en un au déroulé avant "
                "de le publier ou de le soumettre à validation."
            ),
            code="no_module",
        )
        try:
            super().clean(value)
        except StreamBlockValidationError as error:
            # The block's own errors stay; « Champ requis » gives way to the reason.
            raise StreamBlockValidationError(
                block_errors=error.block_errors, non_block_errors=ErrorList([no_module])
            ) from error
        raise StreamBlockValidationError(non_block_errors=ErrorList([no_module]))
