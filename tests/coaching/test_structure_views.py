"""The structure's pages of the coach workspace: a manager's list of their structure's
requests, giving one to a coach, a coach's availability, orienting when closing."""

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import CoachingRequest, Status
from tests.factories.accounts import StructureFactory, coach, learner, manager
from tests.factories.pathways import build_pathway

pytestmark = pytest.mark.django_db


@pytest.fixture
def lozere():
    return StructureFactory(name="Fabrique à initiatives de Lozère", departements=["48"])


@pytest.fixture
def drome():
    return StructureFactory(name="CAE Drôme-Ardèche", departements=["26"])


def ask(departement):
    person = learner(departement=departement)
    return actions.open_help_request(person, build_pathway(["m:1"]), "Aide", "ici")


def test_a_manager_lists_only_their_structure_s_requests(client, lozere, drome):
    coach(departements=["48"], structure=lozere)
    coach(departements=["26"], structure=drome)
    mine, theirs = ask("48"), ask("26")
    client.force_login(manager(lozere))
    page = client.get(reverse("coaching:structure_requests")).content.decode()
    assert mine.learner.display_name in page and theirs.learner.display_name not in page
    client.force_login(manager())
    page = client.get(reverse("coaching:structure_requests")).content.decode()
    assert "Demandes du réseau" in page
    assert mine.learner.display_name in page and theirs.learner.display_name in page


def test_a_manager_with_no_request_is_told_what_will_appear(client, lozere):
    client.force_login(manager(lozere))
    page = client.get(reverse("coaching:structure_requests")).content.decode()
    assert "Aucune demande en cours" in page


def test_a_manager_gives_a_request_from_the_learner_file(client, lozere):
    first = coach(departements=["48"], structure=lozere)
    request = ask("48")
    client.force_login(manager(lozere))
    file = client.get(reverse("coaching:request", args=[request.pk])).content.decode()
    assert "Confier la demande" in file and first.display_name in file
    response = client.post(
        reverse("coaching:assign", args=[request.pk]),
        {"coach": first.coach_profile.pk},
        follow=True,
    )
    assert f"Demande confiée à {first.display_name}" in response.content.decode()
    assert CoachingRequest.objects.get(pk=request.pk).coach == first


def test_a_coach_of_another_structure_cannot_be_chosen(client, lozere, drome):
    coach(departements=["48"], structure=lozere)
    stranger = coach(departements=["26"], structure=drome)
    request = ask("48")
    client.force_login(manager(lozere))
    response = client.post(
        reverse("coaching:assign", args=[request.pk]),
        {"coach": stranger.coach_profile.pk},
        follow=True,
    )
    assert "Choisissez un·e accompagnateur·rice de votre structure" in response.content.decode()
    assert CoachingRequest.objects.get(pk=request.pk).coach is None


def test_the_manager_sees_who_has_no_room_before_choosing(client, lozere):
    free = coach(departements=["48"], structure=lozere, capacity=3)
    full = coach(departements=["48"], structure=lozere, capacity=1)
    request = ask("48")
    actions.claim_request(full, ask("48").pk)
    client.force_login(manager(lozere))
    file = client.get(reverse("coaching:request", args=[request.pk])).content.decode()
    assert f"{free.display_name} – {lozere.name} (3 places libres)" in file
    assert f"{full.display_name} – {lozere.name} (complet·e : aucune place libre)" in file

    response = client.post(
        reverse("coaching:assign", args=[request.pk]), {"coach": full.coach_profile.pk},
        follow=True,
    )  # fmt: skip
    assert f"{full.display_name} n'a plus de place" in unescape(response.content.decode())
    assert CoachingRequest.objects.get(pk=request.pk).coach is None


def test_a_coach_says_they_are_away_and_gets_no_new_request(client, lozere):
    away = coach(departements=["48"], structure=lozere)
    client.force_login(away)
    until = timezone.localdate() + timedelta(days=10)
    response = client.post(
        reverse("coaching:availability"), {"absent_until": until.isoformat(), "capacity": "4"}
    )
    assert response.status_code == 302
    queue = client.get(reverse("coaching:queue")).content.decode()
    assert f"Absent·e jusqu’au {until:%d/%m/%Y}" in queue
    assert ask("48").network_queue


def test_a_past_absence_date_is_refused_with_a_message(client, lozere):
    person = coach(departements=["48"], structure=lozere)
    client.force_login(person)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        reverse("coaching:availability"), {"absent_until": yesterday.isoformat(), "capacity": "4"}
    )
    assert response.status_code == 422
    assert "Cette date est passée" in response.content.decode()


def test_closing_as_referred_without_a_structure_keeps_everything_typed(client, lozere):
    local = coach(departements=["48"], structure=lozere)
    request = ask("48")
    actions.claim_request(local, request.pk)
    client.force_login(local)
    response = client.post(
        reverse("coaching:close", args=[request.pk]),
        {"outcome": "referred", "summary": "Synthèse tapée avec soin", "next_steps": ""},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Choisissez la structure vers laquelle vous orientez la personne." in body
    assert "Synthèse tapée avec soin" in body
    assert CoachingRequest.objects.get(pk=request.pk).status == Status.CLAIMED


def test_closing_as_referred_to_a_structure_deactivated_meanwhile_keeps_everything_typed(
    client, lozere, drome
):
    local = coach(departements=["48"], structure=lozere)
    request = ask("48")
    actions.claim_request(local, request.pk)
    client.force_login(local)
    drome.active = False
    drome.save()
    response = client.post(
        reverse("coaching:close", args=[request.pk]),
        {"outcome": "referred", "summary": "Synthèse tapée avec soin", "next_steps": "",
         "oriented_to": drome.pk},
    )  # fmt: skip
    assert response.status_code == 422
    body = unescape(response.content.decode())
    assert "Cette structure n'accueille plus de personnes" in body
    assert "Synthèse tapée avec soin" in body
    request.refresh_from_db()
    assert (request.status, request.oriented_to) == (Status.CLAIMED, None)
    assert not request.learner.notifications.filter(kind="request_closed").exists()


def test_closing_as_referred_to_a_structure_tells_it(client, lozere, drome):
    local = coach(departements=["48"], structure=lozere)
    drome_manager = manager(drome)
    request = ask("48")
    actions.claim_request(local, request.pk)
    client.force_login(local)
    response = client.post(
        reverse("coaching:close", args=[request.pk]),
        {
            "outcome": "referred",
            "summary": "Vers la CAE",
            "next_steps": "",
            "oriented_to": drome.pk,
        },
    )
    assert response.status_code == 302
    assert CoachingRequest.objects.get(pk=request.pk).oriented_to == drome
    assert drome_manager.notifications.filter(kind="request_oriented").exists()
