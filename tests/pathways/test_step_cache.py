"""The content part of a step page is rendered once and cached, keyed by the step's content
and the language; media are linked through a stable address, never an expiring file URL."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.blocks import StructBlock
from wagtailmedia.models import Media

from pathways import actions
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, modules_of, sheet
from tests.factories.pathways import module as make_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = learner()
    client.force_login(user)
    return user


def step_url(pathway, module, step_id):
    return reverse("pathways:step", args=[pathway.pk, module.pk, step_id])


def test_a_step_renders_its_content_once_then_from_the_cache(client, reader, monkeypatch):
    pathway = build_pathway([make_module(steps=[sheet("Fiche", "<p>Le besoin social.</p>")])])
    module = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    renders = []
    original = StructBlock.render

    def render(self, value, context=None):
        renders.append(value)
        return original(self, value, context)

    monkeypatch.setattr(StructBlock, "render", render)
    url = step_url(pathway, module, module.step_ids[0])
    first = client.get(url).content.decode()
    second = client.get(url).content.decode()
    assert "Le besoin social." in first and "Le besoin social." in second
    assert len(renders) == 1, "the second visit reuses the cached content"


def test_an_edited_step_shows_its_new_content_at_once(client, reader):
    pathway = build_pathway([make_module(steps=[sheet("Fiche", "<p>Ancienne version.</p>")])])
    module = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    url = step_url(pathway, module, module.step_ids[0])
    assert "Ancienne version." in client.get(url).content.decode()

    raw = [dict(item) for item in module.steps.raw_data]
    raw[0]["value"] = {**raw[0]["value"], "body": "<p>Nouvelle version.</p>"}
    module.steps = raw
    module.save_revision().publish()
    body = client.get(url).content.decode()
    assert "Nouvelle version." in body and "Ancienne version." not in body


def test_each_language_has_its_own_cached_content(client, reader):
    pathway = build_pathway([make_module(steps=[sheet("Fiche")])])
    module = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    url = step_url(pathway, module, module.step_ids[0])
    assert "Contenu de la fiche." in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    assert client.get(url).status_code == 200
    assert "Étape 1 sur 1" not in client.get(url).content.decode()


def step_list(body: str) -> str:
    return body[body.index('<aside class="step-list"') : body.rindex("</aside>")]


def test_the_step_list_is_rendered_once_per_state(client, reader, monkeypatch):
    from pathways import views

    pathway = build_pathway([make_module(steps=[sheet("Fiche A"), sheet("Fiche B")])])
    module = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    built = []
    original = views._step_url

    def step_url_counted(*args):
        built.append(args)
        return original(*args)

    monkeypatch.setattr(views, "_step_url", step_url_counted)
    url = step_url(pathway, module, module.step_ids[0])
    first, second = client.get(url).content.decode(), client.get(url).content.decode()
    assert step_list(first) == step_list(second)
    assert "Fiche A" in step_list(first) and "Fiche B" in step_list(first)
    # Two links for the pager of each visit, the list's two links only once.
    assert len(built) == 2 + 2 * 1


def test_the_step_list_follows_the_step_the_steps_done_and_the_titles(client, reader):
    pathway = build_pathway([make_module(steps=[sheet("Fiche A"), sheet("Fiche B")])])
    module = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    first, second = module.step_ids
    here = step_list(client.get(step_url(pathway, module, first)).content.decode())
    assert here.index('aria-current="step"') < here.index("Fiche A") < here.index("Fiche B")
    assert "badge--done" not in here and 'max="100" value="0"' in here

    there = step_list(client.get(step_url(pathway, module, second)).content.decode())
    assert there.index("Fiche A") < there.index('aria-current="step"') < there.index("Fiche B")

    actions.complete_step(reader, module, first)
    there = step_list(client.get(step_url(pathway, module, second)).content.decode())
    assert there.count("badge--done") == 1 and 'max="100" value="50"' in there

    # Another learner at the same step and progress, with the other step done.
    other = learner()
    actions.enroll(other, pathway)
    actions.complete_step(other, module, second)
    client.force_login(other)
    theirs = step_list(client.get(step_url(pathway, module, second)).content.decode())
    assert 'max="100" value="50"' in theirs
    assert theirs.index("Fiche B") < theirs.index("badge--done")
    client.force_login(reader)

    raw = [dict(item) for item in module.steps.raw_data]
    raw[1]["value"] = {**raw[1]["value"], "title": "Fiche B, revue"}
    module.steps = raw
    module.save_revision().publish()
    there = step_list(client.get(step_url(pathway, module, second)).content.decode())
    assert "Fiche B, revue" in there and there.count("badge--done") == 1

    client.cookies["django_language"] = "en"
    there = step_list(client.get(step_url(pathway, module, second)).content.decode())
    assert "terminée" not in there and "Fiche B, revue" in there


def test_media_are_linked_through_a_stable_address(client, reader):
    audio = Media.objects.create(
        title="Épisode", type="audio", duration=60, file=ContentFile(b"ID3", name="ep.mp3")
    )
    podcast = ("podcast", {"title": "Écouter", "audio": audio, "summary": "", "chapters": [],
                           "transcript": "<p>Texte.</p>"})  # fmt: skip
    pathway = build_pathway([make_module(steps=[podcast])])
    module = modules_of(pathway)[0]
    actions.enroll(reader, pathway)
    body = client.get(step_url(pathway, module, module.step_ids[0])).content.decode()
    stable = reverse("pathways:media_file", args=[audio.pk])
    assert f'src="{stable}"' in body and audio.file.url not in body
    response = client.get(stable)
    assert response.status_code == 302 and response["Location"] == audio.file.url
    client.logout()
    assert client.get(stable)["Location"].startswith(reverse("account_login"))
