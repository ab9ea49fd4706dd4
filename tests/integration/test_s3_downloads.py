"""Downloads of learner-visible files with S3 storage (moto_server on 127.0.0.1), as
``lms/settings.py`` configures it when ``AWS_STORAGE_BUCKET_NAME`` is set.

Learners see documents (links to Wagtail's serve view), images (renditions) and
audio/video (wagtailmedia): each is fetched with a short signed URL, the object itself
is private. Documents are downloads: ``Content-Disposition: attachment`` on the file,
``X-Content-Type-Options: nosniff`` on what Balise answers.

moto does not enforce the expiry of a signed URL (real S3 does): the tests check the
expiry the URL asks for, not that S3 refuses it later.
"""

import io
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import Client
from PIL import Image as PillowImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtailmedia.models import get_media_model

from tests.integration.conftest import S3Bucket, http_fetch, report, use_s3_storage

pytestmark = [pytest.mark.services, pytest.mark.django_db]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64


@pytest.fixture
def s3(settings, moto_endpoint, monkeypatch, tmp_path, request):
    """S3 storage with the production settings (``overrides`` by indirect parametrisation)."""
    overrides = getattr(request, "param", {})
    storage, bucket_name, values = use_s3_storage(
        settings, moto_endpoint, monkeypatch, tmp_path, **overrides
    )
    bucket = S3Bucket(moto_endpoint, bucket_name).create()
    try:
        yield storage, bucket, values
    finally:
        bucket.delete()


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def check_signed(url: str, content: bytes, max_expiry: int) -> int:
    """``url`` is a signed URL valid at most ``max_expiry`` seconds from now; the object
    needs the signature; return the expiry the URL asks for."""
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256" and query["X-Amz-Signature"]
    expires = int(query["X-Amz-Expires"])
    assert 0 < expires <= max_expiry
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - signed_at).total_seconds()) < 60  # signed now
    unsigned = f"{parts.scheme}://{parts.netloc}{parts.path}"
    assert http_fetch(unsigned)[0] == 403
    status, _headers, body = http_fetch(url)
    assert (status, body) == (200, content)
    return expires


def png_bytes() -> bytes:
    output = io.BytesIO()
    PillowImage.new("RGB", (40, 30), (11, 90, 84)).save(output, "PNG")
    return output.getvalue()


def test_learner_visible_files_are_served_by_short_signed_urls(s3):
    storage, _bucket, values = s3
    max_expiry = values["AWS_QUERYSTRING_EXPIRE"]
    assert max_expiry <= 300  # "short": five minutes at most by default
    assert values["WAGTAILDOCS_SERVE_METHOD"] == "redirect"

    document = get_document_model().objects.create(
        title="Fiche budget", file=ContentFile(PDF, name="fiche-budget.pdf")
    )
    response = Client().get(document.url)  # the link a learner follows in a page
    assert response.status_code == 302
    expiries = {"document": check_signed(response["Location"], PDF, max_expiry)}

    media = get_media_model().objects.create(
        title="Épisode 1", type="audio", file=ContentFile(MP3, name="episode-1.mp3")
    )
    expiries["media"] = check_signed(media.url, MP3, max_expiry)

    png = png_bytes()
    image = get_image_model().objects.create(
        title="Schéma", file=ImageFile(io.BytesIO(png), name="schema.png")
    )
    expiries["image"] = check_signed(image.file.url, png, max_expiry)
    rendition = image.get_rendition("fill-20x20")
    with storage.open(rendition.file.name) as stored:
        rendition_bytes = stored.read()
    expiries["rendition"] = check_signed(rendition.url, rendition_bytes, max_expiry)
    report(
        f"[S3 downloads] signed URLs, expiry (s) {expiries} <= AWS_QUERYSTRING_EXPIRE "
        f"{max_expiry}; unsigned object URLs 403"
    )


def download_document(name: str, content: bytes):
    """Follow a document link as a learner: Balise's answer, then the file from S3."""
    document = get_document_model().objects.create(title=name, file=ContentFile(content, name=name))
    response = Client().get(document.url)
    status, headers, body = http_fetch(response["Location"])
    assert (status, body) == (200, content)
    return response, lower(headers)


def check_download_headers(response, file_headers, content_type: str) -> None:
    assert response.status_code == 302
    assert response["X-Content-Type-Options"] == "nosniff"  # Balise's answer
    # The type S3 sends is the file's, from its name (the upload checks sniff the content).
    assert file_headers["content-type"] == content_type
    assert file_headers.get("content-disposition", "").startswith("attachment")


def test_document_downloads_are_attachments_of_the_right_type(s3):
    started = time.monotonic()
    for name, content, content_type in [
        ("fiche-budget.pdf", PDF, "application/pdf"),
        ("plan.txt", b"Mon plan d'action\n", "text/plain"),
    ]:
        response, file_headers = download_document(name, content)
        check_download_headers(response, file_headers, content_type)
        # S3 cannot add X-Content-Type-Options to an object: the attachment disposition
        # and the right Content-Type are what keep a browser from rendering the file.
        assert "x-content-type-options" not in file_headers
    report(
        f"[S3 downloads] pdf and txt downloads are "
        f"attachments of the right type ({time.monotonic() - started:.2f}s)"
    )
