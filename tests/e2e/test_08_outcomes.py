"""Outcomes (issue 5): the manager's dashboard with its filters, CSV export and print page
(issue 7's manager journey), and a learner's competence profile, self-diagnosis and
one-click module feedback.

Proves that Marc (manager) finds the programme's four sections on ``/rapports/``
(funnel, coaching, territories, outcomes), narrows the figures to a pathway and a kind of
territory with the filter form and sees them change, is told clearly when his period is
inverted (the figures stay, without that filter), downloads a CSV export that French
Excel reads (UTF-8 with a BOM, ``;``, a header, counts of 1 to 4 shown as « < 5 ») and
opens the print page of the same selection. And that Nadia (learner) sees on « Mon profil
de compétences » her start and end self-diagnoses of « Avancer le soir, à son rythme »
as a chart (an image for assistive technologies) and as a table, takes a free
self-diagnosis (told what is missing when she sends it empty), reads its result, and
finds it in her profile; on the pathway page she says a module was « Utile » in one
click. No serious accessibility violation on any of these pages, nothing wider than a
360 px screen.

Independent of the other journeys: it reads the demo's cohort and Nadia's diagnoses (which
nobody else changes), never assumes her pathway is still finished (``test_07`` adds a
module to it), and writes only a free diagnosis and a feedback Nadia had already given.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from .flows import (
    DASHBOARD_URL,
    EVENING_TITLE,
    EVENING_URL,
    MASKED,
    PROFILE_URL,
    SUPPRESSED,
    answer_diagnosis,
    log_in_with_password,
    read_csv,
    text,
)
from .support import REPORT

pytestmark = pytest.mark.e2e

MANAGER = "marc@balise.test"
LEARNER = "nadia@balise.test"
SECTIONS = [
    "Parcours : de l'inscription à la fin",
    "Accompagnement",
    "Territoires atteints",
    "Effets sur les projets",
]
RURAL = "Commune rurale"
TERRITORIES_CAPTION = "Territoires atteints : personnes et rendez-vous par département"
TERRITORIES_HEADER = [
    "Département",
    "Personnes inscrites",
    "Demandes d’accompagnement",
    "Rendez-vous tenus",
]
SCORE = re.compile(r"^[1-5](,\d+)?$")  # a score out of 5, French decimal comma


def whole(figure: str) -> int:
    """« 1 234 » (grouped with a no-break space) as 1234."""
    return int(re.sub(r"[\s\u00a0\u202f]", "", figure))


def enrolled(page: Page) -> int:
    """The number of enrolments in the dashboard's summary paragraph."""
    headline = page.locator(".report-headline").inner_text()
    match = re.search(r"([\d\s\u00a0\u202f]+) inscriptions? à un parcours", headline)
    assert match, headline
    return whole(match.group(1))


def test_manager_filters_exports_and_prints_the_dashboard(journey):
    manager = journey("manager-dashboard")
    page = manager.page
    log_in_with_password(manager, MANAGER)
    # Nothing links to the dashboard yet (no menu entry): a manager types its address.
    page.goto(DASHBOARD_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord du programme")

    # The four sections, each reachable from the dashboard's own table of contents.
    contents = page.get_by_role("navigation", name="Sections du tableau de bord")
    for title in SECTIONS:
        expect(page.get_by_role("heading", level=2, name=text(title))).to_be_visible()
        expect(contents.get_by_role("link", name=text(title))).to_be_visible()
    expect(page.get_by_role("table", name=text(TERRITORIES_CAPTION))).to_be_visible()
    expect(page.get_by_role("img", name="Personnes inscrites par département")).to_be_visible()
    everyone = enrolled(page)
    assert everyone >= 72, everyone  # the demo's cohort, at least
    manager.look("tableau de bord")

    # A pathway and a kind of territory: fewer people, and the funnel of that pathway.
    filters = page.get_by_role("form", name="Filtrer les chiffres")
    filters.get_by_label("Parcours", exact=True).select_option(label=EVENING_TITLE)
    filters.get_by_label("Type de territoire").select_option(label=RURAL)
    filters.get_by_role("button", name="Appliquer").click()
    expect(page).to_have_url(re.compile(r"[?&]area_type=rural"))
    expect(filters.get_by_label("Type de territoire")).to_have_value("rural")
    funnel = page.get_by_role("table", name=text(f"Entonnoir du parcours « {EVENING_TITLE} »"))
    expect(funnel).to_be_visible()
    rural = enrolled(page)
    assert 0 < rural < everyone, (rural, everyone)
    filtered_url = page.url
    manager.look("tableau de bord filtré (parcours, rural)")

    # An inverted period: said plainly, both dates left out, the other filters kept.
    this_year = date.today().year
    filters.get_by_label("Du").fill(f"{this_year}-06-30")
    filters.get_by_label("Au").fill(f"{this_year}-01-01")
    filters.get_by_role("button", name="Appliquer").click()
    alert = page.get_by_role("alert").filter(has_text="Certains filtres sont invalides")
    expect(alert).to_contain_text(text("n'ont pas été appliqués : Du, Au"))
    expect(filters.get_by_text("La date de fin est avant la date de début.")).to_be_visible()
    assert enrolled(page) == rural  # the same figures: pathway and territory still apply
    manager.look("filtre invalide (période inversée)")

    # The CSV of the territories, for this selection.
    page.goto(filtered_url)
    territories = re.compile(r"Exporter en CSV\s*:\s*" + re.escape(TERRITORIES_CAPTION))
    with page.expect_download() as download_info:
        page.get_by_role("link", name=territories).click()
    download = download_info.value
    assert re.fullmatch(r"balise-territoires-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    raw, rows = read_csv(download)
    assert raw.startswith("\ufeff"), raw[:20]  # French Excel reads UTF-8 with its BOM
    assert rows[0] == TERRITORIES_HEADER, rows[0]
    assert len(rows) >= 3 and all(len(row) == len(TERRITORIES_HEADER) for row in rows), rows
    assert rows[-1][0] == "Tous les départements", rows[-1]
    counts = [cell for row in rows[1:] for cell in row[1:]]
    small = [cell for cell in counts if cell == SUPPRESSED]
    assert small, f"no small cell in this selection: {rows}"
    # No one to four people are ever named by a count; the rest are whole numbers.
    shown = [int(cell) for cell in counts if cell not in (SUPPRESSED, MASKED)]
    assert all(n == 0 or n >= 5 for n in shown), rows
    total = page.locator("#table-territoires tfoot td").first.inner_text()
    if rows[-1][1] != MASKED:
        assert rows[-1][1] == str(whole(total)), (rows[-1], total)  # the dashboard's own total
    REPORT.notes.append(
        f"dashboard export {download.suggested_filename}: {len(rows) - 2} département(s), "
        f"{len(small)} of {len(counts)} counts shown as « {SUPPRESSED} »"
    )

    # The print page of the same selection: no navigation, small cells suppressed.
    page.get_by_role("link", name="Version imprimable").click()
    expect(page).to_have_url(re.compile(r"/rapports/imprimer/\?.*area_type=rural"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Balise : rapport du programme")
    selection = page.locator(".report-selection")
    expect(selection).to_contain_text(f"Parcours détaillé : {EVENING_TITLE}")
    expect(selection).to_contain_text(f"Type de territoire : {RURAL}")
    for title in SECTIONS:
        expect(page.get_by_role("heading", level=2, name=text(title))).to_be_visible()
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.locator("#table-territoires").get_by_text(SUPPRESSED).first).to_be_visible()
    manager.look("version imprimable")

    manager.assert_accessible()


def test_learner_profile_diagnosis_and_module_feedback(journey):
    learner = journey("learner-outcomes")
    page = learner.page
    log_in_with_password(learner, LEARNER)
    page.goto("/apprendre/")
    page.get_by_role("link", name="Mon profil de compétences").click()
    expect(page).to_have_url(re.compile(re.escape(PROFILE_URL) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil de compétences")

    # Start and end of « Avancer le soir »: a chart for the eyes, a table for everyone.
    comparison = page.get_by_role(
        "region", name=text(f"Début et fin du parcours « {EVENING_TITLE} »")
    )
    chart = comparison.locator("svg[role=img]")
    expect(chart).to_have_count(1)
    # Named by its title and its description (both in aria-labelledby): the description
    # points to the table.
    expect(chart).to_have_accessible_name(
        re.compile(
            r"au début \(barres hachurées\) et à la fin.*les mêmes chiffres sont dans le tableau"
        )
    )
    table = comparison.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Compétence", "Début", "Fin", "Évolution"]
    )
    rows = table.locator("tbody tr")
    assert rows.count() >= 10, rows.count()
    for index in range(rows.count()):
        start, end, change = rows.nth(index).get_by_role("cell").all_inner_texts()
        assert SCORE.match(start) and SCORE.match(end), (start, end)
        assert re.fullmatch(r"[+−-]?\d(,\d+)?|=", change), change
    learner.look("profil de compétences")  # 360x640 (fits) and 1280x800

    # A free self-diagnosis: every statement answered, scores 2 to 4.
    page.get_by_role("link", name="Refaire mon autodiagnostic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon autodiagnostic")
    learner.look("autodiagnostic libre")
    # Sent without an answer: a summary of what is missing, each linked to its statement.
    page.get_by_role("button", name="Enregistrer mon autodiagnostic").click()
    summary = page.get_by_role("alert").filter(has_text="à compléter ou corriger")
    expect(summary).to_be_visible()
    missing = summary.get_by_role("link")
    learner.axe("autodiagnostic incomplet")
    answered = answer_diagnosis(page, lambda index: 2 + index % 3)
    assert answered >= 15 and missing.count() == answered, (answered, missing.count())
    page.get_by_role("button", name="Enregistrer mon autodiagnostic").click()
    expect(page).to_have_url(re.compile(r"/apprendre/autodiagnostic/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultat de mon autodiagnostic")
    expect(page.locator(".messages")).to_contain_text("votre autodiagnostic est enregistré")
    expect(page.get_by_role("img", name="Mes scores, de 1 à 5, par compétence")).to_be_visible()
    scores = page.get_by_role("table", name="Mes scores, de 1 à 5, par compétence")
    values = scores.locator("td.score-table__num").all_inner_texts()
    assert len(values) == 15 and all(SCORE.match(v) for v in values), values
    expect(page.get_by_role("heading", name="Un accompagnement pour avancer")).to_have_count(0)
    learner.look("résultat de l'autodiagnostic")

    # The profile lists it, and still compares the start and end of the pathway.
    page.get_by_role("link", name="Voir mon profil de compétences").click()
    history = page.get_by_role("region", name="Mes autodiagnostics")
    expect(history.get_by_role("link").first).to_contain_text("Libre")
    title = text(f"Début et fin du parcours « {EVENING_TITLE} »")
    expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()

    # « Utile » in one click on a module she finished (htmx swaps in the thanks).
    page.goto(EVENING_URL)
    expect(page.get_by_role("heading", level=1, name=EVENING_TITLE)).to_be_visible()
    question = page.get_by_role("group", name="Ce module vous a-t-il été utile ?")
    expect(question.first).to_be_visible()
    box = page.locator(".feedback", has=question).first
    box_id = box.get_attribute("id")
    box.get_by_role("button", name=re.compile(r"^Utile")).click()
    box = page.locator(f"#{box_id}")  # swapped in place
    expect(box.get_by_role("status")).to_have_text("Merci pour votre avis !")
    expect(box.get_by_role("button", name=re.compile(r"^Utile"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(".messages")).to_have_count(0)  # no page load: htmx did it
    learner.look("parcours, avis sur un module")

    learner.assert_accessible()
