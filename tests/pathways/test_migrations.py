"""Data every install gets from ``migrate`` (the test database is built by migrations)."""

import pytest
from wagtail.models import Page

pytestmark = pytest.mark.django_db


def test_editors_submit_and_managers_approve_after_migrate():
    workflow = Page.get_first_root_node().get_workflow()
    assert workflow is not None and workflow.active
    assert workflow.name == "Validation des contenus"
    approvers = [
        list(task.specific.groups.values_list("name", flat=True)) for task in workflow.tasks
    ]
    assert approvers == [["Manager"]]
    pathways_index = Page.objects.filter(depth=3).first() or Page.get_first_root_node()
    assert pathways_index.get_workflow() == workflow  # pages below inherit it


def test_the_demo_seed_reuses_the_migrated_workflow():
    from pathways.workflow import ensure_content_workflow

    workflow = Page.get_first_root_node().get_workflow()
    assert ensure_content_workflow() == workflow
    assert [t.pk for t in workflow.tasks] == [t.pk for t in ensure_content_workflow().tasks]
