"""Moderation per structure, through Wagtail's real admin views: a structure's editors
submit its pathways and modules, that structure's managers find them awaiting their review
and approve them; a manager of another structure neither sees them nor approves or sends
them back; the network's managers approve everything; a page without a structure is
approved by any manager, as before structures."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from wagtail.models import GroupApprovalTask, TaskState, WorkflowTask

from lms.accounts.models import MemberRole
from lms.accounts.roles import Role
from lms.accounts.structures import join
from pathways.models import ModulePage
from pathways.workflow import StructureApprovalTask, ensure_content_workflow
from tests.factories.accounts import UserFactory, manager
from tests.factories.pathways import module
from tests.pathways.test_admin import edit_url, module_form, refused, step_workshop_sheet
from tests.pathways.test_ownership import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def workflow():
    return ensure_content_workflow()


def editor_of(structure):
    user = UserFactory(role=Role.EDITOR)
    if structure is not None:
        join(user, structure, MemberRole.EDITOR)
    return user


def submitted(structure, title):
    """A draft module of ``structure``, which one of its editors submits for review."""
    page = module(1, title=title, structure=structure, live=False)
    form = module_form([step_workshop_sheet()], title, page.slug)
    response = signed_in(editor_of(structure)).post(edit_url(page), {**form, "action-submit": "1"})
    assert response.status_code == 302
    page = ModulePage.objects.get(pk=page.pk)
    assert page.current_workflow_task_state.status == TaskState.STATUS_IN_PROGRESS
    return page


def action_url(page, action):
    task_state = page.current_workflow_task_state
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])


def dashboard(client) -> str:
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def awaiting_review(client) -> str:
    """The « awaiting your review » panel of ``client``'s admin dashboard ("" if none)."""
    body = dashboard(client)
    start = body.find('id="awaiting-review-section"')
    return "" if start < 0 else body[start : body.index("</section>", start)]


def approved(page) -> bool:
    page = ModulePage.objects.get(pk=page.pk)
    return page.live and page.current_workflow_state is None


def test_the_structure_s_manager_finds_its_page_awaiting_review_and_approves_it(structures):
    alpha, beta = structures
    ours = submitted(alpha, "Notre module à valider")
    submitted(beta, "Leur module à valider")
    boss = signed_in(manager(alpha))

    panel = awaiting_review(boss)
    assert "Notre module à valider" in panel
    assert action_url(ours, "approve") in panel
    assert "Leur module à valider" not in panel  # B's page waits for B's managers

    response = boss.post(action_url(ours, "approve"))
    assert response.status_code == 302 and not refused(response)
    assert approved(ours)


def test_another_structure_s_manager_neither_sees_nor_moderates_the_page(structures):
    alpha, beta = structures
    page = submitted(alpha, "Notre module à valider")
    other = signed_in(manager(beta))

    assert awaiting_review(other) == ""
    assert "Notre module à valider" not in dashboard(other)

    for action in ("approve", "reject"):
        assert refused(other.post(action_url(page, action)))
        assert refused(other.get(action_url(page, action)))  # the comment form
        collect = reverse(
            "wagtailadmin_pages:collect_workflow_action_data",
            args=[page.pk, action, page.current_workflow_task_state.pk],
        )
        assert refused(other.post(collect))
    preview = reverse(
        "wagtailadmin_pages:workflow_preview", args=[page.pk, page.current_workflow_task.pk]
    )
    assert refused(other.get(preview))

    page = ModulePage.objects.get(pk=page.pk)
    assert not page.live
    assert page.current_workflow_task_state.status == TaskState.STATUS_IN_PROGRESS
    # Nor does it show among the workflows awaiting their review in the reports.
    report = other.get(reverse("wagtailadmin_reports:workflow") + "?reviewable=true")
    assert "Notre module à valider" not in report.content.decode()


def test_a_network_manager_approves_what_another_structure_s_manager_cannot(structures):
    alpha, beta = structures
    theirs = submitted(beta, "Module bêta")
    alpha_manager = signed_in(manager(alpha))
    assert "Module bêta" not in awaiting_review(alpha_manager)
    assert refused(alpha_manager.post(action_url(theirs, "approve")))
    assert not approved(theirs)

    head = signed_in(manager())  # of the network's head
    ours = submitted(alpha, "Module alpha")
    panel = awaiting_review(head)
    assert "Module alpha" in panel and "Module bêta" in panel
    for page in (theirs, ours):
        response = head.post(action_url(page, "approve"))
        assert response.status_code == 302 and not refused(response)
        assert approved(page)


def test_any_manager_approves_a_page_without_structure(structures):
    alpha, beta = structures
    legacy = submitted(None, "Module sans structure")
    submitted(alpha, "Module alpha")
    someone = signed_in(manager(beta))

    panel = awaiting_review(someone)
    assert "Module sans structure" in panel
    assert "Module alpha" not in panel
    response = someone.post(action_url(legacy, "approve"))
    assert response.status_code == 302 and not refused(response)
    assert approved(legacy)


def test_a_manager_sends_back_their_structure_s_page_not_another_s(structures):
    alpha, beta = structures
    ours = submitted(alpha, "Notre module")
    theirs = submitted(beta, "Leur module")
    boss = signed_in(manager(alpha))

    assert refused(boss.post(action_url(theirs, "reject"), {"comment": "À revoir"}))
    assert ModulePage.objects.get(pk=theirs.pk).current_workflow_state.status == "in_progress"

    response = boss.post(action_url(ours, "reject"), {"comment": "À revoir"})
    assert response.status_code == 302 and not refused(response)
    assert ModulePage.objects.get(pk=ours.pk).current_workflow_state.status == "needs_changes"


def test_keeping_the_workflow_in_step_moves_waiting_pages_to_their_structure(structures, workflow):
    """The demo seed (``ensure_content_workflow``) finds a page waiting on a task that an
    administrator put in the content workflow, unscoped: the page moves to the structure
    approval, on the same revision, as when a task is disabled in Wagtail's admin."""
    alpha, beta = structures
    plain = GroupApprovalTask.objects.create(name="Validation par tous les responsables")
    plain.groups.set([Group.objects.get(name=Role.MANAGER.value)])
    WorkflowTask.objects.filter(workflow=workflow).delete()
    WorkflowTask.objects.create(workflow=workflow, task=plain, sort_order=0)
    page = submitted(alpha, "Module en attente")
    waiting = page.current_workflow_task_state
    assert waiting.task_id == plain.pk

    assert ensure_content_workflow() == workflow
    page = ModulePage.objects.get(pk=page.pk)
    state = page.current_workflow_task_state
    assert isinstance(state.task.specific, StructureApprovalTask)
    assert state.status == TaskState.STATUS_IN_PROGRESS
    assert state.revision_id == waiting.revision_id
    waiting.refresh_from_db()
    assert waiting.status == TaskState.STATUS_CANCELLED
    assert refused(signed_in(manager(beta)).post(action_url(page, "approve")))
    ensure_content_workflow()  # idempotent: the page stays where it is
    assert ModulePage.objects.get(pk=page.pk).current_workflow_task_state == state


def test_only_the_managers_who_may_approve_are_emailed(structures):
    alpha, beta = structures
    ours, head, other = manager(alpha), manager(), manager(beta)
    mail.outbox.clear()
    submitted(alpha, "Notre module à valider")
    told = {address for message in mail.outbox for address in message.to}
    assert {ours.email, head.email} <= told
    assert other.email not in told

    mail.outbox.clear()
    submitted(None, "Module sans structure")
    told = {address for message in mail.outbox for address in message.to}
    assert {ours.email, head.email, other.email} <= told


def test_who_approves_whose_page(structures, django_user_model):
    """The rule, person by person: group members who publish the page's structure."""
    alpha, beta = structures
    task = StructureApprovalTask.objects.get()
    editor_a = editor_of(alpha)
    join(editor_a, alpha, MemberRole.MANAGER)  # a manager of A by membership, not by role
    people = {
        "manager of A": manager(alpha),
        "manager of B": manager(beta),
        "network manager": manager(),
        "editor of A": editor_of(alpha),
        "A's manager without the Manager role": editor_a,
        "superuser": django_user_model.objects.create_superuser("root@balise.test", "x"),
    }
    pages = {
        "A's": module(1, structure=alpha),
        "B's": module(1, structure=beta),
        "no structure's": module(1),
    }
    expected = {
        ("manager of A", "A's"): True,
        ("manager of A", "B's"): False,
        ("manager of A", "no structure's"): True,
        ("manager of B", "A's"): False,
        ("manager of B", "B's"): True,
        ("manager of B", "no structure's"): True,
        ("network manager", "A's"): True,
        ("network manager", "B's"): True,
        ("network manager", "no structure's"): True,
        ("superuser", "A's"): True,
        ("superuser", "B's"): True,
        ("superuser", "no structure's"): True,
    }
    table = {
        (who, whose): bool(task.get_actions(page, person))
        for who, person in people.items()
        for whose, page in pages.items()
    }
    assert table == {key: expected.get(key, False) for key in table}
    # A base page (Wagtail's workflow views load one) answers as its specific page.
    base = ModulePage.objects.get(pk=pages["A's"].pk).page_ptr
    assert task.get_actions(base, people["manager of A"])
    assert not task.get_actions(base, people["manager of B"])
    assert task.locked_for_user(base, people["manager of B"])
    assert not task.user_can_access_editor(base, people["manager of B"])
