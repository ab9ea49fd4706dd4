"""The demo (``make run``): Amina, in work, books one of Julien's evening video slots and is
reminded the day before by e-mail and SMS."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lms.accounts.models import User
from lms.coaching.actions import send_session_reminders
from lms.coaching.availability import parse_slot_value
from lms.coaching.models import AvailabilityRule, CoachingRequest, CoachingSession
from lms.notifications.models import Notification, TextMessage

pytestmark = pytest.mark.django_db


def test_the_demo_learner_in_work_books_an_evening_video_slot(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    julien = User.objects.get(email="julien@balise.test")
    assert AvailabilityRule.objects.filter(coach=julien, modality="video").count() == 2
    amina = User.objects.get(email="amina@balise.test")
    assert amina.learner_profile.situation == "employed"
    request = CoachingRequest.objects.get(learner=amina)
    assert request.status == "open" and request.structure.slug == "incubateur-lyon"

    assert client.login(email="amina@balise.test", password="balise-demo")
    home = client.get(reverse("coaching:my_coaching")).content.decode()
    booking = reverse("coaching:booking", args=[request.pk])
    assert booking in home
    html = client.get(booking).content.decode()
    video = html[html.index('id="modality-video"') :]
    assert "en soirée" in video and "recommandé pour vous" in video
    values = [part.split('"')[0] for part in video.split('name="slot" value="')[1:]]
    value = next(
        v
        for v in values
        if (parsed := parse_slot_value(v))[0] == julien.pk
        and timezone.localtime(parsed[1]).hour >= 18
    )
    response = client.post(reverse("coaching:book", args=[request.pk]), {"slot": value})
    assert response.status_code == 302

    session = CoachingSession.objects.get(request=request)
    assert session.modality == "video" and session.coach == julien
    assert timezone.localtime(session.starts_at).hour >= 18
    assert session.location.startswith("https://meet.jit.si/balise-")
    assert Notification.objects.filter(recipient=amina, kind="session_booked").exists()
    assert Notification.objects.filter(recipient=julien, kind="session_booked_coach").exists()

    # The day before, beat's reminder reaches her by e-mail and by SMS (she gave a mobile
    # number and her consent); Julien by e-mail.
    send_session_reminders(now=session.starts_at - timedelta(hours=23))
    assert Notification.objects.filter(recipient=amina, kind="session_reminder").exists()
    sms = TextMessage.objects.get(recipient=amina, kind="session_reminder")
    assert "avec Julien" in sms.body and session.location in sms.body
    assert Notification.objects.filter(recipient=julien, kind="session_reminder_coach").exists()
