"""seed_demo: idempotent, prints the accounts, refuses to run outside DEBUG."""

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.core.serializers import serialize

from lms.accounts.models import User

pytestmark = pytest.mark.django_db

SEEDED_APPS = ("accounts", "account", "auth")


def snapshot() -> dict[str, str]:
    return {
        model._meta.label: serialize("json", model.objects.order_by("pk"))
        for app_label in SEEDED_APPS
        for model in apps.get_app_config(app_label).get_models()
    }


def test_seed_demo_twice_changes_nothing(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    out = capsys.readouterr().out
    assert "lea@balise.test" in out and "balise-demo" in out


def test_demo_accounts_can_log_in(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    for email in ("lea@balise.test", "julien@balise.test", "claire@balise.test"):
        assert client.login(email=email, password="balise-demo"), email
        client.logout()
    assert User.objects.get(email="nadia@balise.test").learner_profile.area_type == "rural"


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
