"""A learner books a coach's free slot: the journey, the claim it makes, the e-mails, and
every refusal with what the page then says."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.coaching import actions
from lms.coaching.availability import bookable_profiles, load_free_slots
from lms.coaching.models import (
    AvailabilityException,
    AvailabilityRule,
    CoachingRequest,
    CoachingSession,
    SessionStatus,
    Status,
)
from lms.notifications.actions import deliver
from lms.notifications.models import Notification
from tests.factories.accounts import coach, learner
from tests.factories.pathways import build_pathway

pytestmark = pytest.mark.django_db

EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


def publish(person, modality="video", start=time(18, 0), end=time(21, 0), **fields):
    return AvailabilityRule.objects.create(
        coach=person,
        weekdays=EVERY_DAY,
        start_time=start,
        end_time=end,
        slot_minutes=60,
        modality=modality,
        valid_from=timezone.localdate(),
        on_public_holidays=True,
        **fields,
    )


def slots_of(request, modality="video"):
    request = CoachingRequest.objects.get(pk=request.pk)
    found = load_free_slots(bookable_profiles(request), request)
    return [s for s in found if s.modality == modality]


@pytest.fixture
def help_request(lyon_learner, rhone_coach):
    publish(rhone_coach)
    return actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Je bloque", "ici")


def book(client, request, slot):
    return client.post(reverse("coaching:book", args=[request.pk]), {"slot": slot.value})


def test_the_learner_books_an_evening_video_slot_and_both_get_the_invitation(
    client, help_request, lyon_learner, rhone_coach, mailoutbox
):
    client.force_login(lyon_learner)
    home = client.get(reverse("coaching:my_coaching")).content.decode()
    assert reverse("coaching:booking", args=[help_request.pk]) in home
    page = client.get(reverse("coaching:booking", args=[help_request.pk])).content.decode()
    slot = slots_of(help_request)[0]
    assert slot.value in page and "en soirée" in page
    assert rhone_coach.get_full_name() in page

    response = book(client, help_request, slot)
    assert response.status_code == 302
    session = CoachingSession.objects.get()
    assert session.status == SessionStatus.ACCEPTED  # confirmed: the learner chose it
    assert session.starts_at == slot.starts_at and session.coach == rhone_coach
    assert session.rule_id == slot.rule_id
    assert session.location == f"https://meet.jit.si/balise-{session.video_room}"
    assert len(session.video_room) >= 24
    help_request.refresh_from_db()
    assert help_request.coach == rhone_coach  # the booking claimed the request
    assert help_request.status == Status.SCHEDULED

    to_learner = Notification.objects.get(recipient=lyon_learner, kind="session_booked")
    assert deliver(to_learner.pk)
    (mail,) = mailoutbox
    assert mail.to == [lyon_learner.email] and "Rendez-vous confirmé" in mail.subject
    assert session.location in mail.body
    assert "invite.ics" in [attachment[0] for attachment in mail.attachments]
    assert f"URL:{session.location}" in to_learner.ics.replace("\r\n ", "")
    to_coach = Notification.objects.get(recipient=rhone_coach, kind="session_booked_coach")
    assert lyon_learner.display_name in to_coach.subject
    assert "Cette demande vous est confiée" in to_coach.body_text and to_coach.ics
    assert not Notification.objects.filter(kind="request_claimed").exists()  # one e-mail, not two

    home = client.get(reverse("coaching:my_coaching")).content.decode()
    assert "Rejoindre la visioconférence" in home and session.location in home
    assert reverse("coaching:booking", args=[help_request.pk]) not in home  # one at a time
    client.force_login(rhone_coach)
    file = client.get(reverse("coaching:request", args=[help_request.pk])).content.decode()
    assert session.location in file


def test_the_recommended_modality_comes_first_with_its_reason(client, help_request, lyon_learner):
    rhone = CoachingRequest.objects.get(pk=help_request.pk)
    person = bookable_profiles(rhone)[0].user
    publish(person, modality="phone", start=time(9), end=time(11))
    publish(person, modality="in_person", start=time(14), end=time(16), place="Tiers-lieu")
    client.force_login(lyon_learner)
    html = client.get(reverse("coaching:booking", args=[help_request.pk])).content.decode()
    headings = {m: html.index(f'id="modality-{m}"') for m in ("video", "phone", "in_person")}
    recommended = rhone.recommended_modality
    assert headings[recommended] == min(headings.values())
    assert "recommandé pour vous" in html and rhone.recommendation_reason in html


def test_a_slot_taken_meanwhile_is_refused_and_other_slots_are_shown(
    client, help_request, lyon_learner, rhone_coach
):
    slot = slots_of(help_request)[0]
    other = actions.open_help_request(
        learner(departement="69"), build_pathway(["m:1"]), "Moi aussi", "ici"
    )
    actions.book_slot(other.learner, other.pk, coach_id=rhone_coach.pk, starts_at=slot.starts_at)

    client.force_login(lyon_learner)
    response = book(client, help_request, slot)
    assert response.status_code == 409
    html = response.content.decode()
    assert (
        "Ce créneau vient d&#x27;être pris" in html and "Voici les créneaux encore libres" in html
    )
    assert slot.value not in html and slots_of(help_request)[0].value in html
    assert CoachingSession.objects.count() == 1


def test_a_past_slot_is_refused(client, help_request, lyon_learner, rhone_coach):
    slot = slots_of(help_request)[0]
    client.force_login(lyon_learner)
    past = slot.value.split(":")[0] + ":20200101T1700"
    response = client.post(reverse("coaching:book", args=[help_request.pk]), {"slot": past})
    assert response.status_code == 422
    assert "Ce créneau est passé ou trop proche" in response.content.decode()
    assert not CoachingSession.objects.exists()


def test_a_coach_outside_the_request_s_structures_is_refused(client, help_request, lyon_learner):
    marseille = coach(departements=["13"])
    publish(marseille)
    slot = slots_of(help_request)[0]
    client.force_login(lyon_learner)
    forged = f"{marseille.pk}:{slot.value.split(':')[1]}"
    page = client.get(reverse("coaching:booking", args=[help_request.pk])).content.decode()
    assert marseille.get_full_name() not in page  # never offered
    response = client.post(reverse("coaching:book", args=[help_request.pk]), {"slot": forged})
    assert response.status_code == 422
    assert "Cette personne ne peut pas vous accompagner" in response.content.decode()
    assert not CoachingSession.objects.exists()


def test_a_second_booking_is_refused_while_one_is_to_come(
    client, help_request, lyon_learner, rhone_coach
):
    first, second = slots_of(help_request)[:2]
    client.force_login(lyon_learner)
    book(client, help_request, first)
    response = book(client, help_request, second)
    assert response.status_code == 409
    assert "Vous avez déjà un rendez-vous prévu" in response.content.decode()
    assert CoachingSession.objects.count() == 1
    page = client.get(reverse("coaching:booking", args=[help_request.pk])).content.decode()
    assert "Un seul rendez-vous à la fois" in page and second.value not in page
    # The coach may still propose more.
    actions.propose_session(
        rhone_coach,
        CoachingRequest.objects.get(pk=help_request.pk),
        starts_at=second.starts_at + timedelta(days=1),
        duration_minutes=60,
        modality="phone",
        location="Je vous appelle",
    )
    assert CoachingSession.objects.count() == 2


def test_a_closed_request_takes_no_booking(client, help_request, lyon_learner):
    slot = slots_of(help_request)[0]
    actions.cancel_request(lyon_learner, CoachingRequest.objects.get(pk=help_request.pk))
    client.force_login(lyon_learner)
    page = client.get(reverse("coaching:booking", args=[help_request.pk])).content.decode()
    assert "Cette demande est close" in page
    response = book(client, help_request, slot)
    assert response.status_code == 422
    assert "Cette demande est close" in response.content.decode()


def test_a_form_without_a_slot_of_ours_is_refused(client, help_request, lyon_learner):
    client.force_login(lyon_learner)
    response = client.post(reverse("coaching:book", args=[help_request.pk]), {"slot": "<b>"})
    assert response.status_code == 422
    assert "Choisissez un créneau dans la liste." in response.content.decode()


def test_nobody_else_sees_or_books_a_learner_s_slots(client, help_request, rhone_coach):
    slot = slots_of(help_request)[0]
    client.force_login(learner(departement="69"))
    assert client.get(reverse("coaching:booking", args=[help_request.pk])).status_code == 404
    assert book(client, help_request, slot).status_code == 404
    with pytest.raises(actions.BookingError):
        actions.book_slot(
            rhone_coach, help_request.pk, coach_id=rhone_coach.pk, starts_at=slot.starts_at
        )


def test_once_claimed_only_its_coach_s_slots_are_offered(help_request, rhone_coach):
    colleague = coach(departements=["69"])
    publish(colleague, start=time(7), end=time(8))
    assert {s.coach_id for s in slots_of(help_request)} == {rhone_coach.pk, colleague.pk}
    assert actions.claim_request(colleague, help_request.pk).ok
    assert {s.coach_id for s in slots_of(help_request)} == {colleague.pk}


def test_a_full_coach_offers_no_slot_and_exceptions_close_days(help_request, rhone_coach):
    today = timezone.localdate()
    AvailabilityException.objects.create(
        coach=rhone_coach, starts_on=today, ends_on=today + timedelta(days=6)
    )
    assert all(s.local_start.date() > today + timedelta(days=6) for s in slots_of(help_request))
    profile = rhone_coach.coach_profile
    profile.capacity = 0
    profile.save()
    assert slots_of(help_request) == []


def test_the_coach_s_own_busy_times_are_not_offered(help_request, rhone_coach):
    other = actions.open_help_request(
        learner(departement="69"), build_pathway(["m:1"]), "Aide", "ici"
    )
    actions.claim_request(rhone_coach, other.pk)
    slot = slots_of(help_request)[0]
    actions.propose_session(
        rhone_coach,
        CoachingRequest.objects.get(pk=other.pk),
        starts_at=slot.starts_at + timedelta(minutes=30),
        duration_minutes=60,
        modality="video",
        location="https://visio.example.org/x",
    )
    remaining = {s.starts_at for s in slots_of(help_request)}
    assert slot.starts_at not in remaining
    assert slot.starts_at + timedelta(hours=1) not in remaining  # overlapped too


@pytest.mark.parametrize("coaches", [1, 6])
def test_the_booking_page_s_query_budget_is_constant(
    client, django_assert_max_num_queries, lyon_learner, coaches
):
    for _ in range(coaches):
        person = coach(departements=["69"], capacity=5)
        publish(person)
        publish(person, modality="phone", start=time(9), end=time(12))
    request = actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Aide", "ici")
    client.force_login(lyon_learner)
    client.get(reverse("coaching:booking", args=[request.pk]))  # warm the navigation cache
    with django_assert_max_num_queries(12):
        response = client.get(reverse("coaching:booking", args=[request.pk]))
    assert response.content.decode().count('name="slot"') >= 20


def test_each_time_is_offered_once_with_the_coach_who_has_the_most_room(
    client, help_request, lyon_learner, rhone_coach
):
    roomy = coach(departements=["69"], capacity=10)
    publish(roomy)  # the same evenings as the Rhône coach, who has 3 places
    client.force_login(lyon_learner)
    html = client.get(reverse("coaching:booking", args=[help_request.pk])).content.decode()
    slot = slots_of(help_request)[0]
    assert f'value="{roomy.pk}:' in html and f'value="{rhone_coach.pk}:' not in html
    assert html.count(slot.value.split(":")[1]) == 1


def test_a_group_session_the_coach_leads_takes_its_slots(help_request, rhone_coach):
    before = slots_of(help_request)
    first = before[0]
    starts = first.starts_at - timedelta(minutes=30)
    ends = starts + timedelta(minutes=120)
    actions.create_group_session(
        actor=rhone_coach,
        title="Atelier collectif",
        starts_at=starts,
        duration_minutes=120,
        modality="remote",
        seats=6,
    )

    left = slots_of(help_request)
    taken = {s.starts_at for s in before if s.starts_at < ends and s.ends_at > starts}
    assert first.starts_at in taken
    # Exactly the slots the session overlaps are gone, whatever the hour the test runs at.
    assert [s.starts_at for s in left] == [s.starts_at for s in before if s.starts_at not in taken]
