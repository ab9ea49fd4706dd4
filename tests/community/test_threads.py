"""A circle's thread: posts and replies by members and the facilitator only, refused
with a message otherwise, and one e-mail digest per reader and burst (durable: the sweeper
sends what a lost task left)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lms.community import actions
from lms.community.actions import CommunityError
from lms.community.models import CirclePost, CircleReader
from lms.community.queries import circle_thread, unread_counts
from lms.community.tasks import send_circle_digest_task
from lms.notifications import actions as notifications
from lms.notifications.models import Notification
from tests.factories.accounts import learner, manager
from tests.factories.community import circle, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def made():
    return circle()


def test_members_post_and_reply_and_replies_stay_one_level(made):
    alice, bruno = member(made, user__first_name="Alice"), member(made, user__first_name="Bruno")
    first = actions.post_to_circle(alice, made.pk, "J'ai testé mon prix au marché.")
    reply = actions.post_to_circle(bruno, made.pk, "Et alors ?", parent_id=first.pk)
    again = actions.post_to_circle(alice, made.pk, "Ça a marché.", parent_id=reply.pk)
    assert again.parent == first
    thread = circle_thread(made.facilitator, made)
    assert [p.body for p in thread.posts] == ["J'ai testé mon prix au marché."]
    assert [r.author_name for r in thread.posts[0].replies] == ["Bruno", "Alice"]


def test_someone_outside_the_circle_cannot_post_and_nothing_is_written(made):
    with pytest.raises(CommunityError, match="ne faites plus partie"):
        actions.post_to_circle(learner(departement="69"), made.pk, "Bonjour")
    with pytest.raises(CommunityError, match="Seul·es les membres"):
        actions.post_to_circle(manager(), made.pk, "Bonjour")
    leaver = member(made)
    actions.leave_circle(leaver, made.pk)
    with pytest.raises(CommunityError, match="ne faites plus partie"):
        actions.post_to_circle(leaver, made.pk, "Bonjour")
    assert not CirclePost.objects.exists()


def test_a_reply_to_a_post_of_another_circle_is_refused(made):
    other = circle(name="Autre cercle")
    elsewhere = actions.post_to_circle(other.facilitator, other.pk, "Ailleurs")
    with pytest.raises(CommunityError, match="pas dans ce cercle"):
        actions.post_to_circle(member(made), made.pk, "Réponse", parent_id=elsewhere.pk)


@pytest.fixture
def scheduled(monkeypatch):
    """(row id, countdown) of each digest task that would reach the broker."""
    calls = []
    monkeypatch.setattr(
        send_circle_digest_task,
        "apply_async",
        lambda args, countdown: calls.append((args[0], countdown)),
    )
    return calls


def test_a_burst_is_one_digest_per_reader_and_read_posts_are_left_out(
    made, settings, scheduled, mailoutbox, django_capture_on_commit_callbacks
):
    alice, bruno = member(made, user__first_name="Alice"), member(made, user__first_name="Bruno")
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_to_circle(alice, made.pk, "Premier message")
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_to_circle(alice, made.pk, "Deuxième message")
    rows = CircleReader.objects.filter(circle=made, digest_due_at__isnull=False)
    assert set(rows.values_list("reader_id", flat=True)) == {bruno.pk, made.facilitator_id}
    delay = settings.CIRCLE_DIGEST_DELAY
    assert sorted(scheduled) == sorted((row.pk, delay) for row in rows)  # one per reader
    # The facilitator read the thread on the site meanwhile.
    thread = circle_thread(made.facilitator, made)
    actions.mark_circle_read(made.facilitator, made, thread.last_id)
    later = timezone.now() + timedelta(seconds=delay + 60)
    # Their tasks were lost: the sweeper sends what is due.
    assert actions.send_due_circle_digests(now=later) == 1
    digest = Notification.objects.get(kind="circle_digest")
    assert digest.recipient == bruno
    assert "2 nouveaux messages" in digest.subject
    for pk in Notification.objects.unsent().values_list("pk", flat=True):
        notifications.deliver(pk)
    (email,) = mailoutbox
    assert "Premier message" in email.body and "Deuxième message" in email.body
    # Run again: nothing due, nothing sent.
    assert actions.send_due_circle_digests(now=later) == 0


def test_hidden_posts_are_left_out_of_digests_and_unread_counts(made, settings):
    alice, bruno = member(made), member(made)
    post = actions.post_to_circle(alice, made.pk, "Message à masquer")
    actions.report_post(bruno, post.pk, "Propos blessant")
    assert unread_counts(made.facilitator, [made.pk]) == {}
    later = timezone.now() + timedelta(seconds=settings.CIRCLE_DIGEST_DELAY + 60)
    assert actions.send_due_circle_digests(now=later) == 0
    assert not Notification.objects.filter(kind="circle_digest").exists()
