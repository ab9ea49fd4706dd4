"""Issue 19: captions and transcripts, the weight and type of downloads, images sized for
a phone, the accessibility statement, and the glossary linked from learner pages."""

import re
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtailmedia.models import get_media_model

from lms.accounts.roles import Role
from pathways import actions
from pathways.blocks import CAPTIONS_MISSING, TESTIMONY_TRANSCRIPT_MISSING
from pathways.glossary import GlossaryTerm, link_terms
from pathways.models import ModulePage
from pathways.workflow import ensure_content_workflow
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, library, modules_of, pathway_index, sheet
from tests.factories.pathways import module as make_module
from tests.pathways.test_admin import (
    WEBVTT,
    add_url,
    block_errors,
    document,
    logged_in,
    messages_of,
    module_form,
    step_testimony,
    step_video,
    step_workshop_sheet,
)

pytestmark = pytest.mark.django_db

NOT_WEBVTT = "n’est pas un fichier de sous-titres WebVTT"


@pytest.fixture(autouse=True)
def tree():
    ensure_content_workflow()
    library()
    pathway_index()


@pytest.fixture
def video_media():
    return get_media_model().objects.create(
        title="Pitch", type="video", duration=8, file=ContentFile(b"\0" * 2048, name="pitch.mp4")
    )


@pytest.fixture
def audio():
    return get_media_model().objects.create(
        title="Voix", type="audio", duration=6, file=ContentFile(b"RIFF", name="voix.wav")
    )


@pytest.fixture
def reader(client):
    user = learner()
    client.force_login(user)
    return user


def open_step(reader, steps) -> str:
    """The address of the first step of a new pathway of these steps, ``reader`` enrolled."""
    pathway = build_pathway([make_module(steps=steps)])
    module = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    return reverse("pathways:step", args=[pathway.pk, module.pk, module.step_ids[0]])


def step_page(client, reader, steps) -> str:
    return client.get(open_step(reader, steps)).content.decode()


def video_step(video, captions=None, language="fr"):
    return (
        "video",
        {
            "title": "Présenter son projet",
            "video": video,
            "embed": None,
            "transcript": "<p>Transcription.</p>",
            "captions": captions,
            "captions_language": language,
        },
    )


# --- Captions --------------------------------------------------------------------------


def upload(client, name, content):
    return client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile(name, content), "title": name},
    ).json()


def test_an_editor_uploads_a_webvtt_captions_file():
    result = upload(logged_in(Role.EDITOR), "pitch.fr.vtt", WEBVTT)
    assert result["success"] is True
    assert get_document_model().objects.get().file.name.endswith(".vtt")


@pytest.mark.parametrize(
    "content",
    [
        b"1\n00:00:00,000 --> 00:00:02,000\nBonjour.\n",  # SubRip (.srt) renamed
        b"WEBVTTX\n\n",  # not the signature followed by a break
        b"%PDF-1.4 ...",
    ],
    ids=["srt", "almost", "pdf"],
)
def test_a_vtt_file_that_is_not_webvtt_is_refused_with_its_reason(content):
    result = upload(logged_in(Role.EDITOR), "pitch.vtt", content)
    assert result["success"] is False
    assert NOT_WEBVTT in result["error_message"]
    assert "WEBVTT" in result["error_message"]
    assert not get_document_model().objects.exists()


@pytest.mark.parametrize("action", [None, "action-submit"], ids=["draft", "submit"])
def test_a_document_that_is_not_webvtt_cannot_be_the_captions(video_media, action):
    pdf = document("fiche.pdf", b"%PDF-1.4")
    data = module_form([step_video(video_media, pdf)])
    if action:
        data[action] = "1"
    response = logged_in(Role.EDITOR).post(add_url(library()), data)
    assert response.status_code == 200
    assert any(NOT_WEBVTT in error for error in block_errors(response, "steps"))
    assert not ModulePage.objects.filter(slug="modele-economique").exists()


def test_a_hosted_video_without_captions_is_not_published(video_media):
    data = {**module_form([step_video(video_media)]), "action-publish": "1"}
    response = logged_in(Role.MANAGER).post(add_url(library()), data)
    assert response.status_code == 200
    assert str(CAPTIONS_MISSING) in block_errors(response, "steps")
    assert not ModulePage.objects.filter(slug="modele-economique").exists()


def test_a_draft_video_without_captions_is_kept_and_its_editor_told(video_media):
    response = logged_in(Role.EDITOR).post(
        add_url(library()), module_form([step_video(video_media)]), follow=True
    )
    assert response.status_code == 200
    assert ModulePage.objects.filter(slug="modele-economique").exists()
    warnings = [text for text in messages_of(response) if "Vidéos sans sous-titres" in text]
    assert warnings and "« Présenter son projet en 2 minutes »" in warnings[0]


def test_a_captioned_video_plays_with_its_captions_track(client, reader, video_media):
    captions = document("pitch.fr.vtt", WEBVTT)
    page = step_page(client, reader, [video_step(video_media, captions)])
    track = re.search(r"<video[^>]*>\s*(<track [^>]*>)", page)
    assert track, page
    assert 'kind="captions"' in track.group(1)
    assert 'srclang="fr"' in track.group(1) and 'label="Français"' in track.group(1)
    assert f'src="{captions.url}"' in track.group(1)


def test_english_captions_are_labelled_in_english(client, reader, video_media):
    captions = document("pitch.en.vtt", WEBVTT)
    page = step_page(client, reader, [video_step(video_media, captions, "en")])
    assert re.search(r'<track kind="captions" [^>]*srclang="en" label="English"', page)


# --- Testimonies' transcripts ------------------------------------------------------------


def test_a_testimony_with_audio_and_no_transcript_is_refused(audio):
    data = {**module_form([step_testimony(audio)]), "action-publish": "1"}
    response = logged_in(Role.MANAGER).post(add_url(library()), data)
    assert response.status_code == 200
    assert str(TESTIMONY_TRANSCRIPT_MISSING) in block_errors(response, "steps")
    assert not ModulePage.objects.filter(slug="modele-economique").exists()


def test_a_testimony_draft_without_transcript_is_kept_and_its_editor_told(audio):
    response = logged_in(Role.EDITOR).post(
        add_url(library()), module_form([step_testimony(audio)]), follow=True
    )
    assert ModulePage.objects.filter(slug="modele-economique").exists()
    assert any("sans transcription" in text for text in messages_of(response))


def test_a_testimony_with_audio_and_its_transcript_is_published(audio):
    steps = [step_testimony(audio, "<p>Ce que dit Aïcha, mot pour mot.</p>")]
    data = {**module_form(steps), "action-publish": "1"}
    response = logged_in(Role.MANAGER).post(add_url(library()), data)
    assert response.status_code == 302
    assert ModulePage.objects.get(slug="modele-economique").live


def test_a_testimony_without_audio_or_video_needs_no_transcript():
    data = {**module_form([step_testimony(), step_workshop_sheet()]), "action-publish": "1"}
    assert logged_in(Role.MANAGER).post(add_url(library()), data).status_code == 302


def test_the_testimony_transcript_is_shown_under_its_audio(client, reader, audio):
    testimony = (
        "testimony",
        {
            "title": "Une ressourcerie",
            "person": "Jean-Luc",
            "quote": "On a commencé à trois.",
            "story": "<p>Le récit.</p>",
            "audio": audio,
            "transcript": "<p>Ce que dit Jean-Luc, mot pour mot.</p>",
        },
    )
    page = step_page(client, reader, [testimony])
    assert "<summary>Transcription</summary>" in page
    assert "Ce que dit Jean-Luc, mot pour mot." in page


# --- Weights, types and image sizes ---------------------------------------------------------


def test_a_download_shows_its_type_and_weight(client, reader):
    fiche = document("fiche-besoin.pdf", b"%PDF-1.4" + b"0" * (240 * 1024))
    fiche.title = "Fiche besoin"
    fiche.save()
    step = (
        "workshop_sheet",
        {"title": "Fiche", "body": "<p>La fiche.</p>", "document": fiche},
    )
    page = step_page(client, reader, [step])
    assert re.search(r"Télécharger « Fiche besoin » <span[^>]*>\(PDF, 240,0\xa0ko\)</span>", page)


def test_media_downloads_show_their_type_and_weight(client, reader, video_media):
    captions = document("pitch.fr.vtt", WEBVTT)
    page = step_page(client, reader, [video_step(video_media, captions)])
    assert 'Télécharger la vidéo</a> <span class="file-label">(MP4, 2,0\xa0ko)</span>' in page
    assert re.search(r"Télécharger les sous-titres</a> <span[^>]*>\(VTT, \d+\xa0octets\)", page)


def test_a_testimony_photo_comes_in_sizes_for_phones(client, reader):
    photo = get_image_model().objects.create(
        title="Aïcha", file=get_test_image_file(size=(640, 640))
    )
    testimony = (
        "testimony",
        {
            "title": "Une ressourcerie",
            "person": "Aïcha",
            "quote": "On a commencé à trois.",
            "story": "<p>Le récit.</p>",
            "photo": photo,
        },
    )
    page = step_page(client, reader, [testimony])
    img = re.search(r'<img [^>]*class="testimony__photo"[^>]*>', page).group(0)
    assert re.search(r'srcset="[^"]+ 160w, [^"]+ 320w"', img), img
    assert 'sizes="160px"' in img and 'loading="lazy"' in img


# --- Accessibility statement -------------------------------------------------------------


def test_the_accessibility_statement_is_public_and_in_the_rgaa_form(client):
    response = client.get("/accessibilite/")
    assert response.status_code == 200
    page = response.content.decode()
    for part in (
        "<h1>Déclaration d’accessibilité</h1>",
        "<strong>partiellement conforme</strong>",
        "Contenus non accessibles",
        "Technologies utilisées",
        "Environnement de test",
        "Pages vérifiées",
        "Retour d’information et contact",
        "Défenseur des droits",
        "non testés",  # screen readers: said, not hidden
    ):
        assert part in page, part
    assert 'href="mailto:accessibilite@balise.localhost"' in page


@pytest.mark.parametrize(
    ("language", "link"),
    [("fr", "Accessibilité : partiellement conforme"), ("en", "Accessibility: partially")],
)
def test_every_footer_links_the_statement_and_the_glossary(client, reader, language, link):
    client.cookies["django_language"] = language
    for url in (reverse("pathways:dashboard"), "/accessibilite/", "/glossaire/"):
        footer = client.get(url).content.decode().split('<footer class="site-footer">')[1]
        assert f'<a href="/accessibilite/">{link}' in footer, (url, language)
        assert '<a href="/glossaire/">' in footer


# --- Glossary ----------------------------------------------------------------------------

TERMS = [
    {
        "term": "ESS",
        "slug": "ess",
        "expansion": "Économie sociale et solidaire",
        "definition": "Les entreprises qui mettent l'utilité sociale avant le profit.",
        "term_en": "Social economy",
        "definition_en": "Businesses that put people first.",
    },
    {
        "term": "SCIC",
        "slug": "scic",
        "expansion": "Société coopérative d'intérêt collectif",
        "definition": "Une coopérative à plusieurs sortes d'associé·es.",
    },
    {
        "term": "étude de marché",
        "slug": "etude-de-marche",
        "definition": "Vérifier qu'un projet répond à une demande.",
    },
    {"term": "couveuse", "slug": "couveuse", "definition": "Tester son activité pour de vrai."},
]


@pytest.fixture
def glossary(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return [GlossaryTerm.objects.create(**term) for term in TERMS]


def test_the_glossary_page_defines_each_term_at_its_anchor(client, glossary):
    page = client.get("/glossaire/").content.decode()
    assert '<div class="glossary__entry" id="scic">' in page
    assert "<dfn>SCIC</dfn>" in page and "Société coopérative d&#x27;intérêt collectif" in page
    # In the order of a dictionary: case and accents aside.
    order = [page.index(f'id="{slug}"') for slug in ("couveuse", "ess", "etude-de-marche", "scic")]
    assert order == sorted(order)


def test_the_glossary_page_in_english_gives_the_english_words(client, glossary):
    client.cookies["django_language"] = "en"
    page = client.get("/glossaire/").content.decode()
    assert '<span lang="en">(Social economy)</span>' in page
    assert '<dd lang="en">Businesses that put people first.</dd>' in page
    assert '<dd lang="fr">Une coopérative à plusieurs sortes d&#x27;associé·es.</dd>' in page


def test_terms_are_linked_once_in_a_step_but_never_in_links_or_headings(client, reader, glossary):
    body = (
        "<h2>L'ESS en bref</h2>"
        '<p>Voir <a href="https://example.org/">la SCIC du coin</a>.</p>'
        "<p>L'ESS réunit des SCIC et des couveuses ; une étude de marché aide. L'ESS encore.</p>"
    )
    page = step_page(client, reader, [sheet("Fiche", body)])
    assert "<h2>L'ESS en bref</h2>" in page
    assert '<a href="https://example.org/">la SCIC du coin</a>' in page
    assert (
        '<p>L\'<a class="glossary-term" href="/glossaire/#ess">'
        '<abbr title="Économie sociale et solidaire">ESS</abbr></a> réunit des '
        '<a class="glossary-term" href="/glossaire/#scic"><abbr title="Société coopérative '
        'd&#x27;intérêt collectif">SCIC</abbr></a> et des '
        '<a class="glossary-term" href="/glossaire/#couveuse">couveuses</a> ; une '
        '<a class="glossary-term" href="/glossaire/#etude-de-marche">étude de marché</a> aide. '
        "L'ESS encore.</p>"
    ) in page


def test_a_changed_term_shows_on_cached_step_pages(
    client, reader, glossary, django_capture_on_commit_callbacks
):
    url = open_step(reader, [sheet("Fiche", "<p>Une SCIC.</p>")])
    assert (
        'title="Société coopérative d&#x27;intérêt collectif"' in client.get(url).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        term = GlossaryTerm.objects.get(slug="scic")
        term.expansion = "Coopérative d'intérêt collectif"
        term.save()
    assert 'title="Coopérative d&#x27;intérêt collectif"' in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>ESS</p>", '<p><a class="glossary-term" href="/glossaire/#ess"><abbr'),
        ("<p>Processus</p>", "<p>Processus</p>"),  # never inside a word
        ('<img alt="ESS"><p>x</p>', '<img alt="ESS"><p>x</p>'),  # attributes untouched
        ("<summary>ESS</summary>", "<summary>ESS</summary>"),
        ("<!-- ESS --><p>-</p>", "<!-- ESS --><p>-</p>"),
        ("<p>études de marché</p>", "<p>études de marché</p>"),  # the term's words only
    ],
)
def test_linking_keeps_markup_whole(glossary, html, expected):
    assert link_terms(html).startswith(expected)


def test_linking_a_long_step_is_cheap(glossary):
    """The step page is benchmarked: linking happens once per version of a step's content
    (the fragment is cached), and even then costs little."""
    terms = [{"expansion": "", **term} for term in TERMS * 6]
    html = "<p>" + "Une SCIC, une couveuse et l'ESS en milieu rural. " * 400 + "</p>"
    started = time.perf_counter()
    for _ in range(10):
        link_terms(html, terms)
    assert (time.perf_counter() - started) / 10 < 0.05


def test_english_pages_link_the_same_terms(client, reader, glossary):
    with translation.override("en"):
        assert "glossary-term" in link_terms("<p>SCIC</p>")
