"""Reads of learner progress (``pathways/queries.py``)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from pathways import actions
from pathways.models import Enrollment
from pathways.progress import ModuleState
from pathways.queries import completed_steps, learner_dashboard, learner_progress, live_outline
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, modules_of, point_ids

pytestmark = pytest.mark.django_db


def test_a_visitor_sees_the_outline_with_nothing_done():
    pathway = build_pathway(["m:2", "p:automatic", "m:1"])
    view = learner_progress(AnonymousUser(), pathway)
    assert [item.kind for item in view.outline] == ["module", "point", "module"]
    assert view.passages == {} and view.completed == frozenset()
    assert view.progress.percent == 0


def test_only_the_learners_own_steps_count():
    pathway = build_pathway(["m:2"])
    [module] = modules_of(pathway)
    camille, other = learner(), learner()
    for person in (camille, other):
        actions.enroll(person, pathway)
    actions.complete_step(other, module, module.step_ids[0])
    actions.complete_step(other, module, module.step_ids[1])
    actions.complete_step(camille, module, module.step_ids[0])
    assert completed_steps(camille, [module.pk]) == {(module.pk, module.step_ids[0])}
    view = learner_progress(camille, pathway)
    assert view.progress.module(module.pk).state != ModuleState.DONE
    assert learner_progress(other, pathway).progress.percent == 100


def test_a_point_reached_is_in_the_view_with_its_passage():
    pathway = build_pathway(["m:1", "p:automatic", "m:1"])
    first, _second = modules_of(pathway)
    camille = learner()
    actions.enroll(camille, pathway)
    actions.complete_step(camille, first, first.step_ids[0])
    view = learner_progress(camille, pathway)
    assert list(view.passages) == point_ids(pathway)


def test_an_unpublished_module_drops_out_of_the_outline():
    pathway = build_pathway(["m:1", "p:automatic", "m:1"])
    first, second = modules_of(pathway)
    second.unpublish()
    assert [item.module.pk for item in live_outline(pathway) if item.module] == [first.pk]


def test_the_dashboard_shows_live_pathways_most_recent_activity_first():
    camille = learner()
    older, newer, withdrawn = (build_pathway(["m:1"]) for _ in range(3))
    for pathway in (older, newer, withdrawn):
        actions.enroll(camille, pathway)
    now = timezone.now()
    Enrollment.objects.filter(pathway=older).update(last_activity_at=now - timedelta(days=3))
    Enrollment.objects.filter(pathway=newer).update(last_activity_at=now)
    withdrawn.unpublish()
    rows = learner_dashboard(camille)
    assert [row.enrollment.pathway_id for row in rows] == [newer.pk, older.pk]
    module, step_title = rows[0].next_step
    assert module.pk == modules_of(newer)[0].pk and step_title
    assert rows[0].points_reached == 0
