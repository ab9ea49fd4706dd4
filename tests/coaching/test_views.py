"""Coach workspace and learner views: flows, bad input and who may see what."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts.roles import Role
from lms.coaching import actions
from lms.coaching.models import CoachingRequest, CoachingSession, Status
from lms.notifications.models import Notification
from pathways import actions as pathway_actions
from tests.factories.accounts import StructureFactory, UserFactory, coach, learner, manager
from tests.factories.pathways import build_pathway, modules_of, point_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def help_request(lyon_learner, rhone_coach):
    return actions.open_help_request(lyon_learner, build_pathway(["m:1"]), "Je bloque", "ici")


def slot(days=3):
    moment = timezone.localtime() + timedelta(days=days)
    return {"date": moment.date().isoformat(), "time": "18:30"}


def test_queue_lists_territory_requests_and_claim_works(client, rhone_coach, help_request):
    client.force_login(rhone_coach)
    page = client.get(reverse("coaching:queue")).content.decode()
    assert help_request.learner.display_name in page
    response = client.post(reverse("coaching:claim", args=[help_request.pk]), follow=True)
    assert "Demande prise en charge" in response.content.decode()
    assert CoachingRequest.objects.get().coach == rhone_coach


def test_queue_filters_with_htmx_returns_the_lists_only(client, rhone_coach, help_request):
    client.force_login(rhone_coach)
    response = client.get(
        reverse("coaching:queue"), {"origin": "checkpoint"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'id="queue-lists"' in html and "<html" not in html
    assert help_request.learner.display_name not in html
    assert "HX-Request" in response["Vary"]  # a browser cache never mixes page and fragment
    response = client.get(reverse("coaching:queue"), {"departement": "<b>"})
    assert response.status_code == 200


def test_on_a_phone_the_requests_come_before_folded_filters(client, rhone_coach, help_request):
    client.force_login(rhone_coach)
    html = client.get(reverse("coaching:queue")).content.decode()
    folded = html.index('<details class="filters-panel">')
    assert folded < html.index('<form method="get"') < html.index("</details>")
    assert html.index("</details>") < html.index(help_request.learner.display_name)

    html = client.get(reverse("coaching:queue"), {"origin": "help"}).content.decode()
    assert '<details class="filters-panel" open>' in html
    assert "(1 filtre actif)" in html


def test_claim_already_taken_says_by_whom(client, rhone_coach, help_request):
    other = coach(departements=["69"])
    actions.claim_request(other, help_request.pk)
    client.force_login(rhone_coach)
    response = client.post(reverse("coaching:claim", args=[help_request.pk]), follow=True)
    assert f"Déjà pris en charge par {other.display_name}" in response.content.decode()


def test_coach_outside_territory_cannot_open_the_file(client, help_request, remote_coach):
    client.force_login(remote_coach)
    assert client.get(reverse("coaching:request", args=[help_request.pk])).status_code == 404
    assert client.post(reverse("coaching:claim", args=[help_request.pk])).status_code == 302
    assert CoachingRequest.objects.get().status == Status.OPEN


def test_learner_and_anonymous_cannot_use_the_workspace(client, help_request):
    assert client.get(reverse("coaching:queue")).status_code == 302
    client.force_login(help_request.learner)
    assert client.get(reverse("coaching:queue")).status_code == 403
    assert client.get(reverse("coaching:request", args=[help_request.pk])).status_code == 403


def test_the_managers_of_the_request_s_structure_and_of_the_network_read_the_file(
    client, help_request
):
    url = reverse("coaching:request", args=[help_request.pk])
    for reader in (manager(help_request.structure), manager()):
        client.force_login(reader)
        page = client.get(url).content.decode()
        assert "Je bloque" in page
        assert "Proposer un rendez-vous" not in page


def test_a_manager_of_another_structure_or_of_none_cannot_open_the_file(client, help_request):
    url = reverse("coaching:request", args=[help_request.pk])
    elsewhere = StructureFactory(name="CAE Drôme", departements=["26"])
    for reader in (manager(elsewhere), UserFactory(role=Role.MANAGER)):
        client.force_login(reader)
        assert client.get(url).status_code == 404


def test_full_session_flow(client, rhone_coach, help_request, mailoutbox):
    actions.claim_request(rhone_coach, help_request.pk)
    client.force_login(rhone_coach)
    response = client.post(
        reverse("coaching:propose_session", args=[help_request.pk]),
        {**slot(), "duration_minutes": "60", "modality": "in_person", "location": "Tiers-lieu"},
    )
    assert response.status_code == 302
    session = CoachingSession.objects.get()
    # The learner answers from « Mon accompagnement ».
    client.force_login(help_request.learner)
    page = client.get(reverse("coaching:my_coaching")).content.decode()
    assert "Tiers-lieu" in page and "J’accepte" in page
    ics = client.get(reverse("coaching:session_ics", args=[session.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    client.post(reverse("coaching:answer_session", args=[session.pk]), {"answer": "accept"})
    assert CoachingRequest.objects.get().status == Status.SCHEDULED
    # The coach closes with a summary the learner then reads.
    client.force_login(rhone_coach)
    client.post(
        reverse("coaching:close", args=[help_request.pk]),
        {"outcome": "continues", "summary": "On a clarifié le modèle.", "next_steps": "Budget"},
    )
    client.force_login(help_request.learner)
    assert (
        "On a clarifié le modèle." in client.get(reverse("coaching:my_coaching")).content.decode()
    )


def test_closing_warns_the_coach_of_an_accepted_session_still_to_come(
    client, rhone_coach, help_request
):
    actions.claim_request(rhone_coach, help_request.pk)
    starts_at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    session = actions.propose_session(
        rhone_coach,
        help_request,
        starts_at=starts_at,
        duration_minutes=60,
        modality="video",
        location="https://visio.example.org/x",
    )
    actions.answer_session(help_request.learner, session, "accept")
    client.force_login(rhone_coach)

    response = client.post(
        reverse("coaching:close", args=[help_request.pk]),
        {"outcome": "follow_up", "summary": "À suivre.", "next_steps": ""},
        follow=True,
    )

    page = response.content.decode()
    assert "Demande clôturée" in page
    assert "accepté par la personne, reste prévu" in page
    assert timezone.localtime(starts_at).strftime("%H:%M") in page


def test_my_coaching_shows_the_modality_of_the_booked_session(client, rhone_coach, help_request):
    actions.claim_request(rhone_coach, help_request.pk)
    help_request.refresh_from_db()
    assert help_request.recommended_modality == "in_person"
    session = actions.propose_session(
        rhone_coach,
        help_request,
        starts_at=(timezone.now() + timedelta(days=2)).replace(microsecond=0),
        duration_minutes=60,
        modality="phone",
        location="Je vous appelle",
    )
    client.force_login(help_request.learner)
    before = client.get(reverse("coaching:my_coaching")).content.decode()
    assert "Modalité proposée : En présentiel." in before
    actions.answer_session(help_request.learner, session, "accept")

    page = client.get(reverse("coaching:my_coaching")).content.decode()

    assert "Modalité du rendez-vous : Téléphone." in page
    assert "Modalité proposée : En présentiel." not in page


def test_the_recommendation_is_worded_for_each_reader(client, rhone_coach):
    person = learner(departement="69", area_type="urban", preferred_modality="video")
    request = actions.open_help_request(person, build_pathway(["m:1"]), "Aide", "ici")
    learner_wording = "Vous avez indiqué préférer un échange en visioconférence."
    coach_wording = "La personne a indiqué préférer un échange en visioconférence."

    client.force_login(rhone_coach)
    queue = client.get(reverse("coaching:queue")).content.decode()
    file = client.get(reverse("coaching:request", args=[request.pk])).content.decode()
    client.force_login(person)
    mine = client.get(reverse("coaching:my_coaching")).content.decode()

    assert coach_wording in queue and learner_wording not in queue
    assert coach_wording in file and learner_wording not in file
    assert learner_wording in mine and coach_wording not in mine
    assert Notification.objects.get(recipient=rhone_coach).body_text.count(coach_wording) == 1


def test_session_in_the_past_is_refused_with_the_typed_values(client, rhone_coach, help_request):
    actions.claim_request(rhone_coach, help_request.pk)
    client.force_login(rhone_coach)
    response = client.post(
        reverse("coaching:propose_session", args=[help_request.pk]),
        {
            **slot(days=-2),
            "duration_minutes": "60",
            "modality": "video",
            "location": "https://visio",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "déjà passé" in html and "https://visio" in html
    assert not CoachingSession.objects.exists()


def test_only_the_assigned_coach_acts(client, rhone_coach, help_request):
    other = coach(departements=["69"])
    actions.claim_request(rhone_coach, help_request.pk)
    client.force_login(other)
    for name in ("propose_session", "notes", "close", "hand_back"):
        response = client.post(reverse(f"coaching:{name}", args=[help_request.pk]), {})
        assert response.status_code == 404, name


def test_learner_cannot_act_on_another_learners_request(client, help_request):
    client.force_login(learner())
    assert client.post(reverse("coaching:cancel", args=[help_request.pk])).status_code == 404
    assert CoachingRequest.objects.get().status == Status.OPEN


def test_help_form_prefilled_and_empty_message_refused(client, lyon_learner, rhone_coach):
    pathway = build_pathway(["m:1"])
    client.force_login(lyon_learner)
    page = client.get(reverse("coaching:help", args=[pathway.pk]), {"ou": "Module 1 — Étape 2"})
    assert "Je bloque sur « Module 1 — Étape 2 »" in page.content.decode()
    response = client.post(reverse("coaching:help", args=[pathway.pk]), {"message": "   "})
    assert response.status_code == 200
    assert "Écrivez quelques mots" in response.content.decode()
    assert not CoachingRequest.objects.exists()
    client.post(
        reverse("coaching:help", args=[pathway.pk]), {"message": "Aidez-moi", "where": "ici"}
    )
    assert CoachingRequest.objects.get().message == "Aidez-moi"


def test_offered_point_is_accepted_from_the_point_page(
    client, lyon_learner, rhone_coach, django_capture_on_commit_callbacks
):
    pathway = build_pathway(["m:1", "p:offered"])
    pathway_actions.enroll(lyon_learner, pathway)
    (mod,) = modules_of(pathway)
    pathway_actions.complete_step(lyon_learner, mod, mod.step_ids[0])
    client.force_login(lyon_learner)
    point_url = reverse("pathways:point", args=[pathway.pk, point_ids(pathway)[0]])
    accept_url = reverse("coaching:accept_offer", args=[pathway.pk, point_ids(pathway)[0]])
    assert accept_url in client.get(point_url).content.decode()
    client.post(accept_url, {"message": "Volontiers"})
    assert CoachingRequest.objects.get().message == "Volontiers"


def test_step_page_offers_help(client, lyon_learner):
    pathway = build_pathway(["m:1"])
    pathway_actions.enroll(lyon_learner, pathway)
    (mod,) = modules_of(pathway)
    client.force_login(lyon_learner)
    page = client.get(reverse("pathways:step", args=[pathway.pk, mod.pk, mod.step_ids[0]]))
    assert reverse("coaching:help", args=[pathway.pk]) in page.content.decode()


@pytest.mark.parametrize("size", [1, 5, 15])
def test_queue_query_budget(client, django_assert_max_num_queries, rhone_coach, size):
    pathway = build_pathway(["m:1"])
    for _ in range(size):
        actions.open_help_request(learner(departement="69"), pathway, "Aide", "ici")
    client.force_login(rhone_coach)
    with django_assert_max_num_queries(7):  # the coach's structure comes with the profile
        assert client.get(reverse("coaching:queue")).status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_learner_file_query_budget(client, django_assert_max_num_queries, rhone_coach, size):
    pathway = build_pathway(["m:1", "p:automatic"] * size)
    person = learner(departement="69")
    request = actions.open_help_request(person, pathway, "Aide", "ici")
    actions.claim_request(rhone_coach, request.pk)
    client.force_login(rhone_coach)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("coaching:request", args=[request.pk])).status_code == 200


def test_overdue_requests_are_flagged_in_the_queue(client, rhone_coach, help_request):
    client.force_login(rhone_coach)
    assert "En retard" not in client.get(reverse("coaching:queue")).content.decode()
    CoachingRequest.objects.update(due_at=timezone.now() - timedelta(hours=1))
    assert "En retard" in client.get(reverse("coaching:queue")).content.decode()


def _open_requests(count, departement="69", **fields):
    """``count`` open requests, due one hour apart: rows only, without the snapshot work."""
    now = timezone.now()
    return CoachingRequest.objects.bulk_create(
        CoachingRequest(
            learner=learner(departement=departement),
            point_id="help",
            origin="help",
            departement=departement,
            recommended_modality="video",
            recommendation_reason="Raison.",
            due_at=now + timedelta(hours=index + 1),
            **fields,
        )
        for index in range(count)
    )


def _cards(html):
    return html.count('<li class="card')


def test_queue_shows_a_page_of_20_with_a_link_keeping_the_filters(client, rhone_coach):
    requests = _open_requests(21)
    mine = _open_requests(1)[0]  # due last, claimed: listed first all the same
    CoachingRequest.objects.filter(pk=mine.pk).update(status=Status.CLAIMED, coach=rhone_coach)
    client.force_login(rhone_coach)
    url = reverse("coaching:queue")

    page = client.get(url, {"origin": "help"}).content.decode()
    assert _cards(page) == 20
    assert page.index(reverse("coaching:request", args=[mine.pk])) < page.index(
        reverse("coaching:request", args=[requests[0].pk])
    )
    assert reverse("coaching:claim", args=[requests[18].pk]) in page
    assert reverse("coaching:claim", args=[requests[19].pk]) not in page
    assert 'href="?origin=help&amp;page=2"' in page and "Voir plus" in page

    page = client.get(url, {"origin": "help", "page": "2"}).content.decode()
    assert _cards(page) == 2
    assert reverse("coaching:claim", args=[requests[20].pk]) in page
    assert 'href="?origin=help&amp;page=1"' in page and "Voir plus" not in page
    assert "Mes demandes en cours" not in page  # they are on the first page

    fragment = client.get(url, {"page": "2"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and _cards(fragment) == 2
    for bad in ("0", "-3", "abc", "9" * 5000, "99999999999999999999"):
        assert client.get(url, {"page": bad}).status_code == 200


def test_queue_card_shows_the_snapshot_and_who_may_claim(client, rhone_coach, help_request):
    mine = actions.open_help_request(
        learner(departement="69", user__first_name="Zoé"), build_pathway(["m:1"]), "Aide", "ici"
    )
    actions.claim_request(rhone_coach, mine.pk)
    client.force_login(rhone_coach)
    page = client.get(reverse("coaching:queue")).content.decode()
    open_card = page[page.index(help_request.learner.display_name) :]
    assert "69 – Rhône · Ville · En recherche d&#x27;emploi" in open_card
    assert help_request.pathway.title in open_card
    assert "Recommandé : " in open_card and "Demandé " in open_card
    assert reverse("coaching:claim", args=[help_request.pk]) in open_card
    assert reverse("coaching:claim", args=[mine.pk]) not in page
    assert "<strong>Prise en charge</strong>" in page


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"origin": "help"},
        {"departement": "2A", "page": "3"},
        {"departement": "<b>", "age": "x"},
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_queue_filters_render_as_django_would(data, language):
    """The queue writes its <select>s itself (cached options); the markup stays that of
    components/form_fields.html and Django's widgets: label, selection, errors, ARIA."""
    from django.template.loader import render_to_string
    from django.test.html import parse_html
    from django.utils import translation

    from lms.coaching.forms import QueueFilterForm

    with translation.override(language):
        form = QueueFilterForm(data)
        expected = render_to_string("components/form_fields.html", {"form": form})
        rendered = render_to_string("coaching/queue.html#filter_fields", {"form": form})
    assert parse_html(rendered) == parse_html(expected)


def test_a_request_is_claimed_from_the_queue_with_its_one_form(rhone_coach, help_request):
    """Every card's button submits the page's one form (its CSRF token written once) to its
    own request's claim address; it works without JavaScript, as a browser posts it."""
    from django.test import Client

    other = actions.open_help_request(learner(departement="69"), build_pathway(["m:1"]), "A", "b")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(rhone_coach)
    page = browser.get(reverse("coaching:queue")).content.decode()
    to_take = page[page.index('id="open-title"') :]
    to_take = to_take[: to_take.index("</section>")]
    assert to_take.count('name="csrfmiddlewaretoken"') == 1  # for two cards
    form = to_take[to_take.index('<form method="post" id="claim-form"') :]
    token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    for request in (help_request, other):
        claim = reverse("coaching:claim", args=[request.pk])
        assert f'form="claim-form" formaction="{claim}"' in page
    claim = reverse("coaching:claim", args=[other.pk])
    response = browser.post(claim, {"csrfmiddlewaretoken": token}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("coaching:request", args=[other.pk])
    other.refresh_from_db()
    assert other.coach == rhone_coach and other.status == Status.CLAIMED
    help_request.refresh_from_db()
    assert help_request.coach is None


def test_a_moved_session_costs_the_file_no_more_queries(client, rhone_coach):
    """The sessions' history comes with who changed them: a file whose sessions were moved
    costs the same queries as one whose sessions were not, and names who moved them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.coaching.session_helpers import claimed_request, in_days, propose

    person = learner(departement="69", user__first_name="Inès")
    request = claimed_request(person, rhone_coach)
    session = propose(rhone_coach, request)
    client.force_login(rhone_coach)
    url = reverse("coaching:request", args=[request.pk])
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    actions.move_session(person, session, starts_at=in_days(8), reason="Un empêchement")
    with CaptureQueriesContext(connection) as after:
        page = client.get(url).content.decode()
    assert "Inès" in page and "l’a déplacé du" in page
    assert len(after.captured_queries) == len(before.captured_queries)
