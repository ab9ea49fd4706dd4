"""Faults on real services: what a learner or a coach still gets when a part breaks.

- a worker SIGKILLed in the middle of a batch of e-mails: after a restart and a sweep,
  every notification is delivered, none twice;
- routing down when a learner reaches an automatic point, then the worker SIGKILLed
  while e-mailing the coach: the step is done, coaching's sweeper announces the request,
  and after a restart each person gets exactly one e-mail;
- Redis down when a learner asks for help: the request is saved and answered, the
  e-mails leave once Redis is back (the sweeper);
- the S3 endpoint down during an upload: a clear error, no row without its file;
- the database down: ``/readyz`` says so and pages fail with the friendly 500 page.

Every server is started here (a throwaway Redis, a moto_server, gunicorn, workers) and
killed at teardown: the machine's shared Redis and PostgreSQL are never stopped.
"""

import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection
from wagtailmedia.models import get_media_model

from lms.accounts.roles import Role
from lms.coaching.models import CoachingRequest, RequestEvent
from lms.coaching.tasks import repair_requests_task
from lms.notifications import actions as notification_actions
from lms.notifications.models import CLAIM_TIMEOUT, Notification
from lms.notifications.tasks import deliver_notification_task, sweep_unsent_task
from pathways import actions as pathway_actions
from pathways.models import CheckpointPassage
from tests.factories.accounts import UserFactory, coach, learner
from tests.factories.pathways import build_pathway, modules_of, point_ids
from tests.integration.conftest import (
    S3Bucket,
    free_port,
    http_fetch,
    production_env,
    report,
    start_process,
    stop_process,
    tail,
    use_s3_storage,
    worker_ping,
)
from tests.integration.test_notification_flow import (
    ask_for_help,
    expected_mail,
    help_request_scene,
    settle,
)
from tests.settings_probe import BASE_DIR

pytestmark = pytest.mark.services

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BATCH = 20
KILL_AFTER = 3  # messages accepted by the sink before the worker is killed
SLOW_RCPT = 0.4  # seconds the sink waits before answering RCPT TO, while the batch runs
DELIVERY_TIMEOUT = 45


# --- Worker killed mid-batch ------------------------------------------------------------


@transactional
def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    notification_stack, monkeypatch
):
    stack, sink = notification_stack, notification_stack.sink
    started = time.monotonic()
    first = stack.start_worker(concurrency=1)
    # The on-commit enqueue goes to the throwaway Redis, as a web process's would.
    monkeypatch.setattr(
        deliver_notification_task,
        "delay",
        lambda pk: stack.send(deliver_notification_task.name, pk),
    )
    people = [UserFactory() for _ in range(BATCH)]
    sink.rcpt_delay = SLOW_RCPT
    with transaction.atomic():
        for number, person in enumerate(people, start=1):
            notification_actions.notify(
                person,
                kind="test_message",
                context={
                    "subject": f"Essai de charge {number:02d}/{BATCH}",
                    "message": "Un message parmi d'autres.",
                },
            )

    # Kill while the worker waits for the sink to accept message KILL_AFTER + 1: that
    # row is claimed, its e-mail not handed over.
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while sink.rcpt_started < KILL_AFTER + 1:
        assert time.monotonic() < deadline, tail(first.log)
        time.sleep(0.01)
    first.kill()
    killed_at = time.monotonic()
    time.sleep(SLOW_RCPT + 0.2)  # the sink finishes with the dead connection
    sink.rcpt_delay = 0

    before_kill = len(sink.received())
    rows = Notification.objects.filter(kind="test_message")
    stuck = list(rows.filter(sent_at__isnull=True, claimed_at__isnull=False))
    assert before_kill == KILL_AFTER
    assert rows.filter(sent_at__isnull=False).count() == KILL_AFTER
    assert len(stuck) == 1, "the kill should land while one row is being delivered"
    # A claim keeps other workers away for CLAIM_TIMEOUT: let that time pass.
    rows.filter(pk=stuck[0].pk).update(claimed_at=F("claimed_at") - CLAIM_TIMEOUT)

    second = stack.start_worker(concurrency=4)
    restarted_in = time.monotonic() - killed_at
    # Beat would send this every minute. It runs while the restarted worker is still
    # draining the queue: rows that are still queued get a second task, and the claim
    # must keep each e-mail single.
    stack.send(sweep_unsent_task.name)
    received = sink.wait_for(BATCH, DELIVERY_TIMEOUT, second.log)
    settle(stack)
    received = sink.received()
    all_sent_in = time.monotonic() - started

    per_message = Counter((mail.recipients, mail.subject) for mail in received)
    expected = Counter(
        {((p.email,), f"Essai de charge {n:02d}/{BATCH}"): 1 for n, p in enumerate(people, 1)}
    )
    duplicates = sum(count - 1 for count in per_message.values())
    assert per_message == expected
    assert len({mail.message_id for mail in received}) == BATCH
    assert rows.filter(sent_at__isnull=True).count() == 0
    attempts = dict(rows.values_list("pk", "attempts"))
    assert attempts.pop(stuck[0].pk) == 2
    assert set(attempts.values()) == {1}
    log = second.log_text()
    swept = _swept(log)
    deliveries_run = log.count(f"Task {deliver_notification_task.name}[") // 2  # received+done
    report(
        f"[worker SIGKILL] {BATCH} notifications; {before_kill} delivered before the kill, "
        f"1 claimed and cut off mid-SMTP; worker restarted in {restarted_in:.1f}s; sweeper "
        f"re-enqueued {swept}; the restarted worker ran {deliveries_run} delivery tasks "
        f"for {BATCH - before_kill} e-mails; delivered {len(received)}/{BATCH}, duplicates "
        f"{duplicates}; all delivered {all_sent_in:.1f}s after the first worker started"
    )


def _swept(log: str) -> int:
    for line in log.splitlines():
        if "Re-enqueued" in line:
            return int(line.split("Re-enqueued", 1)[1].split()[0])
    return 0


# --- Routing down at a point, then the worker killed while e-mailing the coach -----------


def _fail(*args, **kwargs):
    raise DatabaseError("injected fault: routing")


@transactional
def test_a_point_reached_with_routing_down_reaches_the_coach_once_despite_a_killed_worker(
    notification_stack, monkeypatch
):
    """Learner's step -> passage -> request (routing broken in the web process) ->
    coaching's sweeper in a worker -> the worker killed while handing the coach's e-mail
    to SMTP -> restart, sweepers again -> one request, one event, one e-mail per person."""
    stack, sink = notification_stack, notification_stack.sink
    started = time.monotonic()
    person = learner(departement="69", user__first_name="Inès", user__last_name="Moreau")
    rhone = coach(departements=["69"])
    pathway = build_pathway(["m:1", "p:automatic", "m:1"])
    first_module = modules_of(pathway)[0]
    pathway_actions.enroll(person, pathway)
    monkeypatch.setattr(
        deliver_notification_task,
        "delay",
        lambda pk: stack.send(deliver_notification_task.name, pk),
    )

    # The web process: the learner clicks « Terminer » on each step while routing fails.
    web = Client(raise_request_exception=False)  # a 500 page, as a browser would get
    web.force_login(person)
    with monkeypatch.context() as patch:
        patch.setattr("lms.coaching.actions.requests.route", _fail)
        statuses = [
            web.post(
                reverse("pathways:complete_step", args=[pathway.pk, first_module.pk, step_id])
            ).status_code
            for step_id in first_module.step_ids
        ]
    assert statuses == [302] * len(first_module.step_ids)  # no error page
    passage = CheckpointPassage.objects.get(learner=person)
    assert passage.point_id == point_ids(pathway)[0]
    event = RequestEvent.objects.get()  # the request and its event are kept...
    assert event.announced_at is None  # ...unannounced: nobody told yet
    assert not Notification.objects.exists()

    # Beat's coaching.repair_requests_task, run by a worker; it takes events older than
    # COACHING_REPAIR_AFTER (1 s here). The sink answers slowly, so that the worker can be
    # killed while it waits to hand over the coach's e-mail (the learner's goes first).
    first = stack.start_worker(concurrency=1, COACHING_REPAIR_AFTER="1")
    while timezone.now() - event.created_at < timedelta(seconds=1.1):
        time.sleep(0.05)
    sink.rcpt_delay = SLOW_RCPT
    stack.send(repair_requests_task.name)
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while rhone.email not in sink.rcpt_addresses:
        assert time.monotonic() < deadline, f"no e-mail to the coach began:\n{tail(first.log)}"
        time.sleep(0.01)
    first.kill()
    killed_at = time.monotonic()
    time.sleep(SLOW_RCPT + 0.2)  # the sink finishes with the dead connection
    sink.rcpt_delay = 0

    assert "1 announced" in first.log_text()
    before_kill = sink.received()
    assert [mail.recipients for mail in before_kill] == [(person.email,)]
    coach_row = Notification.objects.get(recipient=rhone)
    assert coach_row.sent_at is None and coach_row.claimed_at is not None  # cut off mid-SMTP
    # A claim keeps other workers away for CLAIM_TIMEOUT: let that time pass.
    Notification.objects.filter(pk=coach_row.pk).update(claimed_at=F("claimed_at") - CLAIM_TIMEOUT)

    # Restarted; beat sends both sweepers again (every minute): coaching's finds nothing
    # left to repair, the outbox's re-enqueues the coach's e-mail.
    second = stack.start_worker(concurrency=1, COACHING_REPAIR_AFTER="1")
    restarted_in = time.monotonic() - killed_at
    stack.send(repair_requests_task.name)
    stack.send(sweep_unsent_task.name)
    sink.wait_for(2, DELIVERY_TIMEOUT, second.log)
    settle(stack)
    received = sink.received()
    elapsed = time.monotonic() - started

    assert Counter((mail.recipients, mail.subject) for mail in received) == expected_mail(
        person, rhone
    )
    assert CoachingRequest.objects.count() == 1
    request = CoachingRequest.objects.get()
    assert (request.learner, request.pathway_id, request.point_id) == (
        person,
        pathway.pk,
        passage.point_id,
    )
    assert request.recommendation_reason  # routed by the sweeper
    assert RequestEvent.objects.count() == 1
    assert RequestEvent.objects.get().announced_at is not None
    rows = Notification.objects.all()
    assert rows.count() == 2 and not rows.filter(sent_at__isnull=True).exists()
    assert dict(rows.values_list("recipient_id", "attempts")) == {person.pk: 1, rhone.pk: 2}
    assert elapsed < 60, f"{elapsed:.1f}s"
    report(
        f"[point, routing down + worker SIGKILL] {len(statuses)} step(s) answered "
        f"{statuses[0]} with routing down; request kept unannounced; sweeper announced it; "
        f"worker killed while handing the coach's e-mail over (learner's delivered); "
        f"restarted in {restarted_in:.1f}s; outbox sweeper re-enqueued "
        f"{_swept(second.log_text())}; requests 1, events 1, e-mails "
        f"{len(received)} (1 per person), duplicates 0; {elapsed:.1f}s in all"
    )


# --- Redis down when the event happens ------------------------------------------------------


@transactional
def test_redis_down_when_a_learner_asks_for_help(notification_stack):
    stack, sink = notification_stack, notification_stack.sink
    person, rhone, pathway = help_request_scene()
    worker = stack.start_worker()

    stack.redis.stop()
    result, web_log = ask_for_help(stack, person, pathway)

    # The learner's request is saved and answered as usual, promptly.
    assert result["status"] == 302 and result["location"] == "/accompagnement/", result
    assert result["elapsed"] < 10, result
    # The enqueue was attempted and failed (logged), nothing else.
    assert "Error calling" in web_log and "in on_commit()" in web_log, web_log[-3000:]
    assert CoachingRequest.objects.filter(learner=person).count() == 1
    rows = Notification.objects.all()
    assert rows.count() == 2
    assert not rows.filter(sent_at__isnull=False).exists()
    assert not rows.filter(claimed_at__isnull=False).exists()
    assert sink.received() == []

    down_at = time.monotonic()
    stack.redis.start()  # empty, as after a crash without persistence
    deadline = time.monotonic() + 45
    while not worker_ping(stack.client, worker.hostname):
        assert time.monotonic() < deadline, f"the worker did not reconnect:\n{tail(worker.log)}"
    reconnected_in = time.monotonic() - down_at
    assert sink.received() == []  # the broker lost nothing it had: it never had the tasks

    stack.send(sweep_unsent_task.name)
    sink.wait_for(2, DELIVERY_TIMEOUT, worker.log)
    delivered_in = time.monotonic() - down_at
    settle(stack)
    received = sink.received()

    assert Counter((mail.recipients, mail.subject) for mail in received) == expected_mail(
        person, rhone
    )
    assert all(row.sent_at and row.attempts == 1 for row in rows.all())
    report(
        f"[Redis down] help request answered {result['status']} in "
        f"{result['elapsed']:.2f}s with the broker down; 2 notifications kept unsent; "
        f"worker reconnected {reconnected_in:.1f}s after Redis came back; sweeper "
        f"re-enqueued {_swept(worker.log_text())}; {len(received)} e-mails delivered "
        f"{delivered_in:.1f}s after Redis came back, duplicates 0"
    )


# --- S3 down during an upload -------------------------------------------------------------


@pytest.fixture
def own_moto(tmp_path):
    """A moto_server of this test's own, to stop (the session one serves other tests)."""
    from tests.integration.conftest import http_get

    port = free_port()
    log = tmp_path / "moto_server.log"
    moto_server = Path(sys.executable).parent / "moto_server"
    process = start_process([str(moto_server), "-H", "127.0.0.1", "-p", str(port)], log)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                http_get(f"{endpoint}/moto-api/", timeout=1)
                break
            except OSError:
                assert process.poll() is None, tail(log)
                assert time.monotonic() < deadline, tail(log)
                time.sleep(0.2)
        yield endpoint, process
    finally:
        stop_process(process, timeout=5)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64


@transactional  # each request commits or not, as in production (no test transaction around)
def test_s3_down_during_an_upload_gives_a_clear_error_and_no_orphan_row(
    settings, own_moto, monkeypatch, tmp_path
):
    endpoint, moto = own_moto
    storage, bucket, _ = use_s3_storage(settings, endpoint, monkeypatch, tmp_path)
    S3Bucket(endpoint, bucket).create()
    Document, Media = get_document_model(), get_media_model()  # noqa: N806
    editor = Client(raise_request_exception=False)
    editor.force_login(UserFactory(role=Role.EDITOR))
    root = Collection.get_first_root_node().pk

    def add_document(title):
        return editor.post(
            reverse("wagtaildocs:add"),
            {"title": title, "file": SimpleUploadedFile(f"{title}.pdf", PDF), "collection": root},
        )

    # Control: with the endpoint up, the same upload works and lands in the bucket.
    assert add_document("fiche-avant").status_code == 302
    stored = Document.objects.get()
    assert storage.exists(stored.file.name)

    stop_process(moto, timeout=5)
    started = time.monotonic()
    response = add_document("fiche-pendant")
    upload_failed_in = time.monotonic() - started

    # The editor gets the friendly error page; no document without its file.
    assert response.status_code == 500
    assert "Un souci technique nous empêche" in response.content.decode()
    # Only the first document (a title equal to its file name is made readable).
    assert list(Document.objects.values_list("title", flat=True)) == ["Fiche avant"]

    media_response = editor.post(
        reverse("wagtailmedia:add", args=["audio"]),
        {"title": "episode", "file": SimpleUploadedFile("episode.mp3", MP3), "collection": root},
    )
    assert media_response.status_code == 500
    assert not Media.objects.exists()

    # In code, the error says what happened, and a transaction keeps nothing.
    with pytest.raises((BotoCoreError, ClientError)) as error, transaction.atomic():
        Document.objects.create(title="fiche-code", file=ContentFile(PDF, name="fiche.pdf"))
    assert "Could not connect to the endpoint URL" in str(error.value)
    assert Document.objects.count() == 1
    report(
        f"[S3 down] document and media uploads answered 500 (friendly page); in code: "
        f"{type(error.value).__name__}: {error.value}; upload failed after "
        f"{upload_failed_in:.1f}s (connection refused, botocore retries included); orphan rows 0"
    )


# --- Database down ---------------------------------------------------------------------------


def test_database_down_readyz_says_so_and_pages_fail_with_the_friendly_page(redis_url, tmp_path):
    dead_database = f"postgres://postgres@127.0.0.1:{free_port()}/balise"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    env = production_env(DATABASE_URL=dead_database, CELERY_BROKER_URL=redis_url)
    args = [
        sys.executable, "-m", "gunicorn", "lms.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", "1", "--timeout", "30", "--error-logfile", "-",
    ]  # fmt: skip
    process = start_process(args, log, cwd=BASE_DIR, env=env)
    https = {"X-Forwarded-Proto": "https", "Host": "localhost"}
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                if http_fetch(f"{base}/healthz", https, timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, tail(log)
            assert time.monotonic() < deadline, f"gunicorn did not answer:\n{tail(log)}"
            time.sleep(0.2)

        status, headers, body = http_fetch(f"{base}/readyz", https)
        assert status == 503, body
        assert headers["Content-Type"] == "application/json"
        assert body == (
            b'{"status": "unavailable", "checks": {"database": "unavailable", "broker": "ok"}}'
        )

        pages = {
            "/": {},  # the home page (Wagtail)
            "/accompagnement/": {"Cookie": "sessionid=une-session-quelconque"},
        }
        for path, extra in pages.items():
            status, headers, body = http_fetch(f"{base}{path}", {**https, **extra})
            text = body.decode()
            assert status == 500, (path, status, text[:500])
            assert headers["Content-Type"].startswith("text/html")
            assert "Un souci technique nous empêche d’afficher cette page" in text, path
            assert "Rien de ce que vous avez déjà enregistré n’est perdu" in text
            assert "Traceback" not in text and "OperationalError" not in text
        # The cause is in the log, not on the page.
        assert "OperationalError" in log.read_text(errors="replace")
    finally:
        stop_process(process, timeout=10)
    report(
        "[database down] /healthz 200, /readyz 503 database unavailable, "
        f"{len(pages)} pages 500 with the French error page, the cause logged"
    )
