"""Demo content of Balise: pathways, modules, media, documents and the moderation workflow.

``seed_content()`` builds, under the home page, a pathway index and a module
library, ten modules that use every kind of step, three pathways that share
modules, and three progression points (one per trigger). Audio is generated
here (short WAV chimes), videos are tiny MP4 files shipped in ``demo_assets/``
(see ``make_videos.sh`` there), PDF worksheets are rendered with WeasyPrint.

Idempotent: pages are looked up by slug, media and documents by title, and a
page that already has a live revision is never published again, so running it
twice creates nothing the second time.
"""

import functools
import hashlib
import io
import math
import re
import wave
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage, WorkflowTask
from wagtailmedia.models import get_media_model

from lms.accounts.roles import Role
from pathways.models import (
    HomePage,
    ModuleLibraryPage,
    ModulePage,
    PathwayIndexPage,
    PathwayPage,
)

ASSETS_DIR = Path(__file__).resolve().parent / "demo_assets"

WORKFLOW_NAME = "Validation des contenus"
WORKFLOW_TASK_NAME = "Validation par la responsable de programme"
WAGTAIL_DEFAULT_WORKFLOW_NAME = "Moderators approval"

AUDIO_RATE = 8000  # Hz, mono, 8-bit: about 8 KB a second
AUDIO_SECONDS = 6


# --- French typography ---------------------------------------------------------------

_TYPOGRAPHY = [
    (re.compile(r"(?<=\w)'(?=\w)"), "\u2019"),  # typographic apostrophe: l’ESS
    (re.compile(r" :"), "\u00a0:"),  # no-break space before a colon
    (re.compile(r" ([;!?])"), "\u202f\\1"),  # narrow no-break space before ; ! ?
    (re.compile(r"« "), "«\u00a0"),
    (re.compile(r" »"), "\u00a0»"),
    (re.compile(r"(\d) (?=\d{3}\b)"), "\\1\u202f"),  # 30 000
    (re.compile(r"(\d) (€|%|h\b|min\b)"), "\\1\u00a0\\2"),  # 30 000 €, 20 h
]


def fr(value):
    """French typography on text (recursively in lists and dicts): typographic
    apostrophes, no-break spaces before high punctuation, inside guillemets, in numbers
    and before units. HTML given to it quotes its attributes with double quotes."""
    if isinstance(value, str):
        for pattern, replacement in _TYPOGRAPHY:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, dict):
        return {key: fr(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(fr(item) for item in value)
    return value


# --- Generated files -----------------------------------------------------------------


@functools.cache
def chime_wav(notes: tuple[float, ...], seconds: float = AUDIO_SECONDS) -> bytes:
    """A gentle chime, one note after the other, as an 8 kHz mono 8-bit WAV."""
    total = int(seconds * AUDIO_RATE)
    per_note = total // len(notes)
    fade = int(0.3 * AUDIO_RATE)
    samples = bytearray(total)
    for i in range(total):
        index = min(i // per_note, len(notes) - 1)
        local = (i - index * per_note) / AUDIO_RATE
        phase = 2 * math.pi * notes[index] * local
        envelope = min(1.0, local * 80) * math.exp(-3.5 * local) * min(1.0, (total - i) / fade)
        value = envelope * (0.75 * math.sin(phase) + 0.25 * math.sin(2 * phase))
        samples[i] = 128 + round(90 * value)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(AUDIO_RATE)
        out.writeframes(bytes(samples))
    return buffer.getvalue()


PDF_STYLE = """
@page { size: A4; margin: 18mm 16mm; @bottom-center { content: "Balise · " counter(page);
  font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #666; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 17pt; color: #1d5c4d; margin: 0 0 4mm; }
h2 { font-size: 12pt; color: #1d5c4d; margin: 6mm 0 2mm; }
.lead { font-size: 10.5pt; }
.field { border: 0.6pt solid #9bb8af; border-radius: 2mm; height: 22mm; margin-bottom: 3mm; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border: 0.6pt solid #9bb8af; padding: 2mm; vertical-align: top; text-align: left; }
th { background: #e7f0ed; }
td.blank { height: 16mm; }
.note { font-size: 8.5pt; color: #444; margin-top: 5mm; }
"""


@functools.cache
def pdf(title: str, body: str) -> bytes:
    """A one-page PDF rendered by WeasyPrint from French HTML."""
    import weasyprint  # slow to import: only when a document is created

    html = (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{PDF_STYLE}</style></head><body><h1>{title}</h1>{fr(body)}</body></html>"
    )
    return weasyprint.HTML(string=html).write_pdf()


# --- Media and documents -----------------------------------------------------------


@dataclass(frozen=True)
class AudioSpec:
    key: str
    title: str
    filename: str
    notes: tuple[float, ...]


@dataclass(frozen=True)
class VideoSpec:
    key: str
    title: str
    filename: str  # in demo_assets/
    duration: float
    width: int = 320
    height: int = 180


@dataclass(frozen=True)
class DocumentSpec:
    key: str
    title: str
    filename: str
    body: str


C5, D5, E5, G5, A5, C6, D6 = 523.25, 587.33, 659.25, 783.99, 880.0, 1046.5, 1174.66

AUDIOS = [
    AudioSpec(
        "ep-territoire",
        "Épisode 1 — S'ancrer dans son territoire",
        "episode-1-territoire.wav",
        (C5, E5, G5, C6),
    ),
    AudioSpec(
        "ep-statuts",
        "Épisode 2 — Quel statut pour quel projet ?",
        "episode-2-statuts.wav",
        (D5, G5, A5, D6),
    ),
    AudioSpec(
        "ep-financements",
        "Épisode 3 — Premiers financements : par où commencer ?",
        "episode-3-financements.wav",
        (E5, G5, C6, A5),
    ),
    AudioSpec(
        "ep-impact",
        "Épisode 4 — Raconter son impact sans jargon",
        "episode-4-impact.wav",
        (G5, E5, D5, C5),
    ),
    AudioSpec(
        "ep-soir",
        "Épisode 5 — Porter un projet le soir et le week-end",
        "episode-5-le-soir.wav",
        (A5, G5, E5, G5),
    ),
    AudioSpec(
        "voix-lozere",
        "Témoignage de Jean-Luc Vidal (extrait audio)",
        "temoignage-jean-luc-vidal.wav",
        (C5, D5, E5),
    ),
]

VIDEOS = [
    VideoSpec("presenter", "Présenter son projet en deux minutes", "presenter-son-projet.mp4", 8),
    VideoSpec("tester", "Tester avant de se lancer", "tester-avant-de-se-lancer.mp4", 8),
    VideoSpec("impact", "Votre impact en trois questions", "impact-en-trois-questions.mp4", 8),
]

DOCUMENTS = [
    DocumentSpec(
        "fiche-besoin",
        "Fiche atelier — Formuler son besoin social",
        "fiche-formuler-son-besoin-social.pdf",
        """
<p class="lead">Cette fiche vous aide à décrire le besoin auquel votre projet répond, à partir
de ce que vivent les personnes concernées. Remplissez-la au crayon, puis reprenez-la après
vos premiers entretiens.</p>
<h2>1. Le problème, en une phrase</h2><div class="field"></div>
<h2>2. Les personnes concernées</h2>
<p>Qui sont-elles ? Où vivent-elles ? Combien sont-elles, à peu près ?</p><div class="field"></div>
<h2>3. Ce qu'elles font aujourd'hui, faute de mieux</h2><div class="field"></div>
<h2>4. Ce qui existe déjà sur le territoire</h2><div class="field"></div>
<h2>Préparer vos entretiens : cinq questions ouvertes</h2>
<ol>
<li>Racontez-moi la dernière fois que vous avez rencontré cette difficulté.</li>
<li>Qu'avez-vous fait pour vous en sortir ?</li>
<li>Qu'est-ce qui a été le plus compliqué ?</li>
<li>Qui vous a aidé·e, ou aurait pu vous aider ?</li>
<li>Si un service existait demain, qu'est-ce qui vous donnerait envie de l'utiliser ?</li>
</ol>
<p class="note">Évitez de présenter votre solution pendant l'entretien : vous cherchez à
comprendre une situation, pas à convaincre. Notez les mots exacts des personnes, ils vous
serviront pour présenter votre projet.</p>
""",
    ),
    DocumentSpec(
        "comparatif-statuts",
        "Comparatif des statuts de l'ESS",
        "comparatif-des-statuts-de-l-ess.pdf",
        """
<p class="lead">Quatre formes juridiques fréquentes pour un projet de l'économie sociale et
solidaire, comparées sur ce qui compte au démarrage.</p>
<table>
<tr><th></th><th>Association</th><th>SCOP</th><th>SCIC</th><th>SAS agréée ESUS</th></tr>
<tr><th>Qui décide ?</th>
<td>Les membres, selon des statuts librement rédigés (souvent une personne, une voix).</td>
<td>Les salarié·es associé·es, majoritaires ; une personne, une voix.</td>
<td>Plusieurs catégories d'associé·es (salarié·es, bénéficiaires, partenaires,
collectivités…) ; une personne, une voix, avec ou sans collèges de vote.</td>
<td>Les associé·es, selon une gouvernance démocratique prévue par les statuts.</td></tr>
<tr><th>D'où viennent les moyens ?</th>
<td>Cotisations, subventions, dons, ventes ; pas de capital.</td>
<td>Capital apporté par les associé·es, ventes, prêts.</td>
<td>Capital des associé·es (les collectivités peuvent en détenir une partie), ventes,
subventions.</td>
<td>Capital des associé·es, ventes ; épargne solidaire grâce à l'agrément.</td></tr>
<tr><th>Que deviennent les excédents ?</th>
<td>Jamais partagés entre les membres : ils servent le projet.</td>
<td>Répartis entre réserves, salarié·es et associé·es ; une part importante reste dans
l'entreprise.</td>
<td>Majoritairement mis en réserves impartageables ; rémunération du capital limitée.</td>
<td>Distribution limitée : la majorité des bénéfices est réinvestie dans l'activité.</td></tr>
<tr><th>Pour quels projets ?</th>
<td>Projets qui reposent sur le bénévolat, les subventions et les dons.</td>
<td>Activité économique portée et dirigée par son équipe.</td>
<td>Projets de territoire qui associent usager·es, partenaires et collectivités.</td>
<td>Activité commerciale au service d'une mission sociale, ouverte aux investisseur·euses
solidaires.</td></tr>
</table>
<p class="note">Ce tableau simplifie des règles plus détaillées (loi du 31 juillet 2014
relative à l'économie sociale et solidaire, droit des associations et des coopératives).
Faites relire votre choix par un·e accompagnateur·rice ou un·e juriste avant de rédiger vos
statuts.</p>
""",
    ),
    DocumentSpec(
        "grille-indicateurs",
        "Grille d'indicateurs d'impact",
        "grille-indicateurs-d-impact.pdf",
        """
<p class="lead">Pour chaque changement que votre projet veut produire, choisissez un
indicateur, la source de l'information et le moment où vous la recueillerez. Trois à cinq
lignes suffisent.</p>
<table>
<tr><th>Changement visé</th><th>Indicateur</th><th>Source</th><th>Quand ?</th></tr>
<tr><td>Exemple : les participant·es réparent seul·es leurs petits appareils.</td>
<td>Part des participant·es qui déclarent avoir réparé un objet seul·es.</td>
<td>Trois questions posées par téléphone.</td><td>Trois mois après l'atelier.</td></tr>
<tr><td class="blank"></td><td></td><td></td><td></td></tr>
<tr><td class="blank"></td><td></td><td></td><td></td></tr>
<tr><td class="blank"></td><td></td><td></td><td></td></tr>
<tr><td class="blank"></td><td></td><td></td><td></td></tr>
</table>
<h2>Vérifier chaque indicateur</h2>
<ul>
<li>Mesure-t-il un changement pour les personnes, et pas seulement une activité ?</li>
<li>Quelqu'un aura-t-il le temps de le renseigner ?</li>
<li>Pourrez-vous le comparer dans le temps (avant, après) ?</li>
</ul>
<p class="note">Gardez au moins un indicateur qualitatif : quelques témoignages recueillis
avec l'accord des personnes en disent souvent plus long qu'un pourcentage.</p>
""",
    ),
]


def _audio(spec: AudioSpec):
    Media = get_media_model()
    title = fr(spec.title)
    media = Media.objects.filter(type="audio", title=title).first()
    if media is not None:
        return media, False
    content = chime_wav(spec.notes)
    media = Media(
        title=title,
        type="audio",
        duration=AUDIO_SECONDS,
        file=ContentFile(content, name=spec.filename),
    )
    media.save()
    return media, True


def _video(spec: VideoSpec):
    Media = get_media_model()
    title = fr(spec.title)
    media = Media.objects.filter(type="video", title=title).first()
    if media is not None:
        return media, False
    content = (ASSETS_DIR / spec.filename).read_bytes()
    media = Media(
        title=title,
        type="video",
        duration=spec.duration,
        width=spec.width,
        height=spec.height,
        file=ContentFile(content, name=spec.filename),
    )
    media.save()
    return media, True


def _document(spec: DocumentSpec):
    Document = get_document_model()
    title = fr(spec.title)
    document = Document.objects.filter(title=title).first()
    if document is not None:
        return document, False
    content = pdf(title, spec.body)
    document = Document(
        title=title,
        file=ContentFile(content, name=spec.filename),
        file_size=len(content),
        file_hash=hashlib.sha1(content, usedforsecurity=False).hexdigest(),
    )
    document.save()
    return document, True


# --- Step and outline builders -------------------------------------------------------


def question(label, kind="long_text", help_text="", choices=(), required=False) -> dict:
    return {
        "label": label,
        "kind": kind,
        "help_text": help_text,
        "choices": list(choices),
        "required": required,
    }


def sheet(title, body, document=None):
    return ("workshop_sheet", {"title": title, "body": body, "document": document})


def exercise(title, instructions, questions, share_with_coach=True):
    return (
        "guided_exercise",
        {
            "title": title,
            "instructions": instructions,
            "questions": questions,
            "share_with_coach": share_with_coach,
        },
    )


def testimony(title, person, structure, territory, quote, story, audio=None):
    return (
        "testimony",
        {
            "title": title,
            "person": person,
            "structure": structure,
            "territory": territory,
            "quote": quote,
            "story": story,
            "photo": None,
            "audio": audio,
            "video": None,
        },
    )


def podcast(title, audio, summary, chapters, transcript):
    return (
        "podcast",
        {
            "title": title,
            "audio": audio,
            "summary": summary,
            "chapters": [{"start": start, "title": name} for start, name in chapters],
            "transcript": transcript,
        },
    )


def video(title, media, transcript):
    return ("video", {"title": title, "video": media, "embed": None, "transcript": transcript})


def progression_point(
    title, trigger, learner_message, coach_brief, modality="any", questions=()
) -> tuple:
    return (
        "progression_point",
        {
            "title": title,
            "trigger": trigger,
            "learner_message": learner_message,
            "coach_brief": coach_brief,
            "recommended_modality": modality,
            "questions": [
                {"label": label, "kind": kind, "choices": list(choices)}
                for label, kind, choices in questions
            ],
        },
    )


def cards_transcript(cards: list[str], meaning: str) -> str:
    """Transcript of one of the silent demo videos (four text cards)."""
    lines = "".join(f"<li>Carton {n} : « {card} »</li>" for n, card in enumerate(cards, 1))
    return (
        "<p><i>Vidéo sans son de 8 secondes : quatre cartons de texte blanc sur fond vert, "
        "une barre jaune avance en bas de l'image.</i></p>"
        f"<ul>{lines}</ul><p>{meaning}</p>"
    )


# --- Modules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleSpec:
    slug: str
    title: str
    summary: str
    duration_minutes: int
    steps: list


def module_specs(a: dict) -> list[ModuleSpec]:
    """The modules' content; ``a`` maps asset keys to Media and Document objects."""
    return [
        ModuleSpec(
            "clarifier-le-besoin-social",
            "Clarifier le besoin social",
            "Avant de penser solution, décrire précisément la difficulté que vivent des "
            "habitant·es de votre territoire : qui est concerné, comment, et ce qui existe "
            "déjà. C'est le socle de tout projet d'utilité sociale.",
            40,
            [
                sheet(
                    "Partir du besoin, pas de la solution",
                    "<p>Beaucoup de projets de l'ESS naissent d'une idée de solution : une "
                    "épicerie, un atelier, un service de transport. Pourtant, ce qui convaincra "
                    "vos partenaires, c'est d'abord la justesse du besoin que vous avez repéré."
                    "</p><h2>Trois questions pour décrire un besoin</h2><ol>"
                    "<li><b>Qui</b> vit la difficulté ? Soyez précis : « les familles "
                    "monoparentales du quartier » plutôt que « les gens ».</li>"
                    "<li><b>Quoi</b> : en quoi consiste la difficulté au quotidien, et que font "
                    "ces personnes aujourd'hui pour s'en sortir ?</li>"
                    "<li><b>Combien</b> : combien de personnes sont concernées, et sur quel "
                    "périmètre ?</li></ol>"
                    "<h2>Vérifier plutôt que supposer</h2>"
                    "<p>Allez à la rencontre des personnes concernées : une dizaine "
                    "d'entretiens courts suffit souvent pour confirmer, nuancer ou remettre en "
                    "cause une intuition. Complétez avec des chiffres publics (Insee, "
                    "observatoires locaux, diagnostic du contrat de ville ou de "
                    "l'intercommunalité) et avec l'avis des structures qui travaillent déjà sur "
                    "le sujet.</p><p>La fiche à télécharger vous guide pour préparer ces "
                    "entretiens et en garder la trace.</p>",
                    document=a["fiche-besoin"],
                ),
                exercise(
                    "Décrire le besoin que vous avez repéré",
                    "<p>Répondez avec vos mots, sans chercher la formule parfaite. Vos réponses "
                    "sont enregistrées au fur et à mesure : vous pourrez y revenir.</p>",
                    [
                        question(
                            "En une phrase, quel problème votre projet veut-il résoudre ?",
                            "short_text",
                            "Exemple : « Dans notre vallée, les personnes âgées sans voiture "
                            "ne peuvent plus aller chez le médecin. »",
                            required=True,
                        ),
                        question(
                            "Qui sont les personnes concernées ? Décrivez-les concrètement.",
                            help_text="Âge, situation, lieu de vie, ce qu'elles font "
                            "aujourd'hui faute de mieux.",
                        ),
                        question(
                            "Comment avez-vous constaté ce besoin ?",
                            "multiple_choice",
                            choices=[
                                "Je le vis moi-même",
                                "Des proches ou des voisin·es m'en ont parlé",
                                "Je le rencontre dans mon travail ou mon bénévolat",
                                "J'ai lu une étude ou un diagnostic local",
                                "Des structures du territoire me l'ont signalé",
                            ],
                        ),
                        question(
                            "À quel point êtes-vous sûr·e que ce besoin est partagé ?",
                            "scale",
                            "1 : c'est une intuition ; 5 : je l'ai vérifié auprès de "
                            "nombreuses personnes.",
                        ),
                    ],
                ),
                video(
                    "Présenter son projet en deux minutes",
                    a["presenter"],
                    cards_transcript(
                        [
                            "Présenter son projet en deux minutes",
                            "1. Le besoin social",
                            "2. Votre réponse",
                            "3. Ce qui vous manque",
                        ],
                        "Les trois cartons numérotés donnent le plan d'une présentation courte : "
                        "la difficulté vécue par les personnes, ce que vous proposez, puis "
                        "l'aide que vous cherchez (compétences, lieu, financement, partenaires).",
                    ),
                ),
                testimony(
                    "Une friperie née de trente entretiens",
                    "Samira Benali",
                    "Les P'tites Mailles, friperie solidaire pour enfants",
                    "quartier prioritaire, Villeurbanne",
                    "Je pensais que les familles cherchaient des vêtements moins chers. Les "
                    "entretiens m'ont montré qu'elles cherchaient surtout un endroit où personne "
                    "ne les juge.",
                    "<p>Samira voulait ouvrir une boutique de vêtements d'enfants à petits prix. "
                    "Avant de chercher un local, elle a interrogé une trentaine de parents à la "
                    "sortie de l'école et au centre social.</p><p>Le besoin exprimé était "
                    "autant social que matériel : rompre l'isolement, échanger entre parents. "
                    "Le projet est devenu une friperie où l'on peut aussi troquer, avec un "
                    "café des parents le mercredi. Cette reformulation a convaincu le bailleur "
                    "social de mettre à disposition un local en pied d'immeuble.</p>",
                ),
            ],
        ),
        ModuleSpec(
            "connaitre-son-territoire",
            "Connaître son territoire et ses acteurs",
            "Repérer qui agit déjà sur votre sujet, qui peut vous soutenir et avec qui "
            "coopérer plutôt que concurrencer : collectivités, réseaux de l'ESS, associations, "
            "entreprises et habitant·es.",
            45,
            [
                sheet(
                    "Cartographier l'écosystème de votre projet",
                    "<p>Un projet de l'ESS ne se développe jamais seul : il s'appuie sur un "
                    "territoire, ses habitant·es, ses élu·es et ses structures. Avant de vous "
                    "lancer, dressez la carte de celles et ceux qui comptent pour votre "
                    "projet.</p><h2>Les acteurs à repérer</h2><ul>"
                    "<li><b>Les collectivités</b> : commune, intercommunalité, département, "
                    "région. Leurs services (développement économique, politique de la ville, "
                    "action sociale) connaissent les besoins et les aides.</li>"
                    "<li><b>Les réseaux de l'ESS</b> : la chambre régionale de l'économie "
                    "sociale et solidaire (CRESS), les incubateurs et générateurs de projets, "
                    "les coopératives d'activité et d'emploi, les pôles territoriaux de "
                    "coopération économique (PTCE).</li>"
                    "<li><b>Les structures de terrain</b> : centres sociaux, associations de "
                    "quartier, missions locales, tiers-lieux, au contact des personnes "
                    "concernées.</li>"
                    "<li><b>Les acteurs économiques</b> : entreprises locales, chambres "
                    "consulaires, banques, qui peuvent devenir clients, mécènes ou "
                    "partenaires.</li></ul>"
                    "<h2>Coopérer avant de concurrencer</h2>"
                    "<p>Si une structure répond déjà en partie au besoin, allez la rencontrer. "
                    "Vous y trouverez peut-être une complémentarité, un partenariat, voire un "
                    "projet à reproduire chez vous.</p><p>En territoire rural, le groupe "
                    "d'action locale (GAL) qui gère le programme européen LEADER connaît les "
                    "projets du secteur et peut vous orienter vers des financements.</p>",
                ),
                podcast(
                    "S'ancrer dans son territoire",
                    a["ep-territoire"],
                    "Une accompagnatrice d'un générateur de projets et un porteur de projet "
                    "rural expliquent comment se faire connaître localement et trouver ses "
                    "premiers alliés.",
                    [
                        ("00:00", "Pourquoi le territoire compte"),
                        ("00:02", "Frapper à la bonne porte"),
                        ("00:04", "Des alliés inattendus"),
                    ],
                    "<p><b>Animatrice :</b> Bienvenue dans ce premier épisode. Pour parler "
                    "d'ancrage territorial, j'accueille Anne, accompagnatrice dans un "
                    "générateur de projets, et Karim, qui a lancé un service de paniers de "
                    "producteurs dans le Gers. Karim, quelle a été votre première démarche ?"
                    "</p><p><b>Karim :</b> Honnêtement, j'ai commencé par un tableur et un "
                    "logo. Je ne suis allé voir la mairie qu'au bout de trois mois. Et là, on "
                    "m'a appris qu'un groupement de producteurs réfléchissait à la même chose "
                    "à vingt kilomètres.</p><p><b>Anne :</b> C'est très fréquent. On a tendance "
                    "à protéger son idée, alors qu'un projet de l'ESS gagne presque toujours à "
                    "être partagé tôt. Les élu·es, les services des collectivités, les centres "
                    "sociaux connaissent les besoins et les personnes qui bougent.</p>"
                    "<p><b>Animatrice :</b> Comment savoir à quelle porte frapper ?</p>"
                    "<p><b>Anne :</b> Je conseille de commencer par l'intercommunalité, qui "
                    "porte souvent le développement économique. La chambre régionale de l'ESS "
                    "peut ensuite vous orienter vers les réseaux et les dispositifs "
                    "d'accompagnement du département. En zone rurale, le groupe d'action locale "
                    "du programme LEADER est aussi une bonne porte d'entrée.</p>"
                    "<p><b>Karim :</b> Et il ne faut pas négliger les alliés inattendus. Pour "
                    "nous, c'est la pharmacie du bourg : elle sert de point de retrait, et sa "
                    "clientèle âgée est devenue notre meilleure ambassadrice.</p>"
                    "<p><b>Animatrice :</b> Un dernier conseil ?</p><p><b>Anne :</b> Allez voir "
                    "celles et ceux qui font déjà quelque chose de proche. Vous y trouverez "
                    "rarement un concurrent, et souvent un partenaire.</p>",
                ),
                exercise(
                    "Dessiner la carte de vos acteurs",
                    "<p>Listez les acteurs que vous connaissez déjà et ceux qu'il vous reste à "
                    "rencontrer. Vos réponses serviront de point de départ à votre premier "
                    "échange avec un·e accompagnateur·rice.</p>",
                    [
                        question(
                            "Quels acteurs avez-vous déjà rencontrés au sujet de votre projet ?",
                            "multiple_choice",
                            choices=[
                                "La mairie ou l'intercommunalité",
                                "Le département ou la région",
                                "Une structure de l'ESS (CRESS, incubateur, coopérative…)",
                                "Une association ou un centre social du territoire",
                                "Une entreprise locale",
                                "Aucun pour l'instant",
                            ],
                        ),
                        question(
                            "Quelles structures répondent déjà, au moins en partie, au besoin "
                            "que vous avez repéré ?",
                            help_text="Pour chacune, notez ce qu'elle fait et ce qui manque "
                            "encore.",
                        ),
                        question(
                            "Quelle est la première personne que vous allez contacter, et quand ?",
                            "short_text",
                        ),
                    ],
                ),
                testimony(
                    "Une ressourcerie portée par tout un canton",
                    "Jean-Luc Vidal",
                    "Le Grenier des Causses, ressourcerie associative",
                    "Lozère, rural",
                    "J'avais peur qu'on nous voie comme des concurrents de la déchetterie. "
                    "C'est finalement la communauté de communes qui nous a proposé d'y "
                    "installer notre conteneur de réemploi.",
                    "<p>Ancien artisan, Jean-Luc voyait partir en benne des meubles en bon "
                    "état. Avant de créer l'association, il a passé six mois à rencontrer les "
                    "maires du canton, la communauté de communes, le centre social et deux "
                    "chantiers d'insertion.</p><p>Ces rencontres ont dessiné le projet : la "
                    "collectivité fournit un espace à la déchetterie, un chantier d'insertion "
                    "assure la remise en état, et la boutique ouvre trois jours par semaine "
                    "dans l'ancienne gare.</p>",
                    audio=a["voix-lozere"],
                ),
            ],
        ),
        ModuleSpec(
            "tester-son-projet",
            "Tester son projet à petite échelle",
            "Vérifier que votre idée fonctionne avant d'y engager beaucoup de temps et "
            "d'argent : concevoir un test simple, le mener avec quelques personnes et en "
            "tirer des enseignements.",
            40,
            [
                sheet(
                    "Concevoir un premier test",
                    "<p>Tester, c'est proposer une version réduite de votre projet, pendant "
                    "une durée courte, pour apprendre. Un marché un samedi par mois, un atelier "
                    "de réparation ouvert deux soirs, une semaine de repas partagés : ces "
                    "formats coûtent peu et en disent beaucoup.</p><h2>Préparer le test</h2><ol>"
                    "<li>Formulez ce que vous voulez vérifier : « Combien de personnes viendront "
                    "réparer leurs objets si l'atelier ouvre le samedi matin ? »</li>"
                    "<li>Fixez un critère de réussite avant de commencer, par exemple quinze "
                    "personnes sur trois matinées.</li>"
                    "<li>Choisissez le format le plus léger possible : un lieu prêté, du "
                    "matériel emprunté, des bénévoles.</li>"
                    "<li>Prévoyez comment recueillir les avis : un questionnaire de trois "
                    "questions, quelques échanges notés à chaud.</li></ol>"
                    "<h2>Tester dans un cadre sécurisé</h2><p>Plusieurs structures permettent "
                    "de tester une activité sans créer tout de suite sa propre structure : les "
                    "couveuses d'entreprises, les coopératives d'activité et d'emploi (CAE), "
                    "certains tiers-lieux. Pour un événement ponctuel, une association "
                    "existante peut aussi vous accueillir.</p>",
                ),
                video(
                    "Tester avant de se lancer",
                    a["tester"],
                    cards_transcript(
                        [
                            "Tester avant de se lancer",
                            "1. Une version simple",
                            "2. Quelques personnes",
                            "3. Ce que vous apprenez",
                        ],
                        "Le message des cartons : proposez d'abord une version simple de votre "
                        "projet à quelques personnes, et notez ce que vous apprenez avant "
                        "d'aller plus loin.",
                    ),
                ),
                exercise(
                    "Préparer votre test",
                    "<p>Décrivez le test que vous pourriez mener dans les semaines qui "
                    "viennent. Restez modeste : un petit test mené jusqu'au bout vaut mieux "
                    "qu'un grand test jamais lancé.</p>",
                    [
                        question(
                            "Que voulez-vous vérifier avec votre test ?",
                            "short_text",
                            required=True,
                        ),
                        question(
                            "Quel format de test vous semble le plus adapté ?",
                            "single_choice",
                            choices=[
                                "Un événement ponctuel (journée, marché, atelier)",
                                "Une activité régulière pendant quelques semaines",
                                "Une prévente ou une liste de personnes intéressées",
                                "Un partenariat avec une structure qui existe déjà",
                            ],
                        ),
                        question(
                            "Qu'est-ce qui vous dira que le test est réussi ?",
                            help_text="Un chiffre, un retour, un engagement : décidez-le "
                            "avant de commencer.",
                        ),
                        question(
                            "Vous sentez-vous prêt·e à lancer ce test dans le mois qui vient ?",
                            "scale",
                        ),
                    ],
                ),
                testimony(
                    "Quinze jours de cantine éphémère",
                    "Inès Haddad",
                    "La Marmite, cantine solidaire",
                    "quartier prioritaire, Roubaix",
                    "Nous avons servi deux fois plus de repas que prévu le midi, et presque "
                    "aucun le soir. Nous avons revu nos horaires avant même d'écrire les "
                    "statuts.",
                    "<p>Avec trois voisines, Inès rêvait d'une cantine à prix libre ouverte "
                    "midi et soir. La mairie de quartier leur a prêté une salle pendant quinze "
                    "jours, et une association d'insertion a fourni la cuisine.</p><p>Le test "
                    "a montré que le besoin était surtout celui des salarié·es des commerces "
                    "voisins et des familles le mercredi. La cantine a ouvert six mois plus "
                    "tard, le midi seulement, avec un premier chiffre d'affaires qui a rassuré "
                    "la banque.</p>",
                ),
            ],
        ),
        ModuleSpec(
            "choisir-sa-forme-juridique",
            "Choisir sa forme juridique (association, SCIC, SCOP, SAS ESUS)",
            "Comparer les principales formes juridiques de l'ESS au regard de votre projet : "
            "qui décide, qui apporte les moyens, ce que deviennent les excédents. Le statut "
            "se choisit plus facilement quand le projet est clair.",
            50,
            [
                sheet(
                    "Comparer les statuts de l'ESS",
                    "<p>Le statut juridique traduit votre projet : il dit qui décide, qui peut "
                    "apporter de l'argent et ce que deviennent les bénéfices. Depuis la loi du "
                    "31 juillet 2014, l'économie sociale et solidaire rassemble des "
                    "associations, des coopératives, des mutuelles, des fondations et des "
                    "sociétés commerciales qui en respectent les principes.</p>"
                    "<h2>L'association</h2><p>Simple à créer, elle convient aux projets qui "
                    "reposent sur l'engagement bénévole, les subventions et les dons. Elle peut "
                    "vendre des biens ou des services et employer des salarié·es, mais ses "
                    "excédents ne sont jamais partagés entre ses membres.</p>"
                    "<h2>La SCOP</h2><p>La société coopérative et participative appartient "
                    "majoritairement à ses salarié·es, qui élisent leurs dirigeant·es selon le "
                    "principe « une personne, une voix ». Elle convient à une activité "
                    "économique portée par une équipe qui veut en rester maîtresse.</p>"
                    "<h2>La SCIC</h2><p>La société coopérative d'intérêt collectif associe "
                    "plusieurs catégories de personnes autour d'un même projet : salarié·es, "
                    "bénéficiaires, bénévoles, collectivités, entreprises partenaires. Elle "
                    "convient aux projets de territoire qui veulent partager la gouvernance "
                    "avec leurs parties prenantes.</p>"
                    "<h2>La SAS agréée ESUS</h2><p>Une société commerciale fait partie de "
                    "l'ESS si ses statuts poursuivent un objectif d'utilité sociale, organisent "
                    "une gouvernance démocratique et limitent la distribution des bénéfices. "
                    "L'agrément « entreprise solidaire d'utilité sociale » (ESUS), délivré par "
                    "les services de l'État, facilite ensuite l'accès à l'épargne "
                    "solidaire.</p><p>Le tableau à télécharger résume ces différences. Un "
                    "statut n'est pas définitif : une association peut par exemple se "
                    "transformer plus tard en SCIC.</p>",
                    document=a["comparatif-statuts"],
                ),
                exercise(
                    "Quel statut pour votre projet ?",
                    "<p>Ces questions ne désignent pas « le bon statut » à votre place : elles "
                    "préparent la discussion avec votre accompagnateur·rice.</p>",
                    [
                        question(
                            "Qui doit avoir le dernier mot sur les grandes décisions ?",
                            "single_choice",
                            choices=[
                                "Les membres bénévoles et adhérent·es",
                                "Les salarié·es qui font vivre l'activité",
                                "Un collectif de salarié·es, usager·es, partenaires et "
                                "collectivités",
                                "Les fondateur·rices et les investisseur·euses, au service "
                                "d'une mission sociale",
                            ],
                        ),
                        question(
                            "D'où viendront principalement vos ressources ?",
                            "multiple_choice",
                            choices=[
                                "Ventes de biens ou de services",
                                "Subventions publiques",
                                "Dons et mécénat",
                                "Cotisations des membres",
                                "Apports en capital",
                            ],
                        ),
                        question(
                            "Prévoyez-vous de salarier des personnes dans les deux ans ?",
                            "single_choice",
                            choices=[
                                "Oui, dès le lancement",
                                "Oui, dans un second temps",
                                "Non, le projet reposera sur des bénévoles",
                                "Je ne sais pas encore",
                            ],
                        ),
                        question(
                            "Quel statut vous semble le plus adapté aujourd'hui, et pourquoi ?",
                        ),
                    ],
                ),
                podcast(
                    "Quel statut pour quel projet ?",
                    a["ep-statuts"],
                    "Une juriste d'un réseau d'accompagnement répond aux questions les plus "
                    "fréquentes : peut-on vendre en association, faut-il du capital pour créer "
                    "une coopérative, que change l'agrément ESUS ?",
                    [
                        ("00:00", "Vendre en association"),
                        ("00:02", "Se lancer en coopérative"),
                        ("00:04", "Ce que change l'agrément ESUS"),
                    ],
                    "<p><b>Animateur :</b> Dans cet épisode, Élodie, juriste dans un réseau "
                    "d'accompagnement de l'ESS, répond à vos questions sur les statuts. "
                    "Première question, très fréquente : peut-on vendre quand on est une "
                    "association ?</p><p><b>Élodie :</b> Oui. Une association peut vendre des "
                    "biens ou des services, si ses statuts le prévoient et si les bénéfices "
                    "servent le projet, jamais l'enrichissement de ses membres. Selon la place "
                    "de ces ventes et la façon dont elles sont menées, elle peut devoir payer "
                    "les impôts commerciaux : mieux vaut faire vérifier sa situation tôt.</p>"
                    "<p><b>Animateur :</b> Et pour créer une coopérative, faut-il beaucoup de "
                    "capital ?</p><p><b>Élodie :</b> Non. Une SCOP ou une SCIC peut démarrer "
                    "avec un capital modeste, apporté par ses associé·es. Ce qui prend du "
                    "temps, c'est de réunir ces associé·es et d'écrire des statuts qui "
                    "organisent bien la gouvernance. En SCIC, il faut par exemple définir les "
                    "catégories d'associé·es et, si on le souhaite, des collèges de vote.</p>"
                    "<p><b>Animateur :</b> Dernière question : qu'apporte l'agrément ESUS ?</p>"
                    "<p><b>Élodie :</b> C'est une reconnaissance de l'utilité sociale de "
                    "l'entreprise par l'État. Il donne accès à l'épargne salariale solidaire "
                    "et à certains avantages fiscaux pour celles et ceux qui investissent. Il "
                    "faut remplir des conditions, notamment sur l'objet social et sur l'écart "
                    "des rémunérations.</p><p><b>Animateur :</b> Merci Élodie. À retenir : on "
                    "clarifie d'abord son projet, puis on choisit le statut qui le sert le "
                    "mieux.</p>",
                ),
            ],
        ),
        ModuleSpec(
            "construire-son-modele-economique-hybride",
            "Construire son modèle économique hybride",
            "Combiner recettes d'activité, financements publics, dons et contributions non "
            "monétaires pour que votre projet tienne dans la durée, sans perdre de vue sa "
            "mission sociale.",
            45,
            [
                sheet(
                    "Les trois familles de ressources",
                    "<p>Un projet d'utilité sociale rend souvent service à des personnes qui "
                    "ne peuvent pas payer le prix réel. Son modèle économique est donc le plus "
                    "souvent <i>hybride</i> : il combine plusieurs sources de ressources.</p>"
                    "<ul><li><b>Les ressources marchandes</b> : ventes aux particuliers, "
                    "prestations pour des entreprises ou des collectivités, y compris par la "
                    "commande publique et ses clauses sociales.</li>"
                    "<li><b>Les ressources publiques</b> : subventions de fonctionnement ou "
                    "d'investissement, aides à l'emploi, conventions pluriannuelles.</li>"
                    "<li><b>Les ressources privées non marchandes</b> : dons, mécénat financier "
                    "ou de compétences, cotisations, bénévolat, locaux ou matériel mis à "
                    "disposition.</li></ul><h2>Trouver le bon équilibre</h2>"
                    "<p>Évitez de dépendre d'un seul financeur : si une subvention représente "
                    "plus de la moitié de votre budget, son non-renouvellement mettrait tout le "
                    "projet en danger. Chiffrez aussi le bénévolat et les mises à disposition : "
                    "ces contributions, souvent invisibles, montrent la valeur créée et "
                    "rassurent les partenaires.</p><p>Distinguez enfin ce que paient les "
                    "bénéficiaires, ce que d'autres paient pour eux (un tarif solidaire "
                    "financé par des ventes à prix plein, par exemple) et ce que la "
                    "collectivité finance au titre de l'intérêt général.</p>",
                ),
                exercise(
                    "Esquisser votre modèle économique",
                    "<p>Une première esquisse suffit : vous l'affinerez avec votre "
                    "accompagnateur·rice et au fil de vos tests.</p>",
                    [
                        question(
                            "Quelles ressources envisagez-vous ?",
                            "multiple_choice",
                            choices=[
                                "Ventes à des particuliers",
                                "Prestations pour des entreprises",
                                "Marchés ou conventions avec des collectivités",
                                "Subventions",
                                "Dons et mécénat",
                                "Bénévolat et mises à disposition",
                            ],
                        ),
                        question(
                            "Qui paiera pour le service rendu aux personnes qui ne peuvent pas "
                            "payer ?",
                        ),
                        question(
                            "Quel serait, selon vous, le coût d'une première année d'activité ?",
                            "short_text",
                            "Un ordre de grandeur suffit : « environ 30 000 € », « moins de "
                            "5 000 € ».",
                        ),
                        question(
                            "À quel point votre modèle dépend-il d'un seul financeur ?",
                            "scale",
                            "1 : pas du tout ; 5 : entièrement.",
                        ),
                    ],
                ),
                testimony(
                    "Une coopérative pour se déplacer dans la vallée",
                    "Thomas Roche",
                    "Vallée mobile, SCIC de transport solidaire",
                    "Haute-Loire, rural",
                    "Les trajets payés par les communes financent les courses à un euro pour "
                    "les personnes sans voiture. Sans l'un, l'autre ne tiendrait pas.",
                    "<p>Thomas a commencé avec deux véhicules et des chauffeur·euses "
                    "bénévoles pour conduire des personnes âgées à leurs rendez-vous "
                    "médicaux. Les dons ne suffisaient pas à payer l'assurance et le "
                    "carburant.</p><p>Devenue SCIC, la structure réunit aujourd'hui salarié·es, "
                    "usager·es, bénévoles et six communes associées. Les communes lui confient "
                    "les trajets vers le centre de loisirs le mercredi ; ces recettes "
                    "permettent de garder un tarif très bas pour les habitant·es les plus "
                    "isolé·es.</p>",
                ),
            ],
        ),
        ModuleSpec(
            "trouver-ses-premiers-financements",
            "Trouver ses premiers financements",
            "Identifier les financements adaptés à l'émergence (aides des collectivités, prêts "
            "d'honneur, finance solidaire, fondations, fonds européens, financement "
            "participatif) et préparer une demande solide.",
            45,
            [
                sheet(
                    "Panorama des financements de l'amorçage",
                    "<p>Au démarrage, les banques prêtent rarement sans apport ni historique. "
                    "D'autres financeurs sont spécialisés dans cette phase.</p><ul>"
                    "<li><b>Les collectivités</b> : beaucoup de régions et d'intercommunalités "
                    "soutiennent l'émergence de projets de l'ESS ou l'innovation sociale. "
                    "Renseignez-vous auprès de leur service de développement économique.</li>"
                    "<li><b>La finance solidaire</b> : France Active et ses associations "
                    "territoriales apportent garanties bancaires, prêts et apports aux "
                    "associations ; les plateformes d'initiative locale accordent des prêts "
                    "d'honneur sans intérêt, à titre personnel.</li>"
                    "<li><b>Les fondations</b> : fondations d'entreprise ou abritées, elles "
                    "lancent des appels à projets thématiques (alimentation, inclusion, "
                    "transition écologique…).</li>"
                    "<li><b>Les fonds européens</b> : en territoire rural, le programme LEADER, "
                    "géré localement par les groupes d'action locale, cofinance des projets de "
                    "développement local.</li>"
                    "<li><b>Le financement participatif</b> : dons, prêts ou souscription de "
                    "parts auprès de votre entourage et de votre future communauté.</li></ul>"
                    "<h2>Préparer une demande</h2><p>Un financeur veut comprendre le besoin, "
                    "votre réponse, ce que son argent va permettre et comment le projet tiendra "
                    "ensuite. Préparez un budget prévisionnel simple, un calendrier et deux ou "
                    "trois indicateurs de résultat. Et appelez le financeur avant d'écrire : un "
                    "échange de quinze minutes évite souvent un dossier hors sujet.</p>",
                ),
                podcast(
                    "Premiers financements : par où commencer ?",
                    a["ep-financements"],
                    "Un chargé de financement d'une association de finance solidaire explique "
                    "comment combiner prêt d'honneur, subvention et financement participatif "
                    "pour boucler un premier budget.",
                    [
                        ("00:00", "Ce que regarde un financeur"),
                        ("00:02", "Combiner plusieurs sources"),
                        ("00:04", "Les erreurs fréquentes"),
                    ],
                    "<p><b>Animatrice :</b> Patrick, vous accompagnez chaque année des dizaines "
                    "de projets dans leurs premières demandes de financement. Que regarde "
                    "d'abord un financeur ?</p><p><b>Patrick :</b> La cohérence. Le besoin "
                    "est-il bien identifié ? La réponse tient-elle la route ? Les personnes qui "
                    "portent le projet sont-elles en mesure de le mener ? Le montant demandé "
                    "vient après. Un petit budget bien argumenté vaut mieux qu'un gros budget "
                    "flou.</p><p><b>Animatrice :</b> Faut-il tout miser sur une subvention ?"
                    "</p><p><b>Patrick :</b> Surtout pas. Le bon réflexe, c'est de combiner. "
                    "Un prêt d'honneur renforce votre apport, ce qui rassure ensuite la "
                    "banque ; une aide à l'amorçage finance l'étude ou le test ; une collecte "
                    "de financement participatif prouve que votre communauté vous soutient. "
                    "Chaque financement en appelle un autre : c'est l'effet de levier.</p>"
                    "<p><b>Animatrice :</b> Quelles erreurs voyez-vous le plus souvent ?</p>"
                    "<p><b>Patrick :</b> Trois. Déposer un dossier sans avoir appelé le "
                    "financeur. Oublier de chiffrer son propre temps de travail. Et attendre la "
                    "réponse d'un financeur pour solliciter le suivant : les délais sont longs, "
                    "il faut mener plusieurs demandes de front.</p>",
                ),
                exercise(
                    "Votre plan de financement de départ",
                    "<p>Listez les financements que vous allez solliciter en premier et ce "
                    "qu'ils permettront de faire.</p>",
                    [
                        question(
                            "Quels financements allez-vous solliciter en priorité ?",
                            "multiple_choice",
                            choices=[
                                "Une aide d'une collectivité",
                                "Un prêt d'honneur",
                                "Une garantie ou un prêt solidaire",
                                "Une fondation",
                                "Des fonds européens (LEADER…)",
                                "Une collecte de financement participatif",
                            ],
                        ),
                        question(
                            "Que permettra concrètement le premier financement obtenu ?",
                        ),
                        question(
                            "Quelle est la prochaine date limite de dépôt que vous visez ?",
                            "short_text",
                        ),
                    ],
                ),
                testimony(
                    "Monter ses dossiers après le travail",
                    "Aurélie Marty",
                    "Les P'tits Pas du Ségala, crèche parentale associative",
                    "Aveyron, rural",
                    "J'ai monté tous les dossiers le soir, après ma journée de travail. Ce qui "
                    "m'a sauvée, c'est de découper : un financeur par mois, pas plus.",
                    "<p>Aide-soignante à temps plein, Aurélie voulait une crèche dans un "
                    "canton qui n'en comptait aucune. Avec d'autres parents, elle a créé une "
                    "association et dressé la liste des financeurs possibles : caisse "
                    "d'allocations familiales, communauté de communes, fondation d'une mutuelle, "
                    "programme LEADER.</p><p>Une accompagnatrice, rencontrée en visio le soir, "
                    "l'a aidée à établir un calendrier. Dix-huit mois plus tard, la crèche "
                    "accueillait ses douze premiers enfants.</p>",
                ),
            ],
        ),
        ModuleSpec(
            "mobiliser-une-equipe-et-des-benevoles",
            "Mobiliser une équipe et des bénévoles",
            "Passer d'une idée portée seul·e à un collectif : trouver des associé·es et des "
            "bénévoles, répartir les rôles et prendre soin de l'engagement dans la durée.",
            35,
            [
                sheet(
                    "Du projet solo au collectif",
                    "<p>Porter seul·e un projet, c'est risquer l'épuisement et se priver de "
                    "compétences utiles. Dans l'ESS, le collectif est aussi une question de "
                    "sens : un projet d'utilité sociale se construit avec celles et ceux qu'il "
                    "concerne.</p><h2>Trouver les bonnes personnes</h2><ul>"
                    "<li>Commencez par votre entourage et les personnes rencontrées pendant "
                    "vos entretiens : certaines voudront s'impliquer.</li>"
                    "<li>Exprimez des besoins précis : « une personne à l'aise avec les "
                    "chiffres, deux heures par mois » attire davantage que « cherche "
                    "bénévoles ».</li>"
                    "<li>Pensez au mécénat de compétences et au mentorat : des salarié·es "
                    "d'entreprise ou d'ancien·nes porteur·ses de projet peuvent vous épauler "
                    "sur un sujet précis.</li></ul><h2>Faire durer l'engagement</h2>"
                    "<p>Clarifiez les rôles dès le départ, même simplement, dans une charte "
                    "d'engagement. Accueillez chaque nouvelle personne, donnez des nouvelles du "
                    "projet et célébrez les étapes franchies : on reste engagé quand on voit à "
                    "quoi on sert.</p>",
                ),
                testimony(
                    "Des bénévoles devenus administrateurs",
                    "Moussa Diallo",
                    "Bouge ton quartier, association de sport et d'insertion",
                    "quartier prioritaire, Vaulx-en-Velin",
                    "Nos premiers bénévoles, c'étaient les grands frères des jeunes qu'on "
                    "entraînait. Aujourd'hui, deux d'entre eux siègent au conseil "
                    "d'administration.",
                    "<p>Éducateur sportif, Moussa a lancé des séances de football le samedi "
                    "pour des adolescent·es du quartier, avec l'idée de les accompagner ensuite "
                    "vers une formation ou un emploi.</p><p>Il a vite compris qu'il ne "
                    "tiendrait pas seul. Il a confié à chaque bénévole une mission claire : "
                    "l'accueil des familles, le lien avec la mission locale, la recherche de "
                    "stages. Trois ans plus tard, l'association emploie deux salarié·es et "
                    "compte une vingtaine de bénévoles réguliers.</p>",
                ),
                exercise(
                    "Les rôles de votre futur collectif",
                    "<p>Faites le point sur les forces dont votre projet a besoin et sur le "
                    "temps que vous pouvez y consacrer.</p>",
                    [
                        question(
                            "De quelles compétences votre projet a-t-il besoin, que vous n'avez "
                            "pas ?",
                        ),
                        question(
                            "Citez deux personnes à qui proposer de vous rejoindre.",
                            "short_text",
                        ),
                        question(
                            "Combien de temps pouvez-vous consacrer au projet chaque semaine ?",
                            "single_choice",
                            choices=[
                                "Moins de 3 heures",
                                "De 3 à 8 heures",
                                "De 8 à 20 heures",
                                "Plus de 20 heures",
                            ],
                        ),
                        question(
                            "À quel point vous sentez-vous seul·e dans ce projet aujourd'hui ?",
                            "scale",
                            "1 : bien entouré·e ; 5 : très seul·e.",
                        ),
                    ],
                ),
            ],
        ),
        ModuleSpec(
            "definir-ses-indicateurs-d-impact",
            "Définir ses indicateurs d'impact",
            "Passer de « ce que nous faisons » à « ce qui change grâce à nous » : formuler les "
            "changements attendus pour les personnes et le territoire, puis choisir quelques "
            "indicateurs simples pour les suivre.",
            45,
            [
                sheet(
                    "Réalisations, résultats, impact",
                    "<p>Mesurer son impact social commence bien avant le premier bilan. Dès "
                    "l'émergence, se demander quels changements on vise aide à construire le "
                    "projet, à dialoguer avec les financeurs et à garder le cap.</p>"
                    "<h2>Trois niveaux à ne pas confondre</h2><ul>"
                    "<li><b>Les réalisations</b>, ce que vous faites : « 40 ateliers de "
                    "réparation organisés ».</li>"
                    "<li><b>Les résultats</b>, ce qui change pour les personnes : « 70 % des "
                    "participant·es réparent désormais seul·es leurs petits appareils ».</li>"
                    "<li><b>L'impact</b>, les effets plus larges et plus durables auxquels vous "
                    "contribuez : moins de déchets, plus de liens entre voisin·es.</li></ul>"
                    "<h2>Peu d'indicateurs, mais utiles</h2><p>Retenez trois à cinq "
                    "indicateurs, dont au moins un qualitatif (des témoignages, l'évolution de "
                    "la confiance en soi). Pour chacun, précisez où vous trouverez "
                    "l'information et quand vous la recueillerez. Un indicateur que personne "
                    "n'a le temps de renseigner ne sert à rien.</p><p>La grille à télécharger "
                    "vous aide à relier chaque changement visé à un indicateur et à une "
                    "source.</p>",
                    document=a["grille-indicateurs"],
                ),
                video(
                    "Votre impact en trois questions",
                    a["impact"],
                    cards_transcript(
                        [
                            "Votre impact en trois questions",
                            "1. Qu'est-ce qui change ?",
                            "2. Pour qui ?",
                            "3. Comment le savoir ?",
                        ],
                        "Trois questions pour poser les bases de votre mesure d'impact : quels "
                        "changements votre projet produit, pour quelles personnes, et quelles "
                        "informations vous permettront de le vérifier.",
                    ),
                ),
                exercise(
                    "Votre chaîne de l'impact",
                    "<p>Partez des personnes : qu'est-ce qui sera différent pour elles dans "
                    "un an si votre projet réussit ?</p>",
                    [
                        question(
                            "Quels changements votre projet veut-il produire pour les personnes "
                            "concernées ?",
                            required=True,
                        ),
                        question("Et pour le territoire ?"),
                        question(
                            "Quelles dimensions de l'impact comptent le plus pour vous ?",
                            "multiple_choice",
                            choices=[
                                "L'emploi et l'insertion",
                                "Le lien social et la lutte contre l'isolement",
                                "L'environnement",
                                "L'accès à un service essentiel (santé, alimentation, mobilité…)",
                                "La confiance en soi et le pouvoir d'agir",
                                "La coopération entre acteurs du territoire",
                            ],
                        ),
                        question(
                            "Citez un indicateur que vous pourriez suivre dès le premier mois.",
                            "short_text",
                        ),
                    ],
                ),
            ],
        ),
        ModuleSpec(
            "mesurer-et-raconter-son-impact",
            "Mesurer et raconter son impact",
            "Recueillir des données sans alourdir votre quotidien, les analyser avec votre "
            "équipe et les partager de façon vivante avec vos financeurs, vos partenaires et "
            "les personnes concernées.",
            40,
            [
                podcast(
                    "Raconter son impact sans jargon",
                    a["ep-impact"],
                    "Une coordinatrice d'association et un évaluateur expliquent comment ils "
                    "mêlent chiffres et récits pour rendre compte de leur impact, sans y passer "
                    "leurs soirées.",
                    [
                        ("00:00", "Collecter au fil de l'eau"),
                        ("00:02", "Faire parler les chiffres"),
                        ("00:04", "Des récits qui touchent"),
                    ],
                    "<p><b>Animateur :</b> Mesurer son impact, beaucoup de porteurs de projet "
                    "redoutent l'exercice. Fatou, vous coordonnez une association d'aide aux "
                    "devoirs : comment vous y êtes-vous prise ?</p><p><b>Fatou :</b> Au début, "
                    "je comptais tout : les séances, les enfants, les heures. Mais ça ne disait "
                    "rien de ce qui changeait. Nous avons ajouté deux questions très simples, "
                    "posées aux parents en septembre puis en juin : votre enfant fait-il ses "
                    "devoirs seul ? Échangez-vous avec ses enseignant·es ?</p><p><b>Yann :</b> "
                    "C'est la bonne démarche : collecter au fil de l'eau, avec des outils qui "
                    "font partie de l'activité, et comparer un avant et un après.</p>"
                    "<p><b>Animateur :</b> Comment faire parler ces chiffres ?</p>"
                    "<p><b>Yann :</b> En les rapportant à un point de départ. « 60 % des "
                    "parents échangent désormais avec l'école » prend tout son sens quand on "
                    "sait qu'ils étaient 25 % en septembre. Et il faut accepter de montrer ce "
                    "qui ne marche pas : les financeurs y sont plus sensibles qu'on ne le "
                    "croit.</p><p><b>Fatou :</b> Pour les récits, nous demandons chaque année "
                    "à une famille si elle accepte de raconter son parcours. Un témoignage bien "
                    "choisi, à côté de trois chiffres, touche bien plus qu'un long "
                    "tableau.</p>",
                ),
                sheet(
                    "Recueillir, analyser, partager",
                    "<h2>Recueillir sans alourdir</h2><ul>"
                    "<li>Intégrez la collecte à vos activités : une feuille d'émargement, "
                    "trois questions en fin d'atelier, un tableau rempli chaque vendredi.</li>"
                    "<li>Interrogez les personnes au début puis quelques mois plus tard : "
                    "c'est la comparaison qui montre le changement.</li>"
                    "<li>Gardez la trace des histoires marquantes, avec l'accord des personnes "
                    "concernées.</li></ul><h2>Analyser ensemble</h2><p>Chaque trimestre, "
                    "prenez une heure avec l'équipe et quelques bénévoles pour regarder les "
                    "chiffres. Qu'est-ce qui nous surprend ? Que faut-il changer ?</p>"
                    "<h2>Raconter</h2><p>Un bon bilan d'impact tient en deux pages : le besoin "
                    "de départ, ce que vous avez fait, trois chiffres clés, un témoignage et ce "
                    "que vous avez appris, y compris ce qui n'a pas marché. Adaptez le format à "
                    "votre public : une infographie pour les réseaux sociaux, un tableau pour "
                    "le financeur, une soirée de restitution pour les habitant·es.</p>",
                ),
                exercise(
                    "Préparer votre premier bilan",
                    "<p>Ces réponses vous aideront à organiser votre premier bilan d'impact, "
                    "même modeste.</p>",
                    [
                        question(
                            "À quelle fréquence pourriez-vous faire le point sur vos indicateurs ?",
                            "single_choice",
                            choices=[
                                "Chaque mois",
                                "Chaque trimestre",
                                "Deux fois par an",
                                "Une fois par an",
                            ],
                        ),
                        question(
                            "À qui voulez-vous rendre compte de votre impact ?",
                            "multiple_choice",
                            choices=[
                                "Aux financeurs",
                                "Aux personnes accompagnées",
                                "Aux bénévoles et à l'équipe",
                                "Aux élu·es du territoire",
                                "Au grand public",
                            ],
                        ),
                        question(
                            "Racontez en quelques lignes un changement que vous avez observé "
                            "chez une personne.",
                        ),
                        question(
                            "Vous sentez-vous à l'aise pour présenter des chiffres à un "
                            "financeur ?",
                            "scale",
                        ),
                    ],
                ),
                testimony(
                    "Un bilan qui a changé le regard des élus",
                    "Hélène Faure",
                    "Les Jardins de la Sève, chantier d'insertion en maraîchage biologique",
                    "Drôme, rural",
                    "Pendant des années, nous avons envoyé des tableaux que personne ne lisait. "
                    "Le jour où trois salariés en insertion sont venus raconter leur parcours "
                    "au conseil communautaire, tout a changé.",
                    "<p>Hélène dirige un chantier d'insertion qui emploie une quinzaine de "
                    "personnes pour cultiver des légumes vendus en paniers. Chaque année, elle "
                    "rendait un bilan chiffré aux financeurs, sans grand écho.</p><p>Avec son "
                    "équipe, elle a choisi quatre indicateurs, dont la part de salarié·es en "
                    "emploi ou en formation six mois après leur départ, et ajouté des "
                    "portraits. La communauté de communes a depuis signé une convention de "
                    "trois ans avec le chantier.</p>",
                ),
            ],
        ),
        ModuleSpec(
            "avancer-en-gardant-son-emploi",
            "Avancer sur son projet en gardant son emploi",
            "Organiser son temps quand on porte un projet le soir et le week-end : fixer un "
            "rythme réaliste, découper les tâches, s'appuyer sur d'autres et savoir quand "
            "demander de l'aide.",
            30,
            [
                sheet(
                    "Un rythme tenable",
                    "<p>Beaucoup de projets de l'ESS sont portés par des personnes qui "
                    "travaillent à côté. C'est une force : vous gardez un revenu, un réseau et "
                    "le temps de mûrir votre projet. C'est aussi un défi, car les soirées "
                    "passent vite.</p><h2>Quelques repères</h2><ul>"
                    "<li><b>Un rendez-vous hebdomadaire avec votre projet</b> : deux heures le "
                    "mardi soir valent mieux qu'un week-end entier une fois par "
                    "trimestre.</li>"
                    "<li><b>Des séances qui aboutissent</b> : terminez chacune par une tâche "
                    "accomplie, même petite (un appel, un paragraphe, un tableau).</li>"
                    "<li><b>Les temps morts</b> : les podcasts de Balise s'écoutent dans les "
                    "transports, et leurs transcriptions se lisent sur téléphone.</li>"
                    "<li><b>Votre employeur</b> : le Code du travail prévoit un congé ou un "
                    "temps partiel pour créer une entreprise, et certaines entreprises "
                    "soutiennent l'engagement de leurs salarié·es.</li></ul>"
                    "<p>Si vous ne pouvez rencontrer un·e accompagnateur·rice qu'en soirée, "
                    "dites-le : les rendez-vous par téléphone ou en visio s'adaptent à vos "
                    "horaires.</p>",
                ),
                exercise(
                    "Votre agenda de porteur·se de projet",
                    "<p>Repérez les moments où votre projet peut avancer, et réservez-en un.</p>",
                    [
                        question(
                            "Quand pouvez-vous avancer sur votre projet ?",
                            "multiple_choice",
                            choices=[
                                "En semaine, le soir",
                                "Le week-end",
                                "Pendant la pause de midi",
                                "Pendant mes trajets",
                                "Sur des jours de congé",
                            ],
                        ),
                        question(
                            "Quel créneau réservez-vous à votre projet chaque semaine ?",
                            "short_text",
                            "Exemple : « le mardi de 20 h à 22 h ».",
                        ),
                        question(
                            "Comment préférez-vous échanger avec un·e accompagnateur·rice ?",
                            "single_choice",
                            choices=[
                                "Par téléphone",
                                "En visio",
                                "En présentiel, près de chez moi",
                                "Peu importe",
                            ],
                        ),
                    ],
                ),
                podcast(
                    "Porter un projet le soir et le week-end",
                    a["ep-soir"],
                    "Deux porteuses de projet salariées racontent comment elles ont organisé "
                    "leur temps, ce qu'elles ont délégué et quand elles ont demandé de l'aide.",
                    [
                        ("00:00", "Trouver son rythme"),
                        ("00:02", "Ce qu'on peut déléguer"),
                        ("00:04", "Demander de l'aide à temps"),
                    ],
                    "<p><b>Animatrice :</b> Laure est infirmière et prépare une association de "
                    "répit pour les aidant·es familiaux ; Sandrine est comptable et monte un "
                    "tiers-lieu dans son village. Toutes deux avancent sur leur projet en "
                    "dehors de leur travail. Laure, comment avez-vous trouvé votre rythme ?</p>"
                    "<p><b>Laure :</b> Avec mes horaires décalés, impossible d'avoir un "
                    "créneau fixe. Alors chaque dimanche soir, je place deux moments dans la "
                    "semaine, même courts, et je m'y tiens comme à un rendez-vous.</p>"
                    "<p><b>Sandrine :</b> Moi, j'ai appris à déléguer. Le site internet, c'est "
                    "un voisin étudiant ; les relations avec la mairie, une bénévole retraitée "
                    "qui connaît tout le monde. Je garde ce que je suis seule à pouvoir "
                    "faire.</p><p><b>Animatrice :</b> Et quand faut-il demander de l'aide ?</p>"
                    "<p><b>Laure :</b> Plus tôt que je ne l'ai fait ! J'ai attendu d'être "
                    "épuisée pour appeler une accompagnatrice. Un rendez-vous téléphonique, un "
                    "soir, m'a fait gagner des semaines.</p><p><b>Sandrine :</b> Et ne pas "
                    "culpabiliser les semaines où rien n'avance. Un projet porté à côté d'un "
                    "emploi prend plus de temps, mais il est souvent plus mûr au moment du "
                    "lancement.</p>",
                ),
            ],
        ),
    ]


# --- Pathways ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathwaySpec:
    slug: str
    title: str
    intro: str
    theme: str
    audiences: list
    estimated_hours: int
    outline: list  # module slugs and progression points, in order


POINT_FIRST_MEETING = progression_point(
    "Premier échange avec un·e accompagnateur·rice",
    "automatic",
    "<p><b>Bravo, votre projet prend forme !</b> Vous avez décrit le besoin et repéré les "
    "acteurs de votre territoire. Un·e accompagnateur·rice va vous proposer un premier "
    "échange d'environ 45 minutes, au téléphone, en visio ou près de chez vous.</p>"
    "<p>En attendant, vous pouvez continuer le parcours.</p>",
    "Premier rendez-vous. Relire les exercices « Décrire le besoin que vous avez repéré » et "
    "« Dessiner la carte de vos acteurs ». Objectifs : vérifier que le besoin part des "
    "personnes concernées, repérer deux ou trois acteurs du territoire à rencontrer, convenir "
    "d'une prochaine étape concrète. Proposer un créneau compatible avec les disponibilités de "
    "la personne (soirée possible).",
    "any",
)

POINT_PROJECT_REVIEW = progression_point(
    "Revue de projet avant la recherche de financements",
    "gate",
    "<p>Vous avez testé votre idée, réfléchi à votre statut et esquissé votre modèle "
    "économique : c'est le moment d'une <b>revue de projet</b> avec un·e "
    "accompagnateur·rice.</p><p>Les modules suivants s'ouvriront après ce rendez-vous, qui "
    "permet de vérifier ensemble que votre projet est prêt à être présenté à des "
    "financeurs.</p>",
    "Revue de projet : la suite du parcours s'ouvre quand vous la validez. Relire les "
    "exercices « Préparer votre test », « Quel statut pour votre projet ? » et « Esquisser "
    "votre modèle économique ». Vérifier la cohérence entre besoin, réponse et ressources, "
    "repérer les points faibles avant les demandes de financement, orienter si besoin vers "
    "un·e juriste ou un financeur solidaire. Présentiel recommandé ; proposer la visio si la "
    "distance est un frein.",
    "in_person",
    questions=[
        ("Où en est votre test ?", "single_choice", ["Pas encore commencé", "En cours", "Terminé"]),
        ("Qu'attendez-vous de ce rendez-vous ?", "long_text", []),
    ],
)

POINT_INDICATORS_REVIEW = progression_point(
    "Relire ses indicateurs avec un·e accompagnateur·rice",
    "offered",
    "<p>Vous avez défini les changements que vous visez et vos premiers indicateurs. "
    "Souhaitez-vous les relire avec un·e accompagnateur·rice ? Une demi-heure en visio ou au "
    "téléphone suffit souvent pour les rendre plus simples et plus parlants.</p>"
    "<p>C'est facultatif : vous pouvez aussi poursuivre le parcours seul·e.</p>",
    "Rendez-vous demandé par la personne. Relire l'exercice « Votre chaîne de l'impact ». "
    "Aider à distinguer réalisations, résultats et impact, à réduire la liste à trois à cinq "
    "indicateurs réalistes dont un qualitatif, et à préciser pour chacun la source et le moment "
    "de la collecte. Un échange à distance de 30 minutes suffit.",
    "remote",
)

PATHWAYS = [
    PathwaySpec(
        "faire-emerger-son-projet-ess",
        "Faire émerger son projet ESS",
        "<p>Vous avez une idée pour répondre à un besoin de votre territoire, mais pas "
        "d'incubateur près de chez vous ? Ce parcours vous accompagne de l'intuition au premier "
        "test, puis vers votre statut, votre modèle économique et vos premiers financements.</p>"
        "<p>À deux moments clés, un·e accompagnateur·rice prend le relais, à distance ou près de "
        "chez vous.</p>",
        "emergence",
        ["rural", "employed", "qpv"],
        6,
        [
            "clarifier-le-besoin-social",
            "connaitre-son-territoire",
            POINT_FIRST_MEETING,
            "tester-son-projet",
            "choisir-sa-forme-juridique",
            "construire-son-modele-economique-hybride",
            POINT_PROJECT_REVIEW,
            "trouver-ses-premiers-financements",
            "mobiliser-une-equipe-et-des-benevoles",
        ],
    ),
    PathwaySpec(
        "mesurer-et-piloter-son-impact-social",
        "Mesurer et piloter son impact social",
        "<p>Que votre projet soit en construction ou déjà en activité, ce parcours vous aide à "
        "préciser les changements que vous visez, à choisir quelques indicateurs utiles et à "
        "rendre compte de votre impact auprès de vos financeurs et des personnes "
        "concernées.</p>",
        "impact",
        [],
        3,
        [
            "clarifier-le-besoin-social",
            "definir-ses-indicateurs-d-impact",
            POINT_INDICATORS_REVIEW,
            "mesurer-et-raconter-son-impact",
        ],
    ),
    PathwaySpec(
        "avancer-le-soir-a-son-rythme",
        "Avancer le soir, à son rythme",
        "<p>Vous travaillez la journée et votre projet avance le soir ou le week-end ? Ce "
        "parcours court, pensé pour le téléphone, vous aide à trouver un rythme tenable, à "
        "clarifier votre idée et à la tester sans y laisser toutes vos soirées.</p>",
        "emergence",
        ["employed"],
        2,
        [
            "avancer-en-gardant-son-emploi",
            "clarifier-le-besoin-social",
            "tester-son-projet",
        ],
    ),
]

INDEX_INTRO = (
    "<p>Des parcours en ligne pour avancer sur votre projet de l'économie sociale et solidaire, "
    "à votre rythme, avec un·e accompagnateur·rice aux moments clés.</p>"
)
LIBRARY_INTRO = (
    "<p>Les modules sont écrits une seule fois ici, puis assemblés dans les parcours. Un "
    "module terminé compte dans tous les parcours qui l'utilisent.</p>"
)


# --- Pages ---------------------------------------------------------------------------------


def _publish(page: Page) -> None:
    """Publish a page that has no live revision yet (never twice)."""
    if page.live_revision_id is None:
        page.save_revision().publish()


def _child(parent: Page, model, slug: str, **fields):
    """The child page of ``parent`` with this slug, created and published if missing."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    created = page is None
    if created:
        page = model(slug=slug, live=False, **fr(fields))
        parent.add_child(instance=page)
    _publish(page)
    return page, created


@dataclass(frozen=True)
class ContentSummary:
    pathways: int
    modules: int
    points: int
    audio: int
    videos: int
    documents: int
    created: int  # pages, media and documents created by this run
    workflow: str

    def __str__(self):
        return (
            f"{self.pathways} pathways, {self.modules} modules, {self.points} progression "
            f"points, {self.audio} audio and {self.videos} video media, {self.documents} "
            f"documents, workflow '{self.workflow}' ({self.created} objects created this run)"
        )


@transaction.atomic
def seed_content() -> ContentSummary:
    """Create the demo pathways, modules, media, documents and the moderation workflow."""
    created = 0
    assets = {}
    for specs, make in ((AUDIOS, _audio), (VIDEOS, _video), (DOCUMENTS, _document)):
        for spec in specs:
            assets[spec.key], new = make(spec)
            created += new

    home = HomePage.objects.get()
    index = PathwayIndexPage.objects.first()
    if index is None:
        index, new = _child(home, PathwayIndexPage, "parcours", title="Parcours", intro=INDEX_INTRO)
        created += new
    else:
        _publish(index)
    library = (
        ModuleLibraryPage.objects.child_of(home).filter(slug="modules").first()
        or ModuleLibraryPage.objects.first()
    )
    if library is None:
        library, new = _child(
            home,
            ModuleLibraryPage,
            "modules",
            title="Bibliothèque de modules",
            intro=LIBRARY_INTRO,
        )
        created += new
    else:
        _publish(library)

    modules = {}
    for spec in module_specs(assets):
        modules[spec.slug], new = _child(
            library,
            ModulePage,
            spec.slug,
            title=spec.title,
            summary=spec.summary,
            duration_minutes=spec.duration_minutes,
            steps=spec.steps,
        )
        created += new

    points = 0
    for spec in PATHWAYS:
        outline = [
            ("module", modules[entry]) if isinstance(entry, str) else entry
            for entry in spec.outline
        ]
        points += sum(1 for entry in outline if entry[0] == "progression_point")
        _, new = _child(
            index,
            PathwayPage,
            spec.slug,
            title=spec.title,
            intro=spec.intro,
            theme=spec.theme,
            audiences=spec.audiences,
            estimated_hours=spec.estimated_hours,
            outline=outline,
        )
        created += new

    workflow = ensure_content_workflow()
    return ContentSummary(
        pathways=len(PATHWAYS),
        modules=len(modules),
        points=points,
        audio=len(AUDIOS),
        videos=len(VIDEOS),
        documents=len(DOCUMENTS),
        created=created,
        workflow=workflow.name,
    )


# --- Moderation workflow -------------------------------------------------------------


def ensure_content_workflow() -> Workflow:
    """Editors submit, managers approve: the workflow on the root page has one task, a
    group approval by the Manager group. Idempotent.

    Wagtail's default workflow ("Moderators approval", on the root page) is reused and
    renamed; its Moderators task is detached from it but left in place.
    """
    managers, _ = Group.objects.get_or_create(name=Role.MANAGER.value)
    task = GroupApprovalTask.objects.filter(name=WORKFLOW_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=WORKFLOW_TASK_NAME)
    if list(task.groups.all()) != [managers]:
        task.groups.set([managers])

    root = Page.get_first_root_node()
    link = WorkflowPage.objects.filter(page=root).select_related("workflow").first()
    if link is not None:
        workflow = link.workflow
    else:
        workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
        if workflow is None:
            workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        WorkflowPage.objects.create(page=root, workflow=workflow)
    changed = []
    if workflow.name == WAGTAIL_DEFAULT_WORKFLOW_NAME:
        workflow.name = WORKFLOW_NAME
        changed.append("name")
    if not workflow.active:
        workflow.active = True
        changed.append("active")
    if changed:
        workflow.save(update_fields=changed)

    task_ids = list(workflow.workflow_tasks.order_by("sort_order").values_list("task", flat=True))
    if task_ids != [task.pk]:
        WorkflowTask.objects.filter(workflow=workflow).delete()
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow
