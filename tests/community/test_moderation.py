"""Reports: a post is hidden at once, its author still sees it (marked), the facilitator or
the structure's managers restore it or keep it hidden; nothing is deleted."""

import pytest

from lms.community import actions
from lms.community.actions import CommunityError
from lms.community.models import CirclePost, HiddenReason, PostReport
from lms.community.queries import circle_thread, moderation_queue
from lms.notifications.models import Notification
from tests.factories.accounts import learner, manager
from tests.factories.community import circle, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    made = circle()
    author, reporter = member(made, user__first_name="Alice"), member(made)
    post = actions.post_to_circle(author, made.pk, "Un message déplacé")
    return made, author, reporter, post


def test_a_report_hides_the_post_at_once_for_others_not_for_its_author(setting):
    made, author, reporter, post = setting
    actions.report_post(reporter, post.pk, "Propos blessant")
    post.refresh_from_db()
    assert post.hidden_reason == HiddenReason.REPORTED
    assert circle_thread(reporter, made).posts == []
    mine = circle_thread(author, made).posts
    assert [(p.body, p.hidden) for p in mine] == [("Un message déplacé", True)]
    told = Notification.objects.filter(kind="circle_post_reported")
    assert list(told.values_list("recipient_id", flat=True)) == [made.facilitator_id]
    assert [entry["reasons"] for entry in moderation_queue(made.facilitator)] == [
        ["Propos blessant"]
    ]


def test_one_cannot_report_ones_own_post_nor_twice(setting):
    made, author, reporter, post = setting
    with pytest.raises(CommunityError, match="votre propre message"):
        actions.report_post(author, post.pk, "x")
    actions.report_post(reporter, post.pk, "x")
    with pytest.raises(CommunityError, match="déjà signalé"):
        actions.report_post(reporter, post.pk, "x")
    assert PostReport.objects.count() == 1


def test_restoring_puts_the_post_back_and_closes_every_report(setting):
    made, author, reporter, post = setting
    actions.report_post(reporter, post.pk, "x")
    actions.report_post(member(made), post.pk, "y")
    assert actions.review_post(made.facilitator, post.pk, "restore") == 2
    assert [p.body for p in circle_thread(reporter, made).posts] == ["Un message déplacé"]
    assert not moderation_queue(made.facilitator)
    with pytest.raises(CommunityError, match="déjà été relu"):
        actions.review_post(made.facilitator, post.pk, "keep_hidden")


def test_keeping_it_hidden_keeps_the_row_and_the_author_sees_why(setting):
    made, author, reporter, post = setting
    actions.report_post(reporter, post.pk, "x")
    actions.review_post(manager(), post.pk, "keep_hidden")  # a network manager
    assert CirclePost.objects.filter(pk=post.pk, hidden_reason=HiddenReason.MODERATED).exists()
    assert circle_thread(author, made).posts[0].hidden_reason == HiddenReason.MODERATED
    assert PostReport.objects.get().decision == "keep_hidden"


def test_members_and_outsiders_do_not_review(setting):
    made, author, reporter, post = setting
    actions.report_post(reporter, post.pk, "x")
    for person in (reporter, learner(departement="69")):
        with pytest.raises(CommunityError):
            actions.review_post(person, post.pk, "restore")
    assert PostReport.objects.get().reviewed_at is None
