"""Group sessions through the pages: the coach sees who waits, creates a session, invites;
learners register or decline from « Mon accompagnement »; attendance, brief, cancellation;
others get a 404."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.models import (
    CoachingRequest,
    GroupInvitation,
    GroupSeat,
    GroupSession,
    InvitationStatus,
    Status,
)
from pathways.models import CheckpointPassage
from tests.coaching.test_groups import at_gate, gate_pathway, new_session, soon, started
from tests.factories.accounts import StructureFactory, coach, learner, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def lozere_coach():
    return coach(departements=["48"], modalities=["video", "phone", "in_person"], capacity=5)


@pytest.fixture
def waiting(django_capture_on_commit_callbacks):
    """Three learners of Lozère at a gate that may be met in a group."""
    pathway = gate_pathway()
    people = [
        learner(departement="48", area_type="rural", commune=town, user__first_name=name)
        for name, town in (("Ana", "Florac"), ("Bruno", "Mende"), ("Chloé", "Langogne"))
    ]
    for person in people:
        at_gate(person, pathway, django_capture_on_commit_callbacks)
    point_id = CheckpointPassage.objects.filter(pathway=pathway).first().point_id
    return pathway, point_id, people


def test_the_coach_sees_who_waits_at_each_point_by_departement(client, lozere_coach, waiting):
    pathway, point_id, _people = waiting
    far = learner(departement="75")
    CheckpointPassage.objects.create(
        learner=far, pathway=pathway, point_id=point_id, trigger="gate"
    )
    client.force_login(lozere_coach)

    page = client.get(reverse("coaching:groups_waiting")).content.decode()

    assert "Valider son besoin" in page and "peut se faire en groupe" in page
    assert "<td><strong>3</strong></td>" in page  # Paris's learner is not of the coach's area
    assert f"?balise={pathway.pk}%3A{point_id}" in page


def test_creating_a_session_from_a_point_and_inviting_those_who_wait(client, lozere_coach, waiting):
    pathway, point_id, people = waiting
    client.force_login(lozere_coach)
    form = client.get(reverse("coaching:group_create") + f"?balise={pathway.pk}:{point_id}")
    assert 'value="Valider son besoin"' in form.content.decode()

    day = soon(5)
    response = client.post(
        reverse("coaching:group_create"),
        {
            "title": "Valider son besoin, ensemble",
            "point": f"{pathway.pk}:{point_id}",
            "date": day.strftime("%Y-%m-%d"),
            "time": "18:00",
            "duration_minutes": 90,
            "modality": "remote",
            "seats": 4,
            "departements": ["48"],
            "structures": [lozere_coach.coach_profile.structure_id],
            "coach": lozere_coach.pk,
        },
    )

    session = GroupSession.objects.get()
    assert response["Location"] == reverse("coaching:group", args=[session.pk])
    assert session.point_id == point_id and session.seats == 4 and session.video_room
    page = client.get(response["Location"]).content.decode()
    for person in people:
        assert person.first_name in page

    client.post(
        reverse("coaching:group_invite", args=[session.pk]), {"learners": [p.pk for p in people]}
    )
    assert GroupInvitation.objects.filter(session=session).count() == 3


def test_the_form_says_what_is_wrong(client, lozere_coach):
    client.force_login(lozere_coach)
    response = client.post(
        reverse("coaching:group_create"),
        {
            "title": "Atelier",
            "date": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "time": "18:00",
            "duration_minutes": 90,
            "modality": "in_person",
            "seats": 1,
            "structures": [lozere_coach.coach_profile.structure_id],
            "coach": lozere_coach.pk,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not GroupSession.objects.exists()
    assert "Choisissez une balise de progression ou écrivez un thème." in page
    assert "Indiquez l&#x27;adresse où la séance a lieu." in page
    assert "déjà passée" in page
    assert "supérieure ou égale à 2" in page


def test_learners_register_or_decline_from_my_coaching(client, lozere_coach, waiting):
    _pathway, _point, (ana, bruno, _chloe) = waiting
    session = new_session(lozere_coach, seats=3)
    actions.invite_to_group_session(lozere_coach, session, [ana, bruno])

    client.force_login(ana)
    page = client.get(reverse("coaching:my_coaching")).content.decode()
    assert session.title in page and "Je m’inscris" in page
    client.post(reverse("coaching:group_register", args=[session.pk]))
    page = client.get(reverse("coaching:my_coaching")).content.decode()
    assert "Vous êtes inscrit·e." in page and session.video_link in page
    ics = client.get(reverse("coaching:group_ics", args=[session.pk]))
    assert ics["Content-Type"].startswith("text/calendar") and str(session.uid) in ics.text

    response = client.post(reverse("coaching:group_register", args=[session.pk]), follow=True)
    assert "Vous êtes déjà inscrit·e à cette séance." in response.content.decode()

    client.force_login(bruno)
    client.post(reverse("coaching:group_decline", args=[session.pk]))
    assert GroupInvitation.objects.get(learner=bruno).status == InvitationStatus.DECLINED


def test_a_learner_not_invited_and_another_structure_get_a_404(client, lozere_coach):
    session = new_session(lozere_coach)
    stranger = learner(departement="48")
    client.force_login(stranger)
    assert client.post(reverse("coaching:group_register", args=[session.pk])).status_code == 404
    assert client.get(reverse("coaching:group_ics", args=[session.pk])).status_code == 404
    assert client.get(reverse("coaching:group", args=[session.pk])).status_code == 404

    other = StructureFactory(name="Couveuse du Gard", slug="couveuse-gard", departements=["30"])
    gard_coach = coach(departements=["30"], structure=other)
    client.force_login(gard_coach)
    assert client.get(reverse("coaching:group", args=[session.pk])).status_code == 404
    assert client.get(reverse("coaching:groups")).content.decode().count(session.title) == 0


def test_the_structures_manager_and_the_networks_follow_it(client, lozere_coach):
    session = new_session(lozere_coach)
    own = manager(lozere_coach.coach_profile.structure)
    client.force_login(own)
    assert client.get(reverse("coaching:group", args=[session.pk])).status_code == 200
    client.force_login(manager())
    assert client.get(reverse("coaching:group", args=[session.pk])).status_code == 200


def test_attendance_opens_the_gate_and_the_absent_one_reads_the_brief(
    client, lozere_coach, waiting
):
    pathway, point_id, (ana, bruno, _chloe) = waiting
    session = new_session(lozere_coach, pathway=pathway, point_id=point_id)
    for person in (ana, bruno):
        actions.invite_to_group_session(lozere_coach, session, [person])
        actions.register_for_group_session(session, person)
    started(session)
    client.force_login(lozere_coach)
    seat = GroupSeat.objects.get(learner=ana)

    response = client.post(
        reverse("coaching:group_attendance", args=[session.pk, seat.pk]),
        {"attendance": "held"},
        follow=True,
    )
    assert "La balise est franchie" in response.content.decode()
    client.post(
        reverse(
            "coaching:group_attendance", args=[session.pk, GroupSeat.objects.get(learner=bruno).pk]
        ),
        {"attendance": "no_show"},
    )
    assert CheckpointPassage.objects.get(learner=ana).released_at is not None
    assert CheckpointPassage.objects.get(learner=bruno).released_at is None
    assert CoachingRequest.objects.get(learner=ana).status == Status.DONE

    audio = SimpleUploadedFile("synthese.mp3", b"ID3" + b"\x00" * 200, content_type="audio/mpeg")
    client.post(
        reverse("coaching:group_brief", args=[session.pk]),
        {"brief": "Chacun·e rencontre trois futurs usagers avant le 15.", "audio": audio},
    )
    client.force_login(bruno)
    page = client.get(reverse("coaching:my_coaching")).content.decode()
    assert "Chacun·e rencontre trois futurs usagers" in page
    assert "Vous n’avez pas pu y participer." in page
    assert client.get(reverse("coaching:group_audio", args=[session.pk])).status_code == 200


def test_a_refused_audio_file_says_why_and_keeps_nothing(client, lozere_coach):
    session = started(new_session(lozere_coach))
    client.force_login(lozere_coach)
    fake = SimpleUploadedFile("synthese.mp3", b"<html>nope</html>", content_type="audio/mpeg")

    response = client.post(
        reverse("coaching:group_brief", args=[session.pk]), {"brief": "Texte", "audio": fake}
    )

    assert response.status_code == 400 and "refusés" in response.content.decode()
    session.refresh_from_db()
    assert session.brief_posted_at is None


def test_cancelling_from_the_page_needs_a_reason(client, lozere_coach):
    session = new_session(lozere_coach)
    client.force_login(lozere_coach)
    response = client.post(reverse("coaching:group_cancel", args=[session.pk]), {"reason": ""})
    assert response.status_code == 400 and "Indiquez la raison" in response.content.decode()

    client.post(reverse("coaching:group_cancel", args=[session.pk]), {"reason": "Neige"})
    session.refresh_from_db()
    assert session.is_cancelled and session.cancel_reason == "Neige"


# --- Constant queries -------------------------------------------------------------------------


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["group", "groups", "groups_waiting", "my_coaching"])
def test_pages_read_a_constant_number_of_queries(
    client, lozere_coach, page, django_capture_on_commit_callbacks
):
    pathway = gate_pathway()
    session = None
    counts = []
    for size in (2, 6):
        people = [learner(departement="48", area_type="rural") for _ in range(size)]
        for person in people:
            at_gate(person, pathway, django_capture_on_commit_callbacks)
        point_id = CheckpointPassage.objects.filter(pathway=pathway).first().point_id
        session = new_session(lozere_coach, pathway=pathway, point_id=point_id, seats=10)
        for person in people[:-1]:  # the last one is still to invite
            actions.invite_to_group_session(lozere_coach, session, [person])
            actions.register_for_group_session(session, person)
        if page == "my_coaching":
            client.force_login(people[0])
            url = reverse("coaching:my_coaching")
        else:
            client.force_login(lozere_coach)
            args = [session.pk] if page == "group" else []
            url = reverse(f"coaching:{page}", args=args)
        counts.append(_queries(client, url))
    assert counts[0] == counts[1] and counts[0] <= 30, counts
