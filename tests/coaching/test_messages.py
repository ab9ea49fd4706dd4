"""A request's thread: who reads and writes it, what they see, closed requests, unread marks."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from lms.coaching import actions
from lms.coaching.models import (
    CoachingRequest,
    RequestMessage,
    Status,
    ThreadReader,
)
from tests.factories.accounts import StructureFactory, coach, learner, manager
from tests.factories.pathways import build_pathway

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def claimed(lyon_learner, rhone_coach):
    """Léa's request, held by the Rhône coach; its structure is the coach's."""
    lyon_learner.first_name = "Léa"
    lyon_learner.save()
    rhone_coach.first_name = "Julien"
    rhone_coach.save()
    request = actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Aide", "ici")
    assert actions.claim_request(rhone_coach, request.pk).ok
    return CoachingRequest.objects.select_related("learner", "coach", "structure").get()


def thread_url(request):
    return reverse("coaching:thread", args=[request.pk])


def post(client, request, body, **extra):
    return client.post(thread_url(request), {"body": body, **extra})


def test_learner_writes_and_the_coach_reads_then_replies(client, claimed):
    client.force_login(claimed.learner)
    response = post(client, claimed, "Bonjour, je bloque sur mon budget.")
    assert response.status_code == 302
    assert response["Location"].endswith("#dernier-message")
    page = client.get(thread_url(claimed)).content.decode()
    assert "Message envoyé." in page
    assert "Vous</strong>" in page and "je bloque sur mon budget" in page

    client.force_login(claimed.coach)
    file = client.get(reverse("coaching:request", args=[claimed.pk])).content.decode()
    assert "je bloque sur mon budget" in file and "Léa" in file
    assert "1 nouveau" in file  # not read before this visit
    response = post(client, claimed, "Bonjour Léa, voyons cela mardi.", **{"from": "file"})
    assert response["Location"] == (
        reverse("coaching:request", args=[claimed.pk]) + "#dernier-message"
    )

    client.force_login(claimed.learner)
    page = client.get(thread_url(claimed)).content.decode()
    assert "Julien, accompagnateur·rice" in page
    assert page.index("je bloque sur mon budget") < page.index("voyons cela mardi")
    assert [m.author_role for m in RequestMessage.objects.all()] == ["learner", "coach"]


def test_a_manager_writes_as_the_structure_team(client, claimed):
    boss = manager(claimed.structure, first_name="Théodebert", last_name="Quillivic")
    client.force_login(boss)
    assert post(client, claimed, "Nous suivons votre demande.").status_code == 302
    client.force_login(claimed.learner)
    page = client.get(thread_url(claimed)).content.decode()
    # A name no factory gives anyone else (« Marc » was once found in « Marchal »).
    assert "L’équipe de la structure" in page
    assert "Théodebert" not in page and "Quillivic" not in page


def test_text_is_escaped_and_addresses_become_links(client, claimed):
    client.force_login(claimed.learner)
    post(client, claimed, "<script>alert(1)</script>\nVoir https://exemple.org/budget?a=1&b=2")
    page = client.get(thread_url(claimed)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>" in page
    assert '<a href="https://exemple.org/budget?a=1&amp;b=2" rel="nofollow">' in page


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("learner", True),
        ("its_coach", True),
        ("its_manager", True),
        ("network_manager", True),
        ("other_learner", False),
        ("other_coach_same_territory", False),
        ("manager_of_another_structure", False),
    ],
)
def test_only_the_people_of_the_request_read_and_write(client, claimed, who, allowed):
    people = {
        "learner": lambda: claimed.learner,
        "its_coach": lambda: claimed.coach,
        "its_manager": lambda: manager(claimed.structure),
        "network_manager": lambda: manager(),
        "other_learner": lambda: learner(departement="69"),
        "other_coach_same_territory": lambda: coach(departements=["69"]),
        "manager_of_another_structure": lambda: manager(StructureFactory(name="Autre")),
    }
    client.force_login(people[who]())
    assert client.get(thread_url(claimed)).status_code == (200 if allowed else 404)
    response = post(client, claimed, "Un message")
    assert response.status_code == (302 if allowed else 404)
    assert RequestMessage.objects.count() == (1 if allowed else 0)


def test_anonymous_visitors_are_sent_to_login(client, claimed):
    response = client.get(thread_url(claimed))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_coach_of_the_territory_sees_the_open_request_but_not_its_thread(
    client, lyon_learner, rhone_coach
):
    request = actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Aide", "ici")
    actions.post_message(lyon_learner, request.pk, "Message privé")
    client.force_login(rhone_coach)
    file = client.get(reverse("coaching:request", args=[request.pk])).content.decode()
    assert "Aide" in file and "Message privé" not in file and 'id="messages"' not in file
    assert client.get(thread_url(request)).status_code == 404


def test_a_message_to_a_closed_request_is_refused_and_kept(client, claimed):
    client.force_login(claimed.learner)
    page = client.get(thread_url(claimed))  # the form was loaded while open...
    assert page.status_code == 200
    actions.close_request(
        claimed.coach, claimed, outcome="continues", summary="Bien", next_steps="Suite"
    )
    response = post(client, claimed, "Mon texte à ne pas perdre")  # ...and sent after
    html = response.content.decode()
    assert response.status_code == 422
    assert "Cette demande est close : votre message n&#x27;a pas été envoyé." in html
    assert "Mon texte à ne pas perdre</textarea>" in html
    assert RequestMessage.objects.count() == 0

    # Later visits read the thread, without a form.
    html = client.get(thread_url(claimed)).content.decode()
    assert "on ne peut plus y écrire" in html and "<textarea" not in html


def test_an_empty_or_too_long_message_says_why(client, claimed):
    client.force_login(claimed.learner)
    response = post(client, claimed, "   ")
    assert response.status_code == 422
    assert "Écrivez votre message avant de l" in response.content.decode()
    response = post(client, claimed, "x" * 4001)
    assert response.status_code == 422
    assert "raccourcissez-le" in response.content.decode()
    assert RequestMessage.objects.count() == 0


def test_bursts_are_rate_limited(client, claimed, settings):
    settings.BALISE_RATE_LIMITS = {**settings.BALISE_RATE_LIMITS, "request_message": "3/600"}
    client.force_login(claimed.learner)
    codes = [post(client, claimed, f"Message {n}").status_code for n in range(4)]
    assert codes == [302, 302, 302, 429]
    assert RequestMessage.objects.count() == 3


def test_unread_marks_on_my_coaching_and_the_queue(client, claimed):
    actions.post_message(claimed.coach, claimed.pk, "Premier")
    actions.post_message(claimed.coach, claimed.pk, "Second")
    client.force_login(claimed.learner)
    page = client.get(reverse("coaching:my_coaching")).content.decode()
    assert "Lire les 2 nouveaux messages" in page
    client.get(thread_url(claimed))
    page = client.get(reverse("coaching:my_coaching")).content.decode()
    assert "nouveaux messages" not in page and "Écrire à la personne qui vous accompagne" in page

    actions.post_message(claimed.learner, claimed.pk, "Merci")
    client.force_login(claimed.coach)
    assert "1 message non lu" in client.get(reverse("coaching:queue")).content.decode()
    client.get(reverse("coaching:request", args=[claimed.pk]))
    assert "message non lu" not in client.get(reverse("coaching:queue")).content.decode()


def test_each_manager_has_their_own_unread_mark(claimed):
    first, second = manager(claimed.structure), manager(claimed.structure)
    message = actions.post_message(claimed.learner, claimed.pk, "Allô")
    actions.mark_thread_read(first, claimed, message.pk)
    from django.db.models import Q

    from lms.coaching.threads import unread_counts

    assert unread_counts(first, Q(request=claimed)) == {}
    assert unread_counts(second, Q(request=claimed)) == {claimed.pk: 1}
    # Writing is reading: the author's own message is never unread for them.
    assert unread_counts(claimed.learner, Q(request=claimed)) == {}
    assert ThreadReader.objects.get(reader=claimed.learner).read_up_to == message.pk


@pytest.mark.parametrize("size", [1, 5, 15])
def test_queue_budget_with_messages(client, django_assert_max_num_queries, rhone_coach, size):
    pathway = build_pathway(["m:1"])
    for _ in range(size):
        person = learner(departement="69")
        request = actions.open_help_request(person, pathway, "Aide", "ici")
        actions.post_message(person, request.pk, "Bonjour")
        if actions.claim_request(rhone_coach, request.pk).ok:
            actions.post_message(person, request.pk, "Encore")
    client.force_login(rhone_coach)
    with django_assert_max_num_queries(7):  # the unread marks come with the cards
        assert client.get(reverse("coaching:queue")).status_code == 200


@pytest.mark.parametrize("size", [1, 5, 15])
def test_my_coaching_budget_with_messages(client, django_assert_max_num_queries, size):
    person = learner(departement="69")
    helper = coach(departements=["69"], capacity=20)
    for n in range(size):
        request = actions.open_help_request(person, build_pathway(["m:1"]), "Aide", "ici")
        actions.claim_request(helper, request.pk)
        actions.post_message(helper, request.pk, f"Réponse {n}")
    client.force_login(person)
    with django_assert_max_num_queries(9):  # 8, plus one for the learner's group sessions
        response = client.get(reverse("coaching:my_coaching"))
    assert response.content.decode().count("Lire le nouveau message") == size


@pytest.mark.parametrize("size", [1, 10, 40])
def test_thread_page_budget(client, django_assert_max_num_queries, claimed, size):
    for n in range(size):
        actions.post_message(claimed.coach, claimed.pk, f"Message {n}")
    client.force_login(claimed.learner)
    with django_assert_max_num_queries(8):
        assert client.get(thread_url(claimed)).status_code == 200


def test_a_deleted_coach_account_leaves_the_thread_readable(client, claimed):
    from lms.accounts.gdpr import anonymise_user

    actions.post_message(claimed.coach, claimed.pk, "Je reste lisible")
    anonymise_user(claimed.coach)
    client.force_login(claimed.learner)
    page = client.get(thread_url(claimed)).content.decode()
    assert "Je reste lisible" in page and "Accompagnateur·rice</strong>" in page
    assert "Julien" not in page


def test_closed_status_is_the_only_refusal(claimed):
    CoachingRequest.objects.filter(pk=claimed.pk).update(status=Status.SCHEDULED)
    actions.post_message(claimed.learner, claimed.pk, "Toujours ouvert")
    for status in (Status.DONE, Status.CANCELLED, Status.EXPIRED):
        CoachingRequest.objects.filter(pk=claimed.pk).update(status=status)
        with pytest.raises(actions.CoachingError):
            actions.post_message(claimed.learner, claimed.pk, "Non")
    assert RequestMessage.objects.count() == 1


def test_managers_see_unread_messages_on_their_structures_list(client, claimed):
    boss = manager(claimed.structure)
    actions.post_message(claimed.learner, claimed.pk, "Bonjour")
    client.force_login(boss)
    listing = reverse("coaching:structure_requests")
    assert "1 message non lu" in client.get(listing).content.decode()
    file = client.get(reverse("coaching:request", args=[claimed.pk])).content.decode()
    assert "Bonjour" in file and 'id="messages"' in file
    assert "message non lu" not in client.get(listing).content.decode()


@pytest.mark.parametrize("size", [1, 5, 15])
def test_structure_list_budget_with_messages(client, django_assert_max_num_queries, size):
    helper = coach(departements=["69"])
    pathway = build_pathway(["m:1"])
    for _ in range(size):
        person = learner(departement="69")
        request = actions.open_help_request(person, pathway, "Aide", "ici")
        actions.post_message(person, request.pk, "Bonjour")
    boss = manager(helper.coach_profile.structure)
    client.force_login(boss)
    with django_assert_max_num_queries(8):  # constant: one of them reads the unread marks
        response = client.get(reverse("coaching:structure_requests"))
    assert response.content.decode().count("1 message non lu") == size


def test_a_coach_who_handed_the_request_back_can_no_longer_write(client, claimed):
    client.force_login(claimed.coach)
    client.get(thread_url(claimed))
    actions.hand_back(claimed.coach, claimed)
    with pytest.raises(actions.CoachingError, match="Vous ne suivez plus cette demande"):
        actions.post_message(claimed.coach, claimed.pk, "Trop tard")
    assert post(client, claimed, "Trop tard").status_code == 404
    assert RequestMessage.objects.count() == 0
