"""Group sessions (issue 18): the Lozère coach gathers the learners waiting at the same gate.

Thomas (demo: the Fabrique de Lozère's coach, full for one-to-one meetings) opens « Qui
attend ? »: four people of Lozère wait at « Revue de projet avant la recherche de
financements », a point the editor allowed to be met in a group. He creates a remote group
session for it and invites the four. Margaux, Rémi and Élodie register from « Mon
accompagnement » (each gets the calendar file), Karine declines. The session's start is
then moved into the past in the server's database (nobody can create one there), Thomas
records Margaux and Rémi present and Élodie absent, and posts the brief. The gate opens for
Margaux (the next module is no longer locked) and stays closed for Élodie, who reads the
brief in « Mon accompagnement ». No serious or critical accessibility violation.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .flows import log_in_with_password, text
from .support import SMALL, manage, server_env

pytestmark = pytest.mark.e2e

COACH = "thomas@balise.test"
REGISTER = ("margaux@balise.test", "remi@balise.test", "elodie@balise.test")
DECLINES = "karine@balise.test"
POINT = "Revue de projet avant la recherche de financements"
TITLE = "Revue de projet collective"
NEXT_MODULE = "Trouver ses premiers financements"
BRIEF = "Chacun·e présente son budget prévisionnel à un financeur solidaire avant la fin du mois."


def test_the_lozere_coach_gathers_the_learners_waiting_at_a_gate(journey, balise_server):
    coach = journey("coach-group")
    page = coach.page
    log_in_with_password(coach, COACH)
    page.goto("/accompagnement/collectif/")
    coach.axe("séances collectives")
    page.get_by_role("link", name="Qui attend ?").click()
    row = page.locator("tr", has_text=POINT)
    expect(row).to_contain_text("peut se faire en groupe")
    expect(row.locator("td strong")).to_have_text("4")
    coach.axe("qui attend")

    row.get_by_role("link", name=re.compile("Créer une séance")).click()
    expect(page.get_by_label("Balise de progression")).to_have_value(re.compile(r"^\d+:"))
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Date").fill(f"{date.today() + timedelta(days=3):%Y-%m-%d}")
    page.get_by_label("Heure").fill("18:30")
    page.get_by_label("À distance", exact=True).check()
    page.get_by_label("Nombre de places").fill("6")
    coach.axe("créer une séance collective")
    page.get_by_role("button", name="Créer la séance").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    invite = page.locator("form", has=page.get_by_role("button", name="Envoyer les invitations"))
    expect(invite.get_by_role("checkbox")).to_have_count(4)
    coach.axe("séance : inviter")
    invite.get_by_role("button", name="Envoyer les invitations").click()
    expect(page.locator(".messages")).to_contain_text("4 personne(s) invitée(s)")
    session_url = page.url

    # Three register, one declines, each from « Mon accompagnement ».
    people = []
    for email in REGISTER:
        person = journey(f"learner-group-{email.split('@')[0]}", viewport=SMALL)
        people.append(person)
        log_in_with_password(person, email)
        person.page.goto("/accompagnement/")
        section = person.page.locator("#seances-collectives").locator("..")
        expect(section).to_contain_text(TITLE)
        if email == REGISTER[0]:
            person.look("invitation à une séance collective")
        section.get_by_role("button", name=text("Je m'inscris")).click()
        expect(person.page.locator(".messages")).to_contain_text("Vous êtes inscrit·e")
        expect(person.page.get_by_role("link", name="Ajouter à mon agenda (.ics)")).to_be_visible()
        assert "BEGIN:VCALENDAR" in person.mail_to(email, "Inscription confirmée", timeout=30)
    karine = journey("learner-group-karine", viewport=SMALL)
    log_in_with_password(karine, DECLINES)
    karine.page.goto("/accompagnement/")
    karine.page.get_by_role("button", name="Je ne viendrai pas").click()
    expect(karine.page.locator(".messages")).to_contain_text("vous ne participerez pas")

    # The session's time comes: its start is moved into the past in the server's database.
    manage(
        [
            "shell",
            "-c",
            "from datetime import timedelta; from django.utils import timezone; "
            "from lms.coaching.models import GroupSession; "
            f"GroupSession.objects.filter(title={TITLE!r}).update("
            "starts_at=timezone.now() - timedelta(minutes=100))",
        ],
        server_env(balise_server.run_dir, balise_server.url),
        balise_server.run_dir / "manage.log",
    )

    page.goto(session_url)
    for name, button in (("Margaux", "Présent·e"), ("Rémi", "Présent·e"), ("Élodie", "Absent·e")):
        seat = page.locator("tr", has_text=name)
        seat.get_by_role("button", name=button).click()
        expect(page.locator(".messages")).to_contain_text("présence notée")
        if button == "Présent·e":
            expect(page.locator(".messages")).to_contain_text("La balise est franchie")
    page.get_by_label("Synthèse pour les personnes inscrites").fill(BRIEF)
    page.get_by_role("button", name="Publier la synthèse").click()
    expect(page.locator(".messages")).to_contain_text("Synthèse publiée")
    coach.axe("séance : présences et synthèse")

    # The gate is open for Margaux: the module after it is no longer locked.
    margaux = journey("learner-group-gate")
    log_in_with_password(margaux, REGISTER[0])
    margaux.page.goto("/parcours/faire-emerger-son-projet-ess/")
    after_gate = margaux.page.locator("li.outline__module", has_text=NEXT_MODULE)
    expect(after_gate).not_to_contain_text("Verrouillé")
    expect(after_gate.get_by_role("link", name=NEXT_MODULE)).to_be_visible()

    # Élodie was absent: her gate stays closed, and she reads the brief.
    elodie = journey("learner-group-brief", viewport=SMALL)
    log_in_with_password(elodie, REGISTER[2])
    elodie.page.goto("/parcours/faire-emerger-son-projet-ess/")
    expect(elodie.page.locator("li.outline__module", has_text=NEXT_MODULE)).to_contain_text(
        "Verrouillé"
    )
    elodie.page.goto("/accompagnement/")
    expect(elodie.page.get_by_text(BRIEF)).to_be_visible()
    elodie.look("synthèse pour une personne absente")
    assert TITLE in elodie.mail_to(REGISTER[2], "synthèse", timeout=30)

    for person in (coach, *people, karine, margaux, elodie):
        person.assert_accessible()
