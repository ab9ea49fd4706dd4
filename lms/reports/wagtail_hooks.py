"""Wagtail admin: a « Décrochage » button on modules, leading to their drop-off per step;
for managers, a menu item to the programme dashboard."""

from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import widgets
from wagtail.admin.menu import MenuItem

from lms.accounts.roles import Role, has_role
from pathways.models import ModulePage

from . import views


@hooks.register("register_admin_urls")
def register_dropoff_url():
    return [
        path(
            "rapports/modules/<int:page_id>/decrochage/",
            views.module_dropoff,
            name="reports_module_dropoff",
        )
    ]


def _dropoff_button(page, user, priority: int):
    if page.specific_class is not ModulePage:
        return
    if not page.permissions_for_user(user).can_edit():
        return
    yield widgets.Button(
        _("Décrochage"),
        reverse("reports_module_dropoff", args=[page.pk]),
        icon_name="order",
        priority=priority,
        attrs={"title": _("Combien de personnes ont terminé chaque étape")},
    )


@hooks.register("register_page_header_buttons")
def dropoff_header_button(page, user, view_name=None, next_url=None):
    yield from _dropoff_button(page, user, priority=66)


@hooks.register("register_page_listing_more_buttons")
def dropoff_listing_button(page, user, next_url=None):
    yield from _dropoff_button(page, user, priority=55)


class ManagersMenuItem(MenuItem):
    def is_shown(self, request):
        return has_role(request.user, Role.MANAGER)


@hooks.register("register_admin_menu_item")
def dashboard_menu_item():
    return ManagersMenuItem(
        gettext_lazy("Tableau de bord du programme"),
        reverse("reports:dashboard"),
        icon_name="table",
        order=260,
    )


@hooks.register("register_admin_menu_item")
def funder_reports_menu_item():
    return ManagersMenuItem(
        gettext_lazy("Rapports pour les financeurs"),
        reverse("reports:funder_reports"),
        icon_name="doc-full",
        order=261,
    )
