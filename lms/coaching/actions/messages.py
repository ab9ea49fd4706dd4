"""The thread of a request: a message posted, a thread read, the e-mail digest of a burst.

A message does not send an e-mail by itself. Its transaction marks, for each person on
the other side, that a digest is due in ``MESSAGE_DIGEST_DELAY`` seconds, unless one is
already pending (``ThreadReader.digest_due_at``: one row per reader and request). When
it falls due, the digest lists every message they have neither read on the site nor been
e-mailed yet; nothing left unread, no e-mail. The row is the outbox: a task enqueued on
commit with that delay sends it, and ``send_due_digests`` (beat, every minute) sends
whatever a lost task or a dead worker left due.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import User
from lms.accounts.structures import managers_of
from lms.notifications.actions import notify

from ..models import AuthorRole, CoachingRequest, RequestMessage, ThreadReader
from ..threads import participant_role
from ._common import CoachingError, structure_for_learner

logger = logging.getLogger(__name__)

DIGEST_BATCH = 200
# A digest's task may start a little before its due time (clocks, countdown rounding).
DIGEST_EARLY_TOLERANCE = timedelta(seconds=5)
# The sweeper leaves a digest this long past due to its own task first.
SWEEP_GRACE = timedelta(seconds=30)


def thread_url(request_id: int) -> str:
    return reverse("coaching:thread", args=[request_id]) + "#dernier-message"


def thread_path(request_id: int) -> str:
    return reverse("coaching:thread", args=[request_id])


def recipients_of(request: CoachingRequest, author: User, role: str) -> list[User]:
    """Who is told of a message: the other side. The learner's message goes to their coach,
    else (nobody holds the request) to its structure's managers, else the network's; a
    coach's to the learner; a manager's to the learner and the coach."""
    if role == AuthorRole.LEARNER:
        coach = request.coach if request.coach_id else None
        people = (
            [coach] if coach is not None and coach.is_active else managers_of(request.structure_id)
        )
    elif role == AuthorRole.COACH:
        people = [request.learner]
    else:
        people = [request.learner]
        if request.coach_id:
            people.append(request.coach)
    seen, found = set(), []
    for person in people:
        if person.is_active and person.pk != author.pk and person.pk not in seen:
            seen.add(person.pk)
            found.append(person)
    return found


@transaction.atomic(durable=True)
def post_message(author: User, request_id: int, body: str) -> RequestMessage:
    """Add ``body`` to the thread of an active request, written by ``author`` in the part
    they take in it (``threads.participant_role``: learner, coach, structure's team).

    Refused with ``CoachingError`` once the request is closed, or when the author no
    longer takes part (a coach who handed it back meanwhile); the request row is locked,
    so a close or a hand-back running at the same time either comes first (refused) or
    waits. The readers' rows are locked before the message is written, so a digest being
    sent for one of them either sees this message or leaves a new digest pending for it.
    """
    request = (
        CoachingRequest.objects.select_for_update(of=("self",))
        .select_related("learner", "coach")
        .get(pk=request_id)
    )
    role = participant_role(author, request)
    if role is None:
        raise CoachingError(
            _("Vous ne suivez plus cette demande : votre message n'a pas été envoyé.")
        )
    if not request.is_active:
        raise CoachingError(
            _(
                "Cette demande est close : votre message n'a pas été envoyé. Il est conservé "
                "ci-dessous ; pour reprendre contact, faites une nouvelle demande d'aide depuis "
                "votre parcours."
            )
            if role == AuthorRole.LEARNER
            else _(
                "Cette demande est close : votre message n'a pas été envoyé. Il est conservé "
                "ci-dessous."
            )
        )
    recipients = recipients_of(request, author, role)
    readers = [author.pk, *(person.pk for person in recipients)]
    ThreadReader.objects.bulk_create(
        [ThreadReader(request=request, reader_id=pk) for pk in readers], ignore_conflicts=True
    )
    rows = ThreadReader.objects.select_for_update().filter(request=request, reader_id__in=readers)
    to_schedule = [
        row.pk for row in rows if row.reader_id != author.pk and row.digest_due_at is None
    ]
    delay = settings.MESSAGE_DIGEST_DELAY
    ThreadReader.objects.filter(pk__in=to_schedule).update(
        digest_due_at=timezone.now() + timedelta(seconds=delay)
    )
    message = RequestMessage.objects.create(
        request=request, author=author, author_role=role, body=body
    )
    # The author has read their own thread up to here.
    ThreadReader.objects.filter(request=request, reader=author).update(read_up_to=message.pk)

    def enqueue():
        from ..tasks import send_message_digest_task

        for pk in to_schedule:
            send_message_digest_task.apply_async((pk,), countdown=delay)

    transaction.on_commit(enqueue, robust=True)
    return message


def mark_thread_read(reader: User, request: CoachingRequest, up_to: int) -> None:
    """``reader`` has seen the thread up to message ``up_to``: those messages are no longer
    unread, and a digest still pending leaves without them (or not at all)."""
    if not up_to:
        return
    updated = ThreadReader.objects.filter(
        request=request, reader=reader, read_up_to__lt=up_to
    ).update(read_up_to=up_to)
    if not updated:
        ThreadReader.objects.bulk_create(
            [ThreadReader(request=request, reader=reader, read_up_to=up_to)],
            ignore_conflicts=True,
        )


def _author_name(message: RequestMessage) -> str:
    author = message.author
    if message.author_role == AuthorRole.MANAGER or author is None or not author.is_active:
        return ""
    return author.first_name or author.display_name


@transaction.atomic(durable=True)
def send_message_digest(reader_row_id: int, now=None) -> bool:
    """E-mail one reader the messages of one thread they have not read yet, if the digest
    is due; return whether a notification was written.

    The row is locked and its mark cleared in the notification's transaction: run twice,
    the second run finds nothing due. Messages read on the site meanwhile, or already in
    an earlier e-mail, are left out; none left, no e-mail. Someone who no longer takes part
    in the thread (a coach who handed the request back) is not told.
    """
    now = now or timezone.now()
    row = (
        ThreadReader.objects.select_for_update(of=("self",))
        .select_related("reader", "request__learner", "request__coach", "request__structure")
        .filter(pk=reader_row_id, digest_due_at__lte=now + DIGEST_EARLY_TOLERANCE)
        .first()
    )
    if row is None:
        return False
    row.digest_due_at = None
    reader, request = row.reader, row.request
    role = participant_role(reader, request)
    since = max(row.read_up_to, row.notified_up_to)
    unread = list(
        RequestMessage.objects.filter(request=request, pk__gt=since)
        .exclude(author=reader)
        .select_related("author")
        .order_by("pk")
    )
    if role is None or not unread:
        row.save(update_fields=["digest_due_at"])
        return False
    notify(
        reader,
        kind="message_digest",
        context={
            "request": request,
            "reader_role": role.value,
            "thread_messages": [
                {
                    "author_role": message.author_role,
                    "author_name": _author_name(message),
                    "created_at": message.created_at,
                    "body": message.body,
                }
                for message in unread
            ],
        },
        url=thread_url(request.pk),
        structure=structure_for_learner(request) if role == AuthorRole.LEARNER else None,
    )
    row.notified_up_to = unread[-1].pk
    row.save(update_fields=["digest_due_at", "notified_up_to"])
    return True


def send_due_digests(now=None) -> int:
    """Send the digests left due (their task lost, the broker down, a worker killed
    mid-send): the sweeper, run by beat every minute. Returns how many e-mails it wrote."""
    now = now or timezone.now()
    ids = list(
        ThreadReader.objects.filter(digest_due_at__lte=now - SWEEP_GRACE)
        .order_by("digest_due_at")
        .values_list("pk", flat=True)[:DIGEST_BATCH]
    )
    sent = 0
    for pk in ids:
        try:
            sent += send_message_digest(pk, now=now)
        except Exception:
            logger.exception("Message digest %s not sent; the next sweep tries again.", pk)
    return sent
