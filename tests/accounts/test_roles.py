"""Roles are groups with permissions; each role lands where it works and nowhere else."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupPagePermission

from lms.accounts.roles import Role, ensure_role_groups, roles_of
from tests.factories.accounts import UserFactory, coach, learner

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migrate_and_are_idempotent():
    before = {g.name: g.permissions.count() for g in Group.objects.all()}
    assert {r.value for r in Role} <= set(before)
    ensure_role_groups()
    after = {g.name: g.permissions.count() for g in Group.objects.all()}
    assert before == after


def test_editor_drafts_but_only_manager_publishes():
    perms = {
        role: set(
            GroupPagePermission.objects.filter(group__name=role.value).values_list(
                "permission__codename", flat=True
            )
        )
        for role in (Role.EDITOR, Role.MANAGER)
    }
    assert {"add_page", "change_page"} <= perms[Role.EDITOR]
    assert "publish_page" not in perms[Role.EDITOR]
    assert "publish_page" in perms[Role.MANAGER]


@pytest.mark.parametrize(
    ("role", "can_admin"),
    [(Role.LEARNER, False), (Role.COACH, False), (Role.EDITOR, True), (Role.MANAGER, True)],
)
def test_wagtail_admin_access_by_role(client, role, can_admin):
    user = UserFactory(role=role)
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert (response.status_code == 200) is can_admin
    if not can_admin:
        assert response.status_code == 302


@pytest.mark.parametrize(
    ("role", "home"),
    [(Role.EDITOR, "wagtailadmin_home"), (Role.MANAGER, "wagtailadmin_home")],
)
def test_staff_roles_land_in_the_admin(client, role, home):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("accounts:after_login")).url == reverse(home)


def test_coach_lands_on_their_page_not_onboarding(client):
    user = coach(departements=["07", "26"])
    client.force_login(user)
    assert client.get(reverse("accounts:after_login")).url != reverse("accounts:onboarding")
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "07, 26" in page


def test_django_admin_is_for_superusers_only(client):
    client.force_login(learner())
    assert client.get("/django-admin/").status_code == 302


def test_roles_of_anonymous_is_empty(rf):
    from django.contrib.auth.models import AnonymousUser

    assert roles_of(AnonymousUser()) == frozenset()


def test_nav_shows_admin_link_to_editors_only(client):
    client.force_login(learner())
    assert reverse("wagtailadmin_home") not in client.get("/").content.decode()
    client.force_login(UserFactory(role=Role.EDITOR))
    assert reverse("wagtailadmin_home") in client.get("/").content.decode()
