"""The live modules of an outline are read once per process, and read again after any
change to a module."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pathways import live_cache
from tests.factories.pathways import build_pathway, modules_of

pytestmark = pytest.mark.django_db


def page_queries() -> CaptureQueriesContext:
    return CaptureQueriesContext(connection)


def test_modules_are_loaded_once_then_remembered():
    pathway = build_pathway(["m:2", "p:automatic", "m:1"])
    with page_queries() as first:
        titles = [item.module.title for item in pathway.outline_items() if item.module]
    with page_queries() as second:
        again = [item.module.title for item in pathway.outline_items() if item.module]
    assert titles == again and len(titles) == 2
    assert any("pathways_modulepage" in q["sql"] for q in first.captured_queries)
    assert not any("pathways_modulepage" in q["sql"] for q in second.captured_queries)


def test_a_published_or_unpublished_module_is_seen_at_once():
    pathway = build_pathway(["m:1", "m:1"])
    first, second = modules_of(pathway)
    pathway.outline_items()
    first.title = "Titre revu"
    first.save_revision().publish()
    titles = [item.module.title for item in pathway.outline_items() if item.module]
    assert titles[0] == "Titre revu"
    second.unpublish()
    assert [item.module.pk for item in pathway.outline_items() if item.module] == [first.pk]


def test_another_process_sees_the_change_through_the_shared_version():
    pathway = build_pathway(["m:1"])
    pathway.outline_items()
    version = live_cache._version()
    modules_of(pathway)[0].save()
    assert live_cache._version() != version


def test_a_pathway_is_loaded_once_and_an_unpublished_one_is_gone_at_once():
    pathway = build_pathway(["m:1"])
    with page_queries() as first:
        assert live_cache.live_pathway(pathway.pk).title == pathway.title
    with page_queries() as second:
        assert live_cache.live_pathway(pathway.pk).title == pathway.title
    assert len(first.captured_queries) >= 1 and not second.captured_queries
    pathway.unpublish()
    assert live_cache.live_pathway(pathway.pk) is None
