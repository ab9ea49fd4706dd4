"""The community pages as people use them, with plain forms (no JavaScript): join, post,
reply, report, review, schedule, leave, offer to mentor, decide, record hours."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from lms.community.models import CircleMembership, CirclePost, MentorHours, MentorOffer, PostReport
from tests.factories.accounts import learner, manager
from tests.factories.community import alumnus, circle, meeting, member

pytestmark = pytest.mark.django_db


def page(client, user, url, data=None):
    client.force_login(user)
    if data is None:
        return client.get(url)
    return client.post(url, data, follow=True)


def test_a_learner_finds_a_circle_of_their_territory_joins_and_posts(client):
    made = circle(departements=["69"], stage="Premiers clients")
    circle(name="Cercle lozérien", departements=["48"])
    person = learner(departement="69")
    home = page(client, person, reverse("community:home")).content.decode()
    assert "Cercle des premiers clients" in home and "Cercle lozérien" not in home
    assert "Vous ne faites partie d’aucun cercle" in home
    joined = page(client, person, reverse("community:join", args=[made.pk]), {})
    assert "Bienvenue dans le cercle" in joined.content.decode()
    posted = page(
        client,
        person,
        reverse("community:circle", args=[made.pk]),
        {"body": "Bonjour à toutes et tous"},
    )
    assert "Message publié." in posted.content.decode()
    assert CirclePost.objects.get().author == person


def test_an_empty_post_comes_back_with_its_message(client):
    made = circle()
    person = member(made)
    client.force_login(person)
    response = client.post(reverse("community:circle", args=[made.pk]), {"body": "  "})
    assert response.status_code == 422
    assert "Écrivez votre message avant de le publier." in response.content.decode()


def test_outsiders_get_a_404_and_see_nothing_of_the_members(client):
    made = circle()
    member(made, user__first_name="Zéphirine")
    outsider = learner(departement="69")
    client.force_login(outsider)
    assert client.get(reverse("community:circle", args=[made.pk])).status_code == 404
    response = client.post(reverse("community:circle", args=[made.pk]), {"body": "Intrus"})
    assert response.status_code == 404
    assert "Zéphirine" not in client.get(reverse("community:home")).content.decode()
    assert not CirclePost.objects.exists()


def test_a_reply_a_report_and_the_facilitators_review(client):
    made = circle()
    alice, bruno = member(made, user__first_name="Alice"), member(made, user__first_name="Bruno")
    url = reverse("community:circle", args=[made.pk])
    page(client, alice, url, {"body": "Mon prix est trop bas ?"})
    first = CirclePost.objects.get()
    page(client, bruno, url, {"body": "Regarde tes coûts", "parent": first.pk})
    assert CirclePost.objects.get(parent=first).author == bruno
    reported = page(
        client,
        alice,
        reverse("community:report", args=[CirclePost.objects.get(parent=first).pk]),
        {"reason": "Hors sujet"},
    )
    assert "Le message est masqué" in reported.content.decode()
    assert "Regarde tes coûts" not in page(client, alice, url).content.decode()
    assert "Masqué : ce message a été signalé" in page(client, bruno, url).content.decode()
    queue = page(client, made.facilitator, reverse("community:moderation")).content.decode()
    assert "Hors sujet" in queue
    reply = CirclePost.objects.get(parent=first)
    done = page(
        client,
        made.facilitator,
        reverse("community:review", args=[reply.pk]),
        {"decision": "restore"},
    )
    assert "Décision enregistrée." in done.content.decode()
    assert "Regarde tes coûts" in page(client, alice, url).content.decode()
    assert PostReport.objects.get().decision == "restore"


def test_the_facilitator_schedules_a_meeting_members_get_its_calendar_file(client):
    made = circle(members=4)
    response = page(
        client,
        made.facilitator,
        reverse("community:schedule_meeting", args=[made.pk]),
        {
            "date": (date.today() + timedelta(days=10)).isoformat(),
            "time": "18:30",
            "duration_minutes": "90",
            "modality": "remote",
        },
    )
    assert "Rencontre programmée" in response.content.decode()
    assert "Questions de clarification" in response.content.decode()
    scheduled = made.meetings.get()
    someone = made.memberships.first().learner
    ics = page(client, someone, reverse("community:meeting_ics", args=[scheduled.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.content.decode()
    client.force_login(learner())
    assert client.get(reverse("community:meeting_ics", args=[scheduled.pk])).status_code == 404


def test_a_member_leaves_and_the_circle_is_gone_from_their_pages(client):
    made = circle()
    person = member(made)
    page(client, person, reverse("community:leave", args=[made.pk]), {})
    assert CircleMembership.objects.get(learner=person).left_at is not None
    assert client.get(reverse("community:circle", args=[made.pk])).status_code == 404


def test_an_alumnus_offers_a_manager_approves_and_records_hours(client):
    person = alumnus(user__first_name="Nadia")
    response = page(
        client,
        person,
        reverse("community:mentoring"),
        {"kind": "facilitator", "message": "Le soir"},
    )
    assert "Votre proposition est transmise" in response.content.decode()
    offer = MentorOffer.objects.get()
    boss = manager()
    offers_page = page(client, boss, reverse("community:offers")).content.decode()
    assert "Nadia" in offers_page and "Le soir" in offers_page
    page(client, boss, reverse("community:decide", args=[offer.pk]), {"approve": "1", "note": ""})
    offer.refresh_from_db()
    assert offer.status == "approved"
    recorded = page(
        client,
        boss,
        reverse("community:record_hours"),
        {"mentor": person.pk, "date": "2026-01-10", "minutes": "90", "activity": "Rencontre"},
    )
    assert "Heures enregistrées." in recorded.content.decode()
    assert MentorHours.objects.get().recorded_by == boss
    mine = page(client, person, reverse("community:mentoring")).content.decode()
    assert "Rencontre" in mine and "la charte demande 10 heures par an" in mine


def test_a_learner_who_did_not_finish_is_told_what_to_do(client):
    response = page(client, learner(), reverse("community:mentoring")).content.decode()
    assert "Terminez le vôtre" in response


def test_the_circle_page_reads_a_constant_number_of_queries(client, django_assert_max_num_queries):
    made = circle(members=4)
    person = made.memberships.first().learner
    meeting(made)
    client.force_login(person)
    url = reverse("community:circle", args=[made.pk])
    client.get(url)
    with django_assert_max_num_queries(25):
        client.get(url)
    for n in range(10):
        author = member(made) if n < 4 else person
        CirclePost.objects.create(circle=made, author=author, body=f"Message {n}")
    with django_assert_max_num_queries(25):
        client.get(url)


def test_posting_is_rate_limited_and_nothing_is_written_past_the_limit(client, settings):
    settings.BALISE_RATE_LIMITS = {**settings.BALISE_RATE_LIMITS, "circle_post": "2/600"}
    made = circle()
    client.force_login(member(made))
    url = reverse("community:circle", args=[made.pk])
    for n in range(2):
        assert client.post(url, {"body": f"Message {n}"}).status_code == 302
    assert client.post(url, {"body": "Un de trop"}).status_code == 429
    assert client.get(url).status_code == 200  # reading costs nothing
    assert CirclePost.objects.count() == 2
