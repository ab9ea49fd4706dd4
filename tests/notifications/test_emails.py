"""Rendering of the e-mails: escaping, plain text, the shared layout."""

import pytest
from django.conf import settings

from lms.accounts.models import Structure
from lms.notifications.emails import (
    contrast_ratio,
    ics_mimetype,
    render_notification,
    structure_identity,
    tidy_text,
)
from tests.factories.accounts import StructureFactory, UserFactory, logo

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & Cie'


def render(recipient, message, url=""):
    rendered = render_notification(
        "test_message",
        {
            "message": message,
            "recipient": recipient,
            "site_url": settings.SITE_URL,
            "url": url,
            "subject": "Objet",
        },
    )
    return rendered.text, rendered.html


def test_html_escapes_hostile_values_and_text_keeps_them_verbatim():
    recipient = UserFactory(first_name="<b>Eve</b>")
    text, html = render(recipient, HOSTILE)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie" in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html
    assert HOSTILE in text  # text/plain: escaping would show "&lt;" to the reader
    assert "Bonjour <b>Eve</b>," in text


def test_layout_is_french_accessible_and_signed(person):
    text, html = render(person, "Premier paragraphe.\n\nSecond paragraphe.", url="/x/")

    assert html.startswith("<!doctype html>")
    assert '<html lang="fr">' in html
    assert 'role="presentation"' in html
    assert "<p>Premier paragraphe.</p>" in html
    assert "<p>Second paragraphe.</p>" in html
    assert "L'équipe Balise" in html
    assert f'<a href="{settings.SITE_URL}"' in html
    assert "Ouvrir dans Balise" in html
    assert text == (
        "Bonjour Camille,\n\nPremier paragraphe.\n\nSecond paragraphe.\n\n"
        "Ouvrir dans Balise : /x/\n\nL'équipe Balise\n" + settings.SITE_URL + "\n"
    )


def test_without_a_link_there_is_no_button(person):
    text, html = render(person, "Message.")
    assert "Ouvrir dans Balise" not in html
    assert "Ouvrir dans Balise" not in text


@pytest.mark.parametrize("name", ["../base", "generic.txt", "", "Generic"])
def test_kinds_are_bare_names(name):
    with pytest.raises(ValueError):
        render_notification(name, {})


def test_the_attached_calendar_says_its_method():
    assert ics_mimetype("BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\n") == "text/calendar; method=CANCEL"
    assert ics_mimetype("BEGIN:VCALENDAR\nMETHOD:REQUEST\n") == "text/calendar; method=REQUEST"


def test_tidy_text_keeps_one_blank_line_between_paragraphs():
    assert tidy_text("\n  a  \n\n\n\n b\n   \n\nc\n\n") == "a\n\n b\n\nc\n"


# --- The structure a message comes from ------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#777777", "#ffffff", 4.48)],
)
def test_contrast_ratio_is_wcag_s(first, second, ratio):
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(second, first) == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize(
    ("colour", "accent"),
    [
        ("#1D4E89", "#1d4e89"),  # dark blue on white: 8.6 to 1
        ("#8a3b12", "#8a3b12"),
        ("#f5d000", ""),  # yellow on white cannot be read
        ("#777777", ""),  # just under 4.5 to 1
        ("", ""),
        ("red; background:url(x)", ""),  # never written into a style attribute
    ],
)
def test_a_structure_s_colour_is_an_accent_only_when_readable_on_white(colour, accent):
    structure = Structure(name="Fabrique", colour=colour)
    assert structure_identity(structure).accent == accent


def test_no_structure_no_identity():
    assert structure_identity(None) is None


def test_the_logo_is_a_small_rendition_at_an_absolute_stable_address(client):
    structure = StructureFactory(name="CAE Drôme-Ardèche", logo=logo(400, 100))
    identity = structure_identity(structure)

    assert identity.name == "CAE Drôme-Ardèche"
    assert identity.logo_url.startswith(f"{settings.SITE_URL}/images/")
    assert (identity.logo_width, identity.logo_height) == (160, 40)
    served = client.get(identity.logo_url.removeprefix(settings.SITE_URL))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    # A tampered address (another size, another image) is refused.
    assert client.get(identity.logo_url.replace("160x80", "2000x2000")).status_code == 403


def test_a_logo_that_cannot_be_rendered_leaves_the_name(caplog):
    image = logo()
    image.file.delete(save=False)  # lost from the storage
    identity = structure_identity(StructureFactory(name="Tiers-lieu", logo=image))
    assert (identity.name, identity.logo_url, identity.logo_width) == ("Tiers-lieu", "", 0)
    assert "No logo rendition" in caplog.text


def test_the_layout_shows_the_structure_s_name_and_logo(person):
    structure = StructureFactory(name="Incubateur & Cie", colour="#1d4e89", logo=logo(200, 200))
    identity = structure_identity(structure)
    rendered = render_notification(
        "test_message",
        {
            "message": "Message.",
            "recipient": person,
            "site_url": settings.SITE_URL,
            "url": "",
            "subject": "Objet",
            "from_structure": identity,
        },
    )
    img = f'<img src="{identity.logo_url}" width="80" height="80" alt="Incubateur &amp; Cie"'
    assert img in rendered.html
    assert "Votre structure d'accompagnement" in rendered.html
    assert "color:#1d4e89" in rendered.html
    assert rendered.text.endswith(
        "L'équipe Balise\nVotre structure d'accompagnement : Incubateur & Cie\n"
        f"{settings.SITE_URL}\n"
    )


def test_without_a_logo_the_layout_shows_the_name_only(person):
    identity = structure_identity(StructureFactory(name="Couveuse du Gard", colour="#f5d000"))
    rendered = render_notification(
        "test_message",
        {"message": "Message.", "recipient": person, "site_url": settings.SITE_URL,
         "url": "", "subject": "Objet", "from_structure": identity},
    )  # fmt: skip
    assert "Couveuse du Gard" in rendered.html and "<img" not in rendered.html
    assert "#f5d000" not in rendered.html
    assert "Votre structure d'accompagnement : Couveuse du Gard" in rendered.text


def test_without_a_structure_the_layout_is_unchanged(person):
    text, html = render(person, "Message.")
    assert "structure d'accompagnement" not in text + html
