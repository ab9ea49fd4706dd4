"""The fragments' cache: this process's memory in front of the shared cache."""

from django.core.cache import caches

from lms.cache import LocalFirstCache


def two_processes():
    """Two processes' fragment caches over one shared cache (here the test's ``default``)."""
    params = {"TIMEOUT": 3600, "OPTIONS": {"MAX_ENTRIES": 10}}
    return LocalFirstCache("a", params), LocalFirstCache("b", params)


def test_what_one_process_renders_the_other_reads_then_keeps():
    first, second = two_processes()
    first.set("fragment:abc", "<p>Étape</p>", 60)
    assert second.get("fragment:abc") == "<p>Étape</p>"  # from the shared cache
    caches["default"].delete("fragment:abc")
    assert second.get("fragment:abc") == "<p>Étape</p>"  # from its own memory now
    assert first.get("fragment:abc") == "<p>Étape</p>"
    assert second.get("fragment:other", "absent") == "absent"


def test_delete_and_clear():
    first, second = two_processes()
    first.set("k", "v", 60)
    assert second.get("k") == "v"
    second.delete("k")
    assert caches["default"].get("k") is None and second.get("k") is None
    caches["default"].set("other", 1)
    first.clear()  # its memory only: the shared cache holds other data
    assert caches["default"].get("other") == 1
    assert first.add("n", 1, 60) and not second.add("n", 2, 60)
    assert second.get("n") == 1 and second.has_key("n")
