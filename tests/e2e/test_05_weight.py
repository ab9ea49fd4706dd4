"""Light pages: what a learner's step page costs on a slow connection.

Proves that each step page of the first two modules transfers at most 100 KB on a first
visit with an empty cache, audio and video left out (they load only when played), that
these pages cover the five types of step (workshop sheet, guided exercise, video with its
captions, testimony, podcast), and that no request goes anywhere but the live server. The
figures are printed at the end of the run.
"""

import re

import pytest

from .flows import FIRST_STEPS, onboard, sign_up, start_emergence, unique_email
from .support import SMALL, WEIGHT_BUDGET

pytestmark = pytest.mark.e2e


def test_step_pages_are_light(journey, shared):
    if "learner" in shared:
        person = journey("weight", viewport=SMALL, storage_state=shared["learner"]["state"])
        person.page.goto("/parcours/faire-emerger-son-projet-ess/")
        person.page.get_by_role("link", name="Clarifier le besoin social").click()
    else:
        person = journey("weight", viewport=SMALL)
        sign_up(person, unique_email("emile"))
        onboard(person)
        start_emergence(person)
    page = person.page

    # The step pages in order, following « Étape suivante » (no step is finished here),
    # with the type each one says it is (« Étape 3 sur 4 · Vidéo »).
    def kind():
        return page.locator("article.step > p.meta").first.inner_text().split("·")[-1].strip()

    urls, kinds = [page.url.replace(person.server.url, "")], [kind()]
    for _ in FIRST_STEPS[1:]:
        page.locator("a[rel=next]").click()
        urls.append(page.url.replace(person.server.url, ""))
        kinds.append(kind())
    assert all(re.search(r"/etapes/[\w-]+/$", url) for url in urls), urls
    assert set(kinds) == {"Fiche atelier", "Exercice guidé", "Vidéo", "Témoignage", "Podcast"}

    weights = []
    for title, url, step_kind in zip(FIRST_STEPS, urls, kinds, strict=True):
        weights.append(person.weigh(f"{title} ({step_kind})", url))
    too_heavy = [w for w in weights if w.transferred > WEIGHT_BUDGET]
    assert not too_heavy, [(w.page, w.transferred) for w in too_heavy]
