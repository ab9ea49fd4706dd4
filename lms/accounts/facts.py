"""Facts about one user kept in Django's cache: what every page's navigation shows about its
reader (roles, unread notifications), and what other apps read on every page of theirs
(pathways: the learner's progress in a pathway).

Each kind of fact has a per-user generation, a number bumped when those facts change (a
notification written or read, a group joined or left; a step completed) and again once
that change commits. An entry holds the generation it was computed at. A reader racing a
change can only store what it read with the generation it started with, which no reader
accepts once the change has committed and bumped it. Generations start from the clock,
so one evicted from the cache never comes back with a value already used.
"""

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

FACTS_SECONDS = 3600
NAVIGATION = "navigation"


def generation_key(user_id: int, kind: str = NAVIGATION) -> str:
    # The navigation's key predates the kinds: kept, so a deploy keeps the entries.
    suffix = "" if kind == NAVIGATION else f":{kind}"
    return f"accounts:facts-generation:{user_id}{suffix}"


def _bump(user_id: int, kind: str) -> None:
    try:
        cache.incr(generation_key(user_id, kind))
    except ValueError:  # evicted, or never read: any later reader starts afresh
        cache.set(generation_key(user_id, kind), time.time_ns(), None)


def changed(*user_ids: int, kind: str = NAVIGATION) -> None:
    """Call inside the transaction that changes these facts of these users: bumped now
    (this transaction's own reads see the change) and again once it commits (a reader of
    another process that stored the old facts meanwhile is not read again)."""
    for user_id in set(user_ids):
        _bump(user_id, kind)
        transaction.on_commit(lambda user_id=user_id: _bump(user_id, kind))


def generation(found: dict, user_id: int, kind: str = NAVIGATION) -> int:
    """The generation of these facts, from what a ``cache.get_many`` that asked for its
    ``generation_key`` found; started when the cache has none."""
    key = generation_key(user_id, kind)
    value = found.get(key)
    if value is None:
        cache.add(key, time.time_ns(), None)
        value = cache.get(key, 0)
    return value


def valid(stored, current: int):
    """The value of an entry stored as ``(generation, value)``, or None when it is missing
    or was computed at another generation."""
    if stored is not None and stored[0] == current:
        return stored[1]
    return None


def _facts_key(user_id: int) -> str:
    return f"accounts:facts:{user_id}"


def facts_keys(user_id: int) -> list[str]:
    """The keys ``cached_facts`` reads: a page that makes a ``cache.get_many`` of its own
    asks for them too and hands what it found over (one round trip fewer)."""
    return [generation_key(user_id), _facts_key(user_id)]


def cached_facts(user_id: int, compute: Callable[[], dict], found: dict | None = None) -> dict:
    """The user's navigation facts from the cache (one round trip reads the generation and
    the facts with the generation they were computed at, unless ``found`` holds what a
    ``get_many`` of ``facts_keys`` found), else ``compute()``, stored with the generation
    read before computing it."""
    if found is None:
        found = cache.get_many(facts_keys(user_id))
    current = generation(found, user_id)
    facts = valid(found.get(_facts_key(user_id)), current)
    if facts is None:
        facts = compute()
        cache.set(_facts_key(user_id), (current, facts), FACTS_SECONDS)
    return facts
