"""French first, English available: the language selector, and the English catalog.

The catalog checks read ``lms/locale/en/LC_MESSAGES/django.po`` with a tiny parser and
the compiled ``django.mo`` with the standard library, so they need neither polib nor
gettext tools (the check against a fresh ``msgfmt`` build is skipped without it).
"""

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

CATALOG_DIR = Path(settings.BASE_DIR) / "lms" / "locale" / "en" / "LC_MESSAGES"
PO_PATH = CATALOG_DIR / "django.po"
MO_PATH = CATALOG_DIR / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


# --- Language selection ------------------------------------------------------------------


def choose_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_home_page_is_french_even_when_the_browser_asks_for_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Comment ça marche ?" in html
    assert "Se connecter" in html
    assert "How does it work?" not in html


def test_login_page_is_french_by_default(client):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="fr">' in html
    assert "Recevoir un code de connexion" in html


def test_choosing_english_translates_the_home_page(client):
    choose_english(client)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "How does it work?" in html
    assert "You choose a pathway" in html
    assert "Create an account" in html
    assert "Skip to content" in html
    assert "Comment ça marche ?" not in html
    assert "Se connecter" not in html


def test_choosing_english_translates_the_login_page(client):
    choose_english(client)

    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Get a sign-in code" in html
    assert "Sign in with my password" in html
    assert "Recevoir un code de connexion" not in html


def test_choosing_french_again_brings_french_back(client):
    choose_english(client)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    html = client.get("/").content.decode()

    assert '<html lang="fr">' in html
    assert "Comment ça marche ?" in html


def test_an_unknown_language_cookie_falls_back_to_french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de,en").content.decode()

    assert '<html lang="fr">' in html
    assert "Comment ça marche ?" in html


# --- The English catalog -----------------------------------------------------------------


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (header included, with msgid ""); enough for Django's files."""
    entries: list[Entry] = []
    entry, target = Entry(), None
    started = False

    def flush():
        nonlocal entry, started
        if started:
            entries.append(entry)
        entry, started = Entry(), False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            target = None
        elif line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            if started:
                flush()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            if started:
                flush()
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += value
            elif kind == "msgctxt":
                entry.msgctxt += value
            elif kind == "msgid_plural":
                entry.msgid_plural += value
            else:
                entry.msgid += value
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword == "msgid":
                if started and target != ("msgctxt", 0):
                    flush()
                started = True
                entry.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = value, ("msgid_plural", 0)
            elif keyword == "msgstr":
                entry.msgstr[0], target = value, ("msgstr", 0)
            elif match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
                index = int(match.group(1))
                entry.msgstr[index], target = value, ("msgstr", index)
            elif keyword == "msgctxt":
                if started:
                    flush()
                started = True
                entry.msgctxt, target = value, ("msgctxt", 0)
            else:
                raise AssertionError(f"Unexpected .po line: {raw!r}")
    flush()
    return entries


@pytest.fixture(scope="module")
def po_text():
    return PO_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def po_entries(po_text):
    entries = [entry for entry in parse_po(po_text) if not entry.obsolete]
    header, *messages = entries
    assert header.msgid == "", "the first entry should be the header"
    assert "Language: en" in header.msgstr[0]
    return messages


@pytest.fixture(scope="module")
def mo_catalog():
    with MO_PATH.open("rb") as mo_file:
        return gettext.GNUTranslations(mo_file)


def test_po_parser_reads_every_entry(po_text, po_entries):
    assert len(po_entries) == len(re.findall(r"^msgid ", po_text, re.MULTILINE)) - 1
    assert len(po_entries) > 500


def test_po_has_no_fuzzy_and_no_untranslated_entry(po_text, po_entries):
    assert "#, fuzzy" not in po_text
    assert not re.search(r"^#,.*\bfuzzy\b", po_text, re.MULTILINE)
    # The only empty msgstr "" is the header's (followed by its continuation lines).
    empty = re.findall(r'^msgstr(?:\[\d+\])? ""\n(?!")', po_text, re.MULTILINE)
    assert empty == []
    for entry in po_entries:
        expected_forms = 2 if entry.msgid_plural else 1
        assert len(entry.msgstr) == expected_forms, entry.msgid
        assert all(text.strip() for text in entry.msgstr.values()), entry.msgid


def test_po_has_no_obsolete_entry(po_text):
    assert "#~" not in po_text


def test_translations_keep_placeholders_and_html(po_entries):
    for entry in po_entries:
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        for index, text in entry.msgstr.items():
            source = sources[min(index, len(sources) - 1)]
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (
                entry.msgid
            )
            assert sorted(re.findall(r"</?\w+", text)) == sorted(re.findall(r"</?\w+", source)), (
                entry.msgid
            )
            assert text.endswith("\n") == source.endswith("\n"), entry.msgid


def test_translations_use_english_punctuation(po_entries):
    for entry in po_entries:
        for text in entry.msgstr.values():
            assert not re.search(r"[«»’\u00a0\u202f]| [:;?!]", text), (entry.msgid, text)


def test_translations_are_mostly_different_from_the_french(po_entries):
    same = [entry.msgid for entry in po_entries if entry.msgstr[0] == entry.msgid]
    # Words that are spelled the same in both languages ("Date", "Podcast", "Module"…).
    assert len(same) <= len(po_entries) // 20, same


def test_sample_of_msgids_is_translated_by_the_compiled_catalog(po_entries, mo_catalog):
    sample = [e for e in po_entries if e.msgid_plural is None and e.msgctxt is None][::7]
    assert len(sample) > 50
    for entry in sample:
        if entry.msgstr[0] != entry.msgid:
            assert mo_catalog.gettext(entry.msgid) != entry.msgid, entry.msgid


def test_compiled_catalog_matches_the_po_file(po_entries, mo_catalog):
    """The committed .mo is not stale: every entry of the .po compiles to the same text."""
    for entry in po_entries:
        if entry.msgctxt is not None:
            assert mo_catalog.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0]
        elif entry.msgid_plural is None:
            assert mo_catalog.gettext(entry.msgid) == entry.msgstr[0], entry.msgid
        else:
            one = mo_catalog.ngettext(entry.msgid, entry.msgid_plural, 1)
            many = mo_catalog.ngettext(entry.msgid, entry.msgid_plural, 2)
            assert (one, many) == (entry.msgstr[0], entry.msgstr[1]), entry.msgid
    # …and it holds nothing more (the empty key is the header).
    assert len(mo_catalog._catalog) - 1 == sum(len(entry.msgstr) for entry in po_entries)


MSGFMT = shutil.which("msgfmt")


@pytest.mark.skipif(MSGFMT is None, reason="msgfmt (gettext) is not installed")
def test_compiled_catalog_equals_a_fresh_msgfmt_build(tmp_path, mo_catalog):
    fresh_path = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603 - fixed executable and arguments
        [MSGFMT, "--check-format", "-o", str(fresh_path), str(PO_PATH)],
        check=True,
        capture_output=True,
    )
    with fresh_path.open("rb") as fresh_file:
        fresh = gettext.GNUTranslations(fresh_file)

    assert fresh._catalog == mo_catalog._catalog


def test_django_uses_the_project_catalog():
    with translation.override("en"):
        assert translation.gettext("Se connecter") == "Sign in"
        assert translation.gettext("Mes parcours") == "My pathways"
        assert translation.ngettext("%(n)s étape", "%(n)s étapes", 3) == "%(n)s steps"
    with translation.override("fr"):
        assert translation.gettext("Se connecter") == "Se connecter"
