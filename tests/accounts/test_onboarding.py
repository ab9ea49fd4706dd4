"""Onboarding: the learner's profile, filled right after the first login and editable later."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from lms.accounts.models import LearnerProfile, User
from lms.accounts.roles import Role
from lms.notifications.actions import notify
from tests.factories.accounts import LearnerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Camille",
    "last_name": "",
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


# --- Names -------------------------------------------------------------------------------


@pytest.fixture
def nameless(client):
    """An account from before names were asked: no first name, a profile filled."""
    user = LearnerProfileFactory(
        user__email="camille.test1@balise.test", user__first_name="", user__last_name=""
    ).user
    client.force_login(user)
    return user


def test_onboarding_asks_a_first_name_and_an_optional_last_name(client, newcomer):
    page = client.get(reverse("accounts:onboarding")).content.decode()
    assert 'name="first_name"' in page and 'name="last_name"' in page
    response = client.post(reverse("accounts:onboarding"), {**VALID, "first_name": ""})
    assert "first_name" in response.context["form"].errors
    assert not LearnerProfile.objects.exists()

    client.post(reverse("accounts:onboarding"), {**VALID, "first_name": " Camille "})
    newcomer.refresh_from_db()
    assert (newcomer.first_name, newcomer.last_name) == ("Camille", "")
    assert newcomer.display_name == "Camille"


def test_the_name_is_editable_in_my_account(client, newcomer):
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:details") in page
    response = client.post(
        reverse("accounts:details"),
        {"first_name": "Zoé", "last_name": "Martin", "language": "fr"},
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert (newcomer.first_name, newcomer.last_name) == ("Zoé", "Martin")
    assert "Zoé" in client.get(reverse("accounts:profile")).content.decode()
    response = client.post(
        reverse("accounts:details"), {"first_name": "", "last_name": "", "language": "fr"}
    )
    assert "first_name" in response.context["form"].errors


def test_an_account_without_a_first_name_is_asked_once(client, nameless):
    dashboard = reverse("pathways:dashboard")
    response = client.get(dashboard)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:ask_name')}?next={dashboard.replace('/', '%2F')}"
    page = client.get(response.url).content.decode()
    assert "Comment vous appelez-vous" in page and f'href="{dashboard}"' in page  # « Plus tard »

    # Skipped (the person followed « Plus tard »): never asked again.
    assert client.get(dashboard).status_code == 200
    assert client.get(dashboard).status_code == 200
    nameless.refresh_from_db()
    assert nameless.name_asked_at is not None and nameless.first_name == ""


def test_answering_the_name_question_goes_back_to_the_page(client, nameless):
    dashboard = reverse("pathways:dashboard")
    form_url = client.get(dashboard).url
    response = client.post(form_url, {"first_name": "Camille", "next": dashboard})
    assert response.status_code == 302 and response.url == dashboard
    nameless.refresh_from_db()
    assert nameless.first_name == "Camille"


def test_the_name_form_never_sends_elsewhere(client, nameless):
    response = client.post(
        reverse("accounts:ask_name"), {"first_name": "Camille", "next": "https://evil.test/"}
    )
    assert response.url == reverse("accounts:after_login")


def test_accounts_with_a_name_or_already_asked_are_not_interrupted(client, nameless):
    User.objects.filter(pk=nameless.pk).update(name_asked_at=timezone.now())
    assert client.get(reverse("pathways:dashboard")).status_code == 200
    named = LearnerProfileFactory().user
    client.force_login(named)
    assert client.get(reverse("pathways:dashboard")).status_code == 200


def test_e_mails_never_greet_with_the_e_mail_address(nameless):
    User.objects.filter(pk=nameless.pk).update(name_asked_at=timezone.now())
    nameless.refresh_from_db()
    notice = notify(nameless, kind="test_message", context={"subject": "Sujet", "message": "M"})
    assert notice.body_text.startswith("Bonjour,\n")
    assert "camille.test1" not in notice.body_text + notice.body_html
    assert nameless.display_name  # coaches still see something to tell people apart


# --- Language ------------------------------------------------------------------------------


def test_switching_language_when_logged_in_is_stored(client, newcomer):
    assert newcomer.language == "fr"
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    newcomer.refresh_from_db()
    assert newcomer.language == "en"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    newcomer.refresh_from_db()
    assert newcomer.language == "en"


def test_switching_language_anonymously_still_works(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_language_is_editable_in_my_account(client, newcomer):
    response = client.post(
        reverse("accounts:details"),
        {"first_name": newcomer.first_name, "last_name": "", "language": "en"},
        follow=True,
    )
    newcomer.refresh_from_db()
    assert newcomer.language == "en"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert 'lang="en"' in response.content.decode()
