"""Podcast RSS 2.0 feeds, so learners can listen in their own podcast app.

Two feeds: every podcast step of the live modules, and the podcast steps of one
pathway's modules in outline order. Each is built in a constant number of
queries: the pathway (if any), its modules, the audio files of their podcast
steps (read from the raw StreamField data, not through each chooser), plus
Wagtail's cached site root paths.

An episode's guid is ``"<module pk>:<step block id>"``: block ids are stable
across revisions, so reordering or editing a module never makes podcast apps
download an episode twice. A step whose audio was deleted is left out.

The feed objects are shared by every request (``urls.py`` instantiates them
once), so nothing request-specific is stored on them: ``get_object()`` builds a
``Channel`` holding the finished episodes with their absolute URLs.
"""

import mimetypes
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from wagtailmedia.models import get_media_model

from .models import ModulePage, PathwayPage
from .queries import servable_media

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
DEFAULT_AUDIO_TYPE = "audio/mpeg"


@dataclass(frozen=True)
class Episode:
    """One podcast step, ready to be written as an RSS item."""

    guid: str
    title: str
    summary: str
    link: str
    pubdate: datetime | None
    audio_url: str
    audio_length: int
    audio_type: str
    duration: str
    transcript_url: str


@dataclass(frozen=True)
class Channel:
    title: str
    link: str
    description: str
    episodes: list[Episode]


def format_duration(seconds: float | None) -> str:
    """``HH:MM:SS`` for iTunes, or "" when the duration is unknown (0 or None)."""
    if not seconds or seconds < 0:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def absolute_url(request, url: str) -> str:
    if request is not None:
        return request.build_absolute_uri(url)
    return urljoin(f"{settings.SITE_URL}/", url)


def podcast_episodes(modules: list[ModulePage], request) -> list[Episode]:
    """The podcast steps of these modules, in order: one query for all their audio files."""
    podcast_steps = [
        (module, item)
        for module in modules
        for item in module.steps.raw_data
        if item["type"] == "podcast"
    ]
    media_ids = {item["value"].get("audio") for _module, item in podcast_steps}
    media_ids.discard(None)
    media_by_id = get_media_model().objects.in_bulk(media_ids)

    episodes = []
    module_urls: dict[int, str] = {}
    for module, item in podcast_steps:
        media = media_by_id.get(item["value"].get("audio"))
        if media is None or not media.file:
            continue  # deleted audio: leave the episode out rather than break the feed
        if module.pk not in module_urls:
            module_urls[module.pk] = absolute_url(request, module.get_url(request) or "/")
        module_url = module_urls[module.pk]
        value = item["value"]
        summary = value.get("summary") or module.summary
        episodes.append(
            Episode(
                guid=f"{module.pk}:{item['id']}",
                title=f"{value.get('title', '')} · {module.title}",
                summary=summary,
                link=module_url,
                pubdate=module.last_published_at or module.first_published_at,
                audio_url=absolute_url(request, reverse("pathways:podcast_audio", args=[media.pk])),
                audio_length=_file_size(media),
                audio_type=mimetypes.guess_type(media.file.name)[0] or DEFAULT_AUDIO_TYPE,
                duration=format_duration(media.duration),
                transcript_url=f"{module_url}#transcription-{item['id']}",
            )
        )
    return episodes


def _file_size(media) -> int:
    """The audio file's size in bytes; 0 (allowed by RSS) if the storage cannot tell."""
    try:
        return media.file.size
    except (OSError, ValueError):
        return 0


def _public_modules():
    return ModulePage.objects.live().public()


class PodcastFeedGenerator(Rss201rev2Feed):
    """RSS 2.0 with the iTunes and Podcasting 2.0 elements podcast apps read."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:itunes": ITUNES_NS,
            "xmlns:podcast": PODCAST_NS,
        }

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("itunes:author", "Balise")
        handler.addQuickElement("itunes:summary", self.feed["description"])
        handler.addQuickElement("itunes:category", attrs={"text": "Business"})
        handler.addQuickElement("itunes:explicit", "false")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("itunes_duration"):
            handler.addQuickElement("itunes:duration", item["itunes_duration"])
        handler.addQuickElement("itunes:summary", item.get("itunes_summary") or "")
        handler.addQuickElement("itunes:explicit", "false")
        if item.get("transcript_url"):
            handler.addQuickElement(
                "podcast:transcript", attrs={"url": item["transcript_url"], "type": "text/html"}
            )


class PodcastFeed(Feed):
    """Common item rendering; subclasses build the ``Channel`` in ``get_object()``."""

    feed_type = PodcastFeedGenerator
    language = "fr"

    def title(self, channel: Channel) -> str:
        return channel.title

    def link(self, channel: Channel) -> str:
        return channel.link

    def description(self, channel: Channel) -> str:
        return channel.description

    def items(self, channel: Channel) -> list[Episode]:
        return channel.episodes

    def item_title(self, episode: Episode) -> str:
        return episode.title

    def item_description(self, episode: Episode) -> str:
        return episode.summary

    def item_link(self, episode: Episode) -> str:
        return episode.link

    def item_guid(self, episode: Episode) -> str:
        return episode.guid

    def item_guid_is_permalink(self, episode: Episode) -> bool:
        return False

    def item_pubdate(self, episode: Episode) -> datetime | None:
        return episode.pubdate

    def item_enclosures(self, episode: Episode) -> list[Enclosure]:
        return [
            Enclosure(
                url=episode.audio_url,
                length=str(episode.audio_length),
                mime_type=episode.audio_type,
            )
        ]

    def item_extra_kwargs(self, episode: Episode) -> dict:
        return {
            "itunes_duration": episode.duration,
            "itunes_summary": episode.summary,
            "transcript_url": episode.transcript_url,
        }


class AllPodcastsFeed(PodcastFeed):
    """Every podcast step of every live module, in the module library's order."""

    def get_object(self, request, *args, **kwargs) -> Channel:
        modules = list(_public_modules().order_by("path"))
        return Channel(
            title=_("Balise : tous les podcasts"),
            link=absolute_url(request, "/"),
            description=_(
                "Les épisodes audio des parcours Balise, pour faire avancer votre projet "
                "d’économie sociale et solidaire. Chaque épisode a sa transcription."
            ),
            episodes=podcast_episodes(modules, request),
        )


class PathwayPodcastsFeed(PodcastFeed):
    """The podcast steps of one live pathway's live modules, in outline order."""

    def get_object(self, request, pathway_id: int, *args, **kwargs) -> Channel:
        pathway = get_object_or_404(PathwayPage.objects.live().public(), pk=pathway_id)
        module_ids = list(
            dict.fromkeys(
                item["value"]
                for item in pathway.outline.raw_data
                if item["type"] == "module" and item["value"] is not None
            )
        )
        found = _public_modules().in_bulk(module_ids)
        modules = [found[pk] for pk in module_ids if pk in found]
        intro = unescape(strip_tags(pathway.intro)).strip()
        return Channel(
            title=_("Balise : %(pathway)s") % {"pathway": pathway.title},
            link=absolute_url(request, pathway.get_url(request) or "/"),
            description=pathway.search_description or intro or pathway.title,
            episodes=podcast_episodes(modules, request),
        )


@require_GET
def podcast_audio(request, media_id: int):
    """A stable public address for an episode's audio, as podcast apps keep it for long.

    Files may sit in a private bucket behind short-lived signed URLs: this view
    redirects to a fresh one at each download. Only episodes of live public pages
    (editors: drafts too).
    """
    media = servable_media(request.user, media_id, public_only=True, type="audio")
    if media is None:
        raise Http404(_("Cet épisode n'existe pas ou n'est pas publié."))
    return redirect(media.file.url)
