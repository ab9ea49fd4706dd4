"""A circle's thread: posts and replies, read marks, and the e-mail digest of a burst.

As a request's messages (``lms.coaching.actions.messages``): a post sends no e-mail by
itself. Its transaction marks, for each other participant without a pending digest, that
one is due in ``CIRCLE_DIGEST_DELAY`` seconds (``CircleReader.digest_due_at``); when it
falls due, the digest lists the posts they have neither read on the site nor been
e-mailed, hidden ones left out; nothing left, no e-mail. A task enqueued on commit with
that delay sends it, and ``send_due_circle_digests`` (beat, every minute) sends whatever a
lost task or a dead worker left due.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import User
from lms.notifications.actions import notify

from ..access import CirclePart, circle_part, may_write
from ..models import CircleMembership, CirclePost, CircleReader, CircleStatus, PeerCircle
from ._common import CommunityError, in_site_language, thread_url

logger = logging.getLogger(__name__)

DIGEST_BATCH = 200
DIGEST_EARLY_TOLERANCE = timedelta(seconds=5)
SWEEP_GRACE = timedelta(seconds=30)


def participants(circle: PeerCircle) -> list[User]:
    """Who writes in and is told of the thread: the active members and the facilitator."""
    people = list(
        User.objects.filter(
            pk__in=CircleMembership.objects.filter(circle=circle, left_at__isnull=True).values(
                "learner_id"
            ),
            is_active=True,
        )
    )
    facilitator = circle.facilitator
    if facilitator.is_active and all(person.pk != facilitator.pk for person in people):
        people.append(facilitator)
    return people


def schedule_digests(circle: PeerCircle, author: User | None) -> list[int]:
    """Mark a digest due for each participant but the author who has none pending; return
    the marked rows' ids (to enqueue on commit). The rows are locked first, so a digest
    being sent either sees the new post or leaves a new digest pending."""
    readers = [person.pk for person in participants(circle)]
    CircleReader.objects.bulk_create(
        [CircleReader(circle=circle, reader_id=pk) for pk in readers], ignore_conflicts=True
    )
    rows = CircleReader.objects.select_for_update().filter(circle=circle, reader_id__in=readers)
    author_id = author.pk if author is not None else None
    to_schedule = [
        row.pk for row in rows if row.reader_id != author_id and row.digest_due_at is None
    ]
    delay = settings.CIRCLE_DIGEST_DELAY
    CircleReader.objects.filter(pk__in=to_schedule).update(
        digest_due_at=timezone.now() + timedelta(seconds=delay)
    )

    def enqueue():
        from ..tasks import send_circle_digest_task

        for pk in to_schedule:
            send_circle_digest_task.apply_async((pk,), countdown=delay)

    transaction.on_commit(enqueue, robust=True)
    return to_schedule


def write_post(circle: PeerCircle, author: User, body: str, parent=None, meeting=None):
    """Write a post (the circle row locked by the caller) and schedule the digests."""
    schedule_digests(circle, author)
    post = CirclePost.objects.create(
        circle=circle, author=author, body=body, parent=parent, meeting=meeting
    )
    mark_circle_read(author, circle, post.pk)
    return post


@transaction.atomic(durable=True)
def post_to_circle(
    author: User, circle_id: int, body: str, parent_id: int | None = None
) -> CirclePost:
    """Add ``body`` to the circle's thread, or as a reply to post ``parent_id`` (a reply to
    a reply answers the same first post: one level of replies).

    Refused (``CommunityError``, the text kept by the view) when the author is no longer
    a member nor the facilitator (they left meanwhile), when the circle is closed, or when
    the post answered is not in this circle. The circle row is locked, so a member leaving
    at the same moment either comes first (refused) or waits."""
    circle = (
        PeerCircle.objects.select_for_update(of=("self",))
        .select_related("facilitator")
        .get(pk=circle_id)
    )
    part = circle_part(author, circle)
    if not may_write(part):
        raise CommunityError(
            _(
                "Seul·es les membres du cercle et la personne qui l'anime y écrivent : "
                "votre message n'a pas été publié."
            )
            if part == CirclePart.MANAGER
            else _("Vous ne faites plus partie de ce cercle : votre message n'a pas été publié.")
        )
    if circle.status != CircleStatus.OPEN:
        raise CommunityError(_("Ce cercle est clos : votre message n'a pas été publié."))
    parent = None
    if parent_id is not None:
        parent = CirclePost.objects.filter(pk=parent_id, circle=circle).first()
        if parent is None:
            raise CommunityError(_("Le message auquel vous répondez n'est pas dans ce cercle."))
        if parent.parent_id is not None:
            parent = parent.parent
    return write_post(circle, author, body, parent=parent)


def mark_circle_read(reader: User, circle: PeerCircle, up_to: int) -> None:
    """``reader`` has seen the thread up to post ``up_to``: a pending digest leaves without
    those posts (or not at all)."""
    if not up_to:
        return
    updated = CircleReader.objects.filter(
        circle=circle, reader=reader, read_up_to__lt=up_to
    ).update(read_up_to=up_to)
    if not updated:
        CircleReader.objects.bulk_create(
            [CircleReader(circle=circle, reader=reader, read_up_to=up_to)], ignore_conflicts=True
        )


def stop_digest(circle: PeerCircle, reader: User) -> None:
    """Someone left: no digest about this circle leaves for them any more."""
    CircleReader.objects.filter(circle=circle, reader=reader).update(digest_due_at=None)


def _author_name(post: CirclePost) -> str:
    author = post.author
    if author is None or not author.is_active:
        return ""
    return author.first_name or author.display_name


@in_site_language
@transaction.atomic(durable=True)
def send_circle_digest(reader_row_id: int, now=None) -> bool:
    """E-mail one participant the posts of one circle they have not read yet, if the
    digest is due; return whether a notification was written. Safe to run twice: the row
    is locked and its mark cleared in the notification's transaction. Hidden posts are
    left out; someone who left the circle is not told."""
    now = now or timezone.now()
    row = (
        CircleReader.objects.select_for_update(of=("self",))
        .select_related("reader", "circle__facilitator")
        .filter(pk=reader_row_id, digest_due_at__lte=now + DIGEST_EARLY_TOLERANCE)
        .first()
    )
    if row is None:
        return False
    row.digest_due_at = None
    reader, circle = row.reader, row.circle
    since = max(row.read_up_to, row.notified_up_to)
    unread = list(
        CirclePost.objects.filter(circle=circle, pk__gt=since, hidden_at__isnull=True)
        .exclude(author=reader)
        .select_related("author", "parent__author")
        .order_by("pk")
    )
    if not may_write(circle_part(reader, circle)) or not reader.is_active or not unread:
        row.save(update_fields=["digest_due_at"])
        return False
    notify(
        reader,
        kind="circle_digest",
        context={
            "circle": circle,
            "posts": [
                {
                    "author_name": _author_name(post),
                    "is_reply": post.parent_id is not None,
                    "created_at": post.created_at,
                    "body": post.body,
                }
                for post in unread
            ],
        },
        url=thread_url(circle.pk),
        structure=circle.structure,
    )
    row.notified_up_to = unread[-1].pk
    row.save(update_fields=["digest_due_at", "notified_up_to"])
    return True


def send_due_circle_digests(now=None) -> int:
    """The sweeper (beat, every minute): send the digests a lost task or a killed worker
    left due. Returns how many e-mails it wrote."""
    now = now or timezone.now()
    ids = list(
        CircleReader.objects.filter(digest_due_at__lte=now - SWEEP_GRACE)
        .order_by("digest_due_at")
        .values_list("pk", flat=True)[:DIGEST_BATCH]
    )
    sent = 0
    for pk in ids:
        try:
            sent += send_circle_digest(pk, now=now)
        except Exception:
            logger.exception("Circle digest %s not sent; the next sweep tries again.", pk)
    return sent
