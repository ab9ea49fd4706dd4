"""Builders of the content tree and of progress, for tests.

``build_pathway(...)`` makes a pathway from a compact outline description:
``["m:2", "p:automatic", "m:1", "p:gate", "m:3"]`` means a module of 2 steps,
an automatic point, a module of 1 step, a gate, a module of 3 steps. Modules can
be shared between pathways by passing ModulePage instances instead of "m:N".
"""

import itertools

from wagtail.models import Page

from pathways.models import HomePage, ModuleLibraryPage, ModulePage, PathwayIndexPage, PathwayPage

_counter = itertools.count(1)


def published(page: Page) -> Page:
    """The page with a live revision, as Wagtail's admin leaves a published page."""
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def home() -> HomePage:
    return HomePage.objects.get()


def library() -> ModuleLibraryPage:
    existing = ModuleLibraryPage.objects.first()
    if existing:
        return existing
    return home().add_child(instance=ModuleLibraryPage(title="Modules", slug="modules"))


def pathway_index() -> PathwayIndexPage:
    existing = PathwayIndexPage.objects.first()
    if existing:
        return existing
    return home().add_child(instance=PathwayIndexPage(title="Parcours", slug="parcours"))


def sheet(title="Fiche", body="<p>Contenu de la fiche.</p>"):
    return ("workshop_sheet", {"title": title, "body": body, "document": None})


def exercise(title="Exercice", questions=None, share_with_coach=True):
    questions = questions or [
        {
            "label": "Votre idée ?",
            "kind": "long_text",
            "help_text": "",
            "choices": [],
            "required": False,
        }
    ]
    return (
        "guided_exercise",
        {
            "title": title,
            "instructions": "<p>Répondez aux questions.</p>",
            "questions": questions,
            "share_with_coach": share_with_coach,
        },
    )


def module(n_steps=2, steps=None, title=None, parent=None, live=True, structure=None) -> ModulePage:
    number = next(_counter)
    steps = steps if steps is not None else [sheet(f"Étape {i + 1}") for i in range(n_steps)]
    page = ModulePage(
        title=title or f"Module {number}",
        slug=f"module-{number}",
        summary="Un module de test.",
        steps=steps,
        live=live,
        structure=structure,
    )
    (parent or library()).add_child(instance=page)
    if not live:
        page.unpublish()
        return page
    return published(page)


def point(title="Balise", trigger="automatic", questions=None, modality="any", group=False):
    return (
        "progression_point",
        {
            "title": title,
            "trigger": trigger,
            "learner_message": "<p>Bravo, vous avez atteint une balise.</p>",
            "coach_brief": "Faire le point sur le projet.",
            "recommended_modality": modality,
            "questions": questions or [],
            "group_allowed": group,
        },
    )


def build_pathway(outline, title=None, **fields) -> PathwayPage:
    blocks = []
    for entry in outline:
        if isinstance(entry, ModulePage):
            blocks.append(("module", entry))
        elif isinstance(entry, tuple):
            blocks.append(entry)
        elif entry.startswith("m:"):
            blocks.append(("module", module(int(entry[2:]))))
        elif entry.startswith("p:"):
            blocks.append(point(title=f"Balise {len(blocks)}", trigger=entry[2:]))
        else:
            raise ValueError(entry)
    number = next(_counter)
    fields.setdefault("intro", "<p>Un parcours de test.</p>")
    fields.setdefault("theme", "emergence")
    page = PathwayPage(
        title=title or f"Parcours {number}", slug=f"parcours-{number}", outline=blocks, **fields
    )
    pathway_index().add_child(instance=page)
    return published(page)


def modules_of(pathway: PathwayPage) -> list[ModulePage]:
    return [item.module for item in pathway.outline_items() if item.kind == "module"]


def point_ids(pathway: PathwayPage) -> list[str]:
    return [item.key for item in pathway.outline_items() if item.kind == "point"]


def refresh(page: Page):
    return type(page).objects.get(pk=page.pk)
