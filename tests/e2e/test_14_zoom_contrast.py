"""Contrast, reflow and zoom on learner and coach pages (issue 19, RGAA 3.2, 10.4, 10.11).

Proves that on the pages a learner and a coach use most (a step of each type, the pathway,
« Mes parcours », « Mon accompagnement », the glossary, the accessibility statement, the
coach's requests and agenda):

- axe-core's ``color-contrast`` rule finds no violation at all (not only serious ones);
- at 320 CSS pixels wide (what a 1280 px screen shows at 400 % zoom: WCAG's reflow) and at
  640 CSS pixels wide (200 % zoom), the page does not scroll sideways and no element is
  cut off: nothing sticks out of the viewport unless it sits in a box that scrolls on its
  own (a wide table), and no box hides part of its content.
"""

import re

import pytest
from playwright.sync_api import expect

from .flows import (
    FIRST_STEPS,
    log_in_with_password,
    onboard,
    sign_up,
    start_emergence,
    unique_email,
)
from .support import AXE_JS, AXE_SOURCE

pytestmark = pytest.mark.e2e

COACH = "julien@balise.test"
REFLOW = {"width": 320, "height": 640}  # 1280 px at 400 %
ZOOM_200 = {"width": 640, "height": 400}  # 1280 x 800 at 200 %

CONTRAST = """async () => {
    const results = await axe.run(document, {
        runOnly: {type: "rule", values: ["color-contrast"]}, resultTypes: ["violations"]});
    return results.violations.flatMap(v => v.nodes.map(n =>
        `${n.target.join(" ")}: ${(n.any[0] || {}).message || v.help}`));
}"""

# Horizontal scrolling, then what sticks out of the viewport (outside a box that scrolls
# by itself) and boxes that cut their content (overflow hidden or clip, content wider).
OVERFLOW = """() => {
    const root = document.scrollingElement;
    const width = root.clientWidth;
    const visible = e => {
        const style = getComputedStyle(e);
        const box = e.getBoundingClientRect();
        return style.visibility !== "hidden" && style.display !== "none"
               && box.width > 1 && box.height > 1;
    };
    const scrollsByItself = e => {
        for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
            const x = getComputedStyle(p).overflowX;
            if (x === "auto" || x === "scroll") return true;
        }
        return false;
    };
    const label = e => `<${e.tagName.toLowerCase()} class="${e.className}"> `
                        + (e.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 50);
    const all = [...document.querySelectorAll("body *")].filter(visible);
    const outside = all.filter(e => e.getBoundingClientRect().right > width + 1
                                    && !scrollsByItself(e)).map(label);
    const clipped = all.filter(e => {
        const x = getComputedStyle(e).overflowX;
        return (x === "hidden" || x === "clip") && e.scrollWidth > e.clientWidth + 1;
    }).map(label);
    return {scroll: root.scrollWidth - width, outside: outside.slice(0, 5),
            clipped: clipped.slice(0, 5)};
}"""


def check_page(page, label: str, problems: list[str]) -> None:
    """Contrast, then reflow and 200 % zoom, on the page as it is."""
    original = page.viewport_size
    page.wait_for_load_state("load")
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(f"{AXE_SOURCE}\n;void 0")
    problems += [f"{label}: contrast: {issue}" for issue in page.evaluate(CONTRAST)]
    for size, name in ((REFLOW, "320 px"), (ZOOM_200, "zoom 200 %")):
        page.set_viewport_size(size)
        page.wait_for_timeout(50)  # one layout
        found = page.evaluate(OVERFLOW)
        if found["scroll"] > 1:
            problems.append(f"{label} at {name}: scrolls sideways by {found['scroll']} px")
        problems += [f"{label} at {name}: outside the screen: {e}" for e in found["outside"]]
        problems += [f"{label} at {name}: content cut off: {e}" for e in found["clipped"]]
    page.set_viewport_size(original)


def test_learner_pages_keep_contrast_and_reflow(journey):
    assert AXE_SOURCE, f"{AXE_JS} is missing: run `npm ci`"
    person = journey("zoom-learner")
    page = person.page
    problems: list[str] = []
    sign_up(person, unique_email("zoe"))
    onboard(person)
    start_emergence(person)

    # A step of each of the five types, following « Étape suivante ».
    kinds = set()
    for title in FIRST_STEPS:
        kind = page.locator("article.step > p.meta").first.inner_text().split("·")[-1].strip()
        if kind not in kinds:
            kinds.add(kind)
            check_page(page, f"étape « {title} » ({kind})", problems)
        if title != FIRST_STEPS[-1]:
            page.locator("a[rel=next]").click()
    assert kinds >= {"Fiche atelier", "Exercice guidé", "Vidéo", "Témoignage", "Podcast"}

    for url, label in (
        ("/parcours/faire-emerger-son-projet-ess/", "page du parcours"),
        ("/apprendre/", "mes parcours"),
        ("/accompagnement/", "mon accompagnement"),
        ("/glossaire/", "glossaire"),
        ("/accessibilite/", "déclaration d'accessibilité"),
    ):
        page.goto(url)
        check_page(page, label, problems)
    assert not problems, "\n".join(problems)


def test_coach_pages_keep_contrast_and_reflow(journey):
    assert AXE_SOURCE, f"{AXE_JS} is missing: run `npm ci`"
    person = journey("zoom-coach")
    page = person.page
    problems: list[str] = []
    log_in_with_password(person, COACH)
    for url, label in (
        ("/accompagnement/file/", "demandes"),
        ("/accompagnement/agenda/", "agenda"),
        ("/notifications/", "notifications"),
    ):
        page.goto(url)
        check_page(page, label, problems)
    # A request's file, the page a coach reads before calling.
    page.goto("/accompagnement/file/")
    page.locator("main a[href*='/accompagnement/demandes/']").first.click()
    expect(page).to_have_url(re.compile(r"/accompagnement/demandes/\d+/$"))
    check_page(page, "dossier d'une demande", problems)
    assert not problems, "\n".join(problems)
