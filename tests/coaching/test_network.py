"""A network of structures: a request belongs to its département's structure, goes to the
network queue at once when no local coach can take it, and is followed by that
structure's managers (assignment, escalation, orientation)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts.models import MemberRole, Structure
from lms.accounts.structures import join
from lms.coaching import actions
from lms.coaching.models import CoachingRequest, Outcome, Status
from lms.notifications.models import Notification
from tests.factories.accounts import StructureFactory, coach, learner, manager, network
from tests.factories.pathways import build_pathway

pytestmark = pytest.mark.django_db


@pytest.fixture
def lozere():
    return StructureFactory(name="Fabrique à initiatives de Lozère", departements=["48"])


@pytest.fixture
def drome():
    return StructureFactory(name="CAE Drôme-Ardèche", departements=["26", "07"])


@pytest.fixture
def lyon():
    return StructureFactory(name="Incubateur ESS de Lyon", departements=["69"])


@pytest.fixture
def nadia():
    """Rural, employed, at ease with video: the balance recommends a remote session."""
    return learner(departement="48", area_type="rural", situation="employed")


def told(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def help_request(person):
    return actions.open_help_request(person, build_pathway(["m:1"]), "Aide", "ici")


def give(coach_user, n):
    for _ in range(n):
        CoachingRequest.objects.create(
            learner=learner(departement="48"), point_id="help", origin="help",
            departement="48", status=Status.CLAIMED, coach=coach_user, due_at=timezone.now(),
        )  # fmt: skip


def test_a_full_local_team_sends_the_request_to_the_network_at_once(nadia, lozere, lyon):
    local = coach(departements=["48"], structure=lozere, capacity=1)
    give(local, 1)
    remote = coach(departements=["69"], structure=lyon, modalities=["video", "phone"])
    lozere_manager, network_manager = manager(lozere), manager()
    request = help_request(nadia)
    assert request.network_queue and request.structure == lozere
    # What the learner reads is true: someone covers Lozère, but is full.
    assert "complet·es ou absent·es" in request.recommendation_reason
    assert "ne couvre" not in request.recommendation_reason
    assert remote.pk in told("request_opened") and local.pk not in told("request_opened")
    assert told("network_queue") == {lozere_manager.pk}  # its structure's, not the network's
    assert network_manager.pk not in told("network_queue")
    # The remote coach of another structure claims it.
    assert actions.claim_request(remote, request.pk).ok


def test_an_absent_local_coach_is_skipped(nadia, lozere, lyon):
    away = coach(departements=["48"], structure=lozere)
    away.coach_profile.absent_until = timezone.localdate() + timedelta(days=7)
    away.coach_profile.save()
    remote = coach(departements=["69"], structure=lyon, modalities=["video"])
    request = help_request(nadia)
    assert request.network_queue
    assert told("request_opened") == {remote.pk}


def test_a_local_coach_with_room_gets_it_and_the_network_does_not(nadia, lozere, lyon):
    local = coach(departements=["48"], structure=lozere)
    coach(departements=["69"], structure=lyon, modalities=["video"])
    request = help_request(nadia)
    assert not request.network_queue and request.structure == lozere
    assert told("request_opened") == {local.pk}


def test_local_coaches_who_lack_the_recommended_modality_leave_it_to_the_network(lozere, lyon):
    """Needing help with digital tools, far from any in-person place: the phone."""
    person = learner(departement="48", area_type="rural", digital_comfort="needs_help")
    coach(departements=["48"], structure=lozere, modalities=["video"])
    remote = coach(departements=["69"], structure=lyon, modalities=["phone"])
    request = help_request(person)
    assert request.recommended_modality == "phone"
    assert request.network_queue and told("request_opened") == {remote.pk}


def test_a_departement_nobody_covers_belongs_to_the_network(lyon):
    network_manager = manager()
    request = help_request(learner(departement="973"))
    assert request.network_queue and request.structure is None
    assert told("network_queue") == {network_manager.pk}


def test_escalations_go_to_the_structure_s_managers_then_the_network_s(nadia, lozere, drome):
    coach(departements=["48"], structure=lozere)
    lozere_manager, network_manager = manager(lozere), manager()
    request = help_request(nadia)
    orphan = help_request(learner(departement="26"))  # Drôme has no manager yet
    CoachingRequest.objects.update(due_at=timezone.now() - timedelta(hours=1))
    assert actions.escalate_overdue_requests() == 2
    by_request = {
        n.url: n.recipient_id for n in Notification.objects.filter(kind="request_overdue")
    }
    assert by_request[reverse("coaching:request", args=[request.pk])] == lozere_manager.pk
    assert by_request[reverse("coaching:request", args=[orphan.pk])] == network_manager.pk


# --- Claims across structures and départements -------------------------------------------


def test_a_coach_claiming_outside_their_departements_is_told_which_and_whose(nadia, lozere, drome):
    coach(departements=["48"], structure=lozere)
    outsider = coach(departements=["26", "07"], structure=drome, modalities=["in_person"])
    request = help_request(nadia)
    result = actions.claim_request(outsider, request.pk)
    assert not result.ok
    assert result.message == (
        "Cette demande relève de Fabrique à initiatives de Lozère, pour le département "
        "Lozère (48), que vous ne couvrez pas (vos départements : Drôme (26), Ardèche (07))."
    )
    request.refresh_from_db()
    assert (request.status, request.coach) == (Status.OPEN, None)
    assert not told("request_claimed")


def test_a_coach_meeting_in_person_only_is_told_the_network_queue_needs_remote_work(nadia, drome):
    outsider = coach(departements=["26"], structure=drome, modalities=["in_person"])
    request = help_request(nadia)  # nobody covers the Lozère: the network queue
    message = actions.claim_request(outsider, request.pk).message
    assert "file nationale" in message and "visioconférence ou le téléphone" in message
    assert "Lozère (48)" in message and "Drôme (26)" in message
    assert CoachingRequest.objects.get(pk=request.pk).coach is None


def test_a_coach_of_a_deactivated_structure_claims_nothing(nadia, lozere):
    local = coach(departements=["48"], structure=lozere)
    request = help_request(nadia)
    lozere.active = False
    lozere.save()
    message = actions.claim_request(local, request.pk).message
    assert message.startswith("Votre structure, Fabrique à initiatives de Lozère, est désactivée")
    assert CoachingRequest.objects.get(pk=request.pk).status == Status.OPEN
    assert not told("request_claimed")


def test_a_refused_claim_is_shown_in_the_queue(client, nadia, lozere, drome):
    coach(departements=["48"], structure=lozere)
    outsider = coach(departements=["26"], structure=drome)
    request = help_request(nadia)
    client.force_login(outsider)
    page = client.post(reverse("coaching:claim", args=[request.pk]), follow=True)
    assert page.redirect_chain[-1][0] == reverse("coaching:queue")
    assert "que vous ne couvrez pas (vos départements : Drôme (26))" in page.content.decode()


# --- Assignment by a structure's manager -----------------------------------------------------


def test_a_manager_assigns_an_open_request_to_a_coach_of_their_structure(nadia, lozere):
    first = coach(departements=["48"], structure=lozere)
    boss = manager(lozere)
    request = help_request(nadia)
    assigned = actions.assign_request(boss, request, first)
    assert (assigned.status, assigned.coach) == (Status.CLAIMED, first)
    assert first.pk in told("request_assigned") and nadia.pk in told("request_claimed")


def test_reassigning_tells_the_former_coach_and_cancels_their_sessions(nadia, lozere):
    first = coach(departements=["48"], structure=lozere)
    second = coach(departements=["48"], structure=lozere)
    request = help_request(nadia)
    actions.claim_request(first, request.pk)
    request.refresh_from_db()
    start = timezone.now() + timedelta(days=3)
    session = actions.propose_session(
        first, request, starts_at=start, duration_minutes=60, modality="video",
        location="https://visio.example.org/x",
    )  # fmt: skip
    actions.assign_request(manager(lozere), request, second)
    session.refresh_from_db()
    assert session.status == "cancelled"
    assert first.pk in told("request_reassigned")
    assert CoachingRequest.objects.get(pk=request.pk).coach == second


@pytest.mark.parametrize("case", ["other structure's request", "coach of another structure"])
def test_a_manager_cannot_assign_outside_their_structure(nadia, lozere, drome, case):
    coach(departements=["48"], structure=lozere)
    drome_coach = coach(departements=["26"], structure=drome)
    request = help_request(nadia)
    if case == "other structure's request":
        boss, target = manager(drome), drome_coach
    else:
        boss, target = manager(lozere), drome_coach
    with pytest.raises(actions.CoachingError):
        actions.assign_request(boss, request, target)
    assert CoachingRequest.objects.get(pk=request.pk).coach is None
    assert not told("request_assigned")


def test_a_refused_assignment_says_whose_structure(nadia, lozere, drome):
    coach(departements=["48"], structure=lozere)
    drome_coach = coach(departements=["26"], structure=drome)
    request = help_request(nadia)
    with pytest.raises(actions.CoachingError) as refused:
        actions.assign_request(manager(lozere), request, drome_coach)
    assert str(refused.value) == (
        f"{drome_coach.display_name} accompagne pour CAE Drôme-Ardèche : vous ne pouvez "
        "confier une demande qu'à un·e accompagnateur·rice d'une structure que vous gérez."
    )
    with pytest.raises(actions.CoachingError, match="relève de Fabrique à initiatives de Lozère"):
        actions.assign_request(manager(drome), request, drome_coach)


def test_a_coach_of_a_deactivated_structure_is_given_nothing(nadia, lozere, drome):
    coach(departements=["48"], structure=lozere)
    drome_coach = coach(departements=["26"], structure=drome)
    drome.active = False
    drome.save()
    request = help_request(nadia)
    with pytest.raises(actions.CoachingError, match="CAE Drôme-Ardèche, est désactivée"):
        actions.assign_request(manager(), request, drome_coach)
    assert CoachingRequest.objects.get(pk=request.pk).coach is None
    assert not told("request_assigned") and not told("request_claimed")


def test_a_coach_with_no_room_left_is_refused(nadia, lozere):
    full = coach(departements=["48"], structure=lozere, capacity=1)
    give(full, 1)
    request = help_request(nadia)
    with pytest.raises(actions.CoachingError, match="n'a plus de place"):
        actions.assign_request(manager(lozere), request, full)


def test_the_network_s_managers_assign_anywhere(nadia, lozere, lyon):
    remote = coach(departements=["69"], structure=lyon)
    request = help_request(nadia)
    assert actions.assign_request(manager(), request, remote).coach == remote


# --- Orientation -----------------------------------------------------------------------------


def test_a_coach_orients_a_learner_to_another_structure(nadia, lozere, lyon):
    local = coach(departements=["48"], structure=lozere)
    lyon_manager = manager(lyon)
    request = help_request(nadia)
    actions.claim_request(local, request.pk)
    actions.close_request(
        local, request, outcome=Outcome.REFERRED, summary="Projet urbain",
        next_steps="Contacter l'incubateur", oriented_to=lyon,
    )  # fmt: skip
    request.refresh_from_db()
    assert request.oriented_to == lyon and request.outcome == Outcome.REFERRED
    assert told("request_oriented") == {lyon_manager.pk}
    closed = Notification.objects.get(kind="request_closed", recipient=nadia)
    assert lyon.name in closed.body_text and lyon.email in closed.body_text


@pytest.mark.parametrize("target", ["none", "inactive", "network"])
def test_orientation_needs_an_active_structure(nadia, lozere, target):
    local = coach(departements=["48"], structure=lozere)
    request = help_request(nadia)
    actions.claim_request(local, request.pk)
    structure = {
        "none": None,
        "inactive": StructureFactory(name="Fermée", active=False),
        "network": network(),
    }[target]
    with pytest.raises(actions.CoachingError):
        actions.close_request(
            local, request, outcome=Outcome.REFERRED, summary="s", next_steps="",
            oriented_to=structure,
        )  # fmt: skip
    assert CoachingRequest.objects.get(pk=request.pk).status == Status.CLAIMED
    assert not told("request_closed")


def test_orientation_to_a_structure_deactivated_since_the_form_was_shown_is_refused(
    nadia, lozere, lyon
):
    local = coach(departements=["48"], structure=lozere)
    request = help_request(nadia)
    actions.claim_request(local, request.pk)
    shown = Structure.objects.get(pk=lyon.pk)  # as the form read it, active
    Structure.objects.filter(pk=lyon.pk).update(active=False)
    with pytest.raises(actions.CoachingError, match="Incubateur ESS de Lyon n'accueille plus"):
        actions.close_request(
            local, request, outcome=Outcome.REFERRED, summary="s", next_steps="",
            oriented_to=shown,
        )  # fmt: skip
    request.refresh_from_db()
    assert (request.status, request.oriented_to) == (Status.CLAIMED, None)
    assert not told("request_closed") and not told("request_oriented")


def test_membership_is_per_role(lozere):
    person = coach(departements=["48"], structure=lozere)
    join(person, lozere, MemberRole.MANAGER)
    assert set(person.memberships.values_list("role", flat=True)) == {"coach", "manager"}
