"""The learner's journey again with JavaScript disabled, on a small screen (360x640).

Proves that every step of the learner's path is plain HTML forms and links: sign-up with
the e-mailed code, the welcome questionnaire, starting the pathway, reading a sheet,
saving an exercise with the « Enregistrer mes réponses » button (the answers are there
after a reload), the podcast offered as an audio file, finishing the steps up to the
automatic point, and the carnet PDF; nothing wider than the screen.
"""

import pytest
from playwright.sync_api import expect

from .flows import (
    COACH_WILL_CALL,
    EMERGENCE_URL,
    FIRST_STEPS,
    REQUIRED_QUESTION,
    finish_step,
    onboard,
    sign_up,
    start_emergence,
    step_heading,
    text,
    unique_email,
    walk_to_automatic_point,
)
from .support import SMALL

pytestmark = pytest.mark.e2e

ANSWER = "Pas de laverie solidaire à moins de 20 km du bourg."


def test_learner_journey_without_javascript(journey):
    learner = journey("learner-no-js", viewport=SMALL, java_script_enabled=False)
    page = learner.page
    assert page.evaluate("() => navigator.javaEnabled !== undefined")  # the page still renders
    email = unique_email("chloe")

    sign_up(learner, email)
    learner.shot("questionnaire d'accueil sans JavaScript", fits=True)
    onboard(learner)
    start_emergence(learner)
    learner.shot("fiche atelier sans JavaScript", fits=True)

    # A plain form post finishes the step and opens the next one.
    finish_step(page)
    expect(step_heading(page)).to_have_text(text(FIRST_STEPS[1]))

    # The exercise, saved with its button; the answer is there after a reload.
    page.get_by_label(REQUIRED_QUESTION).fill(ANSWER)
    page.get_by_role("button", name="Enregistrer mes réponses").click()
    expect(page.get_by_text("Vos réponses sont enregistrées.")).to_be_visible()
    page.reload()
    expect(page.get_by_label(REQUIRED_QUESTION)).to_have_value(ANSWER)
    learner.shot("exercice enregistré sans JavaScript", fits=True)

    page.get_by_role("button", name=text("Enregistrer et terminer l'étape")).click()
    for title in FIRST_STEPS[2:5]:
        expect(step_heading(page)).to_have_text(text(title))
        finish_step(page)

    # The podcast step: native audio controls and a download link to the same file.
    expect(step_heading(page)).to_have_text(text(FIRST_STEPS[5]))
    audio = page.locator("audio[controls]").first
    source = audio.get_attribute("src")
    download_link = page.get_by_role("link", name=text("Télécharger l'épisode"))
    assert download_link.get_attribute("href") == source
    episode = page.request.get(source)
    assert episode.ok and episode.headers["content-type"].startswith("audio/"), episode.headers
    assert episode.body()[:4] == b"RIFF"  # the WAV file itself
    learner.shot("podcast sans JavaScript", fits=True)

    # The remaining steps, up to the automatic point.
    walk_to_automatic_point(page, javascript=False)
    expect(page.get_by_text(COACH_WILL_CALL)).to_be_visible()
    learner.shot("balise automatique sans JavaScript", fits=True)

    # The carnet downloads without JavaScript too.
    page.goto(EMERGENCE_URL)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Mon carnet (PDF)").click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
