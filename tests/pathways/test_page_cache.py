"""Live pathways and modules come through Django's cache under keys made of their live
revision and URL path: a publish, an unpublish, a move or a parent's new slug shows on the
next read, in every process, with nothing to forget."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from pathways.models import PathwayIndexPage
from pathways.queries import _page_key, live_modules, live_pathway, live_pathway_outline
from tests.factories.pathways import build_pathway, home, module, modules_of, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def pathway():
    return build_pathway(["m:2", "p:automatic", "m:1"])  # published, as by Wagtail's admin


def content_queries(run):
    with CaptureQueriesContext(connection) as queries:
        result = run()
    heavy = [q for q in queries.captured_queries if "pathways_" in q["sql"]]
    return result, heavy


def test_a_warm_read_loads_no_content(pathway):
    live_pathway(pathway.pk)
    live_modules(pathway.module_ids())
    again, heavy = content_queries(lambda: live_pathway(pathway.pk))
    modules, heavy_modules = content_queries(lambda: live_modules(pathway.module_ids()))
    assert again.title == pathway.title and len(modules) == 2
    assert heavy == [] and heavy_modules == []


def test_a_published_module_is_seen_at_once_and_alone_reloaded(pathway):
    first, second = modules_of(pathway)
    live_modules(pathway.module_ids())
    first.title = "Titre revu"
    published(first)
    modules, heavy = content_queries(lambda: live_modules(pathway.module_ids()))
    assert modules[first.pk].title == "Titre revu"
    assert modules[second.pk].title == second.title
    [reload] = heavy  # only the published module is read again
    assert str(first.pk) in reload["sql"] and str(second.pk) not in reload["sql"].split("IN")[1]


def test_an_unpublished_pathway_or_module_is_gone_at_once(pathway):
    first, second = modules_of(pathway)
    live_pathway(pathway.pk)
    live_modules(pathway.module_ids())
    second.unpublish()
    assert set(live_modules(pathway.module_ids())) == {first.pk}
    Page.objects.get(pk=pathway.pk).specific.unpublish()
    assert live_pathway(pathway.pk) is None


def test_a_moved_pathway_shows_its_new_url(pathway):
    old_url = live_pathway(pathway.pk).url
    other = home().add_child(instance=PathwayIndexPage(title="Autre", slug="autre-index"))
    Page.objects.get(pk=pathway.pk).move(other, pos="last-child")
    moved = live_pathway(pathway.pk)
    assert moved.url != old_url and moved.url.startswith("/autre-index/")


def test_a_parent_slug_change_shows_in_the_pathway_url(pathway):
    assert "/parcours/" in live_pathway(pathway.pk).url
    index = PathwayIndexPage.objects.get()
    index.slug = "nouveaux-parcours"
    published(index)
    assert live_pathway(pathway.pk).url.startswith("/nouveaux-parcours/")


def test_a_publish_by_another_process_is_seen_without_any_signal(pathway):
    """Another process's publish reaches this one only as rows in the database."""
    live_pathway(pathway.pk)
    page = Page.objects.get(pk=pathway.pk).specific
    page.title = "Parcours renommé ailleurs"
    revision = page.save_revision()
    # What that process committed, written here without any of this process's signals.
    type(page).objects.filter(pk=page.pk).update(title=page.title, live_revision=revision)
    Page.objects.filter(pk=page.pk).update(title=page.title, live_revision=revision)
    assert live_pathway(pathway.pk).title == "Parcours renommé ailleurs"


def test_a_publish_racing_a_read_never_leaves_the_old_page_served(pathway, monkeypatch):
    """The reader reads the stamp, the writer publishes, the reader loads and stores:
    whatever it stored sits under the old stamp, which nobody asks for again."""
    original_get = cache.get
    raced = []

    def publish_in_between(key, *args, **kwargs):
        if key.startswith("pathways:pathway:") and not raced:
            raced.append(key)
            page = Page.objects.get(pk=pathway.pk).specific
            page.title = "Parcours publié pendant la lecture"
            published(page)
        return original_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", publish_in_between)
    live_pathway(pathway.pk)  # stored under the stamp read before the publish
    monkeypatch.setattr(cache, "get", original_get)
    assert raced
    assert live_pathway(pathway.pk).title == "Parcours publié pendant la lecture"


def test_pages_without_a_revision_are_read_from_the_database():
    pathway = build_pathway(["m:1"])
    Page.objects.filter(pk=pathway.pk).update(live_revision=None)  # as a script leaves it
    live_pathway(pathway.pk)
    type(pathway).objects.filter(pk=pathway.pk).update(intro="<p>Changé</p>")
    assert live_pathway(pathway.pk).intro == "<p>Changé</p>"


# --- The pathway and its outline together (the step page's read) ---------------------------


def outline_titles(pathway_id):
    found = live_pathway_outline(pathway_id)
    if found is None:
        return None
    page, outline = found
    return page.title, [item.module.title for item in outline if item.kind == "module"]


def test_a_warm_outline_costs_one_light_query(pathway, django_assert_num_queries):
    live_pathway_outline(pathway.pk)  # notes the revision's modules
    live_pathway_outline(pathway.pk)
    with django_assert_num_queries(1):
        page, outline = live_pathway_outline(pathway.pk)
    assert page.title == pathway.title
    assert [i.module.pk for i in outline if i.kind == "module"] == pathway.module_ids()


def test_the_outline_follows_a_publish_of_the_pathway_or_a_module(pathway):
    first, second = modules_of(pathway)
    live_pathway_outline(pathway.pk)
    first.title = "Module revu"
    published(first)
    assert outline_titles(pathway.pk)[1] == ["Module revu", second.title]

    # The pathway republished with another set of modules: the noted ids are not reused.
    added = module(1, title="Module ajouté")
    page = Page.objects.get(pk=pathway.pk).specific
    page.outline = [("module", second), ("module", added)]
    page.title = "Parcours remanié"
    published(page)
    assert outline_titles(pathway.pk) == ("Parcours remanié", [second.title, "Module ajouté"])


def test_the_outline_drops_an_unpublished_module_and_pathway(pathway):
    first, second = modules_of(pathway)
    live_pathway_outline(pathway.pk)
    second.unpublish()
    assert outline_titles(pathway.pk)[1] == [first.title]
    Page.objects.get(pk=pathway.pk).specific.unpublish()
    assert live_pathway_outline(pathway.pk) is None


def test_the_outline_shows_a_move_and_a_parent_slug_change(pathway):
    first, _ = modules_of(pathway)
    live_pathway_outline(pathway.pk)
    index = PathwayIndexPage.objects.get()
    index.slug = "nouveaux-parcours"
    published(index)
    assert live_pathway_outline(pathway.pk)[0].url.startswith("/nouveaux-parcours/")
    other = home().add_child(instance=PathwayIndexPage(title="Autre", slug="autre-index"))
    Page.objects.get(pk=pathway.pk).move(other, pos="last-child")
    assert live_pathway_outline(pathway.pk)[0].url.startswith("/autre-index/")


def test_a_module_published_by_another_process_shows_in_the_outline(pathway):
    first, _ = modules_of(pathway)
    live_pathway_outline(pathway.pk)
    page = Page.objects.get(pk=first.pk).specific
    page.title = "Module revu ailleurs"
    revision = page.save_revision()
    type(page).objects.filter(pk=page.pk).update(title=page.title, live_revision=revision)
    Page.objects.filter(pk=page.pk).update(title=page.title, live_revision=revision)
    assert outline_titles(pathway.pk)[1][0] == "Module revu ailleurs"


def test_a_publish_racing_an_outline_read_never_leaves_the_old_module_served(pathway, monkeypatch):
    first, _ = modules_of(pathway)
    live_pathway_outline(pathway.pk)
    row = Page.objects.get(pk=first.pk)
    cache.delete(_page_key("module", row.pk, row.live_revision_id, row.url_path))  # read again
    original = cache.get_many
    raced = []

    def publish_in_between(keys, *args, **kwargs):
        if not raced:
            raced.append(keys)
            page = Page.objects.get(pk=first.pk).specific
            page.title = "Module publié pendant la lecture"
            published(page)
        return original(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", publish_in_between)
    live_pathway_outline(pathway.pk)  # the old module, stored under its old revision
    monkeypatch.setattr(cache, "get_many", original)
    assert raced
    assert outline_titles(pathway.pk)[1][0] == "Module publié pendant la lecture"


def test_a_cold_outline_costs_three_queries(pathway, django_assert_num_queries):
    """Nothing cached (a new process, an eviction): the pathway whole, its modules'
    revisions, the modules; then one light query."""
    cache.clear()
    with django_assert_num_queries(3):
        page, outline = live_pathway_outline(pathway.pk)
    assert [i.module.pk for i in outline if i.kind == "module"] == pathway.module_ids()
    with django_assert_num_queries(1):
        assert live_pathway_outline(pathway.pk)[0].title == pathway.title
