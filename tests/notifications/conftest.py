import pytest

from lms.notifications.tasks import deliver_notification_task
from tests.factories.accounts import UserFactory


@pytest.fixture
def enqueued(monkeypatch):
    """Ids passed to ``deliver_notification_task.delay``: what would reach the broker."""
    calls = []
    monkeypatch.setattr(deliver_notification_task, "delay", calls.append)
    return calls


@pytest.fixture
def person():
    return UserFactory(first_name="Camille", email="camille@balise.test")
