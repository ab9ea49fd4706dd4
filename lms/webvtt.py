"""Captions files: WebVTT, known by its signature.

Kept apart from ``lms.uploads`` (which imports Wagtail's forms) so that step blocks can
check a chosen captions file without loading the admin's forms.
"""

from pathlib import PurePath

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_SIZE = 8192

NOT_WEBVTT = gettext_lazy(
    "Ce fichier n’est pas un fichier de sous-titres WebVTT : un fichier .vtt commence par "
    "la ligne « WEBVTT ». Exportez les sous-titres au format WebVTT (.vtt) depuis votre "
    "logiciel de sous-titrage."
)


def is_webvtt(head: bytes) -> bool:
    """WebVTT's signature: « WEBVTT » first (after an optional BOM), then a space, a tab,
    a line break or the end of the file."""
    body = head.removeprefix(b"\xef\xbb\xbf")
    return body.startswith(b"WEBVTT") and body[6:7] in {b"", b" ", b"\t", b"\n", b"\r"}


def captions_problem(document) -> str:
    """Why a chosen document cannot be a video's captions ("" when it can): a WebVTT file,
    by its extension and its first bytes. Documents uploaded before the upload check, or
    renamed since, are read again here."""
    extension = PurePath(document.file.name or "").suffix.lower().lstrip(".")
    if extension != "vtt":
        return str(NOT_WEBVTT)
    try:
        with document.file.open("rb") as handle:
            head = handle.read(HEAD_SIZE)
    except (OSError, ValueError):
        return _("Le fichier de sous-titres est introuvable : choisissez-le à nouveau.")
    return "" if is_webvtt(head) and b"\x00" not in head else str(NOT_WEBVTT)
