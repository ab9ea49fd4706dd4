"""Give each request its first event, then merge the active requests that the coming
constraint (one active request per learner and pathway) would refuse.

Which request is kept for a (learner, pathway): the most advanced one (scheduled, then
claimed, then open), then the oldest (its due date is the earliest promise made to the
learner). Nothing is deleted: each other request

- has its events copied onto the kept one, so the coach reads every message there;
- hands its gate over when the kept one releases none (``releases_gate``, ``point_id``);
- hands its proposed or accepted sessions over, so no planned meeting disappears;
- is cancelled with a note in its private notes naming the request it went into.

Nobody is notified: this is bookkeeping, the people concerned already had their
e-mails. Requests without a pathway (it was deleted) are left alone.
"""

from django.db import migrations
from django.db.models import Count
from django.utils import timezone

RANK = {"scheduled": 0, "claimed": 1, "open": 2}
ACTIVE_SESSION_STATUSES = ["proposed", "accepted"]


def first_events(apps, schema_editor):
    Request = apps.get_model("coaching", "CoachingRequest")
    Event = apps.get_model("coaching", "RequestEvent")
    Event.objects.bulk_create(
        (
            Event(
                request_id=request.pk,
                origin=request.origin,
                point_id=request.point_id,
                message=request.message,
                where=str((request.context or {}).get("where", ""))[:255],
                opened_request=True,
                created_at=request.created_at,
                announced_at=request.created_at,
            )
            for request in Request.objects.order_by("pk").iterator(chunk_size=1000)
        ),
        batch_size=1000,
    )


def merge_duplicates(apps, schema_editor):
    Request = apps.get_model("coaching", "CoachingRequest")
    Event = apps.get_model("coaching", "RequestEvent")
    Session = apps.get_model("coaching", "CoachingSession")
    active = Request.objects.filter(status__in=list(RANK), pathway__isnull=False)
    keys = (
        active.values("learner_id", "pathway_id").annotate(count=Count("pk")).filter(count__gt=1)
    )
    now = timezone.now()
    for key in keys:
        rows = sorted(
            active.filter(learner_id=key["learner_id"], pathway_id=key["pathway_id"]),
            key=lambda request: (RANK[request.status], request.created_at, request.pk),
        )
        kept, others = rows[0], rows[1:]
        for other in others:
            Event.objects.bulk_create(
                Event(
                    request_id=kept.pk,
                    origin=event.origin,
                    point_id=event.point_id,
                    message=event.message,
                    where=event.where,
                    opened_request=False,
                    created_at=event.created_at,
                    announced_at=event.announced_at,
                )
                for event in Event.objects.filter(request_id=other.pk)
            )
            if other.releases_gate and not kept.releases_gate:
                kept.releases_gate = True
                kept.point_id = other.point_id
                kept.save(update_fields=["releases_gate", "point_id"])
            Session.objects.filter(request_id=other.pk, status__in=ACTIVE_SESSION_STATUSES).update(
                request_id=kept.pk
            )
            note = f"Fusionnée dans la demande #{kept.pk} (une seule demande active par parcours)."
            other.private_notes = f"{other.private_notes}\n\n{note}".strip()
            other.status = "cancelled"
            other.closed_at = now
            other.save(update_fields=["private_notes", "status", "closed_at"])


class Migration(migrations.Migration):
    dependencies = [("coaching", "0003_request_events")]

    operations = [
        migrations.RunPython(first_events, migrations.RunPython.noop),
        migrations.RunPython(merge_duplicates, migrations.RunPython.noop),
    ]
