"""Podcast RSS feeds: valid RSS with iTunes / Podcasting 2.0 elements, stable guids,
one pathway's episodes only, deleted audio skipped, constant queries."""

import xml.etree.ElementTree as ET

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtailmedia.models import Media

from pathways.feeds import format_duration
from tests.factories.pathways import build_pathway, module, refresh, sheet

pytestmark = pytest.mark.django_db

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
AUDIO_BYTES = b"RIFF....WAVEfmt "


def audio(title="Épisode", duration=125.0, name="ep.wav"):
    return Media.objects.create(
        title=title, type="audio", duration=duration, file=ContentFile(AUDIO_BYTES, name=name)
    )


def podcast(title, media, summary="Un épisode pour avancer."):
    return (
        "podcast",
        {
            "title": title,
            "audio": media,
            "summary": summary,
            "chapters": [],
            "transcript": "<p>La transcription de l'épisode.</p>",
        },
    )


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own feed, in a test)


def items(root):
    return root.findall("./channel/item")


def titles(root):
    return [item.findtext("title") for item in items(root)]


def all_feed_url():
    return reverse("pathways:podcasts_feed")


def pathway_feed_url(pathway_id):
    return reverse("pathways:pathway_podcasts_feed", kwargs={"pathway_id": pathway_id})


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(125.0, "00:02:05"), (59.6, "00:01:00"), (3725.2, "01:02:05"), (0, ""), (None, "")],
)
def test_format_duration(seconds, expected):
    assert format_duration(seconds) == expected


def test_all_feed_lists_one_enclosure_per_podcast_step(client):
    first, second = audio("Un", 125.0), audio("Deux", 3725.0, name="deux.mp3")
    mod = module(
        title="Trouver ses soutiens",
        steps=[podcast("Premiers pas", first), sheet(), podcast("Le financement", second)],
    )

    root = fetch(client, all_feed_url())

    channel = root.find("channel")
    assert channel.findtext("language") == "fr"
    assert channel.findtext("itunes:author", namespaces=NS) == "Balise"
    assert channel.find("itunes:category", NS).get("text") == "Business"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("link").startswith("http://testserver/")

    entries = items(root)
    assert titles(root) == [
        "Premiers pas · Trouver ses soutiens",
        "Le financement · Trouver ses soutiens",
    ]
    enclosures = [entry.find("enclosure") for entry in entries]
    assert [e.get("type") for e in enclosures] == ["audio/x-wav", "audio/mpeg"]
    assert {e.get("length") for e in enclosures} == {str(len(AUDIO_BYTES))}
    # A stable public address that redirects to the file (a fresh signed URL on S3).
    assert enclosures[0].get("url") == f"http://testserver/podcasts/audio/{first.pk}/"
    response = client.get(enclosures[0].get("url"))
    assert response.status_code == 302 and response.url == first.file.url
    assert [e.findtext("itunes:duration", namespaces=NS) for e in entries] == [
        "00:02:05",
        "01:02:05",
    ]

    step_ids = [s.id for s in mod.steps if s.block_type == "podcast"]
    entry = entries[0]
    guid = entry.find("guid")
    assert guid.text == f"{mod.pk}:{step_ids[0]}"
    assert guid.get("isPermaLink") == "false"
    module_url = f"http://testserver{mod.url}"
    assert entry.findtext("link") == module_url
    assert entry.findtext("description") == "Un épisode pour avancer."
    assert entry.findtext("itunes:summary", namespaces=NS) == "Un épisode pour avancer."
    assert entry.findtext("itunes:explicit", namespaces=NS) == "false"
    transcript = entry.find("podcast:transcript", NS)
    assert transcript.get("url") == f"{module_url}#transcription-{step_ids[0]}"
    assert transcript.get("type") == "text/html"


def test_drafts_and_unpublished_modules_stay_out(client):
    module(title="Brouillon", steps=[podcast("Caché", audio())], live=False)
    module(title="En ligne", steps=[podcast("Visible", audio())])

    assert titles(fetch(client, all_feed_url())) == ["Visible · En ligne"]


def test_guid_is_stable_when_a_republished_module_reorders_its_steps(client):
    mod = module(steps=[podcast("A", audio()), podcast("B", audio())])
    before = {e.findtext("title"): e.findtext("guid") for e in items(fetch(client, all_feed_url()))}

    mod = refresh(mod)
    mod.steps = list(reversed(list(mod.steps.raw_data)))
    mod.save_revision().publish()

    root = fetch(client, all_feed_url())
    after = {e.findtext("title"): e.findtext("guid") for e in items(root)}
    assert [t.split(" · ")[0] for t in titles(root)] == ["B", "A"]
    assert after == before
    assert items(root)[0].findtext("pubDate")  # published modules carry a date


def test_pathway_feed_lists_only_its_modules_in_outline_order(client):
    late = module(title="Deuxième", steps=[podcast("Ep. 2", audio())])
    early = module(title="Premier", steps=[podcast("Ep. 1", audio())])
    module(title="Ailleurs", steps=[podcast("Autre parcours", audio())])
    pathway = build_pathway([early, "p:automatic", late], title="Créer une recyclerie")

    root = fetch(client, pathway_feed_url(pathway.pk))

    assert titles(root) == ["Ep. 1 · Premier", "Ep. 2 · Deuxième"]
    assert root.findtext("./channel/title") == "Balise : Créer une recyclerie"
    assert root.findtext("./channel/link") == f"http://testserver{pathway.url}"
    assert len(items(fetch(client, all_feed_url()))) == 3


def test_pathway_feed_404_for_unknown_or_unpublished_pathway(client):
    pathway = build_pathway(["m:1"])
    assert client.get(pathway_feed_url(pathway.pk + 1000)).status_code == 404

    pathway.unpublish()
    assert client.get(pathway_feed_url(pathway.pk)).status_code == 404


def test_step_whose_media_was_deleted_is_skipped(client):
    gone = audio("Supprimé")
    module(title="M", steps=[podcast("Perdu", gone), podcast("Gardé", audio())])
    gone.delete()

    for url in (all_feed_url(), pathway_feed_url(build_pathway(["m:1"]).pk)):
        assert client.get(url).status_code == 200
    assert titles(fetch(client, all_feed_url())) == ["Gardé · M"]


def test_empty_feed_is_still_valid(client):
    root = fetch(client, all_feed_url())
    assert items(root) == []
    assert root.get("version") == "2.0"


def _modules_with_podcasts(count):
    return [
        module(steps=[podcast(f"Ép. {n}a", audio()), sheet(), podcast(f"Ép. {n}b", audio())])
        for n in range(count)
    ]


@pytest.mark.parametrize("size", [1, 5])
def test_feeds_use_a_constant_number_of_queries(client, django_assert_max_num_queries, size):
    modules = _modules_with_podcasts(size)
    pathway = build_pathway(modules)

    # pathway, modules and their view restrictions (4), media (1), site and root paths (2)
    with django_assert_max_num_queries(7):
        root = fetch(client, pathway_feed_url(pathway.pk))
    assert len(items(root)) == 2 * size

    with django_assert_max_num_queries(5):
        root = fetch(client, all_feed_url())
    assert len(items(root)) == 2 * size


# --- Only published media are served --------------------------------------------------------


@pytest.fixture
def editor():
    from lms.accounts.roles import Role, ensure_role_groups
    from tests.factories.accounts import UserFactory

    ensure_role_groups()
    return UserFactory(role=Role.EDITOR)


def test_media_used_only_by_a_draft_is_not_served_but_editors_preview_it(client, editor):
    from tests.factories.accounts import learner

    draft_audio, live_audio = audio("Brouillon"), audio("En ligne")
    module(steps=[podcast("Pas encore publié", draft_audio)], live=False)
    module(steps=[podcast("Publié", live_audio)])
    unused = audio("Jamais utilisé")
    urls = {
        m.pk: [
            reverse("pathways:podcast_audio", args=[m.pk]),
            reverse("pathways:media_file", args=[m.pk]),
        ]
        for m in (draft_audio, live_audio, unused)
    }
    client.force_login(learner())
    for url in urls[draft_audio.pk] + urls[unused.pk]:
        assert client.get(url).status_code == 404, url
    for url in urls[live_audio.pk]:
        assert client.get(url).status_code == 302, url
    client.logout()
    assert client.get(urls[draft_audio.pk][0]).status_code == 404  # the public podcast address
    client.force_login(editor)
    for url in urls[draft_audio.pk]:
        response = client.get(url)
        assert response.status_code == 302 and response.url == draft_audio.file.url
