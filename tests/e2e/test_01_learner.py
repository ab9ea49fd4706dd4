"""The learner's journey on a small phone screen (360x640), JavaScript on.

Proves that a new person can sign up with only an e-mail and the code it receives,
answer the welcome questionnaire, start « Faire émerger son projet ESS », read a
workshop sheet, answer an exercise whose autosave survives a reload, play a podcast,
mark the steps done up to the automatic point where a coach takes over, and download
the carnet as a PDF, with no serious accessibility violation and nothing wider than
the screen on any page.
"""

import re

import pytest
from playwright.sync_api import expect

from .flows import (
    AUTOMATIC_POINT,
    COACH_WILL_CALL,
    EMERGENCE_TITLE,
    EMERGENCE_URL,
    FIRST_STEPS,
    REQUIRED_QUESTION,
    autosaved,
    finish_step,
    onboard,
    sign_up,
    start_emergence,
    step_heading,
    text,
    unique_email,
    unique_first_name,
)
from .support import REPORT, SMALL

pytestmark = pytest.mark.e2e

ANSWER = "Les familles du quartier n'ont aucun lieu pour faire réparer les jouets."
WHO = "Des parents solos du quartier des Buers, souvent sans voiture."


def test_learner_journey(journey, shared):
    learner = journey("learner", viewport=SMALL, is_mobile=True, has_touch=True)
    page = learner.page
    email = unique_email("amelie")
    name = unique_first_name("Amélie", email)

    page.goto("/")
    learner.look("accueil")
    sign_up(learner, email, look=True)
    onboard(learner, first_name=name, look=True)
    learner.look("mes parcours (vide)")

    start_emergence(learner, look=True)

    # 1. A workshop sheet: read it (its worksheet is offered for download), then done.
    expect(page.get_by_text("Trois questions pour décrire un besoin")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile(r"Télécharger « .+ » \(PDF, [\d,]+\s?ko\)"))
    ).to_be_visible()
    learner.look("fiche atelier")
    finish_step(page, FIRST_STEPS[1])
    step_list = page.locator(".step-list")
    expect(step_list.locator(".badge--done")).to_have_count(1)
    expect(step_list.locator("progress")).not_to_have_attribute("value", "0")
    learner.look("étape terminée, la suivante ouverte")

    # 2. An exercise: the answers save themselves while typing and survive a reload.
    learner.look("exercice")
    with autosaved(page, ANSWER):
        page.get_by_label(REQUIRED_QUESTION).press_sequentially(ANSWER, delay=5)
    expect(page.get_by_text(re.compile(r"Enregistré à \d\d:\d\d"))).to_be_visible()
    page.get_by_label(re.compile("Qui sont les personnes concernées")).fill(WHO)
    with autosaved(page, "Je le vis moi-même"):
        page.get_by_role("group", name="Comment avez-vous constaté ce besoin ?").get_by_label(
            "Je le vis moi-même"
        ).check()
    page.reload()
    expect(page.get_by_label(REQUIRED_QUESTION)).to_have_value(ANSWER)
    expect(page.get_by_label(re.compile("Qui sont les personnes concernées"))).to_have_value(WHO)
    expect(
        page.get_by_role("group", name="Comment avez-vous constaté ce besoin ?").get_by_label(
            "Je le vis moi-même"
        )
    ).to_be_checked()
    learner.look("exercice enregistré après rechargement")
    page.get_by_role("button", name=text("Enregistrer et terminer l'étape")).click()
    expect(step_heading(page)).to_have_text(text(FIRST_STEPS[2]))

    # 3-5. A video, a testimony, a second sheet.
    learner.look("vidéo")
    finish_step(page, FIRST_STEPS[3])
    learner.look("témoignage")
    finish_step(page, FIRST_STEPS[4])
    finish_step(page, FIRST_STEPS[5])

    # 6. A podcast: the audio loads and plays (muted) from the live server.
    learner.look("podcast")
    audio = page.locator("audio").first
    state = audio.evaluate(
        """async (audio) => {
            audio.muted = true;
            await audio.play();
            await new Promise(resolve => setTimeout(resolve, 400));
            const state = {readyState: audio.readyState, time: audio.currentTime,
                           paused: audio.paused, duration: audio.duration, src: audio.currentSrc};
            audio.pause();
            return state;
        }"""
    )
    assert state["readyState"] > 0 and state["time"] > 0 and state["duration"] > 1, state
    assert not state["paused"], state
    REPORT.notes.append(
        f"podcast played muted: readyState {state['readyState']}, {state['time']:.2f} s of "
        f"{state['duration']:.1f} s, from {state['src'].replace(learner.server.url, '')}"
    )
    finish_step(page, FIRST_STEPS[6])

    # 7. A second exercise (nothing required), finished without answering; 8. testimony.
    page.get_by_role("button", name=text("Enregistrer et terminer l'étape")).click()
    expect(step_heading(page)).to_have_text(text(FIRST_STEPS[7]))
    finish_step(page)

    # The automatic point: a coach will get in touch.
    expect(page).to_have_url(re.compile(r"/balises/[\w-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(AUTOMATIC_POINT)
    expect(page.get_by_text(COACH_WILL_CALL)).to_be_visible()
    learner.look("balise automatique")

    page.get_by_role("link", name="Mon accompagnement").click()
    expect(page.get_by_role("heading", name=re.compile(EMERGENCE_TITLE))).to_be_visible()
    learner.look("mon accompagnement (demande ouverte)")

    # The carnet: the PDF downloads; its text version holds the answers.
    page.goto(EMERGENCE_URL)
    learner.look("parcours en cours")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Mon carnet (PDF)").click()
    download = download_info.value
    with open(download.path(), "rb") as pdf:
        head = pdf.read(5)
    assert head == b"%PDF-", head
    assert download.suggested_filename.endswith(".pdf")
    carnet_url = page.get_by_role("link", name="Mon carnet (texte)").get_attribute("href")
    carnet = page.request.get(carnet_url)
    assert carnet.ok, carnet.status
    assert ANSWER in carnet.text() and WHO in carnet.text(), carnet.text()[:2000]

    learner.assert_accessible()
    shared["learner"] = {"email": email, "name": name, "state": learner.context.storage_state()}
