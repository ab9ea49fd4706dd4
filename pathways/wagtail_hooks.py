"""Admin hooks of the content side: what the editor is told after saving a pathway, and
which pages the choosers offer.

Warnings about an outline (``pathways.outline``) are Wagtail messages shown on the page
that follows an explicit save (draft, submission, publication): they never block it.
Wagtail's autosave posts in the background every few seconds and renders no page, so it
adds none (they would pile up and show all at once), and a message already waiting is
not added twice.
"""

from django.contrib import messages
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .actions import confirm_page, mark_provisional
from .blocks import missing_captions, missing_transcript
from .glossary import GlossaryTerm
from .models import ModulePage, PathwayPage, ProvisionalPage
from .outline import entries_from_raw, has_module, points_before_any_module, repeated_modules


def is_autosave(request) -> bool:
    """Wagtail's autosave asks for JSON, as its views tell (``expects_json_response``)."""
    return not request.accepts("text/html")


def warn_once(request, text: str) -> None:
    """A warning, unless the same one already waits to be shown."""
    waiting = messages.get_messages(request)
    already = any(str(message) == text for message in waiting)
    waiting.used = False  # reading them must not mark them as shown
    if not already:
        messages.warning(request, text)


def quoted(titles) -> str:
    return ", ".join(f"« {title} »" for title in titles)


def outline_warnings(pathway: PathwayPage) -> list[str]:
    """What the editor should know about the outline of ``pathway`` (its latest draft)."""
    entries = entries_from_raw(pathway.outline.raw_data)
    if not has_module(entries):
        return [
            _(
                "Le déroulé ne contient encore aucun module : le brouillon est enregistré, "
                "mais le parcours ne pourra être ni publié ni soumis à validation sans au "
                "moins un module."
            )
        ]
    modules = ModulePage.objects.filter(pk__in={e.module_id for e in entries if e.module_id})
    titles = dict(modules.values_list("pk", "title"))
    texts = []
    drafts = sorted(modules.filter(live=False).values_list("title", flat=True))
    if drafts:
        texts.append(
            _(
                "Modules pas encore publiés : %(titles)s. Ils n'apparaîtront dans le parcours "
                "qu'une fois publiés (faites-les valider aussi)."
            )
            % {"titles": quoted(drafts)}
        )
    repeated = [titles[pk] for pk in repeated_modules(entries) if pk in titles]
    if repeated:
        texts.append(
            _(
                "Module placé deux fois (ou plus) dans le déroulé : %(titles)s. La personne "
                "ne le suit qu'une fois : là où il revient, il est déjà terminé."
            )
            % {"titles": quoted(repeated)}
        )
    leading = points_before_any_module(entries)
    if leading:
        texts.append(
            _(
                "Balise placée avant tout module : %(titles)s. Elle est atteinte dès "
                "l'inscription, avant que la personne ait commencé quoi que ce soit."
            )
            % {"titles": quoted(leading)}
        )
    return texts


def media_warnings(module: ModulePage) -> list[str]:
    """What a draft module still lacks for people who cannot hear: hosted videos without
    captions, testimonies with audio or video but no transcript. Publication refuses them
    (the blocks' ``clean``); a draft is kept, and its editor reads this."""
    texts = []
    uncaptioned = [
        step["value"].get("title", "")
        for step in module.steps.raw_data
        if step["type"] == "video" and missing_captions(step["value"])
    ]
    if uncaptioned:
        texts.append(
            _(
                "Vidéos sans sous-titres : %(titles)s. Ajoutez un fichier WebVTT (.vtt) à "
                "chacune : le module ne pourra pas être publié sans."
            )
            % {"titles": quoted(uncaptioned)}
        )
    untranscribed = [
        step["value"].get("title", "")
        for step in module.steps.raw_data
        if step["type"] == "testimony" and missing_transcript(step["value"])
    ]
    if untranscribed:
        texts.append(
            _(
                "Témoignages avec un audio ou une vidéo mais sans transcription : "
                "%(titles)s. Le module ne pourra pas être publié sans."
            )
            % {"titles": quoted(untranscribed)}
        )
    return texts


def after_saving(request, page) -> None:
    """After an explicit save (not autosave): the page is no longer provisional, and the
    editor reads what to know about a pathway's outline or a module's media."""
    if is_autosave(request):
        return
    confirm_page(page)
    if isinstance(page, PathwayPage):
        for text in outline_warnings(page.get_latest_revision_as_object()):
            warn_once(request, text)
    elif isinstance(page, ModulePage):
        for text in media_warnings(page.get_latest_revision_as_object()):
            warn_once(request, text)


@hooks.register("after_create_page")
def after_creating_page(request, page) -> None:
    """A page that autosave creates stays provisional until its editor saves it."""
    if is_autosave(request):
        mark_provisional(page)
    else:
        after_saving(request, page)


hooks.register("after_edit_page", after_saving)


@hooks.register("construct_page_chooser_queryset")
def hide_provisional_pages(pages, request):
    """The choosers (the outline's module chooser, links in rich text) leave out the pages
    that autosave created and nobody saved since (``ProvisionalPage``)."""
    hidden = ProvisionalPage.objects.filter(page__live=False).values_list("page_id", flat=True)
    return pages.exclude(pk__in=list(hidden))


class GlossaryViewSet(SnippetViewSet):
    """The glossary's terms, which learner pages link where they appear."""

    model = GlossaryTerm
    icon = "help"
    menu_label = _("Glossaire")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["term", "expansion", "slug"]
    ordering = ["term"]


register_snippet(GlossaryViewSet)
