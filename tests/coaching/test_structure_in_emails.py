"""A learner sees which structure accompanies them: every e-mail about their request shows
the structure of their coach (of the request while nobody holds it), its name in the text,
its name and logo in the HTML. E-mails to coaches and managers do not."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import Outcome
from lms.notifications.models import Notification
from tests.factories.accounts import StructureFactory, coach, learner, logo, manager
from tests.factories.pathways import build_pathway

pytestmark = pytest.mark.django_db

SHOWN = "Votre structure d'accompagnement"


@pytest.fixture
def lozere():
    return StructureFactory(
        name="Fabrique à initiatives de Lozère", departements=["48"], colour="#2f6b3a",
        logo=logo(320, 80, "lozere.png"),
    )  # fmt: skip


@pytest.fixture
def drome():
    return StructureFactory(name="CAE Drôme-Ardèche", departements=["26"], colour="#f5d000")


def last(person, kind) -> Notification:
    return person.notifications.filter(kind=kind).latest("pk")


def shows(notification: Notification, structure, with_logo: bool) -> bool:
    html, text = notification.body_html, notification.body_text
    named = f"{SHOWN} : {structure.name}" in text and structure.name in html
    img = f'alt="{structure.name}"' in html and f'src="{settings.SITE_URL}/images/' in html
    return named and (img if with_logo else "<img" not in html)


def propose(coach_user, request):
    return actions.propose_session(
        coach_user, request, starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=60, modality="video", location="https://visio.example.org/x",
    )  # fmt: skip


def test_every_e_mail_to_the_learner_shows_the_structure_of_their_coach(lozere, drome):
    nadia = learner(departement="48")
    lozere_coach = coach(departements=["48"], structure=lozere)
    drome_coach = coach(departements=["26"], structure=drome)
    pathway = build_pathway(["m:1"])

    # Nobody holds the request yet: the structure it belongs to.
    request = actions.open_help_request(nadia, pathway, "Aide", "Étape 1")
    assert shows(last(nadia, "request_received"), lozere, with_logo=True)
    actions.open_help_request(nadia, pathway, "Encore", "Étape 2")
    assert shows(last(nadia, "request_joined_ack"), lozere, with_logo=True)

    assert actions.claim_request(lozere_coach, request.pk).ok
    assert shows(last(nadia, "request_claimed"), lozere, with_logo=True)
    request.refresh_from_db()
    propose(lozere_coach, request)
    assert shows(last(nadia, "session_proposed"), lozere, with_logo=True)

    # A network manager gives it to a coach of another structure: the CAE, without logo,
    # whose yellow cannot be read on white.
    actions.assign_request(manager(), request, drome_coach)
    assert shows(last(nadia, "session_cancelled"), lozere, with_logo=True)
    claimed = last(nadia, "request_claimed")
    assert shows(claimed, drome, with_logo=False)
    assert "#f5d000" not in claimed.body_html
    request.refresh_from_db()
    propose(drome_coach, request)
    actions.close_request(
        drome_coach, request, outcome=Outcome.REFERRED, summary="Projet agricole",
        next_steps="Appeler la Fabrique", oriented_to=lozere,
    )  # fmt: skip
    assert shows(last(nadia, "session_cancelled"), drome, with_logo=False)
    assert shows(last(nadia, "request_closed"), drome, with_logo=False)

    # Coaches and managers are told about a learner: no structure block.
    others = Notification.objects.exclude(recipient=nadia)
    assert others.exists()
    assert not [n.kind for n in others if SHOWN in n.body_text or SHOWN in n.body_html]


def test_a_request_no_structure_covers_shows_its_coach_s_once_claimed(lozere):
    person = learner(departement="05")  # no structure covers the Hautes-Alpes
    remote = coach(departements=["48"], modalities=["video"], structure=lozere)
    request = actions.open_help_request(person, build_pathway(["m:1"]), "Aide", "ici")
    received = last(person, "request_received")
    assert request.structure_id is None
    assert SHOWN not in received.body_text and SHOWN not in received.body_html

    assert actions.claim_request(remote, request.pk).ok
    assert shows(last(person, "request_claimed"), lozere, with_logo=True)


def test_a_coach_handing_back_tells_the_learner_from_their_structure(lozere):
    person = learner(departement="48")
    local = coach(departements=["48"], structure=lozere)
    request = actions.open_help_request(person, build_pathway(["m:1"]), "Aide", "ici")
    actions.claim_request(local, request.pk)
    request.refresh_from_db()
    propose(local, request)
    actions.hand_back(local, request)
    assert shows(last(person, "session_cancelled"), lozere, with_logo=True)
