"""Content moderation per structure: a structure's managers approve its pages.

Creates the task type ``StructureApprovalTask`` (``pathways.workflow``: Wagtail's group
approval narrowed to the structure that owns the page) and its task states, then puts a
task of that type, « Validation par la structure du contenu » for the Manager group, in
place of the plain group approval « Validation par la responsable de programme » that
``0009`` put in the content workflow (the workflow on the root page). The old task is
deactivated once no workflow uses it, so nobody adds it back by mistake; its history
stays.

A page in moderation during the migration keeps its place: its waiting task state on the
old task is cancelled (with a note) and a task state of the new task starts on the same
revision, with the same start time, as Wagtail does when a task is disabled in the admin.
From then on only the managers of the page's structure (or the network's) see it in their
« awaiting your review » list and approve it; nobody is e-mailed by the migration. A page
sent back for changes resumes on the new task when its editor submits it again (Wagtail
starts the workflow's task). Reversed, the plain group approval comes back in every
workflow, waiting pages move back to it, and the structure tasks and their task states
stay as inactive plain rows (their history kept).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

# Copied, not imported: a migration keeps the values of its time.
MANAGER = "Manager"
TASK_NAME = "Validation par la structure du contenu"
PREVIOUS_TASK_NAME = "Validation par la responsable de programme"
IN_PROGRESS = "in_progress"
CANCELLED = "cancelled"
HANDED_OVER = "Transmise à l'étape « Validation par la structure du contenu »."
HANDED_BACK = "Transmise à l'étape « Validation par la responsable de programme »."


def content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")  # noqa: N806
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def restart(apps, old_states, task, state_model, state_type, note):
    """Cancel each waiting task state and start ``task`` on its revision, same start time."""
    TaskState = apps.get_model("wagtailcore", "TaskState")  # noqa: N806
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")  # noqa: N806
    now = timezone.now()
    for old in old_states:
        new = state_model.objects.create(
            workflow_state_id=old.workflow_state_id,
            revision_id=old.revision_id,
            task_id=task.pk,
            status=IN_PROGRESS,
            content_type=state_type,
        )
        TaskState.objects.filter(pk=new.pk).update(started_at=old.started_at)
        TaskState.objects.filter(pk=old.pk).update(status=CANCELLED, finished_at=now, comment=note)
        WorkflowState.objects.filter(pk=old.workflow_state_id).update(current_task_state_id=new.pk)


def hand_over_to_structure_approval(apps, schema_editor):
    Group = apps.get_model("auth", "Group")  # noqa: N806
    Page = apps.get_model("wagtailcore", "Page")  # noqa: N806
    Task = apps.get_model("wagtailcore", "Task")  # noqa: N806
    TaskState = apps.get_model("wagtailcore", "TaskState")  # noqa: N806
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")  # noqa: N806
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")  # noqa: N806
    StructureApprovalTask = apps.get_model("pathways", "StructureApprovalTask")  # noqa: N806
    StructureApprovalTaskState = apps.get_model("pathways", "StructureApprovalTaskState")  # noqa: N806

    root = Page.objects.filter(depth=1).order_by("path").first()
    link = WorkflowPage.objects.filter(page=root).first() if root is not None else None
    if link is None:
        return  # 0009 made one on every install with a root page; none: nothing to replace
    workflow = link.workflow
    managers, _ = Group.objects.get_or_create(name=MANAGER)
    task = StructureApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = StructureApprovalTask.objects.create(
            name=TASK_NAME,
            active=True,
            content_type=content_type(apps, "pathways", "structureapprovaltask"),
        )
    task.groups.set([managers])

    replaced = list(Task.objects.filter(workflow_tasks__workflow=workflow).exclude(pk=task.pk))
    WorkflowTask.objects.filter(workflow=workflow).delete()
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)

    waiting = TaskState.objects.filter(
        workflow_state__workflow=workflow,
        workflow_state__status=IN_PROGRESS,
        status=IN_PROGRESS,
    ).exclude(task=task)
    state_type = content_type(apps, "pathways", "structureapprovaltaskstate")
    restart(apps, list(waiting), task, StructureApprovalTaskState, state_type, HANDED_OVER)

    for old in replaced:
        if old.name == PREVIOUS_TASK_NAME and not WorkflowTask.objects.filter(task=old).exists():
            Task.objects.filter(pk=old.pk).update(active=False)


def hand_back_to_group_approval(apps, schema_editor):
    Group = apps.get_model("auth", "Group")  # noqa: N806
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")  # noqa: N806
    Task = apps.get_model("wagtailcore", "Task")  # noqa: N806
    TaskState = apps.get_model("wagtailcore", "TaskState")  # noqa: N806
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")  # noqa: N806
    StructureApprovalTask = apps.get_model("pathways", "StructureApprovalTask")  # noqa: N806

    ours = list(StructureApprovalTask.objects.values_list("pk", flat=True))
    if not ours:
        return
    managers, _ = Group.objects.get_or_create(name=MANAGER)
    old = GroupApprovalTask.objects.filter(name=PREVIOUS_TASK_NAME).first()
    if old is None:
        old = GroupApprovalTask.objects.create(
            name=PREVIOUS_TASK_NAME,
            active=True,
            content_type=content_type(apps, "wagtailcore", "groupapprovaltask"),
        )
    GroupApprovalTask.objects.filter(pk=old.pk).update(active=True)
    old.groups.set([managers])
    WorkflowTask.objects.filter(task__in=ours).update(task_id=old.pk)

    waiting = TaskState.objects.filter(
        task__in=ours, workflow_state__status=IN_PROGRESS, status=IN_PROGRESS
    )
    state_type = content_type(apps, "wagtailcore", "taskstate")
    restart(apps, list(waiting), old, TaskState, state_type, HANDED_BACK)

    # The rows stay, as plain tasks and task states, once this migration's tables are gone.
    TaskState.objects.filter(task__in=ours).update(content_type=state_type)
    Task.objects.filter(pk__in=ours).update(
        active=False, content_type=content_type(apps, "wagtailcore", "task")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("pathways", "0010_page_author_structure"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="StructureApprovalTaskState",
            fields=[
                (
                    "taskstate_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.taskstate",
                    ),
                ),
            ],
            options={
                "verbose_name": "état de validation par la structure du contenu",
                "verbose_name_plural": "états de validation par la structure du contenu",
            },
            bases=("wagtailcore.taskstate",),
        ),
        migrations.CreateModel(
            name="StructureApprovalTask",
            fields=[
                (
                    "task_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.task",
                    ),
                ),
                (
                    "groups",
                    models.ManyToManyField(
                        help_text="Pages/snippets at this step in a workflow will be moderated or approved by these groups of users",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
            ],
            options={
                "verbose_name": "validation par la structure du contenu",
                "verbose_name_plural": "validations par la structure du contenu",
            },
            bases=("wagtailcore.task",),
        ),
        migrations.RunPython(hand_over_to_structure_approval, hand_back_to_group_approval),
    ]
