"""Installable and offline (``lms.views``: manifest, service worker, offline page) and the
logout that clears what the browser kept (``ClearSiteDataOnLogoutMiddleware``)."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from tests.factories.accounts import coach, learner
from tests.factories.pathways import build_pathway

pytestmark = pytest.mark.django_db


def test_the_manifest_makes_balise_installable_in_french(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Balise"
    assert manifest["lang"] == "fr"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == reverse("pathways:dashboard")
    assert "économie sociale et solidaire" in manifest["description"]
    sizes = set()
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    page = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page


def test_the_service_worker_is_served_from_the_root_and_never_cached(client):
    build_pathway(["m:1"])  # the pathways' index and the module library exist
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    script = response.content.decode()
    config = json.loads(re.search(r"const CONFIG = (\{.*\});", script).group(1))
    assert config["offline"] == "/hors-connexion/"
    # Learner pages only: never the coaches', the reports, the admins or the account.
    assert config["pages"] == ["/apprendre/", "/documents/", "/parcours/", "/modules/"]
    assert "/apprendre/hors-connexion/envois/" in config["network_only"]
    assert "/apprendre/medias/" in config["network_only"]
    for prefix in ("/accompagnement/", "/rapports/", "/admin/", "/mon-compte/", "/comptes/"):
        assert not any(prefix.startswith(page) for page in config["pages"])
    assert "/static/balise/offline.js" in config["precache"]
    assert 'request.method !== "GET"' in script


def test_the_offline_page_says_what_needs_the_network(client):
    response = client.get("/hors-connexion/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cette page a besoin d’une connexion" in page
    assert "réserver un rendez-vous" in page


def test_every_page_loads_the_offline_script_deferred(client):
    client.force_login(learner())
    page = client.get(reverse("pathways:dashboard")).content.decode()
    assert '<script src="/static/balise/offline.js" defer></script>' in page
    assert 'data-sync="/apprendre/hors-connexion/envois/"' in page
    assert "En attente d’envoi" in page


@pytest.mark.parametrize("make_user", [learner, coach])
def test_logging_out_clears_what_the_browser_kept(client, make_user):
    client.force_login(make_user())
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    # Other pages never clear anything.
    assert "Clear-Site-Data" not in client.get("/").headers
    client.force_login(learner())
    assert "Clear-Site-Data" not in client.get(reverse("pathways:dashboard")).headers


def test_each_page_names_its_reader_without_giving_the_account_away(client):
    """The service worker keeps one person's pages (``X-Balise-Reader``): two people get
    two keys, a visitor « - », and the key is not the account's id or e-mail."""
    firmin, gaelle = learner(user__email="firmin@example.org"), learner()
    assert client.get(reverse("structures"))["X-Balise-Reader"] == "-"
    keys = []
    for person in (firmin, gaelle, firmin):
        client.force_login(person)
        keys.append(client.get(reverse("pathways:dashboard"))["X-Balise-Reader"])
    assert keys[0] == keys[2] != keys[1]
    # A digest: a small id's digits can occur in it by chance, so the id is compared whole.
    assert keys[0] != str(firmin.pk) and "firmin" not in keys[0] and len(keys[0]) == 20
    assert "X-Balise-Reader" not in client.get(reverse("web_manifest"))  # not a page


def test_the_service_worker_forgets_the_pages_of_another_reader(client):
    script = client.get("/sw.js").content.decode()
    assert 'response.headers.get("X-Balise-Reader")' in script
    assert "caches.delete" in script and '"balise-pages-"' in script
