"""The coach's side of the automatic point, then the learner's answer.

Proves that the request opened when the learner reached the automatic point reaches the
coach of the learner's département: Julien logs in with his password, sees it in his
queue, opens the learner's file (profile, progress, shared answers), claims it and
proposes an in-person session; the learner is told by e-mail, accepts on « Mon
accompagnement », and Julien sees the acceptance. No serious accessibility violation on
the coach's pages or the learner's.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .flows import (
    EMERGENCE_TITLE,
    log_in_with_password,
    onboard,
    sign_up,
    start_emergence,
    text,
    unique_email,
    unique_first_name,
    walk_to_automatic_point,
)
from .support import SMALL

pytestmark = pytest.mark.e2e

COACH = "julien@balise.test"
PLACE = "Fabrique à initiatives, 12 rue de la Coopération, 69100 Villeurbanne"


@pytest.fixture
def learner_at_point(journey, shared):
    """The learner of the learner journey; made here when that test did not run first."""
    if "learner" in shared:
        return shared["learner"]
    person = journey("learner-for-coach", viewport=SMALL)
    email = unique_email("bastien")
    name = unique_first_name("Bastien", email)
    sign_up(person, email)
    onboard(person, first_name=name)
    start_emergence(person)
    walk_to_automatic_point(person.page)
    shared["learner"] = {"email": email, "name": name, "state": person.context.storage_state()}
    return shared["learner"]


def test_coach_claims_and_learner_accepts(journey, learner_at_point):
    learner_name = learner_at_point["name"]
    coach = journey("coach")
    page = coach.page

    # The coach of the département was told by e-mail.
    assert learner_name in coach.mail_to(COACH, learner_name)

    log_in_with_password(coach, COACH)
    expect(page).to_have_url(re.compile(r"/accompagnement/file/$"))
    to_take = page.locator("section", has=page.get_by_role("heading", name=re.compile("À prendre")))
    card = to_take.locator("li", has=page.get_by_role("link", name=learner_name))
    expect(card).to_be_visible()
    expect(card).to_contain_text(EMERGENCE_TITLE)
    coach.look("file des demandes")

    # The learner's file, then « Je prends en charge ».
    card.get_by_role("link", name=learner_name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(learner_name)
    expect(page.get_by_text("Une recyclerie de jouets")).to_be_visible()  # the profile
    expect(page.get_by_role("heading", name=re.compile("Progression dans"))).to_be_visible()
    coach.look("dossier de la personne")
    page.get_by_role("button", name="Je prends en charge").click()
    expect(page.get_by_role("heading", name="Proposer un rendez-vous")).to_be_visible()
    coach.look("dossier pris en charge")

    # An in-person session next week.
    day = date.today() + timedelta(days=7)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Heure").fill("14:30")
    page.get_by_label("Durée").select_option(label="1 heure")
    page.get_by_role("combobox", name="Modalité").select_option(label="En présentiel")
    page.get_by_label("Lieu, lien de visio ou numéro").fill(PLACE)
    page.get_by_role("button", name=text("Envoyer l'invitation")).click()
    expect(page.get_by_text(re.compile("Rendez-vous proposé"))).to_be_visible()
    sessions = page.get_by_role("region", name="Rendez-vous", exact=True)
    expect(sessions).to_contain_text(PLACE)
    expect(sessions).to_contain_text("Proposé")
    coach.look("rendez-vous proposé")

    # The learner is invited by e-mail and accepts on « Mon accompagnement ».
    assert "Rendez-vous" in coach.mail_to(learner_at_point["email"], "Rendez-vous propos")
    learner = journey("learner-accepts", viewport=SMALL, storage_state=learner_at_point["state"])
    mine = learner.page
    mine.goto("/accompagnement/")
    session = mine.locator(".session", has_text=PLACE)
    expect(session).to_contain_text("En présentiel")
    expect(session).to_contain_text("14:30")
    expect(session.get_by_role("link", name=re.compile(r"\.ics"))).to_be_visible()
    learner.look("invitation reçue")
    session.get_by_role("button", name=text("J'accepte")).click()
    expect(mine.get_by_text("Votre réponse est transmise.")).to_be_visible()
    expect(mine.locator(".session", has_text=PLACE)).to_contain_text("Accepté")
    learner.look("rendez-vous accepté")

    # The coach is told, and sees it in the file.
    assert learner_name in coach.mail_to(COACH, "accept")
    page.reload()
    expect(sessions).to_contain_text("Accepté")
    coach.shot("rendez-vous accepté (côté accompagnateur)", fits=True)

    coach.assert_accessible()
    learner.assert_accessible()
