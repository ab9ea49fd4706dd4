"""Onboarding: the learner's profile, filled right after the first login and editable later."""

import pytest
from django.urls import reverse

from lms.accounts.models import LearnerProfile
from lms.accounts.roles import Role
from tests.factories.accounts import LearnerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "departement": "48",
    "commune": "Marvejols",
    "area_type": "rural",
    "situation": "employed",
    "availability": ["weekday_evening", "weekend"],
    "preferred_modality": "phone",
    "digital_comfort": "needs_help",
    "project_summary": "Un atelier vélo partagé.",
}


@pytest.fixture
def newcomer(client):
    user = UserFactory(role=Role.LEARNER)
    client.force_login(user)
    return user


def test_first_login_lands_on_onboarding(client, newcomer):
    response = client.get(reverse("accounts:after_login"))
    assert response.url == reverse("accounts:onboarding")
    page = client.get(response.url).content.decode()
    assert "Bienvenue sur Balise" in page
    assert '<option value="2A">' in page and '<option value="974">' in page


def test_onboarding_saves_the_profile_and_redirects(client, newcomer):
    response = client.post(reverse("accounts:onboarding"), VALID)
    assert response.status_code == 302
    profile = LearnerProfile.objects.get(user=newcomer)
    assert profile.departement == "48"
    assert profile.availability == ["weekday_evening", "weekend"]
    assert profile.is_employed
    assert client.get(reverse("accounts:after_login")).url != reverse("accounts:onboarding")


@pytest.mark.parametrize("code", ["20", "99", "975", "ZZ", "<script>"])
def test_unknown_departement_gets_a_clear_message(client, newcomer, code):
    response = client.post(reverse("accounts:onboarding"), {**VALID, "departement": code})
    assert response.status_code == 200
    assert "n'est pas un code de département connu" in " ".join(
        response.context["form"].errors["departement"]
    )
    assert not LearnerProfile.objects.exists()


def test_typed_codes_are_normalised(client, newcomer):
    client.post(reverse("accounts:onboarding"), {**VALID, "departement": "2a"})
    assert LearnerProfile.objects.get().departement == "2A"


def test_missing_required_answers_are_listed(client, newcomer):
    response = client.post(reverse("accounts:onboarding"), {"departement": "07"})
    errors = response.context["form"].errors
    assert set(errors) >= {"area_type", "situation"}
    assert 'aria-invalid="true"' in response.content.decode()


def test_profile_is_editable_later(client):
    profile = LearnerProfileFactory(departement="69")
    client.force_login(profile.user)
    page = client.get(reverse("accounts:onboarding")).content.decode()
    assert "Mes informations" in page
    client.post(reverse("accounts:onboarding"), {**VALID, "departement": "974"})
    profile.refresh_from_db()
    assert profile.departement == "974"
    assert LearnerProfile.objects.count() == 1


def test_onboarding_needs_an_account(client):
    response = client.get(reverse("accounts:onboarding"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
