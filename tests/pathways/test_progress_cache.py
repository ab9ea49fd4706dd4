"""A learner's progress on their step pages comes from Django's cache, replaced by whatever
changes it: a step done (here or in another pathway sharing the module), a gate released,
an enrolment added or removed, even by another process or while a page is being read."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.accounts import facts
from pathways import actions, queries
from pathways.models import Enrollment, StepCompletion
from pathways.progress import ModuleState
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, modules_of, point_ids

pytestmark = pytest.mark.django_db

PROGRESS_TABLES = ("pathways_stepcompletion", "pathways_checkpointpassage", "pathways_enrollment")


@pytest.fixture
def reader():
    return learner()


def read(user, pathway):
    with CaptureQueriesContext(connection) as captured:
        reading = queries.step_reading(user, pathway.pk)
    progress_queries = [
        q for q in captured.captured_queries if any(t in q["sql"] for t in PROGRESS_TABLES)
    ]
    return reading, progress_queries


def done(reading) -> set:
    return set(reading.view.completed)


def test_a_warm_reading_queries_no_progress(reader):
    pathway = build_pathway(["m:2"])
    actions.enroll(reader, pathway)
    first, asked = read(reader, pathway)
    again, asked_again = read(reader, pathway)
    assert first.enrolled and again.enrolled
    assert len(asked) == 3 and asked_again == []


def test_a_step_done_shows_on_the_next_page(client, reader, django_capture_on_commit_callbacks):
    pathway = build_pathway(["m:2"])
    mod = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    client.force_login(reader)
    url = reverse("pathways:step", args=[pathway.pk, mod.pk, mod.step_ids[1]])
    assert "badge--done" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pathways:complete_step", args=[pathway.pk, mod.pk, mod.step_ids[0]]))
    assert "badge--done" in client.get(url).content.decode()


def test_a_step_done_in_another_pathway_sharing_the_module_shows_here(reader):
    here = build_pathway(["m:2"])
    mod = modules_of(here)[0]
    elsewhere = build_pathway([mod])
    actions.enroll(reader, here)
    actions.enroll(reader, elsewhere)
    read(reader, here)
    actions.complete_step(reader, mod, mod.step_ids[0])
    assert done(read(reader, here)[0]) == {(mod.pk, mod.step_ids[0])}


def test_a_released_gate_opens_the_next_module_at_once(reader):
    pathway = build_pathway(["m:1", "p:gate", "m:1"])
    first, second = modules_of(pathway)
    actions.enroll(reader, pathway)
    actions.complete_step(reader, first, first.step_ids[0])
    before, _ = read(reader, pathway)
    assert before.view.progress.module(second.pk).state == ModuleState.LOCKED
    actions.release_gate(reader, pathway, point_ids(pathway)[0])  # by a coach, in coaching
    after, _ = read(reader, pathway)
    assert after.view.progress.module(second.pk).state != ModuleState.LOCKED


def test_an_enrolment_removed_closes_the_steps_at_once(client, reader):
    pathway = build_pathway(["m:2"])
    mod = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    client.force_login(reader)
    url = reverse("pathways:step", args=[pathway.pk, mod.pk, mod.step_ids[0]])
    assert client.get(url).status_code == 200
    Enrollment.objects.filter(learner=reader).delete()
    assert client.get(url).status_code == 302  # back to the pathway: « Commencez le parcours »


def test_a_change_by_another_process_is_seen(reader):
    """Another process completed a step and bumped the generation on commit: the entry
    stored here before is not read again."""
    pathway = build_pathway(["m:2"])
    mod = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    read(reader, pathway)
    StepCompletion.objects.bulk_create(  # no signal: as written elsewhere, then...
        [StepCompletion(learner=reader, module=mod, step_id=mod.step_ids[0])]
    )
    assert done(read(reader, pathway)[0]) == set()  # ...until that process's commit says so
    queries.progress_changed(reader.pk)
    assert done(read(reader, pathway)[0]) == {(mod.pk, mod.step_ids[0])}


def test_a_step_done_while_a_page_reads_never_leaves_it_undone(
    reader, monkeypatch, django_capture_on_commit_callbacks
):
    pathway = build_pathway(["m:2"])
    mod = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    original = queries._steps_done_and_kept
    raced = []

    def completed_meanwhile(learner, module_ids):
        found = original(learner, module_ids)  # read before the other request commits
        if not raced:
            raced.append(True)
            with django_capture_on_commit_callbacks(execute=True):
                actions.complete_step(reader, mod, mod.step_ids[0])
        return found

    cache.clear()
    monkeypatch.setattr(queries, "_steps_done_and_kept", completed_meanwhile)
    stale, _ = read(reader, pathway)  # computed from the old rows, stored under the old generation
    monkeypatch.setattr(queries, "_steps_done_and_kept", original)
    assert raced and done(stale) == set()
    assert done(read(reader, pathway)[0]) == {(mod.pk, mod.step_ids[0])}


def test_an_evicted_generation_never_brings_back_old_progress(reader):
    pathway = build_pathway(["m:2"])
    mod = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    read(reader, pathway)
    StepCompletion.objects.bulk_create(
        [StepCompletion(learner=reader, module=mod, step_id=mod.step_ids[0])]
    )
    cache.delete(facts.generation_key(reader.pk, queries.PROGRESS))  # memory pressure
    assert done(read(reader, pathway)[0]) == {(mod.pk, mod.step_ids[0])}


def test_a_module_added_to_the_outline_is_read_afresh(reader):
    pathway = build_pathway(["m:1"])
    actions.enroll(reader, pathway)
    first, _ = read(reader, pathway)
    stored = cache.get(queries._progress_key(reader.pk, pathway.pk))
    generation, (module_ids, *_rest) = stored
    cache.set(queries._progress_key(reader.pk, pathway.pk), (generation, ((0,), *_rest)))
    again, asked = read(reader, pathway)  # stored for another outline: read again
    assert len(asked) == 3 and again.enrolled


# --- The navigation's facts come in the same round trip --------------------------------------


class CountingCache:
    """Counts the cache's round trips of one page: the calls of Django's cache API (not
    those a backend makes of itself, as the local-memory ``get_many`` calling ``get``)."""

    def __init__(self, monkeypatch):
        self.calls, self.depth = [], 0
        for name in ("get", "get_many", "add", "set", "incr"):
            original = getattr(cache, name)

            def counted(*args, _name=name, _original=original, **kwargs):
                if not self.depth:
                    self.calls.append((_name, args[0]))
                self.depth += 1
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.depth -= 1

            monkeypatch.setattr(cache, name, counted)

    def reading(self, key: str) -> list[str]:
        return [
            name for name, keys in self.calls if key in (keys if name == "get_many" else [keys])
        ]


def test_the_step_page_reads_the_navigation_with_the_progress(
    client, reader, monkeypatch, django_capture_on_commit_callbacks
):
    from lms.notifications import actions as notifications

    pathway = build_pathway(["m:2"])
    mod = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    client.force_login(reader)
    url = reverse("pathways:step", args=[pathway.pk, mod.pk, mod.step_ids[0]])
    assert "Notifications (0" in client.get(url).content.decode()

    counting = CountingCache(monkeypatch)
    assert "Notifications (0" in client.get(url).content.decode()
    name, first = counting.calls[0]
    assert name == "get_many" and facts.generation_key(reader.pk, "progress") in first
    assert set(facts.facts_keys(reader.pk)) <= set(first)
    for key in facts.facts_keys(reader.pk):  # not read again for the navigation
        assert counting.reading(key) == ["get_many"]

    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(reader, "test_message", {"subject": "Objet", "message": "m"})
    assert "Notifications (1" in client.get(url).content.decode()
