"""The glossary of the field's words (ESS, QPV, SCIC...), and their links in learner pages.

Terms are snippets that editors manage (``GlossaryTerm``). Learner text is rendered first
(rich text, blocks), then ``link_terms`` wraps the first occurrence of each term in a link
to its entry on « Glossaire » (``/glossaire/#slug``), with the spelled-out form of an
acronym in an ``<abbr title>``. Only text between tags is touched, never inside a link, a
heading, a button, a summary or a label, so markup stays whole and no link nests.

Caching: the terms are read through Django's cache under a key made of the glossary's
version (the number of terms and the latest change); a save or a delete forgets the
version once its transaction commits, so the next reader computes a new one. Fragments
that hold linked text (the step's content) carry that version in their key.
"""

import re
import unicodedata

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

VERSION_KEY = "glossary:version"
VERSION_SECONDS = 600  # bounds how long a reader racing a change may keep the old version
TERMS_SECONDS = 24 * 3600

# Text inside these elements is never linked: a link in a link is invalid, a heading or a
# control keeps its own words.
SKIPPED = frozenset(
    {"a", "abbr", "h1", "h2", "h3", "h4", "h5", "h6", "button", "summary", "label",
     "option", "select", "textarea", "script", "style", "code", "pre", "title", "dfn"}
)  # fmt: skip
TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)")


class GlossaryTerm(index.Indexed, models.Model):
    """A word of the field, explained in plain words, in French and in English."""

    term = models.CharField(
        _("terme"),
        max_length=80,
        unique=True,
        help_text=_("Tel qu'il est écrit dans les contenus, ex. « SCIC » ou « couveuse »."),
    )
    slug = models.SlugField(
        _("ancre"),
        max_length=80,
        unique=True,
        help_text=_("L'adresse de sa définition : /glossaire/#ancre."),
    )
    expansion = models.CharField(
        _("forme développée"),
        max_length=200,
        blank=True,
        help_text=_("Pour un sigle : « Société coopérative d'intérêt collectif »."),
    )
    definition = models.TextField(_("définition"), max_length=600)
    term_en = models.CharField(_("terme en anglais"), max_length=200, blank=True)
    definition_en = models.TextField(_("définition en anglais"), max_length=600, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("term"), FieldPanel("slug"), FieldPanel("expansion")],
            heading=_("Terme"),
        ),
        FieldPanel("definition"),
        MultiFieldPanel(
            [FieldPanel("term_en"), FieldPanel("definition_en")], heading=_("En anglais")
        ),
    ]
    search_fields = [index.SearchField("term"), index.SearchField("definition")]

    class Meta:
        app_label = "pathways"
        ordering = ["term"]
        verbose_name = _("terme du glossaire")
        verbose_name_plural = _("termes du glossaire")

    def __str__(self):
        return self.term


FIELDS = ("term", "slug", "expansion", "definition", "term_en", "definition_en")


def _load() -> tuple[str, list[dict]]:
    """One query: every term, and the version they make (count and latest change)."""
    rows = list(GlossaryTerm.objects.values(*FIELDS, "updated_at"))
    latest = max((row.pop("updated_at").timestamp() for row in rows), default=0)
    version = f"{len(rows)}-{latest:.6f}"
    cache.set(f"glossary:terms:{version}", rows, TERMS_SECONDS)
    cache.set(VERSION_KEY, version, VERSION_SECONDS)
    return version, rows


def glossary_version() -> str:
    """A string that changes whenever a term is added, changed or deleted."""
    version = cache.get(VERSION_KEY)
    return version if version is not None else _load()[0]


def forget_glossary_version() -> None:
    cache.delete(VERSION_KEY)


@receiver(post_save, sender=GlossaryTerm)
@receiver(post_delete, sender=GlossaryTerm)
def glossary_changed(sender, **kwargs) -> None:
    transaction.on_commit(forget_glossary_version)


def glossary_terms() -> list[dict]:
    """Every term as plain values, from the cache (one query when the glossary changed)."""
    terms = cache.get(f"glossary:terms:{glossary_version()}")
    return terms if terms is not None else _load()[1]


def dictionary_order(term: dict) -> str:
    """Sorts as a dictionary does: « couveuse », « ESS », « étude de marché », « SCIC »."""
    decomposed = unicodedata.normalize("NFKD", term["term"])
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def in_language(term: dict, language: str | None = None) -> dict:
    """The term's words to show in ``language``: English when written, else French."""
    english = (language or get_language() or "fr").startswith("en")
    return {
        **term,
        "shown_lang": "en" if english and term["definition_en"] else "fr",
        "shown_term": term["term_en"] if english and term["term_en"] else term["term"],
        "shown_definition": (
            term["definition_en"] if english and term["definition_en"] else term["definition"]
        ),
    }


def _words(term: str) -> str:
    """A term's words as a pattern; any run of spaces (a non-breaking one too) between them."""
    return r"\s+".join(re.escape(word) for word in term.split())


def _pattern(terms: list[dict]) -> re.Pattern | None:
    """One alternation over every term, longest first (« étude de marché » before a
    shorter term it contains), whole words only, a plural « s » or « x » allowed."""
    if not terms:
        return None
    ordered = sorted(range(len(terms)), key=lambda i: -len(terms[i]["term"]))
    groups = "|".join(f"(?P<t{i}>{_words(terms[i]['term'])})" for i in ordered)
    return re.compile(rf"(?<![\w-])(?:{groups})(?:s|x)?(?![\w-])", re.IGNORECASE)


def link_terms(html: str, terms: list[dict] | None = None) -> str:
    """``html`` with the first occurrence of each glossary term linked to its definition.

    Only text nodes outside ``SKIPPED`` elements change; tags and comments are copied as
    they are. The text was escaped by Django already, so the matched words are kept as
    written and only our attributes are escaped."""
    terms = glossary_terms() if terms is None else terms
    pattern = _pattern(terms)
    if pattern is None or not html:
        return html
    base = reverse("pathways:glossary")
    seen: set[str] = set()
    depth = 0  # how many SKIPPED elements are open around the current text

    def replace(match: re.Match) -> str:
        name = match.lastgroup
        if name in seen:
            return match.group(0)
        seen.add(name)
        term = terms[int(name[1:])]
        words = match.group(0)
        if term["expansion"]:
            words = f'<abbr title="{escape(term["expansion"])}">{words}</abbr>'
        return f'<a class="glossary-term" href="{base}#{term["slug"]}">{words}</a>'

    parts = TAG.split(str(html))
    for index_, part in enumerate(parts):
        if index_ % 2:  # a tag or a comment
            found = TAG_NAME.match(part)
            if found and found.group(2).lower() in SKIPPED and not part.endswith("/>"):
                depth = max(depth - 1, 0) if found.group(1) else depth + 1
        elif depth == 0 and part.strip():
            parts[index_] = pattern.sub(replace, part)
    return mark_safe("".join(parts))  # noqa: S308 (text escaped upstream, tags kept)
