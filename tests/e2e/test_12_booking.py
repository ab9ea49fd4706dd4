"""Self-booking (issue « Sessions that fit people's lives »): an employed learner books an
evening video slot, the coach finds it in his agenda, the learner moves it.

Amina (demo: employed, Rhône, her request routed to the Lyon incubator and waiting for a
time) opens « Choisir un rendez-vous » from « Mon accompagnement »: video comes first,
recommended, with its reason; she picks one of Julien's evening slots. The session is
confirmed at once, both get the e-mail with the calendar file, her page shows the video
link. Julien's agenda shows the session in its week. Amina then moves it with a reason:
Julien is told. No serious accessibility violation on the booking page.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .flows import log_in_with_password
from .support import SMALL

pytestmark = pytest.mark.e2e

LEARNER, COACH = "amina@balise.test", "julien@balise.test"


def test_an_employed_learner_books_an_evening_video_slot(journey):
    learner = journey("learner-booking", viewport=SMALL)
    mine = learner.page
    log_in_with_password(learner, LEARNER)
    mine.goto("/accompagnement/")
    mine.get_by_role("link", name="Choisir un rendez-vous").first.click()
    expect(mine.get_by_role("heading", level=1)).to_have_text("Choisir un rendez-vous")
    video = mine.locator("section", has=mine.get_by_role("heading", name=re.compile("Visio")))
    expect(video.first.get_by_text("recommandé pour vous")).to_be_visible()
    learner.look("choisir un rendez-vous")

    evening = video.first.get_by_role("button", name=re.compile("Julien.*en soirée")).first
    label = evening.inner_text()
    day_label = evening.locator("xpath=ancestor::fieldset/legend").inner_text()
    evening.click()

    expect(mine).to_have_url(re.compile(r"/accompagnement/$"))
    expect(mine.get_by_text(re.compile("Rendez-vous confirmé le"))).to_be_visible()
    join = mine.get_by_role("link", name="Rejoindre la visioconférence").first
    expect(join).to_have_attribute("href", re.compile(r"^https://meet\.jit\.si/balise-"))
    mail = learner.mail_to(LEARNER, "Rendez-vous confirmé", timeout=30)
    assert "BEGIN:VCALENDAR" in mail or "text/calendar" in mail

    # Julien finds it in his agenda, in the week of the slot.
    coach = journey("coach-booking")
    page = coach.page
    log_in_with_password(coach, COACH)
    assert "Amina" in coach.mail_to(COACH, "a réservé", timeout=30)
    slot_day = _date_of(day_label)
    page.goto(f"/accompagnement/agenda/?semaine={slot_day:%Y-%m-%d}")
    agenda = page.locator(".agenda-day", has=page.get_by_role("link", name=re.compile("Amina")))
    expect(agenda.first).to_be_visible()
    start = label.strip().split(" ")[0]
    expect(agenda.first).to_contain_text(start)

    # Amina moves it a day later, with a reason: Julien is told.
    mine.goto("/accompagnement/")
    mine.get_by_text("Déplacer ou annuler ce rendez-vous").first.click()
    mine.get_by_label("Nouvelle date").first.fill(f"{slot_day + timedelta(days=1):%Y-%m-%d}")
    mine.get_by_label("Raison (transmise à l’autre personne)").first.fill(
        "Réunion de chantier ce soir-là."
    )
    mine.get_by_role("button", name="Déplacer le rendez-vous").first.click()
    expect(mine.locator(".messages")).to_contain_text("Rendez-vous déplacé au")
    moved = coach.mail_to(COACH, "déplacé", timeout=30)
    assert "Réunion de chantier ce soir-là." in moved


MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
]  # fmt: skip


def _date_of(legend: str) -> date:
    """The date of a day's legend, « jeudi 10 décembre » (within the next few weeks)."""
    match = re.search(r"(\d{1,2}) (\w+)", legend)
    day, month = int(match.group(1)), MONTHS.index(match.group(2).lower()) + 1
    today = date.today()
    found = date(today.year, month, day)
    return found if found >= today - timedelta(days=1) else date(today.year + 1, month, day)
