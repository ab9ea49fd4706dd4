"""Wagtail content of Balise: the home page (pathways and modules arrive next)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The site's root: tells a project holder what Balise is and how to start."""

    headline = models.CharField(
        _("accroche"),
        max_length=200,
        blank=True,
        help_text=_("Laisser vide pour garder l'accroche par défaut."),
    )
    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text=_("Quelques phrases simples pour un·e porteur·se de projet qui découvre Balise."),
    )

    content_panels = [*Page.content_panels, FieldPanel("headline"), FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("page d'accueil")
