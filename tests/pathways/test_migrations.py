"""Data every install gets from ``migrate`` (the test database is built by migrations), and
``pathways.0011`` on a page that was in moderation when it ran."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Page, TaskState

from lms.accounts.roles import Role
from pathways.models import ModulePage
from pathways.workflow import StructureApprovalTask, StructureApprovalTaskState
from tests.coaching.test_migration_0004 import _migrated_rows_put_back, latest, migrate  # noqa: F401
from tests.factories.accounts import StructureFactory, UserFactory, manager
from tests.factories.pathways import library, module

PREVIOUS_TASK_NAME = "Validation par la responsable de programme"
BEFORE_0011 = [("pathways", "0010_page_author_structure")]


@pytest.mark.django_db
def test_editors_submit_and_managers_of_the_page_s_structure_approve_after_migrate():
    workflow = Page.get_first_root_node().get_workflow()
    assert workflow is not None and workflow.active
    assert workflow.name == "Validation des contenus"
    tasks = [task.specific for task in workflow.tasks]
    assert [type(task) for task in tasks] == [StructureApprovalTask]
    assert [task.name for task in tasks] == ["Validation par la structure du contenu"]
    assert [list(task.groups.values_list("name", flat=True)) for task in tasks] == [["Manager"]]
    pathways_index = Page.objects.filter(depth=3).first() or Page.get_first_root_node()
    assert pathways_index.get_workflow() == workflow  # pages below inherit it
    # The plain group approval of 0009 is retired, not deleted.
    assert not GroupApprovalTask.objects.get(name=PREVIOUS_TASK_NAME).active


@pytest.mark.django_db
def test_the_demo_seed_reuses_the_migrated_workflow():
    from pathways.workflow import ensure_content_workflow

    workflow = Page.get_first_root_node().get_workflow()
    assert ensure_content_workflow() == workflow
    assert [t.pk for t in workflow.tasks] == [t.pk for t in ensure_content_workflow().tasks]


@pytest.fixture
def at_0010(_migrated_rows_put_back, transactional_db, django_db_serialized_rollback):  # noqa: F811
    """The database with pathways at 0010 (0011 reversed), outside any test transaction;
    back to the latest migrations at teardown, whatever the test did."""
    try:
        migrate(BEFORE_0011)
        yield
    finally:
        migrate(latest())


def test_0011_hands_a_page_in_moderation_over_to_its_structure_s_managers(at_0010):
    # Reversed, 0011 gave the content workflow its plain group approval back.
    workflow = Page.get_first_root_node().get_workflow()
    old_task = GroupApprovalTask.objects.get(name=PREVIOUS_TASK_NAME)
    assert [task.pk for task in workflow.tasks] == [old_task.pk] and old_task.active

    # An editor of Alpha submitted a module of Alpha before the update.
    library()
    alpha = StructureFactory(name="Incubateur Alpha", slug="alpha")
    beta = StructureFactory(name="Couveuse Bêta", slug="beta")
    editor = UserFactory(role=Role.EDITOR)
    page = module(1, title="Module en attente", structure=alpha, live=False)
    revision = page.save_revision(user=editor)
    workflow.start(page, editor)
    waiting = ModulePage.objects.get(pk=page.pk).current_workflow_task_state
    assert waiting.task_id == old_task.pk
    mail.outbox.clear()

    migrate(latest())

    page = ModulePage.objects.get(pk=page.pk)
    state = page.current_workflow_task_state.specific
    assert isinstance(state, StructureApprovalTaskState)
    assert state.status == TaskState.STATUS_IN_PROGRESS
    assert state.task.name == "Validation par la structure du contenu"
    assert (state.revision_id, state.started_at) == (revision.pk, waiting.started_at)
    waiting.refresh_from_db()
    assert waiting.status == TaskState.STATUS_CANCELLED
    assert "Validation par la structure du contenu" in waiting.comment
    assert not GroupApprovalTask.objects.get(pk=old_task.pk).active
    assert not mail.outbox  # nobody is e-mailed by the migration

    approve = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    other, ours = Client(), Client()
    other.force_login(manager(beta))
    ours.force_login(manager(alpha))
    assert "Module en attente" not in other.get(reverse("wagtailadmin_home")).content.decode()
    assert other.post(approve).url == reverse("wagtailadmin_home")  # Wagtail's refusal
    assert not ModulePage.objects.get(pk=page.pk).live
    assert "Module en attente" in ours.get(reverse("wagtailadmin_home")).content.decode()
    assert ours.post(approve).url == reverse("wagtailadmin_pages:edit", args=[page.pk])
    page = ModulePage.objects.get(pk=page.pk)
    assert page.live and page.live_revision_id == revision.pk
