"""The nav's roles and unread count: one query between them for a signed-in user, none for
visitors, and right whichever is asked first."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from lms.accounts.actions import grant_role
from lms.accounts.roles import Role, roles_of
from lms.context_processors import navigation
from lms.notifications import actions

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.fixture
def reader(person, enqueued):
    grant_role(person, Role.LEARNER)
    grant_role(person, Role.COACH)
    for _ in range(3):
        actions.notify(person, "test_message", {"subject": "Objet", "message": "m"})
    actions.mark_read(person, [person.notifications.first().pk])
    person.__dict__.pop("_balise_roles", None)
    return person


def test_anonymous_visitors_cost_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert navigation(request_for(AnonymousUser())) == {
            "user_roles": (),
            "unread_notifications_count": 0,
        }


def test_roles_and_unread_count_cost_a_query_each(reader, django_assert_num_queries):
    nav = navigation(request_for(reader))
    with django_assert_num_queries(2):
        assert "Learner" in nav["user_roles"] and "Coach" in nav["user_roles"]
        assert "Manager" not in nav["user_roles"]
        assert f"{nav['unread_notifications_count']}" == "2"
        assert roles_of(reader) == {Role.LEARNER, Role.COACH}  # remembered on the user


def test_the_count_and_the_roles_in_any_order(reader, django_assert_num_queries):
    nav = navigation(request_for(reader))
    with django_assert_num_queries(2):
        assert f"{nav['unread_notifications_count']}" == "2"
        assert "Coach" in nav["user_roles"]


def test_a_person_without_role_or_notification(person, django_assert_num_queries):
    nav = navigation(request_for(person))
    with django_assert_num_queries(2):
        assert "Learner" not in nav["user_roles"]
        assert f"{nav['unread_notifications_count']}" == "0"


def test_roles_already_known_cost_only_the_count(reader, django_assert_num_queries):
    roles_of(reader)
    nav = navigation(request_for(reader))
    with django_assert_num_queries(1):
        assert f"{nav['unread_notifications_count']}" == "2"
        assert "Learner" in nav["user_roles"]


def nav_of(client) -> str:
    body = client.get(reverse("pathways:dashboard")).content.decode()
    return body[body.index("<nav aria-label") : body.index("</nav>")]


def test_the_rendered_navigation_follows_roles_count_and_language(client, reader, enqueued):
    """The links are kept rendered per roles, count and language: each change shows."""
    client.force_login(reader)
    nav = nav_of(client)
    assert "Mes parcours" in nav and "Demandes" in nav and "Tableau de bord" not in nav
    assert "Notifications (2" in nav

    grant_role(reader, Role.MANAGER)
    nav = nav_of(client)
    assert "Tableau de bord" in nav and "Notifications (2" in nav

    actions.notify(reader, "test_message", {"subject": "Objet", "message": "m"})
    assert "Notifications (3" in nav_of(client)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("pathways:dashboard")).content.decode()
    assert "My pathways" in body and "Language" in body and "Mes parcours" not in body
