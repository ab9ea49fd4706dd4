"""Reads of learner progress: a constant number of queries, whatever the sizes.

The hottest filters name ids (``learner_id=``, ``pathway_id=``): a lookup through a page
model instance costs more to compile than the rest of its query."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import CharField, Value
from django.db.models.functions import Cast
from wagtail.models import Page, ReferenceIndex
from wagtailmedia.models import get_media_model

from lms.accounts import facts
from lms.accounts.models import User
from lms.notifications.navigation import navigation_facts

from . import glossary
from .models import (
    CheckpointPassage,
    Enrollment,
    ModulePage,
    OfflineSync,
    OutlineItem,
    PathwayPage,
    StepCompletion,
)
from .progress import ModuleInput, PassageInput, PathwayProgress, PointInput, compute_progress

# --- Live pages, through Django's cache -----------------------------------------------------
#
# A live page is cached under a key made of its id, its live revision and its URL path,
# read first by one query that loads no content: publishing, unpublishing, a move or a
# parent's new slug change that row, so every process reads the new page at once, with
# nothing to forget on commit; a reader racing a publish can only store the old page
# under the old key. A page without a live revision (built by a script, never published
# through Wagtail) is read from the database each time: its changes leave no trace in that
# row. The pages are shared between requests: read them, never change them.


# Bumped when the cached pages change shape (a new field, a new related object loaded with
# them): pages pickled by the previous code are then never read.
PAGE_CACHE_VERSION = 2


def _page_key(kind: str, pk: int, revision_id, url_path: str) -> str:
    path = hashlib.blake2b(url_path.encode(), digest_size=8).hexdigest()
    return f"pathways:{kind}:{pk}:{revision_id}:{path}:v{PAGE_CACHE_VERSION}"


def _live_modules():
    """Live modules with their author structure, shown on their pages (one join)."""
    return ModulePage.objects.live().select_related("structure")


def live_pathway(pk: int) -> PathwayPage | None:
    """The live pathway with this id, or None: one light query, then the cache."""
    stamp = Page.objects.filter(pk=pk, live=True).values_list("live_revision_id", "url_path")
    stamp = stamp.first()
    if stamp is None:
        return None
    if stamp[0] is None:
        return PathwayPage.objects.live().filter(pk=pk).first()
    key = _page_key("pathway", pk, *stamp)
    pathway = cache.get(key)
    if pathway is None:
        pathway = PathwayPage.objects.live().filter(pk=pk).first()
        if pathway is None:  # not a pathway, or unpublished since the first query
            return None
        cache.set(key, pathway, settings.BALISE_PAGE_CACHE_SECONDS)
    return pathway


def live_modules(ids) -> dict[int, ModulePage]:
    """``ModulePage.objects.live().in_bulk(ids)``: one light query, then the cache, which
    holds each module under its own revision (one module published reloads only it)."""
    stamps = Page.objects.filter(pk__in=list(ids), live=True).values_list(
        "pk", "live_revision_id", "url_path"
    )
    return _modules_from(stamps, {})


def _modules_from(stamps, found: dict) -> dict[int, ModulePage]:
    """The modules of these (pk, live revision, url path) rows: those in ``found`` (already
    read from the cache), then the others from the cache, then from the database."""
    keys, uncached = {}, []
    for pk, revision, path in stamps:
        if revision is None:
            uncached.append(pk)
        else:
            keys[_page_key("module", pk, revision, path)] = pk
    asked = [key for key in keys if key not in found]
    if asked:
        found = found | cache.get_many(asked)
    modules = {keys[key]: found[key] for key in keys if key in found}
    missing = [pk for key, pk in keys.items() if key not in found]
    if missing or uncached:
        loaded = _live_modules().in_bulk(missing + uncached)
        modules.update(loaded)
        by_pk = {pk: key for key, pk in keys.items()}
        cache.set_many(
            {by_pk[pk]: module for pk, module in loaded.items() if pk in by_pk},
            settings.BALISE_PAGE_CACHE_SECONDS,
        )
    return modules


def live_outline(pathway: PathwayPage) -> list[OutlineItem]:
    """The pathway's outline with its live modules, these from the cache."""
    return pathway.outline_items(live_modules(pathway.module_ids()))


def _module_ids_key(pk: int) -> str:
    return f"pathways:module-ids:{pk}"


def live_pathway_outline(pk: int) -> tuple[PathwayPage, list[OutlineItem]] | None:
    """``live_pathway(pk)`` and its ``live_outline``. The cache notes which modules a live
    revision of the pathway uses, so one light query reads the revisions of the pathway
    and of its modules together, and one cache read fetches them all. Without a note (or
    with one for another revision), the pathway is read whole and noted, then its
    modules' revisions: three queries at most when nothing is cached."""
    return _pathway_outline(pk, cache.get(_module_ids_key(pk)))


def _pathway_outline(pk: int, noted) -> tuple[PathwayPage, list[OutlineItem]] | None:
    """``live_pathway_outline`` once the pathway's note was read (None: not found)."""
    if noted is not None:
        revision, module_ids = noted
        stamps = Page.objects.filter(pk__in=[pk, *module_ids], live=True).values_list(
            "pk", "live_revision_id", "url_path"
        )
        stamps = {row[0]: row for row in stamps}
        stamp = stamps.pop(pk, None)
        if stamp is None:
            return None
        if stamp[1] == revision:
            key = _page_key("pathway", *stamp)
            module_keys = [
                _page_key("module", *row) for row in stamps.values() if row[1] is not None
            ]
            found = cache.get_many([key, *module_keys])
            pathway = found.pop(key, None)
            if pathway is None:
                pathway = PathwayPage.objects.live().filter(pk=pk).first()
                if pathway is None:
                    return None
                cache.set(key, pathway, settings.BALISE_PAGE_CACHE_SECONDS)
            return pathway, pathway.outline_items(_modules_from(stamps.values(), found))
    # Nothing noted (first read, eviction, another revision): the pathway is read whole at
    # once, its row giving the key it is stored under, rather than a light query first.
    pathway = PathwayPage.objects.live().filter(pk=pk).first()
    if pathway is None:
        return None
    module_ids = pathway.module_ids()
    if pathway.live_revision_id is not None:
        cache.set_many(
            {
                _page_key("pathway", pk, pathway.live_revision_id, pathway.url_path): pathway,
                _module_ids_key(pk): (pathway.live_revision_id, list(module_ids)),
            },
            settings.BALISE_PAGE_CACHE_SECONDS,
        )
    return pathway, pathway.outline_items(live_modules(module_ids))


# --- Progress ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathwayView:
    """A pathway's outline, the learner's progress in it, and their passages by point id."""

    pathway: PathwayPage
    outline: list[OutlineItem]
    progress: PathwayProgress
    passages: dict[str, CheckpointPassage]
    completed: frozenset[tuple[int, str]] = frozenset()  # (module id, step id) done

    def rows(self):
        """(outline item, its progress) pairs, in outline order."""
        return list(zip(self.outline, self.progress.items, strict=True))


def completed_steps(learner: User, module_ids) -> set[tuple[int, str]]:
    """(module id, step id) pairs the learner completed in these modules: one query."""
    return set(
        StepCompletion.objects.filter(learner_id=learner.pk, module_id__in=module_ids).values_list(
            "module_id", "step_id"
        )
    )


def to_inputs(outline: list[OutlineItem]):
    return [
        ModuleInput(module_id=item.module.pk, step_ids=item.module.step_ids)
        if item.kind == "module"
        else PointInput(point_id=item.key, trigger=item.trigger)
        for item in outline
    ]


def learner_progress(
    learner: User | None, pathway: PathwayPage, outline: list[OutlineItem] | None = None
) -> PathwayView:
    """Progress of a learner (or of nobody, for visitors) in a pathway: three queries."""
    if outline is None:
        outline = live_outline(pathway)
    module_ids = [item.module.pk for item in outline if item.kind == "module"]
    if learner is not None and learner.is_authenticated:
        completed, passages = _progress_rows(learner, pathway.pk, module_ids)
    else:
        completed, passages = set(), {}
    return build_view(pathway, outline, completed, passages)


def _progress_rows(learner: User, pathway_id: int, module_ids) -> tuple[set, dict]:
    """The learner's steps done in these modules and passages in the pathway: two queries."""
    return completed_steps(learner, module_ids), _passages(learner, pathway_id)


def _passages(learner: User, pathway_id: int) -> dict[str, CheckpointPassage]:
    return {
        p.point_id: p
        for p in CheckpointPassage.objects.filter(learner_id=learner.pk, pathway_id=pathway_id)
    }


PROGRESS = "progress"  # the kind of ``lms.accounts.facts`` generation of a learner's progress


def _progress_key(learner_id: int, pathway_id: int) -> str:
    return f"pathways:progress:{learner_id}:{pathway_id}:2"  # 2: with the steps kept offline


def _steps_done_and_kept(learner: User, module_ids) -> tuple[set, frozenset]:
    """The learner's steps done in these modules, and the steps whose answers typed offline
    to questions changed since wait on their page (``OfflineSync``): one query."""
    done = StepCompletion.objects.filter(
        learner_id=learner.pk, module_id__in=module_ids
    ).values_list("module_id", "step_id", Value(False))
    kept = OfflineSync.objects.filter(
        learner_id=learner.pk,
        module_id__in=module_ids,
        outcome=OfflineSync.Outcome.QUESTIONS_CHANGED,
    ).values_list("module_id", "step_id", Value(True))
    rows = list(done.union(kept))
    return (
        {(module, step) for module, step, is_kept in rows if not is_kept},
        frozenset((module, step) for module, step, is_kept in rows if is_kept),
    )


def progress_changed(*learner_ids: int) -> None:
    """Call inside the transaction that changes a learner's steps done, points passed or
    enrolments: their cached progress is not read again once it commits."""
    facts.changed(*learner_ids, kind=PROGRESS)


def progress_row_changed(sender, instance, **kwargs) -> None:
    """Receiver of post_save and post_delete of the rows a learner's progress is made of."""
    progress_changed(instance.learner_id)


@dataclass(frozen=True)
class StepReading:
    """What a learner's step page reads before its template: the pathway's outline, the
    learner's progress and enrolment, and the glossary's version (keys of fragments)."""

    view: PathwayView
    enrolled: bool
    glossary_version: str
    navigation: dict  # the navigation's facts about the learner (``navigation_facts``)
    offline_kept: frozenset  # (module id, step id) with answers kept offline to show


def step_reading(learner: User, pk: int) -> StepReading | None:
    """The step page's reads in two cache round trips and one light query when warm: the
    pathway's module note, the learner's progress (with the generation that validates it),
    the glossary's version and the navigation's facts together, then the live revisions,
    then the pages. The learner's progress (steps done in the pathway's modules, passages,
    enrolment, steps whose answers typed offline wait on their page) is kept per pathway,
    replaced when it changes (``progress_changed``: the receivers connected in
    ``PathwaysConfig.ready`` and the actions that update rows in bulk). For pages only: the
    actions read the database (``learner_progress``)."""
    generation_key = facts.generation_key(learner.pk, PROGRESS)
    progress_key = _progress_key(learner.pk, pk)
    found = cache.get_many(
        [_module_ids_key(pk), generation_key, progress_key, glossary.VERSION_KEY]
        + facts.facts_keys(learner.pk)
    )
    outlined = _pathway_outline(pk, found.get(_module_ids_key(pk)))
    if outlined is None:
        return None
    pathway, outline = outlined
    module_ids = tuple(item.module.pk for item in outline if item.kind == "module")
    generation = facts.generation(found, learner.pk, PROGRESS)
    stored = facts.valid(found.get(progress_key), generation)
    if stored is not None and stored[0] == module_ids:
        _, enrolled, completed, passages, kept = stored
    else:
        completed, kept = _steps_done_and_kept(learner, module_ids)
        passages = _passages(learner, pk)
        enrolled = Enrollment.objects.filter(learner_id=learner.pk, pathway_id=pk).exists()
        cache.set(
            progress_key,
            (generation, (module_ids, enrolled, completed, passages, kept)),
            settings.BALISE_PROGRESS_CACHE_SECONDS,
        )
    version = found.get(glossary.VERSION_KEY) or glossary.glossary_version()
    return StepReading(
        build_view(pathway, outline, completed, passages),
        enrolled,
        version,
        navigation_facts(learner, found),
        kept,
    )


def build_view(pathway, outline, completed, passages: dict[str, CheckpointPassage]) -> PathwayView:
    progress = compute_progress(
        to_inputs(outline),
        completed,
        {pid: PassageInput(pid, p.is_released) for pid, p in passages.items()},
    )
    return PathwayView(pathway, outline, progress, passages, frozenset(completed))


@dataclass(frozen=True)
class DashboardRow:
    enrollment: Enrollment
    view: PathwayView

    @property
    def next_step(self) -> tuple[ModulePage, str] | None:
        step = self.view.progress.next_step
        if step is None:
            return None
        module = next(i.module for i in self.view.outline if i.module and i.module.pk == step[0])
        return module, module.step_titles.get(step[1], "")

    @property
    def points_reached(self) -> int:
        return len(self.view.passages)


def learner_dashboard(learner: User) -> list[DashboardRow]:
    """Every pathway the learner follows with their progress: four queries in all."""
    enrollments = list(
        Enrollment.objects.filter(learner=learner, pathway__live=True)
        .select_related("pathway")
        .order_by("-last_activity_at")
    )
    module_ids = {pk for e in enrollments for pk in e.pathway.module_ids()}
    modules = ModulePage.objects.live().in_bulk(module_ids)
    completed = completed_steps(learner, modules.keys())
    passages: dict[int, dict[str, CheckpointPassage]] = {}
    for passage in CheckpointPassage.objects.filter(
        learner=learner, pathway__in=[e.pathway_id for e in enrollments]
    ):
        passages.setdefault(passage.pathway_id, {})[passage.point_id] = passage
    rows = []
    for enrollment in enrollments:
        pathway = enrollment.pathway
        view = build_view(
            pathway,
            pathway.outline_items(modules),
            completed,
            passages.get(pathway.pk, {}),
        )
        rows.append(DashboardRow(enrollment, view))
    return rows


def servable_media(user: User | None, media_id: int, public_only: bool = False, **filters):
    """The audio or video ``media_id`` if ``user`` may fetch it, else None.

    A file is served once a live page uses it (Wagtail's reference index says where
    it is used; ``public_only``: a live page without view restrictions, as the podcast
    feeds require): an upload that only a draft uses stays private, whatever its
    guessable id. Editors (admin access) also get the media of their drafts.
    """
    media = get_media_model().objects.filter(pk=media_id, **filters).first()
    if media is None:
        return None
    if user is not None and user.is_authenticated and user.has_perm("wagtailadmin.access_admin"):
        return media
    page_ids = [
        int(object_id)
        for object_id in ReferenceIndex.get_references_to(media)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    ]
    pages = Page.objects.live().filter(pk__in=page_ids)
    if public_only:
        pages = pages.public()
    return media if pages.exists() else None


# --- Pages being written in the admin ---------------------------------------------------------


def abandoned_provisional_pages(cutoff):
    """Pages that Wagtail's autosave created and nobody saved since (``ProvisionalPage``),
    untouched since ``cutoff`` (neither created nor autosaved after it): first saves that
    failed or were abandoned. Never a page that is or was live, has children, awaits review
    or was sent back, or has a publication scheduled. One query when evaluated."""
    from wagtail.models import Revision, WorkflowState

    from .models import ProvisionalPage

    page_type = ContentType.objects.get_for_model(Page)
    moderated = WorkflowState.objects.filter(
        base_content_type=page_type,
        status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES],
    ).values("object_id")
    scheduled = Revision.objects.filter(
        base_content_type=page_type, approved_go_live_at__isnull=False
    ).values("object_id")
    return (
        Page.objects.filter(
            pk__in=ProvisionalPage.objects.filter(created_at__lt=cutoff).values("page_id"),
            live=False,
            live_revision__isnull=True,
            first_published_at__isnull=True,
            last_published_at__isnull=True,
            numchild=0,
        )
        .exclude(latest_revision_created_at__gte=cutoff)
        .annotate(page_key=Cast("pk", output_field=CharField()))
        .exclude(page_key__in=moderated)
        .exclude(page_key__in=scheduled)
    )
