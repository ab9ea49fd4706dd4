"""« Mon compte »: a mobile number, explicit consent to SMS, channels per topic, « STOP »."""

import json
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts import gdpr
from lms.accounts.models import ContactPreferences
from tests.factories.accounts import UserFactory, learner

pytestmark = pytest.mark.django_db

URL = reverse("accounts:contact")


@pytest.fixture
def person(client):
    user = learner(departement="69")
    client.force_login(user)
    return user


def channels(**overrides):
    data = {
        "phone": "06 12 34 56 78",
        "sms_consent": "on",
        "email_reminders": "on",
        "sms_reminders": "on",
        "email_session_changes": "on",
        "sms_session_changes": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get(URL).status_code == 302
    assert client.post(reverse("accounts:stop_sms")).status_code == 302


def test_consent_is_never_ticked_for_the_person(client, person):
    page = client.get(URL).content.decode()
    (box,) = re.findall(r'<input[^>]*name="sms_consent"[^>]*>', page)
    assert "checked" not in box
    assert "J’accepte de recevoir des SMS de Balise à ce numéro" in page


def test_a_mobile_number_and_consent_are_saved(client, person):
    response = client.post(URL, channels(email_reminders=None))
    assert response.status_code == 302
    saved = ContactPreferences.objects.get(user=person)
    assert saved.phone.as_e164 == "+33612345678"
    assert saved.sms_consent_at is not None and saved.sms_allowed
    assert saved.email_reminders is False and saved.sms_reminders is True
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "06 12 34 56 78" in page and "Ne plus recevoir de SMS" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (channels(phone="12345"), "Ce numéro de téléphone n’est pas valide"),
        (channels(phone="bonjour"), "Ce numéro de téléphone n’est pas valide"),
        (channels(phone=""), "Indiquez un numéro de téléphone mobile pour recevoir des SMS."),
        (channels(phone="01 23 45 67 89"), "Ce numéro ne semble pas être un mobile"),
    ],
)
def test_a_number_that_is_not_one_is_refused_clearly(client, person, data, message):
    response = client.post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ContactPreferences.objects.filter(user=person).exists()


def test_a_foreign_number_with_its_country_code_is_accepted(client, person):
    client.post(URL, channels(phone="+32 470 12 34 56"))
    assert ContactPreferences.objects.get(user=person).phone.as_e164 == "+32470123456"


def test_a_landline_without_consent_is_kept_for_the_record(client, person):
    client.post(URL, channels(phone="01 23 45 67 89", sms_consent=None))
    saved = ContactPreferences.objects.get(user=person)
    assert saved.phone.as_e164 == "+33123456789" and not saved.sms_allowed


def test_consent_is_withdrawn_by_unticking_or_by_the_stop_button(client, person):
    client.post(URL, channels())
    first_consent = ContactPreferences.objects.get(user=person).sms_consent_at
    client.post(URL, channels(phone="07 11 22 33 44"))  # a new number keeps the consent
    assert ContactPreferences.objects.get(user=person).sms_consent_at == first_consent

    client.post(URL, channels(sms_consent=None))
    saved = ContactPreferences.objects.get(user=person)
    assert saved.sms_consent_at is None and saved.sms_stopped_at is not None

    client.post(URL, channels())
    (box,) = re.findall(r'<input[^>]*name="sms_consent"[^>]*>', client.get(URL).content.decode())
    assert "checked" in box  # given, so shown as given
    response = client.post(reverse("accounts:stop_sms"), follow=True)
    assert "vous ne recevrez plus de SMS" in response.content.decode()
    assert not ContactPreferences.objects.get(user=person).sms_allowed


def test_phone_and_consent_are_exported_and_erased():
    user = UserFactory()
    consent = timezone.now()
    ContactPreferences.objects.create(user=user, phone="+33612345678", sms_consent_at=consent)
    with zipfile.ZipFile(gdpr.build_export_zip(user)) as archive:
        data = json.loads(archive.read("data.json"))
    assert data["contact_preferences"]["phone"] == "+33612345678"
    assert data["contact_preferences"]["sms_consent_at"]

    gdpr.anonymise_user(user)
    assert not ContactPreferences.objects.filter(user=user).exists()
