"""Editors submit, managers approve: the moderation workflow every install needs.

Before this, only ``seed_demo`` (refused without DEBUG) set it up, and a production
``migrate`` left Wagtail's default "Moderators approval" workflow on the root page.

Creates the role groups if missing (their permissions are granted after each migrate
by ``lms.accounts``' post_migrate hook, once every app's permissions exist), a group
approval task for the Manager group, and a workflow on the root page, which covers
every page below it (pathways, modules). Wagtail's default workflow on the root page
is reused and renamed; its Moderators task is detached but left in place. Idempotent,
and ``pathways.workflow.ensure_content_workflow`` finds what it creates.
"""

from django.db import migrations

# Copied, not imported: a migration keeps the values of its time.
ROLE_GROUPS = ("Learner", "Coach", "Editor", "Manager")
MANAGER = "Manager"
WORKFLOW_NAME = "Validation des contenus"
WORKFLOW_TASK_NAME = "Validation par la responsable de programme"
WAGTAIL_DEFAULT_WORKFLOW_NAME = "Moderators approval"


def create_content_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")

    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    managers = Group.objects.get(name=MANAGER)

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return

    task = GroupApprovalTask.objects.filter(name=WORKFLOW_TASK_NAME).first()
    if task is None:
        content_type, _ = ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = GroupApprovalTask.objects.create(
            name=WORKFLOW_TASK_NAME, active=True, content_type=content_type
        )
    task.groups.set([managers])

    link = WorkflowPage.objects.filter(page=root).first()
    if link is not None:
        workflow = link.workflow
    else:
        workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
        if workflow is None:
            workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        WorkflowPage.objects.create(page=root, workflow=workflow)
    if workflow.name == WAGTAIL_DEFAULT_WORKFLOW_NAME:
        workflow.name = WORKFLOW_NAME
    workflow.active = True
    workflow.save(update_fields=["name", "active"])

    task_ids = list(
        WorkflowTask.objects.filter(workflow=workflow)
        .order_by("sort_order")
        .values_list("task_id", flat=True)
    )
    if task_ids != [task.pk]:
        WorkflowTask.objects.filter(workflow=workflow).delete()
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("pathways", "0008_share_with_coach_unticked"),
    ]

    operations = [migrations.RunPython(create_content_workflow, migrations.RunPython.noop)]
