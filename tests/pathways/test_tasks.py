"""Content's periodic tasks: a module scheduled by an editor goes live when beat runs the
task; a first save that failed or was abandoned is deleted after a day, never a page in use."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from wagtail.models import Page, PageLogEntry, Workflow

from lms.accounts.roles import Role
from pathways.models import ModulePage, ProvisionalPage
from pathways.tasks import delete_abandoned_pages_task, publish_scheduled_task
from pathways.workflow import WORKFLOW_NAME, ensure_content_workflow
from tests.factories.accounts import UserFactory
from tests.factories.pathways import library, module, pathway_index
from tests.pathways.test_admin import AUTOSAVE, add_url, edit_url, module_form, step_workshop_sheet

pytestmark = pytest.mark.django_db


def test_scheduled_module_goes_live_when_due():
    page = module(1, live=False)
    page.go_live_at = timezone.now() + timedelta(seconds=1)
    page.save_revision().publish()
    publish_scheduled_task()
    assert not ModulePage.objects.get(pk=page.pk).live  # not due yet
    time.sleep(1.1)
    publish_scheduled_task()
    assert ModulePage.objects.get(pk=page.pk).live


# --- First saves that failed or were abandoned -----------------------------------------------


def autosaved(client, title, slug) -> ModulePage:
    """What Wagtail's autosave of the « add » form creates before any explicit save."""
    data = module_form([step_workshop_sheet()], title=title, slug=slug)
    response = client.post(add_url(library()), data, headers=AUTOSAVE)
    assert response.status_code == 200 and response.json()["success"] is True
    return ModulePage.objects.get(slug=slug)


def untouched_for(page, hours) -> None:
    """As if the page had been created, and last autosaved, ``hours`` ago."""
    then = timezone.now() - timedelta(hours=hours)
    ProvisionalPage.objects.filter(page_id=page.pk).update(created_at=then)
    Page.objects.filter(pk=page.pk).update(latest_revision_created_at=then)


@pytest.fixture
def editor_client():
    ensure_content_workflow()
    pathway_index()
    client = Client()
    client.force_login(UserFactory(role=Role.EDITOR))
    return client


def test_an_abandoned_first_save_is_deleted_after_a_day(editor_client):
    abandoned = autosaved(editor_client, "Module abandonné", "module-abandonne")
    recent = autosaved(editor_client, "Module en cours", "module-en-cours")
    untouched_for(abandoned, 25)
    untouched_for(recent, 23)

    assert delete_abandoned_pages_task() == 1

    assert not Page.objects.filter(pk=abandoned.pk).exists()
    assert not ProvisionalPage.objects.filter(page_id=abandoned.pk).exists()
    assert Page.objects.filter(pk=recent.pk).exists()
    # Wagtail's own deletion, in the page's history.
    assert PageLogEntry.objects.filter(page_id=abandoned.pk, action="wagtail.delete").exists()
    assert delete_abandoned_pages_task() == 0  # idempotent


def test_pages_in_use_are_never_deleted(editor_client):
    # Created long ago, but autosaved an hour ago: still being written.
    autosaving = autosaved(editor_client, "Module repris", "module-repris")
    untouched_for(autosaving, 48)
    Page.objects.filter(pk=autosaving.pk).update(
        latest_revision_created_at=timezone.now() - timedelta(hours=1)
    )
    # Saved by its editor: no longer provisional.
    saved = autosaved(editor_client, "Module enregistré", "module-enregistre")
    data = module_form([step_workshop_sheet()], title="Module enregistré", slug="module-enregistre")
    assert editor_client.post(edit_url(saved), data).status_code == 302
    untouched_for(saved, 48)
    # Published some other way (a script, the network's manager): it has a live revision.
    published = autosaved(editor_client, "Module publié", "module-publie")
    published.save_revision().publish()
    untouched_for(published, 48)
    # Awaiting review (submitted without confirming, e.g. by a script).
    moderated = autosaved(editor_client, "Module soumis", "module-soumis")
    revision = moderated.save_revision()
    Workflow.objects.get(name=WORKFLOW_NAME).start(moderated, revision.user or UserFactory())
    untouched_for(moderated, 48)
    # An old draft that was never provisional.
    draft = module(1, title="Vieux brouillon", live=False)
    Page.objects.filter(pk=draft.pk).update(
        latest_revision_created_at=timezone.now() - timedelta(days=30)
    )

    assert delete_abandoned_pages_task() == 0

    for page in (autosaving, saved, published, moderated, draft):
        assert Page.objects.filter(pk=page.pk).exists(), page.title


def test_beat_runs_the_deletion_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["delete-abandoned-pages"]
    assert entry == {"task": "pathways.delete_abandoned_pages_task", "schedule": 3600.0}
    assert settings.BALISE_ABANDONED_PAGE_HOURS == 24
