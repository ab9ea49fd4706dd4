"""The demo (``make run``): Thomas, the Lozère coach, gathers the four learners waiting at
the same gate into a remote group session; three register, two attend, the gate opens for
those two, and the absent one reads the brief."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lms.accounts.models import User
from lms.coaching.models import CoachingRequest, GroupSeat, GroupSession
from pathways.models import CheckpointPassage, PathwayPage

pytestmark = pytest.mark.django_db

FOUR = ("margaux", "remi", "elodie", "karine")


def person(name: str) -> User:
    return User.objects.get(email=f"{name}@balise.test")


def test_the_lozere_coach_gathers_the_four_waiting_learners(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: nobody is added twice
    pathway = PathwayPage.objects.get(slug="faire-emerger-son-projet-ess")
    gate = CheckpointPassage.objects.filter(learner=person("margaux"), trigger="gate").get()
    assert all(
        CheckpointPassage.objects.filter(
            learner=person(n), point_id=gate.point_id, released_at__isnull=True
        ).exists()
        for n in FOUR
    )

    assert client.login(email="thomas@balise.test", password="balise-demo")
    waiting = client.get(reverse("coaching:groups_waiting")).content.decode()
    row = waiting[waiting.index("Revue de projet avant la recherche de financements") :]
    assert "peut se faire en groupe" in row[:400] and "<td><strong>4</strong></td>" in row

    day = timezone.localdate() + timedelta(days=3)
    response = client.post(
        reverse("coaching:group_create"),
        {
            "title": "Revue de projet collective",
            "point": f"{pathway.pk}:{gate.point_id}",
            "date": day.isoformat(),
            "time": "18:30",
            "duration_minutes": 90,
            "modality": "remote",
            "seats": 6,
            "departements": ["48"],
            "structures": [person("thomas").coach_profile.structure_id],
            "coach": person("thomas").pk,
        },
    )
    session = GroupSession.objects.get(title="Revue de projet collective")
    assert response["Location"] == reverse("coaching:group", args=[session.pk])
    client.post(
        reverse("coaching:group_invite", args=[session.pk]),
        {"learners": [person(n).pk for n in FOUR]},
    )

    for name in ("margaux", "remi", "elodie"):
        assert client.login(email=f"{name}@balise.test", password="balise-demo")
        client.post(reverse("coaching:group_register", args=[session.pk]))
    assert client.login(email="karine@balise.test", password="balise-demo")
    client.post(reverse("coaching:group_decline", args=[session.pk]))
    assert GroupSeat.objects.filter(session=session, learner__isnull=False).count() == 3

    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=90)
    )
    assert client.login(email="thomas@balise.test", password="balise-demo")
    for name, value in (("margaux", "held"), ("remi", "held"), ("elodie", "no_show")):
        seat = GroupSeat.objects.get(session=session, learner=person(name))
        client.post(
            reverse("coaching:group_attendance", args=[session.pk, seat.pk]), {"attendance": value}
        )
    client.post(
        reverse("coaching:group_brief", args=[session.pk]),
        {"brief": "Chacun·e présente son budget prévisionnel à un financeur solidaire."},
    )

    for name in ("margaux", "remi"):
        assert CheckpointPassage.objects.get(
            learner=person(name), point_id=gate.point_id
        ).released_at
        assert CoachingRequest.objects.get(learner=person(name)).outcome == "group"
    assert not CheckpointPassage.objects.get(
        learner=person("elodie"), point_id=gate.point_id
    ).released_at
    assert client.login(email="elodie@balise.test", password="balise-demo")
    mine = client.get(reverse("coaching:my_coaching")).content.decode()
    assert "Chacun·e présente son budget prévisionnel" in mine
