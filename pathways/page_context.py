"""What the Wagtail pages of pathways show (``get_context``): read-only, no writes.

Kept out of models.py (pages stay declarations) and out of views.py (views are the
learner's actions); the pages import this module when they render.
"""

from .models import Audience, Enrollment, ModulePage, PathwayPage, Theme
from .progress import ModuleState
from .queries import learner_progress


def pathway_index_context(page, request) -> dict:
    """Live pathways under the index, filtered by ?theme= and ?public= (unknown values ignored)."""
    theme = request.GET.get("theme", "")
    audience = request.GET.get("public", "")
    pathways = PathwayPage.objects.child_of(page).live().order_by("path")
    if theme in Theme.values:
        pathways = pathways.filter(theme=theme)
    else:
        theme = ""
    pathways = list(pathways)
    if audience in Audience.values and audience != Audience.ALL:
        pathways = [p for p in pathways if p.is_for(audience)]
    else:
        audience = ""
    return {
        "pathways": pathways,
        "themes": Theme.choices,
        "audiences": [c for c in Audience.choices if c[0] != Audience.ALL],
        "current_theme": theme,
        "current_audience": audience,
    }


def pathway_page_context(page: PathwayPage, request) -> dict:
    """The outline with per-module state for the visitor (empty progress when anonymous).
    What outcomes asks of the learner there comes from its own template tags."""
    user = request.user if request.user.is_authenticated else None
    view = learner_progress(user, page)
    enrolled = user is not None and Enrollment.objects.filter(learner=user, pathway=page).exists()
    return {"view": view, "enrolled": enrolled, "ModuleState": ModuleState}


def module_page_context(page: ModulePage, request) -> dict:
    """Public intro of a module: summary and the list of its steps (titles only)."""
    return {"step_titles": [page.step_titles[step_id] for step_id in page.step_ids]}
