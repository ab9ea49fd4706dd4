"""Every SMS text is short (one SMS: 160 GSM-7 characters with a usual link), plain, and
reads in its reader's language."""

from pathlib import Path

import pytest
from django.conf import settings

from lms.notifications import sms
from lms.notifications.emails import render_sms
from tests.notifications.test_kinds import scene

pytestmark = pytest.mark.django_db

KINDS = sorted(
    p.parent.name
    for p in (Path(settings.BASE_DIR) / "templates" / "notifications").glob("*/sms.txt")
)
A_USUAL_LINK = "https://visio.balise-ess.fr/rdv/8f3k2m"


def realistic(language: str, modality: str, day: str) -> dict:
    context = scene(language)
    session = context["session"]
    session.modality = modality
    session.location = {
        "video": A_USUAL_LINK,
        "phone": "06 12 34 56 78",
        "in_person": "12 rue de la République, Lyon",
    }[modality]
    context["group"].modality = {"video": "remote", "phone": "remote"}.get(modality, modality)
    context.update(day=day, url="https://balise-ess.fr/accompagnement/")
    return context


def test_the_session_kinds_have_an_sms():
    assert {"session_reminder", "session_proposed", "session_cancelled"} <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("modality", ["video", "phone", "in_person"])
@pytest.mark.parametrize("day", ["today", "tomorrow", "later"])
def test_each_sms_fits_one_message_in_both_languages(kind, modality, day):
    french = render_sms(kind, realistic("fr", modality, day))
    english = render_sms(kind, realistic("en", modality, day))
    for text in (french, english):
        assert text and "\n" not in text
        assert sms.is_gsm7(text), text
        assert sms.septets(text) <= sms.SMS_SINGLE_LENGTH, (len(text), text)
    assert french != english
    assert french.startswith("Balise : ") and english.startswith("Balise: ")


def test_the_reminder_says_when_how_and_where():
    text = render_sms("session_reminder", realistic("fr", "video", "tomorrow"))
    assert text == (
        f"Balise : RDV demain mardi 12 janvier à 18:30 avec Julien, en visio : {A_USUAL_LINK}"
    )
    english = render_sms("session_reminder", realistic("en", "in_person", "tomorrow"))
    assert english == (
        "Balise: appointment tomorrow Tuesday 12 January at 18:30 with Julien, "
        "at 12 rue de la République, Lyon"
    )
