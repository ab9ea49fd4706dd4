"""Sign-up and login by e-mailed code, end to end through allauth's views."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from lms.accounts.models import User
from lms.accounts.roles import Role, roles_of
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def code_from(message) -> str:
    match = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def test_signup_by_code_logs_in_and_starts_onboarding(client, mailoutbox):
    response = client.post(reverse("account_signup"), {"email": "Porteuse@Exemple.FR"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["porteuse@exemple.fr"]

    response = client.post(
        reverse("account_email_verification_sent"), {"code": code_from(mailoutbox[0])}
    )
    assert response.status_code == 302
    response = client.get(response.url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:onboarding")
    user = User.objects.get()
    assert user.email == "porteuse@exemple.fr"
    assert not user.has_usable_password()
    assert roles_of(user) == {Role.LEARNER}


def test_login_by_code(client, mailoutbox):
    UserFactory(email="lea@balise.test", role=Role.LEARNER)
    response = client.post(reverse("account_request_login_code"), {"email": "LEA@balise.test"})
    assert response.status_code == 302
    response = client.post(
        reverse("account_confirm_login_code"), {"code": code_from(mailoutbox[-1])}, follow=True
    )
    assert response.context["user"].email == "lea@balise.test"


def test_wrong_login_code_is_refused_with_a_message(client, mailoutbox):
    UserFactory(email="lea@balise.test", role=Role.LEARNER)
    client.post(reverse("account_request_login_code"), {"email": "lea@balise.test"})
    response = client.post(reverse("account_confirm_login_code"), {"code": "ZZZZZZ"})
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_expired_login_code_is_refused(client, mailoutbox, settings):
    settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT = -1
    UserFactory(email="lea@balise.test", role=Role.LEARNER)
    client.post(reverse("account_request_login_code"), {"email": "lea@balise.test"})
    response = client.post(
        reverse("account_confirm_login_code"), {"code": code_from(mailoutbox[-1])}, follow=True
    )
    assert not response.context["user"].is_authenticated


@pytest.mark.parametrize("email", ["pas-une-adresse", "a@b", "lea@@balise.test", ""])
def test_malformed_email_gets_a_french_message(client, email):
    response = client.post(reverse("account_signup"), {"email": email})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not User.objects.exists()


def _page(client, response) -> str:
    """The page a visitor lands on after a POST, without its per-session CSRF token."""
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    return re.sub(r"[A-Za-z0-9]{64}", "CSRF-TOKEN", html)


def test_signing_up_with_a_known_email_looks_like_a_new_sign_up(client, mailoutbox):
    """Whether an address is enrolled is personal data: the form does not tell."""
    UserFactory(email="lea@balise.test")
    known = client.post(reverse("account_signup"), {"email": "LEA@Balise.TEST"})
    unknown = Client().post(reverse("account_signup"), {"email": "nouvelle@balise.test"})

    assert known["Location"] == unknown["Location"]
    assert "déjà" not in _page(client, known)
    assert User.objects.filter(email="lea@balise.test").count() == 1
    # The owner of the address is told by e-mail, where only they can read it.
    [to_lea] = [m for m in mailoutbox if m.to == ["lea@balise.test"]]
    assert "déjà" in to_lea.body


def test_a_login_code_for_an_unknown_address_looks_the_same(client, mailoutbox):
    UserFactory(email="lea@balise.test", role=Role.LEARNER)
    url = reverse("account_request_login_code")
    known_client, unknown_client = Client(), Client()
    known = known_client.post(url, {"email": "lea@balise.test"})
    unknown = unknown_client.post(url, {"email": "inconnue@balise.test"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    known_page = _page(known_client, known).replace("lea@balise.test", "ADDRESS")
    unknown_page = _page(unknown_client, unknown).replace("inconnue@balise.test", "ADDRESS")
    assert known_page == unknown_page
    assert "aucun compte" not in unknown_page.lower() and "inconnu" not in unknown_page.lower()
    # The known address gets a code; the unknown one an e-mail without any code.
    [to_lea] = [m for m in mailoutbox if m.to == ["lea@balise.test"]]
    [to_stranger] = [m for m in mailoutbox if m.to == ["inconnue@balise.test"]]
    assert code_from(to_lea)
    assert not re.search(r"^\s*[A-Z0-9]{4}-?[A-Z0-9]{4}\s*$", to_stranger.body, re.MULTILINE)
    # Typing any code for the unknown address logs nobody in.
    response = unknown_client.post(
        reverse("account_confirm_login_code"), {"code": code_from(to_lea)}, follow=True
    )
    assert not response.context["user"].is_authenticated


def test_login_page_offers_the_code_first(client):
    html = client.get(reverse("account_login")).content.decode()
    assert html.index(reverse("account_request_login_code")) < html.index('name="password"')
    assert 'lang="fr"' in html
