"""The content workflow: editors submit, managers approve.

Created by migration ``pathways.0009`` on every install, and kept in step by the demo seed.
"""

from django.contrib.auth.models import Group
from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage, WorkflowTask

from lms.accounts.roles import Role

WORKFLOW_NAME = "Validation des contenus"
WORKFLOW_TASK_NAME = "Validation par la responsable de programme"
WAGTAIL_DEFAULT_WORKFLOW_NAME = "Moderators approval"


def ensure_content_workflow() -> Workflow:
    """Editors submit, managers approve: the workflow on the root page has one task, a
    group approval by the Manager group. Idempotent.

    Wagtail's default workflow ("Moderators approval", on the root page) is reused and
    renamed; its Moderators task is detached from it but left in place.
    """
    managers, _ = Group.objects.get_or_create(name=Role.MANAGER.value)
    task = GroupApprovalTask.objects.filter(name=WORKFLOW_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=WORKFLOW_TASK_NAME)
    if list(task.groups.all()) != [managers]:
        task.groups.set([managers])

    root = Page.get_first_root_node()
    link = WorkflowPage.objects.filter(page=root).select_related("workflow").first()
    if link is not None:
        workflow = link.workflow
    else:
        workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
        if workflow is None:
            workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        WorkflowPage.objects.create(page=root, workflow=workflow)
    changed = []
    if workflow.name == WAGTAIL_DEFAULT_WORKFLOW_NAME:
        workflow.name = WORKFLOW_NAME
        changed.append("name")
    if not workflow.active:
        workflow.active = True
        changed.append("active")
    if changed:
        workflow.save(update_fields=changed)

    task_ids = list(workflow.workflow_tasks.order_by("sort_order").values_list("task", flat=True))
    if task_ids != [task.pk]:
        WorkflowTask.objects.filter(workflow=workflow).delete()
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow
