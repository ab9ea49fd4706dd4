"""A peer circle between two meetings (issue 18, items 4 and 5): a learner joins, posts in
the thread, a member replies, another reports the post (hidden at once), the facilitator,
an alumna, restores it.

Bruno (Lozère) finds Nadia's circle « Premiers pas, le soir » among the circles he may join
(it meets by video: open to every territory), joins, and introduces himself in its thread.
Léa, a member, is told by e-mail (``CIRCLE_DIGEST_DELAY = 0`` on the live server), reads
and replies. Amina reports Bruno's post: it disappears from her thread at once, Bruno
still sees it, marked. Nadia is told, reviews it from « Messages signalés » and puts it
back online. Everything by plain forms; no serious accessibility violation.
"""

import re

import pytest
from playwright.sync_api import expect

from .flows import log_in_with_password
from .support import SMALL

pytestmark = pytest.mark.e2e

CIRCLE = "Premiers pas, le soir"
HELLO = "Bonjour à toutes et tous ! Je monte une conserverie solidaire à Florac."
REPLY = "Bienvenue Bruno ! On en parle mardi ?"


def circle_page(person, name=CIRCLE):
    page = person.page
    page.goto("/communaute/cercles/")
    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    return page


def test_a_learner_joins_a_circle_and_its_members_exchange_and_moderate(journey):
    # Bruno finds the circle and joins it.
    bruno = journey("circle-newcomer", viewport=SMALL)
    page = bruno.page
    log_in_with_password(bruno, "bruno@balise.test")
    page.get_by_role("link", name="Cercles de pairs").first.click()
    expect(page.get_by_role("heading", name="Cercles que vous pouvez rejoindre")).to_be_visible()
    bruno.look("cercles à rejoindre")
    page.get_by_role("button", name=f"Rejoindre « {CIRCLE} »").click()
    expect(page.get_by_text(re.compile("Bienvenue dans le cercle"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Le fil du cercle"))).to_be_visible()
    meetings = page.locator("section", has=page.get_by_role("heading", name="Rencontres"))
    expect(meetings).to_contain_text("Karim apporte la question")  # the next meeting
    bruno.look("le cercle rejoint")

    # He introduces himself in the thread.
    page.get_by_label("Votre message au cercle").fill(HELLO)
    page.get_by_role("button", name="Publier dans le cercle").click()
    expect(page.get_by_text("Message publié.")).to_be_visible()
    mine = page.locator(".thread-message", has_text=HELLO)
    expect(mine.locator(".meta").first).to_contain_text("Vous")

    # Léa is told by e-mail, reads and replies to him.
    lea = journey("circle-member")
    log_in_with_password(lea, "lea@balise.test")
    assert "conserverie solidaire" in lea.mail_to("lea@balise.test", "cercle")
    her = circle_page(lea)
    post = her.locator("li.thread-message", has_text=HELLO)
    expect(post.locator(".badge", has_text="nouveau")).to_be_visible()
    post.get_by_text("Répondre").first.click()
    post.get_by_label("Votre réponse").fill(REPLY)
    post.get_by_role("button", name="Répondre").click()
    expect(her.get_by_text("Message publié.")).to_be_visible()
    expect(her.locator("li.thread-message", has_text=HELLO)).to_contain_text(REPLY)
    lea.look("réponse dans le fil")
    # The past meeting: its guided co-development agenda and the « top / flop » round.
    her.locator("h3:has-text('Rencontres passées') + ul a").first.click()
    expect(her.get_by_role("heading", name="Déroulé : co-développement")).to_be_visible()
    expect(her.get_by_text("C’est vous qui apportez la question cette fois.")).to_be_visible()
    expect(her.get_by_role("heading", name="Tour « top / flop »")).to_be_visible()
    lea.look("rencontre passée")

    # Amina reports Bruno's post: it is hidden from her at once.
    amina = journey("circle-reporter")
    log_in_with_password(amina, "amina@balise.test")
    hers = circle_page(amina)
    hers.locator("li.thread-message", has_text=HELLO).get_by_role(
        "link", name=re.compile("Signaler")
    ).first.click()
    expect(hers.get_by_role("heading", name="Signaler un message")).to_be_visible()
    amina.look("signaler")
    hers.get_by_label("Ce qui pose problème").fill("Publicité pour son entreprise ?")
    hers.get_by_role("button", name="Signaler et masquer").click()
    expect(hers.get_by_text(re.compile("Le message est masqué"))).to_be_visible()
    expect(hers.get_by_text(HELLO)).to_have_count(0)

    # Bruno still sees his post, marked as hidden pending review.
    circle_page(bruno)
    expect(page.locator(".thread-message", has_text=HELLO)).to_contain_text(
        "Masqué : ce message a été signalé"
    )

    # Nadia, the facilitator, is told, reviews it and puts it back online.
    nadia = journey("circle-facilitator")
    log_in_with_password(nadia, "nadia@balise.test")
    assert "Publicité pour son entreprise" in nadia.mail_to("nadia@balise.test", "signalé")
    desk = nadia.page
    desk.goto("/communaute/moderation/")
    entry = desk.locator("section", has_text=HELLO)
    expect(entry).to_contain_text("Publicité pour son entreprise ?")
    nadia.look("messages signalés")
    entry.get_by_label("Remettre en ligne").check()
    entry.get_by_role("button", name="Enregistrer la décision").click()
    expect(desk.get_by_text("Décision enregistrée.")).to_be_visible()
    expect(desk.get_by_text(re.compile("Aucun message signalé"))).to_be_visible()

    # Back for everyone, with Léa's reply.
    hers = circle_page(amina)
    expect(hers.locator("li.thread-message", has_text=HELLO)).to_contain_text(REPLY)
    amina.look("message remis en ligne")
    circle_page(nadia)
    nadia.look("le cercle de Nadia")
    # Her hours as a facilitator, against the charter's minimum.
    desk.goto("/communaute/mentorat/")
    expect(desk.get_by_text(re.compile(r"2 h données depuis le 1er janvier"))).to_be_visible()
    nadia.look("ses heures")

    for person in (bruno, lea, amina, nadia):
        person.assert_accessible()
