"""Structures in Wagtail's admin: the network's managers (and superusers) manage every
structure; a structure's own managers edit how theirs presents itself and how to reach it
(not its kind, départements or whether it is active)."""

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError, Q
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import DeleteView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from .forms import StructureForm, StructurePresentationForm
from .models import MemberRole, Structure, User
from .roles import Role
from .structures import holdings, managed_structure_ids, manages_every_structure

ALL_ACTIONS = frozenset({"add", "change", "delete", "view"})


class StructurePermissionPolicy(BasePermissionPolicy):
    """Every action for those who manage every structure; « change » on their own
    structures for a structure's managers; nothing for anyone else."""

    def _own(self, user) -> frozenset[int]:
        if not getattr(user, "is_active", False):
            return frozenset()
        return managed_structure_ids(user) or frozenset()

    def user_has_permission(self, user, action):
        if manages_every_structure(user):
            return action in ALL_ACTIONS
        return action == "change" and bool(self._own(user))

    def user_has_permission_for_instance(self, user, action, instance):
        if manages_every_structure(user):
            return action in ALL_ACTIONS
        return action == "change" and instance.pk in self._own(user)

    def instances_user_has_any_permission_for(self, user, actions):
        if manages_every_structure(user):
            return Structure.objects.all()
        if "change" in actions:
            return Structure.objects.filter(pk__in=self._own(user))
        return Structure.objects.none()

    def users_with_any_permission(self, actions):
        managers = Q(
            is_active=True,
            groups__name=Role.MANAGER.value,
            memberships__role=MemberRole.MANAGER,
        )
        if not set(actions) & {"change"}:
            managers &= Q(memberships__structure__kind="network")
        return User.objects.filter(Q(is_active=True, is_superuser=True) | managers).distinct()


register_permission_policy(Structure, StructurePermissionPolicy(Structure))


class StructureIndexView(IndexView):
    def get_base_queryset(self):
        # A structure's managers list their own structures only.
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["change"]
        ).order_by("name")


class StructureEditView(EditView):
    def get_object(self, queryset=None):
        structure = super().get_object(queryset)
        if not self.user_has_permission_for_instance("change", structure):
            raise PermissionDenied
        return structure

    def get_form_class(self):
        if manages_every_structure(self.request.user):
            return StructureForm
        return StructurePresentationForm


class StructureDeleteView(DeleteView):
    """A structure holding requests or coaches is not deleted (``PROTECT``): the page
    says so and what to do instead, with no delete button."""

    template_name = "accounts/admin/structure_confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["holdings"] = held = holdings(self.object)
        context["is_protected"] = context.get("is_protected") or bool(held)
        return context

    def form_valid(self, form):
        if not holdings(self.object):
            try:
                return super().form_valid(form)
            except ProtectedError:  # something attached in between: counted below
                pass
        messages.error(
            self.request,
            _("%(name)s n’est pas supprimée : des éléments y sont rattachés (voir ci-dessous).")
            % {"name": self.object.name},
        )
        return redirect(self.get_delete_url())


class StructureViewSet(ModelViewSet):
    model = Structure
    icon = "group"
    menu_label = _("Structures")
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = StructureIndexView
    edit_view_class = StructureEditView
    delete_view_class = StructureDeleteView
    form_fields = StructureForm.Meta.fields
    list_display = ["name", "kind", "departements", "remote_only", "active"]
    list_filter = ["kind", "remote_only", "active"]
    search_fields = ["name"]
    inspect_view_enabled = False
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return StructureForm

    def get_permissions_to_register(self):
        # Who may manage structures follows memberships, not group permissions.
        return Permission.objects.none()


@hooks.register("register_admin_viewset")
def register_structure_viewset():
    return StructureViewSet("structures")
