"""A request's messages reach the other side by e-mail: one digest per burst, durable, and
without what was already read on the site. Task bodies are called directly (no broker)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import CoachingRequest, ThreadReader
from lms.coaching.tasks import send_due_digests_task, send_message_digest_task
from lms.notifications import actions as notifications
from lms.notifications.models import Notification
from tests.factories.accounts import coach, learner, manager
from tests.factories.pathways import build_pathway

pytestmark = pytest.mark.django_db

DELAY = 300


@pytest.fixture(autouse=True)
def _delay(settings):
    settings.MESSAGE_DIGEST_DELAY = DELAY


@pytest.fixture
def scheduled(monkeypatch):
    """(row id, countdown) of each digest task that would reach the broker."""
    calls = []
    monkeypatch.setattr(
        send_message_digest_task,
        "apply_async",
        lambda args, countdown: calls.append((args[0], countdown)),
    )
    return calls


@pytest.fixture
def claimed():
    person = learner(departement="69", user__first_name="Léa", user__email="lea@balise.test")
    helper = coach(departements=["69"], user__first_name="Julien", user__email="julien@b.test")
    request = actions.open_help_request(person, build_pathway(["m:1"]), "Aide", "ici")
    assert actions.claim_request(helper, request.pk).ok
    Notification.objects.all().delete()  # the request's own notices
    return CoachingRequest.objects.select_related("learner", "coach", "structure").get()


def post(author, request, body, capture):
    with capture(execute=True):
        return actions.post_message(author, request.pk, body)


def due_time():
    return timezone.now() + timedelta(seconds=DELAY + 1)


def deliver_all(mailoutbox):
    for pk in Notification.objects.unsent().values_list("pk", flat=True):
        notifications.deliver(pk)
    return mailoutbox


def test_a_burst_of_messages_is_one_email_listing_them(
    settings, claimed, scheduled, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    for body in ("Bonjour", "Je bloque sur le budget", "Voir https://exemple.org/plan?a=1&b=2"):
        post(claimed.learner, claimed, body, capture)

    coach_row = ThreadReader.objects.get(reader=claimed.coach)
    assert scheduled == [(coach_row.pk, DELAY)]  # one task for the burst, with the delay
    assert Notification.objects.count() == 0  # nothing leaves before the delay

    assert actions.send_message_digest(coach_row.pk, now=due_time())
    (email,) = deliver_all(mailoutbox)
    assert email.to == ["julien@b.test"]
    assert email.subject == f"3 nouveaux messages : demande de {claimed.learner.get_full_name()}"
    for body in ("Bonjour", "Je bloque sur le budget", "https://exemple.org/plan?a=1&b=2"):
        assert body in email.body
    thread = reverse("coaching:thread", args=[claimed.pk])
    assert f"Lire et répondre dans Balise : {settings.SITE_URL}{thread}#dernier-message" in (
        email.body
    )
    html = email.alternatives[0][0]
    assert '<a href="https://exemple.org/plan?a=1&amp;b=2" rel="nofollow">' in html
    assert "Léa" in html

    # Run again (a duplicate task, the sweeper): nothing more.
    assert not actions.send_message_digest(coach_row.pk, now=due_time())
    assert send_due_digests_task() == 0
    assert Notification.objects.count() == 1


def test_the_next_burst_is_a_new_digest_with_only_the_new_messages(
    claimed, scheduled, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    post(claimed.coach, claimed, "Premier message", capture)
    row = ThreadReader.objects.get(reader=claimed.learner)
    actions.send_message_digest(row.pk, now=due_time())
    post(claimed.coach, claimed, "Second message", capture)
    assert len(scheduled) == 2
    actions.send_message_digest(row.pk, now=due_time())
    first, second = deliver_all(mailoutbox)
    assert "Premier message" in first.body and "Premier message" not in second.body
    assert "Second message" in second.body
    assert second.subject == "Nouveau message sur votre demande d'accompagnement"
    assert "Julien, accompagnateur·rice" in second.body


def test_messages_read_on_the_site_are_not_emailed(
    client, claimed, scheduled, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    post(claimed.coach, claimed, "Lu sur le site", capture)
    client.force_login(claimed.learner)
    client.get(reverse("coaching:thread", args=[claimed.pk]))
    row = ThreadReader.objects.get(reader=claimed.learner)

    assert not actions.send_message_digest(row.pk, now=due_time())
    assert Notification.objects.count() == 0
    row.refresh_from_db()
    assert row.digest_due_at is None  # dropped, not left for the sweeper

    # Read in part: only the message that followed.
    post(claimed.coach, claimed, "Pas encore lu", capture)
    assert actions.send_message_digest(row.pk, now=due_time())
    (email,) = deliver_all(mailoutbox)
    assert "Pas encore lu" in email.body and "Lu sur le site" not in email.body


def test_a_lost_task_or_a_dead_worker_is_repaired_by_the_sweeper(
    claimed, scheduled, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(claimed.learner, claimed.pk, "Vous êtes là ?")
    row = ThreadReader.objects.get(reader=claimed.coach)

    # The worker dies while writing the digest: its transaction rolls back.
    from lms.coaching.actions import messages as module

    def crash(*args, **kwargs):
        raise ConnectionError("worker killed")

    monkeypatch.setattr(module, "notify", crash)
    with pytest.raises(ConnectionError):
        actions.send_message_digest(row.pk, now=due_time())  # on time, in a worker
    monkeypatch.undo()
    row.refresh_from_db()
    assert row.digest_due_at is not None and Notification.objects.count() == 0

    # Not yet due for the sweeper: its own task may still come.
    assert actions.send_due_digests(now=timezone.now()) == 0
    # Past due: the sweeper sends it, once.
    later = timezone.now() + timedelta(seconds=DELAY + 60)
    assert actions.send_due_digests(now=later) == 1
    assert actions.send_due_digests(now=later) == 0
    (email,) = deliver_all(mailoutbox)
    assert "Vous êtes là ?" in email.body


def test_a_task_that_runs_early_leaves_the_digest_pending(
    claimed, scheduled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(claimed.learner, claimed.pk, "Tôt")
    row = ThreadReader.objects.get(reader=claimed.coach)
    assert not actions.send_message_digest(row.pk, now=timezone.now())
    row.refresh_from_db()
    assert row.digest_due_at is not None


def test_without_a_coach_the_structure_managers_are_told(
    scheduled, mailoutbox, django_capture_on_commit_callbacks
):
    person = learner(departement="69", user__first_name="Léa")
    helper = coach(departements=["69"])  # makes the structure cover the Rhône
    request = actions.open_help_request(person, build_pathway(["m:1"]), "Aide", "ici")
    request.refresh_from_db()
    boss = manager(request.structure, email="boss@b.test")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(person, request.pk, "Quelqu'un ?")
    assert not ThreadReader.objects.filter(reader=helper).exists()
    row = ThreadReader.objects.get(reader=boss)
    assert actions.send_message_digest(row.pk, now=due_time())
    (email,) = deliver_all(mailoutbox)
    assert email.to == ["boss@b.test"] and "Quelqu'un ?" in email.body


def test_a_managers_message_tells_the_learner_and_the_coach(
    claimed, scheduled, django_capture_on_commit_callbacks
):
    boss = manager(claimed.structure)
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(boss, claimed.pk, "Nous suivons")
    told = set(
        ThreadReader.objects.filter(digest_due_at__isnull=False).values_list("reader", flat=True)
    )
    assert told == {claimed.learner.pk, claimed.coach.pk}


def test_a_coach_who_handed_the_request_back_is_not_told(
    claimed, scheduled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(claimed.learner, claimed.pk, "Bonjour")
    actions.hand_back(claimed.coach, claimed)
    Notification.objects.all().delete()
    row = ThreadReader.objects.get(reader=claimed.coach)
    assert not actions.send_message_digest(row.pk, now=due_time())
    assert Notification.objects.count() == 0


def test_the_digest_reads_in_the_readers_language(
    claimed, scheduled, mailoutbox, django_capture_on_commit_callbacks
):
    claimed.learner.language = "en"
    claimed.learner.save()
    for body in ("Un", "Deux"):
        with django_capture_on_commit_callbacks(execute=True):
            actions.post_message(claimed.coach, claimed.pk, body)
    row = ThreadReader.objects.get(reader=claimed.learner)
    actions.send_message_digest(row.pk, now=due_time())
    (email,) = deliver_all(mailoutbox)
    assert email.subject == "2 new messages about your coaching request"
    assert email.body.startswith("Hello Léa,")
    assert "Julien, coach" in email.body


def test_the_sweeper_is_scheduled_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-due-message-digests"]
    assert entry == {"task": "coaching.send_due_digests_task", "schedule": 60.0}
