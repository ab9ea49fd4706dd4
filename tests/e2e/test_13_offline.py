"""Reading and answering offline, on a phone with an intermittent network (issue 19).

Proves that a learner who started a module can save it for offline reading after seeing
its size, lose the network, read the next step from the device, type an answer and mark
the step done, see « en attente d'envoi », be told plainly that a page needing the
network is not available, find the typed answer again on the device, and that once the
network is back the answer and the completion are saved, once each. No serious
accessibility violation on the way.
"""

import json
import re
import shlex
import sqlite3
import subprocess

import pytest
from playwright.sync_api import expect

from .flows import (
    FIRST_STEPS,
    REQUIRED_QUESTION,
    onboard,
    sign_up,
    start_emergence,
    step_heading,
    text,
    unique_email,
)
from .support import REPO, SMALL

pytestmark = pytest.mark.e2e

ANSWER = "Dans la vallée, aucun atelier ne répare les vélos des jeunes sans voiture."
WHO = "Les lycéen·nes des hameaux, qui attendent le car."
WHO_QUESTION = re.compile("Qui sont les personnes concernées")
FULL = "La mémoire de votre appareil est pleine"


def rows(server, sql: str, *params):
    with sqlite3.connect(server.run_dir / "db.sqlite3", timeout=10) as db:
        return db.execute(sql, params).fetchall()


def test_learner_reads_and_answers_offline(journey):
    learner = journey("offline", viewport=SMALL, is_mobile=True, has_touch=True)
    page = learner.page
    email = unique_email("odile")
    sign_up(learner, email)
    onboard(learner, first_name="Odile")
    start_emergence(learner)
    # The service worker was registered on the first pages; it now controls this one.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    # « Enregistrer pour lire hors connexion »: the module's size first, then the pages.
    page.get_by_role("button", name="Enregistrer pour lire hors connexion").click()
    size = page.get_by_text(
        re.compile(r"Ce module pèse [\d,\s\u00a0]+k?o \(\d+ pages et documents\)")
    )
    expect(size).to_be_visible()
    learner.look("lire hors connexion : la taille d'abord")
    page.get_by_role("button", name=text("Confirmer l'enregistrement")).click()
    expect(page.get_by_text("Module enregistré sur cet appareil")).to_be_visible()

    # The network goes: the next step opens from the device.
    learner.context.set_offline(True)
    page.locator("a[rel=next]").first.click()
    expect(step_heading(page)).to_have_text(text(FIRST_STEPS[1]))
    exercise_url = page.url
    expect(
        page.get_by_text(text("Hors connexion : vous lisez les pages enregistrées"))
    ).to_be_visible()

    # An answer typed offline stays on the device, « en attente d'envoi ».
    page.get_by_label(REQUIRED_QUESTION).fill(ANSWER)
    expect(
        page.get_by_text(text("Vos réponses sont gardées sur cet appareil, en attente d'envoi"))
    ).to_be_visible()
    page.get_by_role("button", name=text("Enregistrer et terminer l'étape")).click()
    expect(
        page.get_by_text(
            text(
                "Vos réponses et l'étape terminée sont gardées sur cet appareil, en attente d'envoi"
            )
        )
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"En attente d.envoi : 2 modification"))).to_be_visible()
    learner.look("exercice hors connexion, en attente d'envoi")

    # The next step (a video, its transcript on the page), marked done offline too.
    page.locator("a[rel=next]").first.click()
    expect(step_heading(page)).to_have_text(text(FIRST_STEPS[2]))
    page.get_by_role("button", name=text("J'ai terminé cette étape")).click()
    expect(
        page.get_by_text(text("Étape marquée terminée sur cet appareil, en attente d'envoi"))
    ).to_be_visible()
    expect(page.get_by_role("button", name=text("J'ai terminé cette étape"))).to_be_hidden()
    expect(page.get_by_text(re.compile(r"En attente d.envoi : 3 modification"))).to_be_visible()

    # A page that needs the network says so plainly.
    page.goto("/accompagnement/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        text("Cette page a besoin d'une connexion")
    )
    learner.look("page qui a besoin du réseau")

    # Back on the exercise (still offline): the typed answer is there, still waiting.
    page.goto(exercise_url)
    expect(page.get_by_label(REQUIRED_QUESTION)).to_have_value(ANSWER)
    expect(page.get_by_text(re.compile(r"En attente d.envoi : 3 modification"))).to_be_visible()

    # The device's storage is full: the learner is told, and what was kept stays kept.
    page.evaluate(
        """() => {
            window.__setItem = Storage.prototype.setItem;
            Storage.prototype.setItem = () => {
                throw new DOMException("full", "QuotaExceededError");
            };
        }"""
    )
    page.get_by_label(WHO_QUESTION).fill("Un texte qui ne tient plus")
    expect(page.get_by_text(FULL)).to_be_visible()
    kept = page.evaluate("() => localStorage.getItem('balise-outbox')")
    assert ANSWER in kept and "ne tient plus" not in kept, kept
    page.evaluate("() => { Storage.prototype.setItem = window.__setItem; }")
    page.get_by_label(WHO_QUESTION).fill(WHO)
    expect(page.get_by_text(FULL)).to_have_count(0)
    assert WHO in page.evaluate("() => localStorage.getItem('balise-outbox')")
    assert not rows(
        learner.server,
        "SELECT 1 FROM pathways_offlinesync s JOIN accounts_user u ON u.id = s.learner_id "
        "WHERE u.email = ?",
        email,
    )

    # The network returns: both changes are sent, once.
    learner.context.set_offline(False)
    expect(
        page.get_by_text(text("Vos modifications écrites hors connexion sont envoyées."))
    ).to_be_visible()
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # a second flush: nothing
    page.reload()
    expect(page.get_by_label(REQUIRED_QUESTION)).to_have_value(ANSWER)
    expect(page.get_by_label(WHO_QUESTION)).to_have_value(WHO)
    expect(page.locator(".step-list [aria-current=step] .badge--done")).to_be_visible()
    expect(page.get_by_text(text("En attente d'envoi"))).to_have_count(0)
    learner.look("exercice envoyé au retour du réseau")

    synced = rows(
        learner.server,
        "SELECT s.kind, s.outcome FROM pathways_offlinesync s "
        "JOIN accounts_user u ON u.id = s.learner_id WHERE u.email = ? ORDER BY s.id",
        email,
    )
    assert synced == [("answers", "saved"), ("complete", "saved"), ("complete", "saved")], synced
    (answers,) = rows(
        learner.server,
        "SELECT r.answers FROM pathways_exerciseresponse r "
        "JOIN accounts_user u ON u.id = r.learner_id WHERE u.email = ?",
        email,
    )
    assert json.dumps(json.loads(answers[0]), ensure_ascii=False).count(ANSWER) == 1, answers
    completions = rows(
        learner.server,
        "SELECT count(*) FROM pathways_stepcompletion c "
        "JOIN accounts_user u ON u.id = c.learner_id WHERE u.email = ?",
        email,
    )
    assert completions == [(2,)], completions  # the exercise and the video (the sheet: read)

    learner.assert_accessible()


def test_the_served_script_is_built_from_its_source():
    """``lms/static/balise/offline.js`` is ``make js``'s output for ``lms/js/offline.js``."""
    recipe = re.search(r"^ESBUILD_JS := (.*\\\n.*)$", (REPO / "Makefile").read_text(), re.M)
    command = shlex.split(recipe.group(1).replace("\\\n", " "))
    built = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert built == (REPO / "lms/static/balise/offline.js").read_text(), "run `make js`"


def test_pages_kept_for_one_person_are_not_shown_to_the_next(journey):
    """A shared phone: the first learner's session ran out without a logout (no
    Clear-Site-Data), someone else signs in on the same browser. Offline, the first
    learner's kept step pages are not shown to them: the device forgot them as soon as a
    page came for another reader."""
    phone = journey("offline-shared", viewport=SMALL, is_mobile=True, has_touch=True)
    page = phone.page
    sign_up(phone, unique_email("firmin"))
    onboard(phone, first_name="Firmin")
    start_emergence(phone)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    first_step = page.url
    page.locator("a[rel=next]").first.click()  # kept on the device as Firmin reads
    expect(step_heading(page)).to_have_text(text(FIRST_STEPS[1]))
    page.wait_for_function(
        "async () => (await caches.keys()).some((name) => name.startsWith('balise-pages-'))"
    )

    # His session runs out: the cookies go, the service worker and its caches stay.
    phone.context.clear_cookies()
    sign_up(phone, unique_email("gaelle"))
    onboard(phone, first_name="Gaëlle")
    page.goto("/apprendre/")  # a page for another reader: Firmin's pages are forgotten
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    phone.context.set_offline(True)
    page.goto(first_step)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        text("Cette page a besoin d'une connexion")
    )
    expect(page.get_by_text("Firmin")).to_have_count(0)
