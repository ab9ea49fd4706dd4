"""Video links: an unguessable room per session on Jitsi by default, BigBlueButton's signed
join links when its API is configured; phone sessions give the number to call."""

from datetime import time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from lms.coaching import actions, video
from lms.coaching.availability import bookable_profiles, load_free_slots
from lms.coaching.models import AvailabilityRule, CoachingRequest, CoachingSession
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway

BBB = {
    "VIDEO_SERVICE": "bbb",
    "BBB_API_URL": "https://bbb.example.org/bigbluebutton/api",
    # The shared secret of BigBlueButton's API documentation, with its worked example.
    "BBB_SECRET": "639259d4-9dd8-4b25-bf01-95f9567eaf4b",
}


def test_each_room_is_new_and_unguessable():
    rooms = {video.new_room() for _ in range(200)}
    assert len(rooms) == 200
    assert all(
        len(room) >= 24 and room.replace("-", "").replace("_", "").isalnum() for room in rooms
    )


def test_jitsi_is_the_default_service():
    assert video.link("abc") == "https://meet.jit.si/balise-abc"
    with override_settings(VIDEO_JITSI_BASE_URL="https://visio.structure.org"):
        assert video.link("abc") == "https://visio.structure.org/balise-abc"


@override_settings(**BBB)
def test_bigbluebutton_calls_carry_the_api_checksum():
    url = video.bbb_call(
        "create",
        {
            "name": "Test Meeting",
            "meetingID": "abc123",
            "attendeePW": "111222",
            "moderatorPW": "333444",
        },
    )
    assert url == (
        "https://bbb.example.org/bigbluebutton/api/create?name=Test+Meeting&meetingID=abc123"
        "&attendeePW=111222&moderatorPW=333444&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
    )
    join = parse_qs(urlsplit(video.bbb_join_url("room", "Léa Martin", moderator=False)).query)
    assert join["fullName"] == ["Léa Martin"] and join["role"] == ["VIEWER"]
    assert "room" in video.link("room") and video.link("room").endswith("/visio/room/")


def publish(person, modality):
    return AvailabilityRule.objects.create(
        coach=person, weekdays=[0, 1, 2, 3, 4, 5, 6], start_time=time(18), end_time=time(20),
        modality=modality, valid_from=timezone.localdate(), on_public_holidays=True,
    )  # fmt: skip


def book_first(request, modality) -> CoachingSession:
    request = CoachingRequest.objects.get(pk=request.pk)
    slot = next(
        s for s in load_free_slots(bookable_profiles(request), request) if s.modality == modality
    )
    return actions.book_slot(
        request.learner, request.pk, coach_id=slot.coach_id, starts_at=slot.starts_at
    ).session


@pytest.fixture
def help_request(lyon_learner, rhone_coach):
    return actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Aide", "ici")


@pytest.mark.django_db
def test_a_booked_video_session_is_in_the_calendar_file_with_its_link(
    client, help_request, rhone_coach
):
    publish(rhone_coach, "video")
    session = book_first(help_request, "video")
    client.force_login(help_request.learner)
    ics = client.get(reverse("coaching:session_ics", args=[session.pk])).content.decode()
    unfolded = ics.replace("\r\n ", "")
    assert f"URL:{session.location}" in unfolded and f"LOCATION:{session.location}" in unfolded


@pytest.mark.django_db
def test_a_phone_session_gives_the_number_to_call(client, help_request, rhone_coach):
    structure = rhone_coach.coach_profile.structure
    structure.phone = "04 72 00 00 69"
    structure.save()
    publish(rhone_coach, "phone")
    session = book_first(help_request, "phone")
    assert session.location == "04 72 00 00 69" and session.video_room == ""
    client.force_login(help_request.learner)
    page = client.get(reverse("coaching:my_coaching")).content.decode()
    assert "Numéro à appeler : 04 72 00 00 69" in page


@pytest.mark.django_db
@override_settings(**BBB)
def test_bigbluebutton_sends_each_participant_in_with_their_role(
    client, help_request, rhone_coach, monkeypatch
):
    created = []
    monkeypatch.setattr(video, "ensure_meeting", lambda room, name: created.append(room))
    publish(rhone_coach, "video")
    session = book_first(help_request, "video")
    door = reverse("coaching:session_video", args=[session.video_room])
    assert session.location.endswith(door)

    client.force_login(help_request.learner)
    response = client.get(door)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["meetingID"] == [session.video_room] and query["role"] == ["VIEWER"]
    assert created == [session.video_room]
    client.force_login(rhone_coach)
    query = parse_qs(urlsplit(client.get(door)["Location"]).query)
    assert query["role"] == ["MODERATOR"]

    client.force_login(learner(departement="69"))
    assert client.get(door).status_code == 404


@pytest.mark.django_db
@override_settings(**BBB)
def test_an_unreachable_bigbluebutton_says_so(client, help_request, rhone_coach, monkeypatch):
    def down(room, name):
        raise OSError("connection refused")

    monkeypatch.setattr(video, "ensure_meeting", down)
    publish(rhone_coach, "video")
    session = book_first(help_request, "video")
    client.force_login(help_request.learner)
    response = client.get(reverse("coaching:session_video", args=[session.video_room]), follow=True)
    assert "La salle de visioconférence ne répond pas" in response.content.decode()


@pytest.mark.django_db
def test_the_door_is_closed_with_jitsi(client, help_request):
    client.force_login(help_request.learner)
    assert client.get(reverse("coaching:session_video", args=["abc"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("modality", "typed", "expected"),
    [
        ("video", "", "https://meet.jit.si/balise-"),
        ("video", "https://visio.structure.org/salle", "https://visio.structure.org/salle"),
        ("phone", "", "04 72 00 00 69"),
    ],
)
def test_a_coach_s_proposal_left_without_a_place_gets_a_room_or_the_number(
    client, help_request, rhone_coach, modality, typed, expected
):
    structure = rhone_coach.coach_profile.structure
    structure.phone = "04 72 00 00 69"
    structure.save()
    actions.claim_request(rhone_coach, help_request.pk)
    client.force_login(rhone_coach)
    moment = timezone.localtime() + timedelta(days=3)
    response = client.post(
        reverse("coaching:propose_session", args=[help_request.pk]),
        {
            "date": moment.date().isoformat(),
            "time": "18:30",
            "duration_minutes": "60",
            "modality": modality,
            "location": typed,
        },
    )
    assert response.status_code == 302
    session = CoachingSession.objects.get()
    assert session.location.startswith(expected)
    assert bool(session.video_room) == (modality == "video" and not typed)


@pytest.mark.django_db
def test_an_in_person_proposal_needs_its_address(client, help_request, rhone_coach):
    actions.claim_request(rhone_coach, help_request.pk)
    client.force_login(rhone_coach)
    moment = timezone.localtime() + timedelta(days=3)
    response = client.post(
        reverse("coaching:propose_session", args=[help_request.pk]),
        {"date": moment.date().isoformat(), "time": "18:30", "duration_minutes": "60",
         "modality": "in_person", "location": "  "},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Indiquez l&#x27;adresse du rendez-vous." in response.content.decode()
    assert not CoachingSession.objects.exists()


@pytest.mark.django_db
@override_settings(**BBB)
def test_a_group_sessions_room_lets_in_its_registrants_and_its_lead(client, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from lms.coaching import actions
    from tests.factories.accounts import coach

    monkeypatch.setattr(video, "ensure_meeting", lambda room, name: None)
    lead = coach(departements=["48"])
    session = actions.create_group_session(
        actor=lead,
        title="Revue de projet collective",
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=90,
        modality="remote",
        seats=3,
    )
    person = learner(departement="48")
    actions.register_for_group_session(session, person)
    door = reverse("coaching:session_video", args=[session.video_room])
    assert session.video_link.endswith(door)

    client.force_login(person)
    assert parse_qs(urlsplit(client.get(door)["Location"]).query)["role"] == ["VIEWER"]
    client.force_login(lead)
    assert parse_qs(urlsplit(client.get(door)["Location"]).query)["role"] == ["MODERATOR"]
    client.force_login(learner(departement="48"))
    assert client.get(door).status_code == 404
