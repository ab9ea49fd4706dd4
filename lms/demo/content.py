"""Demo content of Balise: pathways, modules, media, documents and the moderation workflow.

``seed_content()`` builds, under the home page, a pathway index and a module
library, ten modules that use every kind of step, three pathways that share
modules, and three progression points (one per trigger). Audio is generated
here (short WAV chimes), videos are tiny MP4 files shipped in ``assets/`` (see
``make_videos.sh`` there), PDF worksheets are rendered with WeasyPrint. The copy (module
steps, pathways, points, worksheets) is read from the data files of ``data/``.

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

import yaml
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtailmedia.models import get_media_model

from pathways.glossary import GlossaryTerm
from pathways.models import (
    HomePage,
    ModuleLibraryPage,
    ModulePage,
    PathwayIndexPage,
    PathwayPage,
)
from pathways.workflow import ensure_content_workflow

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
DATA_DIR = Path(__file__).resolve().parent / "data"

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
    filename: str  # in assets/
    duration: float
    width: int = 320
    height: int = 180


@dataclass(frozen=True)
class CaptionsSpec:
    key: str
    title: str
    filename: str
    cues: list  # [start, end, text], seconds


@dataclass(frozen=True)
class DocumentSpec:
    key: str
    title: str
    filename: str
    body: str


def _media_specs() -> tuple[list, list, list, list]:
    data = _load("media.yaml")
    return (
        [AudioSpec(**{**item, "notes": tuple(item["notes"])}) for item in data["audio"]],
        [VideoSpec(**item) for item in data["videos"]],
        [CaptionsSpec(**item) for item in data["captions"]],
        [DocumentSpec(**item) for item in data["documents"]],
    )


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


def webvtt(cues: list) -> bytes:
    """A WebVTT file of ``cues`` ([start, end, text], in seconds)."""

    def moment(seconds: float) -> str:
        return f"{int(seconds) // 60:02d}:{seconds % 60:06.3f}"

    blocks = [f"{moment(start)} --> {moment(end)}\n{text}" for start, end, text in cues]
    return ("WEBVTT\n\n" + "\n\n".join(blocks) + "\n").encode()


def _document(spec: DocumentSpec | CaptionsSpec):
    Document = get_document_model()
    title = fr(spec.title)
    document = Document.objects.filter(title=title).first()
    if document is not None:
        return document, False
    content = webvtt(spec.cues) if isinstance(spec, CaptionsSpec) else pdf(title, spec.body)
    document = Document(
        title=title,
        file=ContentFile(content, name=spec.filename),
        file_size=len(content),
        file_hash=hashlib.sha1(content, usedforsecurity=False).hexdigest(),
    )
    document.save()
    return document, True


# --- Data files ------------------------------------------------------------------------
#
# The copy lives in lms/demo/data/: media.yaml (audio chimes, videos, PDF worksheets),
# modules/*.yaml (one module each, its steps in order, as Wagtail's blocks take them) and
# pathways.yaml (intros, and each outline: module slugs and progression points). Steps
# name their document, audio or video by its key in media.yaml.

ASSET_FIELDS = ("document", "audio", "video", "captions")


class DemoDataError(Exception):
    """A data file is missing or malformed (the message names it)."""


def _load(name: str):
    path = DATA_DIR / name
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DemoDataError(f"{path.relative_to(DATA_DIR.parent)}: {error}") from error


@dataclass(frozen=True)
class ModuleSpec:
    slug: str
    title: str
    summary: str
    duration_minutes: int
    steps: list


def _step(item: dict, assets: dict, where: str) -> tuple:
    value = dict(item)
    kind = value.pop("type", None)
    if not kind:
        raise DemoDataError(f"{where}: a step without a type")
    for name in ASSET_FIELDS:
        key = value.get(name)
        if isinstance(key, str):
            if key not in assets:
                raise DemoDataError(f"{where}: unknown {name} « {key} » (see media.yaml)")
            value[name] = assets[key]
    return kind, value


def module_specs(assets: dict) -> list[ModuleSpec]:
    """The modules of the data files, in file order; ``assets`` maps the keys of
    media.yaml to Media and Document objects."""
    specs = []
    for path in sorted((DATA_DIR / "modules").glob("*.yaml")):
        where = f"modules/{path.name}"
        data = _load(where)
        try:
            steps = [_step(item, assets, where) for item in data["steps"]]
            specs.append(
                ModuleSpec(
                    data["slug"], data["title"], data["summary"], data["duration_minutes"], steps
                )
            )
        except (KeyError, TypeError) as error:
            raise DemoDataError(f"{where}: missing or malformed {error}") from error
    return specs


@dataclass(frozen=True)
class PathwaySpec:
    slug: str
    title: str
    intro: str
    theme: str
    audiences: list
    estimated_hours: int
    outline: list  # module slugs and progression points ("progression_point", value), in order


def pathway_specs() -> tuple[list[PathwaySpec], str, str]:
    """The pathways, and the intros of the pathway index and of the module library."""
    data = _load("pathways.yaml")
    specs = []
    for item in data["pathways"]:
        outline = [
            entry["module"] if "module" in entry else ("progression_point", entry["point"])
            for entry in item.pop("outline")
        ]
        specs.append(PathwaySpec(**item, outline=outline))
    return specs, data["index_intro"], data["library_intro"]


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


def seed_glossary() -> int:
    """The glossary's terms of glossary.yaml that are not there yet (by anchor): an
    editor's changes to a term are kept. Returns how many were created."""
    created = 0
    for item in _load("glossary.yaml")["terms"]:
        _, new = GlossaryTerm.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "term": item["term"],
                "expansion": fr(item.get("expansion", "")),
                "definition": fr(item["definition"]),
                "term_en": item.get("term_en", ""),
                "definition_en": item.get("definition_en", ""),
            },
        )
        created += new
    return created


@transaction.atomic
def seed_content() -> ContentSummary:
    """Create the demo pathways, modules, media, documents and the moderation workflow."""
    created = 0
    assets = {}
    audios, videos, captions, documents = _media_specs()
    pathways, index_intro, library_intro = pathway_specs()
    for specs, make in (
        (audios, _audio),
        (videos, _video),
        (captions, _document),
        (documents, _document),
    ):
        for spec in specs:
            assets[spec.key], new = make(spec)
            created += new
    created += seed_glossary()

    home = HomePage.objects.get()
    index = PathwayIndexPage.objects.first()
    if index is None:
        index, new = _child(home, PathwayIndexPage, "parcours", title="Parcours", intro=index_intro)
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
            intro=library_intro,
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
    for spec in pathways:
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

    workflow = ensure_content_workflow()  # also made by a migration; kept in step
    return ContentSummary(
        pathways=len(pathways),
        modules=len(modules),
        points=points,
        audio=len(audios),
        videos=len(videos),
        documents=len(documents),
        created=created,
        workflow=workflow.name,
    )
