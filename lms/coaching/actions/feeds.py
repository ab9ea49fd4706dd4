"""A coach's private calendar feed: opened, renewed (the old URL stops answering) or closed."""

import secrets

from django.db import transaction

from lms.accounts.models import User

from ..models import CalendarFeed


@transaction.atomic(durable=True)
def open_calendar_feed(coach: User) -> CalendarFeed:
    """Give the coach a feed with a new secret token. If they had one, its token is replaced:
    calendars subscribed to the old URL get a 404 from then on (« revoking gives a new
    one »). 256 random bits: the URL is the only key."""
    feed, _created = CalendarFeed.objects.update_or_create(
        coach=coach, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


@transaction.atomic(durable=True)
def revoke_calendar_feed(coach: User) -> bool:
    """Close the coach's feed: its URL answers 404. Returns whether there was one."""
    deleted, _ = CalendarFeed.objects.filter(coach=coach).delete()
    return bool(deleted)
