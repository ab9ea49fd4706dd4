"""The live modules of an outline, kept per process: every learner page needs them (step
ids for progress, titles, URLs), and loading them with their ``steps`` was a fifth of a
step page's cost.

Entries are keyed by the modules' ids and a version held in the shared cache, which any
save or deletion of a module (publishing included) replaces, so every process sees an
edit on its next page; entries also expire after ``TTL`` seconds, for the changes that
send no signal (a bulk update) and when the cache is per process.
"""

import time
import uuid

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from .models import ModulePage

VERSION_KEY = "pathways:module-version"
TTL = 60.0
MAX_ENTRIES = 512
_entries: dict[tuple, tuple[float, dict[int, ModulePage]]] = {}


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:  # first use, or the cache was emptied: a version never seen before
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY, "")
    return version


def live_modules(ids) -> dict[int, ModulePage]:
    """``ModulePage.objects.live().in_bulk(ids)``, from this process's memory when fresh.
    The pages are shared between requests: read them, never change them."""
    key = (_version(), tuple(ids))
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    modules = ModulePage.objects.live().in_bulk(ids)
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (now + TTL, modules)
    return modules


def forget(**kwargs) -> None:
    """A module changed: a new version for every process, and this process starts afresh."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    _entries.clear()


post_save.connect(forget, sender=ModulePage, dispatch_uid="pathways_module_cache_save")
post_delete.connect(forget, sender=ModulePage, dispatch_uid="pathways_module_cache_delete")
