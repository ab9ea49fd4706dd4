"""Who edits and publishes which pathway or module: the structure that wrote it.

The module library stays shared by the whole network (any pathway may use any live
module); only editing is narrowed. A page with a ``structure`` is edited by that
structure's editors and managers and published by its managers; managers of the
network's head and superusers edit and publish everything. A page without a structure
(written before structures) keeps the rules of the Wagtail groups alone: every editor
edits it, every manager publishes it.

Wagtail's extension point does the work: the page models' ``permissions_for_user``
returns ``StructurePagePermissionTester``, which the admin asks for every action (edit
view, explorer listing, bulk actions), so a refused action is Wagtail's own refusal.

Moderation follows publishing: a page submitted for review is approved or sent back by
the people who may publish it (``may_approve``); ``pathways.workflow.StructureApprovalTask``
asks this module for each page and for the admin's « awaiting your review » list.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Page, PagePermissionTester, get_page_models

from lms.accounts.structures import content_scope


class StructurePagePermissionTester(PagePermissionTester):
    """Wagtail's page permissions, narrowed to the structures the person belongs to."""

    def __init__(self, user, page):
        super().__init__(user, page)
        structure_id = getattr(page, "structure_id", None)
        scope = content_scope(user)
        self.may_edit_here = scope.may_edit(structure_id)
        self.may_publish_here = scope.may_publish(structure_id)

    def can_edit(self):
        return self.may_edit_here and super().can_edit()

    def can_delete(self, ignore_bulk=False):
        return self.may_edit_here and super().can_delete(ignore_bulk=ignore_bulk)

    def can_move(self):
        return self.may_edit_here and super().can_move()

    def can_copy(self):
        return self.may_edit_here and super().can_copy()

    def can_lock(self):
        return self.may_edit_here and super().can_lock()

    def can_unlock(self):
        return (self.may_edit_here or self.user_has_lock()) and super().can_unlock()

    def can_submit_for_moderation(self):
        return self.may_edit_here and super().can_submit_for_moderation()

    def can_publish(self):
        return self.may_publish_here and super().can_publish()

    def can_unpublish(self):
        return self.may_publish_here and super().can_unpublish()


class StructureOwned:
    """Pages written by a structure: Wagtail asks this page who may do what with it."""

    def permissions_for_user(self, user):
        return StructurePagePermissionTester(user, self)


class StructureOwnedPageForm(WagtailAdminPageForm):
    """A new page belongs to its author's structure when they belong to exactly one; only
    the network's managers (and superusers) change a page's structure."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("structure")
        if field is None:
            return
        user = self.for_user
        scope = content_scope(user) if user is not None else None
        if scope is not None and scope.everything:
            return
        field.disabled = True
        field.help_text = _("Seule la tête de réseau change la structure d'un contenu.")
        if self.instance.pk is not None:
            # The page's own row, not the draft being edited: a draft or an old revision
            # written before the structure was set must not take it away.
            self.initial["structure"] = (
                type(self.instance)
                .objects.filter(pk=self.instance.pk)
                .values_list("structure_id", flat=True)
                .first()
            )
        elif self.instance.structure_id is None and scope is not None:
            self.initial["structure"] = scope.sole_structure_id


# --- Moderation: who approves a page submitted for review ---------------------------------


def structure_owned_models() -> list[type[Page]]:
    return [model for model in get_page_models() if issubclass(model, StructureOwned)]


def owner_structure_id(page) -> int | None:
    """The structure that owns ``page``, read from its row (one query, kept on the object).

    The row, not the object handed over: Wagtail's edit view moderates the latest draft,
    its workflow views a base ``Page``. A draft may name another structure only when a
    network manager changed it, and the change takes effect once published."""
    if "_balise_owner_structure_id" in page.__dict__:
        return page.__dict__["_balise_owner_structure_id"]
    model = page.specific_class if isinstance(page, Page) else type(page)
    structure_id = None
    if model is not None and issubclass(model, StructureOwned):
        rows = model.objects.filter(pk=page.pk).values_list("structure_id", flat=True)
        structure_id = rows.first()
    page.__dict__["_balise_owner_structure_id"] = structure_id
    return structure_id


def may_approve(user, page) -> bool:
    """Whether ``user``'s structures let them approve ``page`` in moderation: the managers
    of its structure, the network's managers and superusers; anyone the workflow task
    names for a page without a structure. The task's own rule (its groups) applies too."""
    return content_scope(user).may_publish(owner_structure_id(page))


def approvable_task_states(task_states: QuerySet, user) -> QuerySet:
    """``task_states`` less those of pages whose structure ``user`` may not approve for:
    the « awaiting your review » list of the admin's dashboard and workflow reports."""
    scope = content_scope(user)
    if scope.everything:
        return task_states
    page_type = ContentType.objects.get_for_model(Page)
    for model in structure_owned_models():
        # Workflow states name their object by a string id.
        elsewhere = (
            model.objects.exclude(structure=None)
            .exclude(structure__in=scope.publishes)
            .annotate(page_key=Cast("pk", output_field=CharField()))
            .values("page_key")
        )
        task_states = task_states.exclude(
            workflow_state__base_content_type=page_type,
            workflow_state__object_id__in=elsewhere,
        )
    return task_states
