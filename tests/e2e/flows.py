"""Steps shared by the journeys, written as a person does them (labels, roles, French text)."""

import csv
import itertools
import os
import re
import time
from urllib.parse import parse_qs

from playwright.sync_api import Page, expect

from .support import DEMO_PASSWORD, Journey, login_code

EMERGENCE_URL = "/parcours/faire-emerger-son-projet-ess/"
EMERGENCE_TITLE = "Faire émerger son projet ESS"
# The first two modules of the pathway, then its automatic point (lms/demo/data/pathways.yaml).
FIRST_STEPS = [
    "Partir du besoin, pas de la solution",  # workshop sheet
    "Décrire le besoin que vous avez repéré",  # guided exercise
    "Présenter son projet en deux minutes",  # video
    "Une friperie née de trente entretiens",  # testimony
    "Cartographier l'écosystème de votre projet",  # workshop sheet
    "S'ancrer dans son territoire",  # podcast
    "Dessiner la carte de vos acteurs",  # guided exercise
    "Une ressourcerie portée par tout un canton",  # testimony with audio
]
AUTOMATIC_POINT = "Premier échange avec un·e accompagnateur·rice"
REQUIRED_QUESTION = "En une phrase, quel problème votre projet veut-il résoudre ?"
# A coach's promise on the automatic point page (templates/pathways/point.html).
COACH_WILL_CALL = re.compile(r"accompagnat\w+ va vous contacter")

_counter = itertools.count(1)


def unique_email(prefix: str) -> str:
    return f"{prefix}.{os.getpid()}.{int(time.time())}.{next(_counter)}@exemple.test"


def unique_first_name(first_name: str, email: str) -> str:
    """A first name to find among the reused database's learners: « Amélie 1796317569-1 »."""
    token = "-".join(email.split("@")[0].split(".")[2:])
    return f"{first_name} {token}"


def text(value: str) -> re.Pattern:
    """A pattern that accepts typographic apostrophes and no-break spaces for plain ones."""
    escaped = re.escape(value)
    escaped = escaped.replace("'", "['’]").replace(r"\ ", r"[\s\u00a0\u202f]")
    return re.compile(escaped)


def step_heading(page: Page):
    return page.get_by_role("heading", level=1)


# --- Accounts ------------------------------------------------------------------------------


def sign_up(person: Journey, email: str, *, look: bool = False) -> None:
    """Sign-up with an e-mail only, then the code read from the mail outbox."""
    page = person.page
    page.goto("/comptes/signup/")
    if look:
        person.look("inscription")
    page.get_by_label("E-mail").fill(email)
    page.locator("main form").get_by_role("button").click()
    expect(page.get_by_label("Code")).to_be_visible()
    if look:
        person.look("code envoyé par e-mail")
    code = login_code(person.mail_to(email))
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirmer").click()
    expect(page).to_have_url(re.compile(r"/mon-compte/bienvenue/$"))


def onboard(
    person: Journey, *, departement: str = "69", first_name: str = "Camille", look: bool = False
) -> None:
    """The first-login questionnaire (lands on « Mes parcours »)."""
    page = person.page
    expect(page.get_by_role("heading", name="Bienvenue sur Balise !")).to_be_visible()
    if look:
        person.look("questionnaire d'accueil")
    # « Prénom » and not « Nom (facultatif) »; the required mark follows the label's text.
    page.get_by_label(re.compile(r"^Prénom")).fill(first_name)
    page.get_by_label("Département").select_option(departement)
    page.get_by_label("Commune", exact=True).fill("Villeurbanne")
    page.get_by_role("group", name="Type de territoire").get_by_label("Ville", exact=True).check()
    page.get_by_role("group", name="Situation").get_by_label(text("En recherche d'emploi")).check()
    availability = page.get_by_role("group", name="Quand êtes-vous disponible ?")
    availability.get_by_label("En semaine, en soirée").check()
    page.get_by_role("group", name=text("Façon préférée")).get_by_label("En présentiel").check()
    page.get_by_role("group", name="Aisance numérique").get_by_label(
        text("À l'aise avec le numérique")
    ).check()
    page.get_by_label("Mon projet en quelques mots").fill(
        "Une recyclerie de jouets tenue par des parents du quartier."
    )
    page.get_by_role("button", name="Enregistrer et commencer").click()
    expect(page).to_have_url(re.compile(r"/apprendre/$"))
    expect(page.get_by_text("Votre profil est enregistré")).to_be_visible()


def log_in_with_password(person: Journey, email: str, password: str = DEMO_PASSWORD) -> None:
    page = person.page
    page.goto("/comptes/login/")
    page.get_by_text(text("J'ai choisi un mot de passe")).click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter avec mon mot de passe").click()
    expect(page).not_to_have_url(re.compile(r"/comptes/login/"))


def start_emergence(person: Journey, *, look: bool = False) -> None:
    """From the pathway page, « Commencer ce parcours »: lands on its first step."""
    page = person.page
    page.goto(EMERGENCE_URL)
    expect(page.get_by_role("heading", level=1, name=EMERGENCE_TITLE)).to_be_visible()
    if look:
        person.look("parcours avant de commencer")
    page.get_by_role("button", name="Commencer ce parcours").click()
    expect(step_heading(page)).to_have_text(text(FIRST_STEPS[0]))


# --- Steps ---------------------------------------------------------------------------------


def finish_step(page: Page, next_title: str | None = None) -> None:
    """« J'ai terminé cette étape » on the current (non-exercise) step: with or without
    JavaScript, the next step opens with a message (its checklist and progress bar up to
    date); after the last step before the automatic point, its page opens."""
    page.get_by_role("button", name=text("J'ai terminé cette étape")).click()
    done = page.get_by_text("Étape terminée, bravo !")
    expect(done.or_(page.get_by_text(COACH_WILL_CALL)).first).to_be_visible()
    if next_title is not None:
        expect(step_heading(page)).to_have_text(text(next_title))


def go_next(page: Page, expected_title: str) -> None:
    page.get_by_role("link", name="Étape suivante").first.click()
    expect(step_heading(page)).to_have_text(text(expected_title))


def autosaved(page: Page, value: str):
    """``with autosaved(page, value): ...`` waits for the exercise autosave (htmx) whose
    form data holds ``value`` to be answered: htmx queues the last change while a save
    is in flight, so the newest save is the one to wait for."""

    def is_it(response) -> bool:
        request = response.request
        if request.method != "POST" or "/reponses/" not in request.url:
            return False
        values = [v for vs in parse_qs(request.post_data or "").values() for v in vs]
        return value in values and response.ok

    return page.expect_response(is_it, timeout=15_000)


def pathway_id(page: Page) -> str:
    match = re.search(r"/apprendre/parcours/(\d+)/", page.url)
    assert match, page.url
    return match.group(1)


def walk_to_automatic_point(page: Page, *, javascript: bool = True) -> None:
    """From a step of the pathway, finish every step up to the automatic point, answering
    only what is required, the way a hurried learner does."""
    continue_url = f"/apprendre/parcours/{pathway_id(page)}/continuer/"
    for _ in FIRST_STEPS:
        page.goto(continue_url)
        finish = page.get_by_role("button", name=text("Enregistrer et terminer l'étape"))
        if finish.count():
            required = page.get_by_label(REQUIRED_QUESTION)
            if required.count():
                required.fill("Un besoin vérifié auprès de dix voisin·es.")
            finish.click()
            page.wait_for_load_state()
        else:
            finish_step(page)
        if "/balises/" in page.url:
            break
    expect(page.get_by_text(COACH_WILL_CALL)).to_be_visible()


# --- Outcomes and the manager's dashboard (issue 5) -------------------------------------------

DASHBOARD_URL = "/rapports/"
PROFILE_URL = "/apprendre/competences/"
EVENING_TITLE = "Avancer le soir, à son rythme"
EVENING_URL = "/parcours/avancer-le-soir-a-son-rythme/"
# Small cells of exports and the print page, and those that would give them back
# (lms/reports/figures.py).
SUPPRESSED = "< 5"
MASKED = "s"


def answer_diagnosis(page: Page, level) -> int:
    """Answer every statement of the self-diagnosis form on the page: ``level(index)`` is
    the score (1 to 5) of the ``index``-th statement, checked by its radio's label (« 3 — …
    »). Returns how many statements were answered."""
    statements = page.locator("form.diagnosis .field").get_by_role("group")
    total = statements.count()
    for index in range(total):
        score = level(index)
        statements.nth(index).get_by_role("radio", name=re.compile(rf"^{score}\s+—")).check()
    return total


def read_csv(download) -> tuple[str, list[list[str]]]:
    """A downloaded CSV export: its text (BOM kept) and its rows (``;`` between fields)."""
    with open(download.path(), encoding="utf-8", newline="") as data:
        raw = data.read()
    rows = list(csv.reader(raw.removeprefix("\ufeff").splitlines(), delimiter=";"))
    return raw, rows
