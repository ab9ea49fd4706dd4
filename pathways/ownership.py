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
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import PagePermissionTester

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
