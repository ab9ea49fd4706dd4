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


# --- The facts in the cache: renewed by what changes them ------------------------------------


def facts_of(user):
    from lms.notifications.navigation import navigation_facts

    return navigation_facts(type(user).objects.get(pk=user.pk))  # a fresh request's user


def test_known_facts_cost_no_query(reader, django_assert_num_queries):
    facts_of(reader)
    with django_assert_num_queries(1):  # the fresh user only
        assert facts_of(reader) == {"roles": (Role.COACH, Role.LEARNER), "unread": 2}


def test_each_change_shows_on_the_next_read(reader, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group

    facts_of(reader)
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify(reader, "test_message", {"subject": "Objet", "message": "m"})
    assert facts_of(reader)["unread"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_read(reader, "all")
    assert facts_of(reader)["unread"] == 0
    # A group changed from its side, as in the admin's group page.
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(name=Role.MANAGER.value).user_set.add(reader)
    assert Role.MANAGER in facts_of(reader)["roles"]
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(name=Role.MANAGER.value).user_set.clear()
    assert Role.MANAGER not in facts_of(reader)["roles"]


def test_a_change_racing_a_read_is_not_hidden(reader, django_capture_on_commit_callbacks):
    """The reader reads the generation, another process writes and commits a notification,
    the reader stores what it counted before: the next read counts again."""
    from lms.accounts import facts

    def count_then_race():
        counted = {"roles": (), "unread": 2}
        with django_capture_on_commit_callbacks(execute=True):
            actions.notify(reader, "test_message", {"subject": "Objet", "message": "m"})
        return counted

    assert facts.cached_facts(reader.pk, count_then_race)["unread"] == 2
    assert facts_of(reader)["unread"] == 3


def test_an_evicted_generation_never_brings_back_old_facts(reader):
    from django.core.cache import cache

    from lms.accounts.facts import generation_key

    facts_of(reader)
    cache.delete(generation_key(reader.pk))  # evicted under memory pressure
    type(reader).objects.get(pk=reader.pk).notifications.update(read_at=None)  # unseen
    assert facts_of(reader)["unread"] == 3
