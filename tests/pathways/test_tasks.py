"""Scheduled publishing: a module scheduled by an editor goes live when beat runs the task."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from pathways.models import ModulePage
from pathways.tasks import publish_scheduled_task
from tests.factories.pathways import module

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
