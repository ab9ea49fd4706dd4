"""Admin hooks of the content side."""

from django.contrib import messages
from django.utils.translation import gettext as _
from wagtail import hooks

from .models import ModulePage, PathwayPage


def warn_about_unpublished_modules(request, page) -> None:
    """Learners only see live modules: tell the editor which outline modules are drafts."""
    if not isinstance(page, PathwayPage):
        return
    latest = page.get_latest_revision_as_object()
    drafts = ModulePage.objects.filter(pk__in=latest.module_ids(), live=False).order_by("title")
    titles = [module.title for module in drafts]
    if titles:
        messages.warning(
            request,
            _(
                "Modules pas encore publiés : %(titles)s. Ils n'apparaîtront dans le parcours "
                "qu'une fois publiés (faites-les valider aussi)."
            )
            % {"titles": ", ".join(f"« {title} »" for title in titles)},
        )


hooks.register("after_create_page", warn_about_unpublished_modules)
hooks.register("after_edit_page", warn_about_unpublished_modules)
