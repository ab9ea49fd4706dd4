"""Uploaded files are checked by what they contain, not by what they are called.

``validate_upload(file, kind)`` refuses a file larger than the cap of its kind
(``settings.BALISE_MAX_UPLOAD_MB``), a file whose first bytes match no format of the
kind's allow-list, a file whose extension says another format than its content, and
always SVG and HTML (they can carry scripts that run on our origin). Plain text has no
signature: it is accepted when it has no NUL or control bytes and does not start like
markup.

The Wagtail forms below plug the check into every upload path of the admin (single and
multiple upload, choosers): ``WAGTAILDOCS_DOCUMENT_FORM_BASE``,
``WAGTAILIMAGES_IMAGE_FORM_BASE`` and ``WAGTAILMEDIA["MEDIA_FORM_BASE"]`` name them. A
refused file is refused for one reason, the true one; and a document whose title is only
its file name gets a readable one (``title_from_file_name``).
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm
from wagtailmedia.forms import BaseMediaForm

from .webvtt import NOT_WEBVTT, is_webvtt

HEAD_SIZE = 8192


@dataclass(frozen=True)
class Format:
    label: str
    extensions: frozenset[str]


PDF = Format("PDF", frozenset({"pdf"}))
ODT = Format("ODT", frozenset({"odt"}))
ODS = Format("ODS", frozenset({"ods"}))
DOCX = Format("DOCX", frozenset({"docx"}))
XLSX = Format("XLSX", frozenset({"xlsx"}))
VTT = Format("WebVTT", frozenset({"vtt"}))
TEXT = Format("TXT/CSV", frozenset({"txt", "csv"}))
JPEG = Format("JPEG", frozenset({"jpg", "jpeg"}))
PNG = Format("PNG", frozenset({"png"}))
WEBP = Format("WEBP", frozenset({"webp"}))
MP3 = Format("MP3", frozenset({"mp3"}))
WAV = Format("WAV", frozenset({"wav"}))
OGG = Format("OGG", frozenset({"ogg"}))
M4A = Format("M4A", frozenset({"m4a"}))
MP4 = Format("MP4", frozenset({"mp4"}))
WEBM = Format("WEBM", frozenset({"webm"}))

ALLOWED = {
    # WebVTT before plain text: a captions file is text with a signature.
    "document": (PDF, ODT, ODS, DOCX, XLSX, VTT, TEXT),
    "image": (JPEG, PNG, WEBP),
    "audio": (MP3, WAV, OGG, M4A),
    "video": (MP4, WEBM),
}
# The size cap of each kind, as a key of settings.BALISE_MAX_UPLOAD_MB.
CAP = {"document": "document", "image": "image", "audio": "media", "video": "media"}

# ISO base media (MP4 family) brands, read at bytes 8-12 of the "ftyp" box.
AUDIO_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"isom", b"mp41", b"dash"}
VIDEO_BRANDS = {
    b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash",
    b"mmp4",
}  # fmt: skip
MARKUP = re.compile(rb"<\s*(!doctype|html|svg|script|iframe|body|head|\?xml)", re.IGNORECASE)
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


def _zip_format(file) -> Format | None:
    """ODT/ODS by their ``mimetype`` entry, DOCX/XLSX by their main part."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").strip()
                return {
                    b"application/vnd.oasis.opendocument.text": ODT,
                    b"application/vnd.oasis.opendocument.spreadsheet": ODS,
                }.get(mimetype)
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        file.seek(0)
    return None


def _is_text(head: bytes) -> bool:
    if not head or CONTROL_BYTES.search(head):
        return False
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return not body.startswith(b"<")


def looks_like_markup(head: bytes) -> bool:
    """SVG, HTML or XML, which browsers may render as a page."""
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return body[:1] == b"<" and MARKUP.search(head) is not None


def sniff(file, kind: str) -> Format | None:
    """The allowed format of ``kind`` that the file's content matches, if any."""
    file.seek(0)
    head = file.read(HEAD_SIZE)
    file.seek(0)
    brand = head[8:12] if head[4:8] == b"ftyp" else None
    candidates = {
        PDF: head.startswith(b"%PDF-"),
        JPEG: head.startswith(b"\xff\xd8\xff"),
        PNG: head.startswith(b"\x89PNG\r\n\x1a\n"),
        WEBP: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
        MP3: head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >= 0xE0),
        WAV: head[:4] == b"RIFF" and head[8:12] == b"WAVE",
        OGG: head.startswith(b"OggS"),
        M4A: brand in AUDIO_BRANDS,
        MP4: brand in VIDEO_BRANDS,
        WEBM: head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64],
        VTT: is_webvtt(head) and _is_text(head),
    }
    for candidate in ALLOWED[kind]:
        if candidate in (ODT, ODS, DOCX, XLSX):
            continue
        if candidate is TEXT:
            if _is_text(head):
                return TEXT
        elif candidates[candidate]:
            return candidate
    if kind == "document" and head.startswith(b"PK\x03\x04"):
        return _zip_format(file)
    return None


def validate_upload(file, kind: str) -> Format:
    """Raise a French ``ValidationError`` unless ``file`` is an allowed ``kind`` of file."""
    cap = settings.BALISE_MAX_UPLOAD_MB[CAP[kind]] * 1024 * 1024
    if file.size > cap:
        # Written as Wagtail writes its own limits (Django's filesizeformat), in one unit.
        raise ValidationError(
            _("Ce fichier pèse %(size)s : la limite est de %(cap)s.")
            % {"size": filesizeformat(file.size), "cap": filesizeformat(cap)},
            code="file_too_large",
        )
    file.seek(0)
    head = file.read(HEAD_SIZE)
    file.seek(0)
    extension = PurePath(file.name or "").suffix.lower().lstrip(".")
    if extension in {"svg", "svgz", "html", "htm", "xhtml"} or looks_like_markup(head):
        raise ValidationError(
            _("Les fichiers SVG et HTML sont refusés : ils peuvent contenir du code."),
            code="markup_refused",
        )
    found = sniff(file, kind)
    if extension == "vtt" and found is not VTT:
        raise ValidationError(NOT_WEBVTT, code="not_webvtt")
    if found is None:
        accepted = ", ".join(f.label for f in ALLOWED[kind])
        raise ValidationError(
            _("Le contenu de ce fichier n’est pas d’un format accepté ici (%(accepted)s).")
            % {"accepted": accepted},
            code="type_refused",
        )
    if extension not in found.extensions:
        raise ValidationError(
            _("Ce fichier contient du %(format)s mais son nom se termine par « .%(ext)s ».")
            % {"format": found.label, "ext": extension},
            code="extension_mismatch",
        )
    return found


# Lone letters that French elides before a vowel: « d impact » was « d’impact ».
ELISION = re.compile(r"(?i)\b(qu|[cdjlmns]) (?=[aeiouyhàâäéèêëîïôöûüœ])")


def title_from_file_name(name: str) -> str:
    """A readable title for a file named ``name``: « Fiche formuler son besoin » for
    « fiche-formuler_son-besoin.pdf ». Separators become spaces, elisions come back,
    the first letter is a capital and the rest is left as written (acronyms stay)."""
    stem = unicodedata.normalize("NFC", PurePath(name).stem)
    words = " ".join(re.sub(r"[-_.+]+", " ", stem).split())
    words = ELISION.sub(lambda match: match.group(1) + "’", words)
    return words[:1].upper() + words[1:]


def _check(value, kind: str):
    """Check a newly uploaded file; an unchanged or cleared one passes through."""
    if isinstance(value, UploadedFile):
        validate_upload(value, kind)
    return value


class OneReasonPerRefusal:
    """A refused file leaves the model without a file, and the model's own extension check
    (Wagtail's documents, wagtailmedia) then adds « L'extension de fichier «  » n'est pas
    autorisée » to every refusal: the form's reason is the true one, keep it alone."""

    file_fields = ("file",)

    def _update_errors(self, errors):
        refused = {name for name in self.file_fields if self.has_error(name)}
        if refused and hasattr(errors, "error_dict"):
            kept = {}
            for field, field_errors in errors.error_dict.items():
                if field in refused:
                    continue
                if field == NON_FIELD_ERRORS:
                    field_errors = [e for e in field_errors if e.code != "invalid_extension"]
                if field_errors:
                    kept[field] = field_errors
            if not kept:
                return
            errors = ValidationError(kept)
        super()._update_errors(errors)


class DocumentForm(OneReasonPerRefusal, BaseDocumentForm):
    def clean_file(self):
        return _check(self.cleaned_data.get("file"), "document")

    def clean(self):
        """Wagtail's upload views fill the title with the file's name (without its
        extension in the browser, with it otherwise): learners read the title on the
        step's download button, so such a title becomes a readable one."""
        cleaned_data = super().clean()
        upload, title = cleaned_data.get("file"), cleaned_data.get("title")
        if isinstance(upload, UploadedFile) and title:
            name = PurePath(upload.name or "").name
            if title.strip() in {name, PurePath(name).stem}:
                cleaned_data["title"] = title_from_file_name(name) or title
        return cleaned_data


class ImageForm(OneReasonPerRefusal, BaseImageForm):
    def clean_file(self):
        return _check(self.cleaned_data.get("file"), "image")


class MediaForm(OneReasonPerRefusal, BaseMediaForm):
    file_fields = ("file", "thumbnail")

    def clean_file(self):
        kind = "audio" if self.instance.type == "audio" else "video"
        return _check(self.cleaned_data.get("file"), kind)

    def clean_thumbnail(self):
        return _check(self.cleaned_data.get("thumbnail"), "image")
