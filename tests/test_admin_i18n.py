"""The admin screens speak French: a new editor walks Wagtail's admin, the technical
administrator Django's, and no English word or second unit convention shows up.

Third-party apps whose French catalog has gaps or mistakes (Wagtail, wagtailmedia,
django-celery-beat, allauth, Django's file sizes) are corrected by the catalog of
``lms/locale_overrides/fr``; what has no message id at all (the admin login's password
label, wagtailmedia's dashboard summary) by a form or a template of ours.
"""

import gettext
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.documents import get_document_model
from wagtailmedia.models import get_media_model

from lms.accounts.roles import Role
from tests.factories.accounts import UserFactory
from tests.factories.pathways import build_pathway, library, modules_of

pytestmark = pytest.mark.django_db

# Visible texts that are English (or a second unit convention) in the French admin.
ENGLISH_TEXTS = {"Password", "Any", "Root", "Search", "Media files", "Media file"}
ENGLISH_PARTS = ("media item", "created in", "Periodic", "Périodique", " Mio", " Kio", " Gio")


def visible_texts(body: str) -> set[str]:
    """The texts between tags and the labels read aloud (aria-label, title, placeholder)."""
    body = re.sub(r"(?s)<(script|style|template)\b.*?</\1>", " ", body)
    texts = re.findall(r">([^<>]+)<", body)
    texts += re.findall(r'(?:aria-label|title|placeholder)="([^"]+)"', body)
    return {" ".join(html.unescape(text).split()) for text in texts} - {""}


def english_in(body: str) -> list[str]:
    return sorted(
        text
        for text in visible_texts(body)
        if text in ENGLISH_TEXTS or any(part in text for part in ENGLISH_PARTS)
    )


@pytest.fixture
def content():
    pathway = build_pathway(["m:2", "p:offered", "m:1"], title="Financer son projet")
    get_document_model().objects.create(
        title="Fiche atelier", file=ContentFile(b"%PDF-1.4\n", name="fiche.pdf")
    )
    get_media_model().objects.create(
        title="Épisode 1", type="audio", duration=60, file=ContentFile(b"ID3", name="e1.mp3")
    )
    return pathway


def test_a_new_editor_reads_the_wagtail_admin_in_french(client, content):
    login = client.get(reverse("wagtailadmin_login"))
    assert "Mot de passe" in visible_texts(login.content.decode())
    assert not english_in(login.content.decode())

    editor = Client()
    editor.force_login(UserFactory(role=Role.EDITOR))
    module = modules_of(content)[0]
    pages = {
        "dashboard": reverse("wagtailadmin_home"),
        "explorer": reverse("wagtailadmin_explore", args=[library().pk]),
        "module": reverse("wagtailadmin_pages:edit", args=[module.pk]),
        "pathway": reverse("wagtailadmin_pages:edit", args=[content.pk]),
        "new module": reverse(
            "wagtailadmin_pages:add", args=["pathways", "modulepage", library().pk]
        ),
        "documents": reverse("wagtaildocs:index"),
        "new document": reverse("wagtaildocs:add"),
        "documents upload": reverse("wagtaildocs:add_multiple"),
        "media": reverse("wagtailmedia:index"),
        "new audio": reverse("wagtailmedia:add", args=["audio"]),
        "images": reverse("wagtailimages:index"),
        "new image": reverse("wagtailimages:add"),
        "account": reverse("wagtailadmin_account"),
    }
    choosers = {
        "page chooser": reverse("wagtailadmin_choose_page"),
        "module chooser": reverse("wagtailadmin_choose_page_child", args=[library().pk])
        + "?page_type=pathways.modulepage",
        "document chooser": reverse("wagtaildocs_chooser:choose"),
        "media chooser": reverse("wagtailmedia:chooser"),
        "image chooser": reverse("wagtailimages_chooser:choose"),
    }
    found = {}
    for name, url in pages.items():
        response = editor.get(url)
        assert response.status_code == 200, name
        found[name] = english_in(response.content.decode())
    for name, url in choosers.items():
        response = editor.get(url)
        assert response.status_code == 200, name
        found[name] = english_in(response.json()["html"])
    assert {name: texts for name, texts in found.items() if texts} == {}

    dashboard = re.sub(r"<[^>]+>", " ", editor.get(pages["dashboard"]).content.decode())
    assert "1 média créé dans Balise" in " ".join(dashboard.split())


def test_the_technical_administrator_reads_the_django_admin_in_french(admin_client):
    body = admin_client.get(reverse("admin:index")).content.decode()
    sections = re.findall(r'<a href="/django-admin/[\w_]+/" class="section"[^>]*>([^<]+)</a>', body)

    assert "Tâches périodiques" in sections
    assert len(sections) == len(set(sections)), sections  # one « Comptes », not two
    assert "Comptes" in sections
    assert not english_in(body)
    beat = admin_client.get(reverse("admin:app_list", args=["django_celery_beat"]))
    texts = visible_texts(beat.content.decode())
    assert {"Intervalles", "Tâches périodiques", "Évènements solaires"} <= texts


def test_file_sizes_read_in_one_unit():
    from django.template.defaultfilters import filesizeformat

    with translation.override("fr"):
        assert filesizeformat(20 * 1024 * 1024) == "20,0\xa0Mo"
        assert filesizeformat(2048) == "2,0\xa0ko"
    with translation.override("en"):
        assert filesizeformat(20 * 1024 * 1024) == "20.0\xa0MB"


def test_the_compiled_overrides_match_their_catalog():
    """``lms/locale_overrides/fr``'s .mo is compiled from its .po (msgfmt), not stale."""
    folder = Path(settings.BASE_DIR) / "lms" / "locale_overrides" / "fr" / "LC_MESSAGES"
    entries = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', (folder / "django.po").read_text(), re.M)
    assert len(entries) >= 10
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    assert {msgid: catalog.gettext(msgid) for msgid, _ in entries} == dict(entries)
