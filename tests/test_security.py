"""Security: the Content-Security-Policy, rate limits, and uploads checked by content."""

import base64
import hashlib
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtailmedia.models import get_media_model

from lms.accounts.roles import Role
from lms.coaching import actions as coaching_actions
from lms.coaching.models import CoachingRequest, CoachingSession
from lms.uploads import validate_upload
from tests.factories.accounts import UserFactory, coach, learner
from tests.factories.pathways import build_pathway
from tests.settings_probe import settings_snapshot
from tests.test_settings import PRODUCTION

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


# --- Content-Security-Policy -------------------------------------------------------------------


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.fixture(scope="module")
def production_policy():
    """The policy production computes (the test process may run with DEBUG=1 from .env)."""
    return settings_snapshot(**PRODUCTION)["CONTENT_SECURITY_POLICY"]


@pytest.fixture
def served_in_production(settings, production_policy):
    settings.CONTENT_SECURITY_POLICY = production_policy


@pytest.mark.usefixtures("served_in_production")
def test_pages_get_the_strict_policy(client):
    for url in ("/", reverse("account_login"), reverse("healthz")):
        policy = directives(client.get(url)["Content-Security-Policy"])
        assert policy == {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'", settings.CSP_500_STYLE_HASH],
            "img-src": ["'self'", "data:"],
            "media-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "frame-ancestors": ["'self'"],
            "form-action": ["'self'"],
        }, url
        assert "unsafe" not in str(policy)


@pytest.mark.usefixtures("served_in_production")
def test_error_pages_get_the_policy_too(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.usefixtures("served_in_production")
def test_the_admins_need_inline_code_and_get_no_policy(client):
    client.force_login(UserFactory(role=Role.EDITOR))
    for url in (reverse("wagtailadmin_home"), "/django-admin/login/"):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        assert "Content-Security-Policy" not in response, url


def _inline_style_of_500() -> str:
    return re.search(r"<style>(.*?)</style>", (TEMPLATES / "500.html").read_text(), re.S)[1]


def test_the_500_page_style_is_the_one_allowed_by_hash():
    """500.html must render when nothing else works, so it links nothing; its only inline
    <style> is allowed by hash. Edit the style, and update CSP_500_STYLE_HASH in settings."""
    digest = hashlib.sha256(_inline_style_of_500().encode()).digest()
    assert f"'sha256-{base64.b64encode(digest).decode()}'" == settings.CSP_500_STYLE_HASH


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_no_template_carries_inline_script_or_style_element():
    """Scripts are files under static/; the PDF carnet, funder report and attendance sheet
    (WeasyPrint) and e-mails are no web pages, and 500.html's style is allowed by hash."""
    not_pages = {
        "500.html",
        "pathways/carnet.html",
        "reports/funder/report.html",
        "reports/attendance_pdf.html",
    }
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text()
        assert not INLINE_SCRIPT.search(text), name
        assert not EVENT_HANDLER.search(text), name
        assert "javascript:" not in text.lower(), name
        if name not in not_pages and not name.startswith("notifications/email/"):
            assert "<style" not in text, name


def test_htmx_script_is_a_file_in_production_and_in_debug(settings):
    template = Template("{% load django_htmx %}{% htmx_script %}")
    settings.DEBUG = False
    production = template.render(Context())
    assert re.fullmatch(r'<script src="[^"]+/htmx-2\.min\.js" defer></script>', production)
    settings.DEBUG = True
    debug = template.render(Context())
    # DEBUG adds django-htmx's error-page helper: a file too, covered by script-src 'self'.
    assert not INLINE_SCRIPT.search(debug)
    assert "django-htmx.js" in debug


def test_debug_relaxes_the_policy_for_the_error_helper_only(production_policy):
    policy = settings_snapshot(DEBUG="1")["CONTENT_SECURITY_POLICY"]
    assert policy["DIRECTIVES"]["script-src"] == ["'self'", "'unsafe-inline'", "'unsafe-eval'"]
    assert policy["DIRECTIVES"]["style-src"] == ["'self'", "'unsafe-inline'"]
    assert production_policy["DIRECTIVES"]["script-src"] == ["'self'"]
    assert production_policy["EXCLUDE_URL_PREFIXES"] == ["/admin/", "/django-admin/"]


def test_files_from_the_bucket_are_allowed_as_images_and_media():
    custom = settings_snapshot(
        **PRODUCTION, AWS_STORAGE_BUCKET_NAME="balise", AWS_S3_ENDPOINT_URL="http://127.0.0.1:5000"
    )["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert custom["img-src"] == ["'self'", "data:", "http://127.0.0.1:5000"]
    assert custom["media-src"] == ["'self'", "http://127.0.0.1:5000"]
    aws = settings_snapshot(
        **PRODUCTION, AWS_STORAGE_BUCKET_NAME="balise", AWS_S3_REGION_NAME="eu-west-3"
    )["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert "https://balise.s3.eu-west-3.amazonaws.com" in aws["media-src"]
    assert "https://balise.s3.amazonaws.com" in aws["img-src"]
    assert custom["script-src"] == aws["script-src"] == ["'self'"]


# --- Rate limits --------------------------------------------------------------------------------


def test_default_rates():
    assert settings.BALISE_RATE_LIMITS == {
        "help_request": "5/3600",
        "session_proposal": "30/3600",
        "request_message": "20/600",
        "offline_sync": "300/600",
        "circle_post": "20/600",
    }


def test_help_requests_are_limited_per_learner(client):
    person = learner()
    pathways = [build_pathway(["m:1"]) for _ in range(6)]
    client.force_login(person)
    for pathway in pathways[:5]:
        url = reverse("coaching:help", args=[pathway.pk])
        assert client.get(url).status_code == 200  # reading the form costs nothing
        response = client.post(url, {"message": "Je bloque"})
        assert response.status_code == 302
    response = client.post(reverse("coaching:help", args=[pathways[5].pk]), {"message": "Encore"})

    assert response.status_code == 429
    html = response.content.decode()
    assert "Vous avez fait beaucoup de demandes en peu de temps" in html
    assert "Rien n’a été enregistré" in html
    assert CoachingRequest.objects.filter(learner=person).count() == 5
    # Another learner is not affected.
    client.force_login(learner())
    url = reverse("coaching:help", args=[pathways[5].pk])
    assert client.post(url, {"message": "Bonjour"}).status_code == 302


def test_session_proposals_are_limited_per_coach(client, settings):
    settings.BALISE_RATE_LIMITS = {**settings.BALISE_RATE_LIMITS, "session_proposal": "2/3600"}
    person, her_coach = learner(departement="69"), coach(departements=["69"])
    request = coaching_actions.open_help_request(person, build_pathway(["m:1"]), "Aide", "ici")
    assert coaching_actions.claim_request(her_coach, request.pk).ok
    client.force_login(her_coach)
    url = reverse("coaching:propose_session", args=[request.pk])

    def slot(days):
        moment = timezone.localtime() + timedelta(days=days)
        return {
            "date": moment.date().isoformat(),
            "time": "10:00",
            "duration_minutes": 60,
            "modality": "video",
            "location": "Lien de visio",
        }

    assert client.post(url, slot(3)).status_code == 302
    assert client.post(url, slot(4)).status_code == 302
    response = client.post(url, slot(5))

    assert response.status_code == 429
    assert "Rien n’a été enregistré" in response.content.decode()
    assert CoachingSession.objects.filter(request=request).count() == 2


def test_login_codes_are_limited_per_address(client, mailoutbox):
    UserFactory(email="lea@balise.test", role=Role.LEARNER)
    url = reverse("account_request_login_code")
    for _ in range(3):
        assert Client().post(url, {"email": "lea@balise.test"}).status_code == 302
    response = Client().post(url, {"email": "LEA@balise.test"})

    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert len(mailoutbox) == 3


def test_the_429_page_is_french_and_serves_allauth_too(rf):
    from allauth.core.ratelimit import respond_429
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    response = respond_429(request)
    assert response.status_code == 429
    assert "Vous avez fait beaucoup de demandes en peu de temps" in response.content.decode()


# --- Uploads ------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64


def zipped(entries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


ACCEPTED = [
    ("carnet.pdf", PDF, "document"),
    (
        "budget.ods",
        zipped([("mimetype", "application/vnd.oasis.opendocument.spreadsheet")]),
        "document",
    ),
    ("statuts.odt", zipped([("mimetype", "application/vnd.oasis.opendocument.text")]), "document"),
    (
        "statuts.docx",
        zipped([("[Content_Types].xml", "x"), ("word/document.xml", "x")]),
        "document",
    ),
    ("budget.xlsx", zipped([("[Content_Types].xml", "x"), ("xl/workbook.xml", "x")]), "document"),
    ("notes.txt", "Des notes accentuées : été, ça.\n".encode(), "document"),
    ("liste.csv", b"\xef\xbb\xbfnom;ville\nL\xc3\xa9a;Lyon\n", "document"),
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image"),
    ("photo.png", PNG, "image"),
    ("photo.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image"),
    ("episode.mp3", MP3, "audio"),
    ("episode.wav", b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio"),
    ("episode.ogg", b"OggS\x00\x02" + b"\x00" * 20, "audio"),
    ("episode.m4a", b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio"),
    ("pitch.mp4", b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video"),
    ("pitch.webm", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video"),
]

REFUSED = [
    ("page.pdf", HTML, "document", "SVG et HTML"),
    ("dessin.svg", SVG, "image", "SVG et HTML"),
    ("dessin.png", SVG, "image", "SVG et HTML"),
    ("page.txt", HTML, "document", "SVG et HTML"),
    ("page.html", b"bonjour", "document", "SVG et HTML"),
    ("outil.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "document", "pas d’un format accepté"),
    ("archive.docx", zipped([("a.txt", "x")]), "document", "pas d’un format accepté"),
    ("binaire.txt", b"texte\x00\x01\x02", "document", "pas d’un format accepté"),
    ("faux.docx", PDF, "document", "contient du PDF"),
    ("photo.jpg", PNG, "image", "contient du PNG"),
    ("episode.mp3", PDF, "audio", "pas d’un format accepté"),
    ("pitch.mp4", MP3, "video", "pas d’un format accepté"),
    ("pitch.mov", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video", "pas d’un format accepté"),
]


# Explicit ids: the zip bytes hold a timestamp, and xdist workers must collect the same ids.
@pytest.mark.parametrize(
    ("name", "content", "kind"), ACCEPTED, ids=[f"{kind}-{name}" for name, _c, kind in ACCEPTED]
)
def test_allowed_formats_pass(name, content, kind):
    validate_upload(SimpleUploadedFile(name, content), kind)


@pytest.mark.parametrize(
    ("name", "content", "kind", "message"),
    REFUSED,
    ids=[f"{kind}-{name}" for name, _c, kind, _m in REFUSED],
)
def test_other_content_is_refused_in_french(name, content, kind, message):
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile(name, content), kind)
    assert message in error.value.messages[0]


def test_size_caps_per_kind(settings):
    assert settings.BALISE_MAX_UPLOAD_MB == {"document": 20, "image": 20, "media": 50}
    settings.BALISE_MAX_UPLOAD_MB = {"document": 1, "image": 1, "media": 2}
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as refusal:
        validate_upload(SimpleUploadedFile("gros.pdf", big), "document")
    assert refusal.value.messages == ["Ce fichier pèse 1,0\xa0Mo : la limite est de 1,0\xa0Mo."]
    validate_upload(SimpleUploadedFile("gros.mp3", MP3 + b"0" * (1024 * 1024)), "audio")


@pytest.fixture
def editor():
    client = Client()
    client.force_login(UserFactory(role=Role.EDITOR))
    return client


def upload_document(editor, name, content):
    return editor.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile(name, content), "title": name},
    ).json()


def test_editor_uploads_a_pdf_document(editor):
    result = upload_document(editor, "fiche.pdf", PDF)
    assert result["success"] is True
    assert get_document_model().objects.get().title == "Fiche"  # not its file name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fiche.pdf", HTML, "Les fichiers SVG et HTML sont refusés"),
        ("dessin.pdf", SVG, "Les fichiers SVG et HTML sont refusés"),
        ("outil.pdf", b"MZ\x90\x00", "n’est pas d’un format accepté ici"),
    ],
)
def test_bad_documents_are_refused_with_a_french_message(editor, name, content, message):
    result = upload_document(editor, name, content)
    assert result["success"] is False
    assert message in result["error_message"]
    assert not get_document_model().objects.exists()


def test_an_svg_document_is_refused(editor):
    result = upload_document(editor, "dessin.svg", SVG)
    assert result["success"] is False and result["error_message"]
    assert not get_document_model().objects.exists()


def test_an_oversize_document_is_refused(editor, settings):
    settings.BALISE_MAX_UPLOAD_MB = {**settings.BALISE_MAX_UPLOAD_MB, "document": 1}
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024 * 1024
    result = upload_document(editor, "gros.pdf", PDF + b"0" * (1024 * 1024))
    assert result["success"] is False
    assert "trop gros" in result["error_message"]
    assert not get_document_model().objects.exists()


def test_the_single_document_form_checks_content_too(editor):
    response = editor.post(
        reverse("wagtaildocs:add"),
        {"title": "Fiche", "file": SimpleUploadedFile("fiche.pdf", HTML), "collection": 1},
    )
    assert response.status_code == 200
    assert "Les fichiers SVG et HTML sont refusés" in response.content.decode()
    assert not get_document_model().objects.exists()


def test_images_are_checked(editor):
    url = reverse("wagtailimages:add_multiple")
    good = editor.post(url, {"files[]": SimpleUploadedFile("photo.png", PNG)}).json()
    assert good["success"] is True
    for name in ("dessin.svg", "dessin.png"):
        bad = editor.post(url, {"files[]": SimpleUploadedFile(name, SVG)}).json()
        assert bad["success"] is False and bad["error_message"], name
    assert get_image_model().objects.count() == 1


def test_audio_and_video_are_checked(editor):
    def add(media_type, name, content):
        return editor.post(
            reverse("wagtailmedia:add", args=[media_type]),
            {"title": name, "file": SimpleUploadedFile(name, content), "collection": 1},
        )

    assert add("audio", "episode.mp3", MP3).status_code == 302
    refused = add("audio", "episode.mp3", HTML)
    assert refused.status_code == 200
    assert "Les fichiers SVG et HTML sont refusés" in refused.content.decode()
    refused = add("video", "pitch.mp4", MP3)
    assert "n’est pas d’un format accepté ici (MP4, WEBM)" in refused.content.decode()
    assert list(get_media_model().objects.values_list("title", flat=True)) == ["episode.mp3"]


def test_an_oversize_audio_file_is_refused(editor, settings):
    settings.BALISE_MAX_UPLOAD_MB = {**settings.BALISE_MAX_UPLOAD_MB, "media": 1}
    response = editor.post(
        reverse("wagtailmedia:add", args=["audio"]),
        {
            "title": "Long",
            "file": SimpleUploadedFile("long.mp3", MP3 + b"\x00" * (1024 * 1024)),
            "collection": 1,
        },
    )
    assert response.status_code == 200
    assert "la limite est de 1,0\xa0Mo" in response.content.decode()
    assert not get_media_model().objects.exists()


# --- What an editor reads when an upload is refused (issue 16) ----------------------------

FALSE_REASON = "n’est pas autorisée"  # Wagtail's extension check, judging the empty file


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("fiche.pdf", HTML, "Les fichiers SVG et HTML sont refusés"),
        ("outil.pdf", b"MZ\x90\x00", "n’est pas d’un format accepté ici"),
        ("faux.docx", PDF, "contient du PDF"),
    ],
)
def test_a_refused_document_gives_its_true_reason_only(editor, name, content, reason):
    result = upload_document(editor, name, content)
    assert result["success"] is False
    assert reason in result["error_message"]
    assert FALSE_REASON not in result["error_message"]

    response = editor.post(
        reverse("wagtaildocs:add"),
        {"title": "Fiche", "file": SimpleUploadedFile(name, content), "collection": 1},
    )
    errors = response.context["form"].errors
    assert list(errors) == ["file"] and len(errors["file"]) == 1
    assert reason in errors["file"][0]


def test_a_refused_media_file_gives_its_true_reason_only(editor):
    response = editor.post(
        reverse("wagtailmedia:add", args=["audio"]),
        {"title": "Épisode", "file": SimpleUploadedFile("episode.mp3", HTML), "collection": 1},
    )
    errors = response.context["form"].errors
    assert list(errors) == ["file"] and len(errors["file"]) == 1
    assert "Les fichiers SVG et HTML sont refusés" in errors["file"][0]
    assert FALSE_REASON not in response.content.decode()


def test_sizes_are_written_in_one_unit(editor, settings):
    """Mo, with a French decimal comma, in Balise's refusals and in Wagtail's own words."""
    settings.BALISE_MAX_UPLOAD_MB = {**settings.BALISE_MAX_UPLOAD_MB, "media": 1}
    response = editor.post(
        reverse("wagtailmedia:add", args=["audio"]),
        {
            "title": "Long",
            "file": SimpleUploadedFile("long.mp3", MP3 + b"\x00" * (1536 * 1024)),
            "collection": 1,
        },
    )
    refusal = response.context["form"].errors["file"][0]
    assert refusal == "Ce fichier pèse 1,5\xa0Mo : la limite est de 1,0\xa0Mo."
    help_text = editor.get(reverse("wagtaildocs:add")).content.decode()
    assert "20,0\xa0Mo" in help_text
    assert "Mio" not in help_text and "Mio" not in refusal


@pytest.mark.parametrize(
    ("name", "sent_title", "title"),
    [
        # What Wagtail's upload scripts fill in: the file's name without its extension...
        ("fiche-formuler_son-besoin.pdf", "fiche-formuler_son-besoin", "Fiche formuler son besoin"),
        # ...or with it, when the browser sends no title.
        ("statuts-SCIC-2026.pdf", None, "Statuts SCIC 2026"),
        # A title the editor wrote is kept.
        ("fiche.pdf", "Fiche atelier — Le besoin", "Fiche atelier — Le besoin"),
    ],
)
def test_an_uploaded_document_is_titled_better_than_its_file_name(editor, name, sent_title, title):
    data = {"files[]": SimpleUploadedFile(name, PDF)}
    if sent_title is not None:
        data["title"] = sent_title
    assert editor.post(reverse("wagtaildocs:add_multiple"), data).json()["success"] is True
    assert get_document_model().objects.get().title == title


def test_a_document_uploaded_from_a_step_chooser_is_titled_too(editor):
    response = editor.post(
        reverse("wagtaildocs_chooser:create"),
        {
            "document-chooser-upload-title": "grille-indicateurs-d-impact",
            "document-chooser-upload-file": SimpleUploadedFile(
                "grille-indicateurs-d-impact.pdf", PDF
            ),
            "document-chooser-upload-collection": 1,
        },
    )
    assert response.json()["result"]["title"] == "Grille indicateurs d’impact"
