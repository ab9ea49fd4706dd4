"""Messages on a request (issue 17, item 7): a learner writes to their coach, the coach
sees the unread mark, reads and replies, the learner reads the reply.

A new learner asks for help from a step (« J'ai besoin d'aide »); Julien, the Rhône coach,
claims the request. The learner writes from « Mon accompagnement »; Julien is told by
e-mail (the live server sends digests at once: ``MESSAGE_DIGEST_DELAY = 0``), sees « 1
message non lu » on his queue, opens the file, reads and answers in its thread; the
learner is told by e-mail, sees « Lire le nouveau message » and reads the answer. A link
in a message is a link. No serious accessibility violation on the thread pages.
"""

import re

import pytest
from playwright.sync_api import expect

from .flows import (
    log_in_with_password,
    onboard,
    sign_up,
    start_emergence,
    text,
    unique_email,
    unique_first_name,
)
from .support import SMALL

pytestmark = pytest.mark.e2e

COACH = "julien@balise.test"
QUESTION = "Bonjour, je bloque sur mon budget prévisionnel. Un modèle : https://exemple.org/budget"
ANSWER = "Bonjour ! Apportez vos chiffres mardi, nous le construirons ensemble."


def test_learner_and_coach_exchange_messages(journey):
    # A learner asks for help from the first step of the pathway.
    learner = journey("learner-messages", viewport=SMALL)
    mine = learner.page
    email = unique_email("ines")
    name = unique_first_name("Inès", email)
    sign_up(learner, email)
    onboard(learner, first_name=name)
    start_emergence(learner)
    mine.get_by_role("link", name=text("J'ai besoin d'aide")).first.click()
    mine.get_by_label("Votre message").fill("Je ne sais pas par où commencer.")
    mine.get_by_role("button", name="Envoyer ma demande").click()
    expect(mine).to_have_url(re.compile(r"/accompagnement/$"))

    # Julien claims it.
    coach = journey("coach-messages")
    page = coach.page
    log_in_with_password(coach, COACH)
    to_take = page.locator("section", has=page.get_by_role("heading", name=re.compile("À prendre")))
    to_take.get_by_role("link", name=name).click()
    page.get_by_role("button", name="Je prends en charge").click()
    expect(page.get_by_role("heading", name="Proposer un rendez-vous")).to_be_visible()

    # The learner writes to him from « Mon accompagnement ».
    mine.goto("/accompagnement/")
    mine.get_by_role("link", name="Écrire à la personne qui vous accompagne").click()
    expect(mine.get_by_role("heading", level=1)).to_contain_text("Messages")
    learner.look("fil de messages vide")
    mine.get_by_label("Votre message").fill(QUESTION)
    mine.get_by_role("button", name="Envoyer le message").click()
    expect(mine.get_by_text("Message envoyé.")).to_be_visible()
    sent = mine.locator(".thread-message").last
    expect(sent).to_contain_text("Vous")
    expect(sent).to_contain_text("budget prévisionnel")
    expect(sent.get_by_role("link", name="https://exemple.org/budget")).to_have_attribute(
        "href", "https://exemple.org/budget"
    )
    learner.look("message envoyé")

    # Julien is told by e-mail, with a link to the thread.
    mail = coach.mail_to(COACH, "Nouveau message")
    assert "budget prévisionnel" in mail and "/messages/" in mail

    # His queue shows the unread message on his request; the file shows it as new.
    page.goto("/accompagnement/file/")
    mine_section = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("Mes demandes en cours"))
    )
    card = mine_section.locator("li", has=page.get_by_role("link", name=name))
    unread = card.get_by_role("link", name="1 message non lu")
    expect(unread).to_be_visible()
    coach.look("file avec un message non lu")
    unread.click()
    thread = page.locator("#messages")
    expect(thread.locator(".thread-message--new")).to_contain_text("budget prévisionnel")
    expect(thread.get_by_role("heading", name=re.compile("Messages"))).to_contain_text("1 nouveau")
    coach.look("dossier avec le fil")

    # He answers in the file's thread.
    thread.get_by_label("Votre message").fill(ANSWER)
    thread.get_by_role("button", name="Envoyer le message").click()
    expect(page.get_by_text("Message envoyé.")).to_be_visible()
    expect(page.locator("#messages .thread-message").last).to_contain_text("Apportez vos chiffres")
    expect(page.locator("#messages .thread-message--new")).to_have_count(0)  # read now

    # Read, the mark is gone from the queue.
    page.goto("/accompagnement/file/")
    expect(card).to_be_visible()
    expect(card.get_by_text(re.compile("message non lu"))).to_have_count(0)

    # The learner is told and reads the answer.
    assert "Apportez vos chiffres" in coach.mail_to(email, "Nouveau message")
    mine.goto("/accompagnement/")
    mine.get_by_role("link", name="Lire le nouveau message").click()
    answer = mine.locator(".thread-message").last
    expect(answer).to_contain_text("Julien, accompagnateur·rice")
    expect(answer).to_contain_text("Apportez vos chiffres")
    expect(answer).to_contain_text("nouveau")
    learner.look("réponse reçue")
    mine.goto("/accompagnement/")
    write = mine.get_by_role("link", name="Écrire à la personne qui vous accompagne")
    expect(write).to_be_visible()  # nothing unread any more

    coach.assert_accessible()
    learner.assert_accessible()
