"""A cache for values that never change under their key, such as rendered fragments keyed
by a fingerprint of their content.

Reads come from this process's memory, then from the shared cache (Redis), whose value is
then kept in memory; writes go to both. So a fragment is rendered once for all the
processes, a process that starts reads it without rendering it, and every later read costs
no round trip. Because a key never gets another value, the copies never need invalidating:
they only expire (after the memory's ``TIMEOUT``) or make room.
"""

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache

_MISSING = object()


class LocalFirstCache(BaseCache):
    """``BACKEND: lms.cache.LocalFirstCache``; ``OPTIONS`` (``MAX_ENTRIES``...) and
    ``TIMEOUT`` apply to the memory, the shared cache is the ``default`` alias."""

    def __init__(self, location, params):
        super().__init__(params)
        self.local = LocMemCache(location, params)

    @property
    def shared(self):
        return caches["default"]

    def get(self, key, default=None, version=None):
        value = self.local.get(key, _MISSING, version)
        if value is _MISSING:
            value = self.shared.get(key, _MISSING, version)
            if value is _MISSING:
                return default
            self.local.set(key, value, version=version)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.shared.set(key, value, timeout, version)
        self.local.set(key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        added = self.shared.add(key, value, timeout, version)
        if added:
            self.local.set(key, value, timeout, version)
        return added

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        self.local.touch(key, timeout, version)
        return self.shared.touch(key, timeout, version)

    def delete(self, key, version=None):
        self.local.delete(key, version)
        return self.shared.delete(key, version)

    def has_key(self, key, version=None):
        return self.get(key, _MISSING, version) is not _MISSING

    def clear(self):
        """This process's memory only: the shared cache holds other data too."""
        self.local.clear()
