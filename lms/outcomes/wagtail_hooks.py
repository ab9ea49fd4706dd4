"""The self-diagnosis questionnaire in Wagtail's admin: competences are snippets."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Competence


class CompetenceViewSet(SnippetViewSet):
    model = Competence
    icon = "clipboard-list"
    menu_label = _("Autodiagnostic")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["name", "area", "code"]
    list_filter = ["area"]
    ordering = ["sort_order", "pk"]


register_snippet(CompetenceViewSet)
