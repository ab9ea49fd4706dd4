"""A step completed with the keyboard only (Tab, Enter), on a desktop screen.

Proves that the skip link is the first stop and works, that « J'ai terminé cette étape »
is reachable with Tab and opens the next step with Enter, and that the focused control
always shows a visible focus ring.
"""

import pytest
from playwright.sync_api import expect

from .flows import FIRST_STEPS, onboard, sign_up, start_emergence, step_heading, text, unique_email

pytestmark = pytest.mark.e2e

MAX_TABS = 80

FOCUSED = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const name = (element.innerText || element.value || element.getAttribute("aria-label")
                  || "").trim().replace(/\\s+/g, " ");
    return {tag: element.tagName.toLowerCase(), name,
            ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
                  || style.boxShadow !== "none"};
}"""


def tab_to(page, name: str) -> dict:
    """Press Tab until the control named ``name`` has the focus; every stop on the way
    must show a focus ring."""
    pattern = text(name)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["ring"], f"No visible focus on {focused}"
        if pattern.search(focused["name"]):
            return focused
    raise AssertionError(f"{name!r} not reached with {MAX_TABS} presses of Tab")


def test_one_step_with_the_keyboard_only(journey):
    person = journey("keyboard")
    page = person.page
    sign_up(person, unique_email("dominique"))
    onboard(person)
    start_emergence(person)
    page.reload()  # the keyboard journey starts from the top of the step page

    # The first Tab stop is the skip link; Enter moves into the content.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "contenu"

    focused = tab_to(page, "J'ai terminé cette étape")
    assert focused["tag"] == "button"
    person.shot("focus sur « j'ai terminé cette étape »")
    page.keyboard.press("Enter")
    # Done in one key press: the next step opens, as without JavaScript.
    expect(step_heading(page)).to_have_text(text(FIRST_STEPS[1]))
    expect(page.get_by_text("Étape terminée, bravo !")).to_be_visible()
