"""Project-level views: uploaded files without S3 (DEBUG off, one machine), favicon."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtailmedia.models import Media

from tests.factories.accounts import learner
from tests.factories.pathways import module

pytestmark = pytest.mark.django_db

AUDIO_BYTES = b"ID3 un episode"


def episode(title, media):
    value = {"title": title, "audio": media, "summary": "", "chapters": [], "transcript": ""}
    return ("podcast", value)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_media_of_live_pages_are_served_with_debug_off(client, settings):
    assert settings.DEBUG is False and settings.BALISE_SERVE_UPLOADS
    live = Media.objects.create(
        title="En ligne", type="audio", file=ContentFile(AUDIO_BYTES, name="en-ligne.mp3")
    )
    draft = Media.objects.create(
        title="Brouillon", type="audio", file=ContentFile(b"ID3", name="brouillon.mp3")
    )
    module(steps=[episode("Publié", live)])
    module(steps=[episode("Brouillon", draft)], live=False)

    response = client.get(live.file.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert body(response) == AUDIO_BYTES
    client.force_login(learner())
    assert client.get(draft.file.url).status_code == 404


def test_image_renditions_are_public_originals_and_documents_are_not(client):
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "teal").save(buffer, "PNG")
    image = Image.objects.create(title="Photo", file=ImageFile(buffer, name="photo.png"))
    rendition = image.get_rendition("fill-20x20")

    response = client.get(rendition.url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client.get(image.file.url).status_code == 404
    assert client.get("/media/documents/carnet.pdf").status_code == 404
    assert client.get("/media/../lms/settings.py").status_code == 404


def test_favicon_is_found_and_linked_from_every_page(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("balise/favicon.ico")
    assert '<link rel="icon"' in client.get("/").content.decode()
