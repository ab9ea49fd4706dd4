"""A member's data: exported (memberships, posts, reports, offers, hours) and erased with
their account (memberships ended, words blanked, rows kept so replies keep their place)."""

import pytest

from lms.accounts.gdpr import anonymise_user, export_user_data
from lms.community import actions
from lms.community.models import CircleMembership, CirclePost, CircleReader, PostReport
from tests.factories.community import circle, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def exchange():
    made = circle()
    alice, bruno = member(made, user__first_name="Alice"), member(made)
    first = actions.post_to_circle(alice, made.pk, "Mon projet de conserverie à Florac")
    actions.post_to_circle(bruno, made.pk, "Bienvenue !", parent_id=first.pk)
    actions.report_post(alice, CirclePost.objects.get(parent=first).pk, "Trop familier")
    return made, alice, bruno


def test_the_export_holds_the_members_circles_posts_and_reports(exchange):
    made, alice, bruno = exchange
    data = export_user_data(alice)
    assert [(row["circle_id"], row["circle"]) for row in data["circle_memberships"]] == [
        (made.pk, made.name)
    ]
    assert [row["body"] for row in data["circle_posts"]] == ["Mon projet de conserverie à Florac"]
    assert [row["reason"] for row in data["post_reports"]] == ["Trop familier"]
    assert "Bienvenue" not in str(data["circle_posts"])  # someone else's words


def test_erasure_ends_memberships_and_blanks_words_but_keeps_the_thread(exchange):
    made, alice, bruno = exchange
    anonymise_user(alice)
    assert CircleMembership.objects.get(learner=alice).left_at is not None
    first = CirclePost.objects.get(author=alice)
    assert first.body == ""
    assert CirclePost.objects.get(parent=first).body == "Bienvenue !"
    assert PostReport.objects.get().reason == ""
    assert not CircleReader.objects.filter(reader=alice).exists()
