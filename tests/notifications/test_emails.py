"""Rendering of the e-mails: escaping, plain text, the shared layout."""

import pytest
from django.conf import settings

from lms.notifications.emails import ics_mimetype, render_notification, tidy_text
from tests.factories.accounts import UserFactory

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
