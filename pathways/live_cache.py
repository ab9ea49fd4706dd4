"""Live pathways and modules, kept per process: every learner page needs its pathway (the
outline) and the pathway's modules (step ids for progress, titles, URLs); loading them,
with their StreamField JSON, was a third of a step page's cost.

Entries are keyed by a version held in the shared cache, which any save or deletion of a
pathway or a module (publishing included) replaces: the process that made the change sees
it at once, the others within ``VERSION_TTL`` seconds (each reads the version at most
that often). Entries also expire, for changes that send no signal (a bulk update): after
``TTL`` seconds, or ``LOCAL_TTL`` when the cache is per process (then the version is too,
and other processes only see a change when their entries expire). The pages are shared between
requests: read them, never change them.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from .models import ModulePage, PathwayPage

VERSION_KEY = "pathways:live-version"
VERSION_TTL = 1.0
TTL = 600.0
LOCAL_TTL = 60.0
MAX_ENTRIES = 512
_entries: dict[tuple, tuple[float, object]] = {}
_version_memo: list = [0.0, None]  # [valid until, version]


def _version() -> str:
    now = time.monotonic()
    if _version_memo[1] is not None and _version_memo[0] > now:
        return _version_memo[1]
    version = cache.get(VERSION_KEY)
    if version is None:  # first use, or the cache was emptied: a version never seen before
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY, "")
    _version_memo[:] = [now + VERSION_TTL, version]
    return version


def _shared_cache() -> bool:
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def _cached(key: tuple, load):
    key = (_version(), *key)
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = load()
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (now + (TTL if _shared_cache() else LOCAL_TTL), value)
    return value


def live_modules(ids) -> dict[int, ModulePage]:
    """``ModulePage.objects.live().in_bulk(ids)``, from this process's memory when fresh."""
    ids = tuple(ids)
    return _cached(("modules", ids), lambda: ModulePage.objects.live().in_bulk(ids))


def live_pathway(pk: int) -> PathwayPage | None:
    """The live pathway with this id, or None, from this process's memory when fresh."""
    return _cached(("pathway", pk), lambda: PathwayPage.objects.live().filter(pk=pk).first())


def forget(**kwargs) -> None:
    """A pathway or a module changed: a new version for every process; this one starts
    afresh at once."""
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    _version_memo[:] = [0.0, None]
    _entries.clear()


for _model in (ModulePage, PathwayPage):
    post_save.connect(forget, sender=_model, dispatch_uid=f"live_cache_save_{_model.__name__}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"live_cache_del_{_model.__name__}")
