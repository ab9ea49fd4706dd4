"""Template helpers of learner pages: what a download weighs, the glossary's links."""

from pathlib import PurePath

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from pathways.glossary import glossary_version, link_terms

register = template.Library()


@register.filter
def file_label(item) -> str:
    """The type and weight of a document or media file, e.g. « PDF, 240,0 Ko », so that a
    learner on a small plan knows before downloading. The weight is the stored
    ``file_size`` when there is one (documents), else the storage's (one look-up, inside
    the step's cached fragment); without it, the type alone."""
    if not item or not getattr(item, "file", None):
        return ""
    kind = PurePath(item.file.name or "").suffix.lstrip(".").upper()
    size = getattr(item, "file_size", None)
    if size is None:
        try:
            size = item.file.size
        except (OSError, ValueError, NotImplementedError):
            size = None
    if not size:
        return kind
    return _("%(kind)s, %(size)s") % {"kind": kind, "size": filesizeformat(size)}


@register.filter(is_safe=True)
def link_glossary(html) -> str:
    """Rendered HTML with the first occurrence of each glossary term linked to it."""
    return link_terms(str(html))


@register.simple_tag
def current_glossary_version() -> str:
    """For the keys of cached fragments whose text ``link_glossary`` went through."""
    return glossary_version()
