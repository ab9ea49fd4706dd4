"""The nav's unread count: one COUNT for a signed-in user, nothing for visitors."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from lms.notifications import actions
from lms.notifications.context_processors import unread_notifications

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_anonymous_visitors_cost_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert unread_notifications(request_for(AnonymousUser())) == {
            "unread_notifications_count": 0
        }


def test_signed_in_users_get_their_unread_count_in_one_query(
    person, enqueued, django_assert_num_queries
):
    for _ in range(3):
        actions.notify(person, "k", "Objet", "generic", {"message": "m"})
    actions.mark_read(person, [person.notifications.first().pk])

    count = unread_notifications(request_for(person))["unread_notifications_count"]
    with django_assert_num_queries(1):
        assert count == 2
        assert f"{count}" == "2"
