"""What every page's navigation shows about its reader (roles, unread notifications), kept
in Django's cache so a page does not query them each time.

The entry holds the per-user generation it was computed at, a number bumped when those
facts change (a notification written or read, a group joined or left) and again once that
change commits. A reader racing a change can only store what it read with the generation
it started with, which no reader accepts once the change has committed and bumped it.
Generations start from the clock, so one evicted from the cache never comes back with a
value already used.
"""

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

FACTS_SECONDS = 3600


def _generation_key(user_id: int) -> str:
    return f"accounts:facts-generation:{user_id}"


def _bump(user_id: int) -> None:
    try:
        cache.incr(_generation_key(user_id))
    except ValueError:  # evicted, or never read: any later reader starts afresh
        cache.set(_generation_key(user_id), time.time_ns(), None)


def changed(*user_ids: int) -> None:
    """Call inside the transaction that changes what a user's navigation shows: bumped now
    (this transaction's own reads see the change) and again once it commits (a reader of
    another process that stored the old facts meanwhile is not read again)."""
    for user_id in set(user_ids):
        _bump(user_id)
        transaction.on_commit(lambda user_id=user_id: _bump(user_id))


def cached_facts(user_id: int, compute: Callable[[], dict]) -> dict:
    """The user's facts from the cache (one round trip reads the generation and the facts
    with the generation they were computed at), else ``compute()``, stored with the
    generation read before computing it."""
    generation_key, facts_key = _generation_key(user_id), f"accounts:facts:{user_id}"
    found = cache.get_many([generation_key, facts_key])
    generation = found.get(generation_key)
    if generation is None:
        cache.add(generation_key, time.time_ns(), None)
        generation = cache.get(generation_key, 0)
    stored = found.get(facts_key)
    if stored is not None and stored[0] == generation:
        return stored[1]
    facts = compute()
    cache.set(facts_key, (generation, facts), FACTS_SECONDS)
    return facts
