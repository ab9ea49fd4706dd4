"""Learner pages of outcomes: the questionnaire and its result, the competence profile,
milestones, satisfaction, module feedback, and who may use them."""

import re

import pytest
from django.db import DatabaseError
from django.urls import reverse

from lms.coaching.models import CoachingRequest
from lms.outcomes.models import (
    CompetenceScore,
    Diagnosis,
    Milestone,
    ModuleFeedback,
    Moment,
    Satisfaction,
)
from pathways import actions as pathway_actions
from pathways.models import CheckpointPassage
from tests.factories.accounts import learner
from tests.factories.pathways import build_pathway, modules_of, point_ids

from .conftest import ALL_THREES, answers_for, finish, post_data, questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return person


def start_url(pathway):
    return reverse("outcomes:diagnosis_start", args=[pathway.pk])


def submit(client, url, competences, **scores):
    return client.post(url, post_data(answers_for(competences, **(scores or ALL_THREES))))


# --- The questionnaire -----------------------------------------------------------------------


def test_the_form_groups_questions_by_area_in_fieldsets(client, signed_in, competences):
    page = client.get(reverse("outcomes:diagnosis_free")).content.decode()
    assert page.count('<fieldset class="diagnosis__area">') == 3
    assert '<legend class="diagnosis__area-legend">Idées et opportunités</legend>' in page
    assert page.count('type="radio"') == 25
    assert "Je vois loin." in page and "Je pourrais l&#x27;expliquer à d&#x27;autres" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_free_diagnosis_leads_to_its_result(client, signed_in, competences):
    response = submit(client, reverse("outcomes:diagnosis_free"), competences)
    diagnosis = Diagnosis.objects.get(learner=signed_in)
    assert diagnosis.moment == Moment.FREE and diagnosis.pathway is None
    assert response.status_code == 302
    assert response.url == reverse("outcomes:diagnosis_result", args=[diagnosis.pk])
    page = client.get(response.url).content.decode()
    assert "Merci, votre autodiagnostic est enregistré." in page
    assert 'role="img"' in page and "<table" in page


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data, q: data.update({q: "0"}),
        lambda data, q: data.update({q: "6"}),
        lambda data, q: data.update({q: "abc"}),
        lambda data, q: data.pop(q),
        lambda data, q: data.update({"q_987654": "3"}),
    ],
    ids=["zero", "six", "text", "missing", "unknown-question"],
)
def test_bad_answers_give_errors_and_no_rows(client, signed_in, competences, tamper):
    data = post_data(answers_for(competences, **ALL_THREES))
    tamper(data, f"q_{questions(competences['vision'])[1]}")
    response = client.post(reverse("outcomes:diagnosis_free"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'class="form-errors" role="alert"' in page
    assert not Diagnosis.objects.exists() and not CompetenceScore.objects.exists()


def test_an_empty_post_is_a_form_error(client, signed_in, competences):
    response = client.post(reverse("outcomes:diagnosis_free"), {})
    assert response.status_code == 422
    assert response.content.decode().count("Choisissez une réponse pour cette affirmation.") >= 5


def test_start_diagnosis_needs_an_enrolment_and_a_live_pathway(
    client, signed_in, competences, pathway
):
    response = client.get(start_url(pathway))
    assert response.status_code == 302 and response.url == pathway.url
    submit(client, start_url(pathway), competences)
    assert not Diagnosis.objects.exists()
    pathway.unpublish()
    assert client.get(start_url(pathway)).status_code == 404


def test_start_diagnosis_then_milestone_then_the_pathway(client, signed_in, competences, pathway):
    pathway_actions.enroll(signed_in, pathway)
    page = client.get(pathway.url).content.decode()
    assert start_url(pathway) in page  # offered on the pathway page
    response = submit(client, start_url(pathway), competences)
    diagnosis = Diagnosis.objects.get(moment=Moment.START, pathway=pathway)
    page = client.get(response.url).content.decode()
    milestone_url = reverse("outcomes:milestone_start", args=[pathway.pk])
    assert f'action="{milestone_url}"' in page
    assert reverse("pathways:continue", args=[pathway.pk]) in page  # skippable
    # Retaking shows the previous answers and replaces them.
    page = client.get(start_url(pathway)).content.decode()
    assert "les nouvelles remplaceront les anciennes" in page and "checked" in page
    submit(client, start_url(pathway), competences, vision=[5, 5], confiance=[5], planifier=[5, 5])
    assert Diagnosis.objects.get(moment=Moment.START).pk == diagnosis.pk
    response = client.post(
        milestone_url,
        {"stage": "study", "jobs_fte": "0,5", "revenue": "none", "legal_form": "association"},
    )
    assert response.url == reverse("pathways:continue", args=[pathway.pk])
    assert Milestone.objects.get(moment=Moment.START).jobs_fte == pytest.approx(0.5)
    page = client.get(pathway.url).content.decode()
    assert start_url(pathway) not in page  # done: no more offer


def test_the_first_step_offers_the_start_diagnosis(client, signed_in, competences, pathway):
    response = client.post(reverse("pathways:enroll", args=[pathway.pk]), follow=True)
    assert start_url(pathway) in response.content.decode()
    submit(client, start_url(pathway), competences)
    response = client.get(reverse("pathways:continue", args=[pathway.pk]), follow=True)
    assert start_url(pathway) not in response.content.decode()


def test_end_diagnosis_needs_the_pathway_finished(client, signed_in, competences, pathway):
    pathway_actions.enroll(signed_in, pathway)
    end_url = reverse("outcomes:diagnosis_end", args=[pathway.pk])
    response = client.get(end_url)
    assert response.status_code == 302 and response.url == pathway.url
    assert submit(client, end_url, competences).status_code == 302
    assert not Diagnosis.objects.exists()
    finish(signed_in, pathway)
    page = client.get(pathway.url).content.decode()
    assert end_url in page and reverse("outcomes:satisfaction", args=[pathway.pk]) in page
    assert client.get(end_url).status_code == 200
    submit(client, end_url, competences)
    assert Diagnosis.objects.get(moment=Moment.END).pathway == pathway


# --- Low scores --------------------------------------------------------------------------------


def watch(pathway, competences, mode):
    pathway.coaching_competences.set([competences["vision"]])
    pathway.coaching_threshold = 2
    pathway.self_assessment_coaching = mode
    pathway.save()


LOW = {"vision": [1, 2], "confiance": [4], "planifier": [4, 4]}


def test_open_mode_opens_a_request_and_says_so(
    client, signed_in, competences, pathway, django_capture_on_commit_callbacks
):
    watch(pathway, competences, "open")
    pathway_actions.enroll(signed_in, pathway)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, start_url(pathway), competences, **LOW)
    request = CoachingRequest.objects.get(learner=signed_in)
    assert request.origin == "self_assessment" and request.point_id == "self_assessment"
    page = client.get(response.url).content.decode()
    assert "nous avons demandé un accompagnement pour vous" in page
    assert "Une demande d’accompagnement est en cours" in page
    assert "Demander un accompagnement</button>" not in page
    # Again: the learner is told a request is already there.
    page = client.get(submit(client, start_url(pathway), competences, **LOW).url)
    assert "déjà une demande d&#x27;accompagnement en cours" in page.content.decode()
    assert CoachingRequest.objects.count() == 1


def fail(*args, **kwargs):
    raise DatabaseError("injected fault")


def test_a_request_that_cannot_be_saved_keeps_the_answers_and_says_so(
    client, signed_in, competences, pathway, monkeypatch
):
    watch(pathway, competences, "open")
    pathway_actions.enroll(signed_in, pathway)
    with monkeypatch.context() as patch:
        patch.setattr("lms.coaching.actions.requests._insert_request", fail)
        response = submit(client, start_url(pathway), competences, **LOW)

    assert response.status_code == 503  # a page, not the error page
    page = response.content.decode()
    assert "n&#x27;ont pas pu être enregistrées" in page
    checked = re.findall(r'<input type="radio"[^>]*value="(\d)"[^>]*checked>', page)
    assert checked[:3] == ["1", "2", "4"]  # the answers are kept
    assert not Diagnosis.objects.exists() and not CoachingRequest.objects.exists()
    # Sending again once the fault is gone saves both.
    submit(client, start_url(pathway), competences, **LOW)
    assert Diagnosis.objects.count() == 1 and CoachingRequest.objects.count() == 1


def test_asking_after_a_diagnosis_when_the_request_cannot_be_saved(
    client, signed_in, competences, pathway, monkeypatch
):
    watch(pathway, competences, "offer")
    pathway_actions.enroll(signed_in, pathway)
    submit(client, start_url(pathway), competences, **LOW)
    action = reverse("outcomes:diagnosis_request_coaching", args=[Diagnosis.objects.get().pk])
    with monkeypatch.context() as patch:
        patch.setattr("lms.coaching.actions.requests._insert_request", fail)
        response = client.post(action, follow=True)
    assert response.status_code == 200
    assert "pas pu être enregistrée" in response.content.decode()
    assert not CoachingRequest.objects.exists()


def test_offer_mode_shows_a_button_that_opens_the_request(client, signed_in, competences, pathway):
    watch(pathway, competences, "offer")
    pathway_actions.enroll(signed_in, pathway)
    response = submit(client, start_url(pathway), competences, **LOW)
    assert not CoachingRequest.objects.exists()
    page = client.get(response.url).content.decode()
    diagnosis = Diagnosis.objects.get()
    action = reverse("outcomes:diagnosis_request_coaching", args=[diagnosis.pk])
    assert f'action="{action}"' in page and "Demander un accompagnement" in page
    assert "Vision (1,5/5)" in page
    response = client.post(action, follow=True)
    assert response.redirect_chain[-1][0] == reverse("coaching:my_coaching")
    assert "va vous contacter" in response.content.decode()
    assert CoachingRequest.objects.get().origin == "self_assessment"
    response = client.post(action, follow=True)
    assert "déjà en cours" in response.content.decode()
    assert CoachingRequest.objects.count() == 1


def test_no_offer_without_low_scores(client, signed_in, competences, pathway):
    watch(pathway, competences, "offer")
    pathway_actions.enroll(signed_in, pathway)
    response = submit(client, start_url(pathway), competences)  # all threes
    assert "Demander un accompagnement" not in client.get(response.url).content.decode()
    diagnosis = Diagnosis.objects.get()
    client.post(reverse("outcomes:diagnosis_request_coaching", args=[diagnosis.pk]))
    assert not CoachingRequest.objects.exists()


# --- The competence profile ------------------------------------------------------------------


def test_empty_profile_tells_what_to_do(client, signed_in, competences):
    page = client.get(reverse("outcomes:profile")).content.decode()
    assert "Vous n’avez pas encore fait d’autodiagnostic" in page
    assert reverse("outcomes:diagnosis_free") in page and "<svg" not in page


def _svg_texts(page: str) -> list[str]:
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    return [t.strip() for svg in svgs for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def _table_cells(page: str) -> list[str]:
    tables = re.findall(r"<table.*?</table>", page, flags=re.S)
    return [c.strip() for t in tables for c in re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", t)]


def test_profile_compares_start_and_end_in_a_chart_and_a_table(
    client, signed_in, competences, pathway
):
    finish(signed_in, pathway)
    submit(client, start_url(pathway), competences, vision=[1, 2], confiance=[2], planifier=[3, 3])
    end_url = reverse("outcomes:diagnosis_end", args=[pathway.pk])
    submit(client, end_url, competences, vision=[4, 4], confiance=[2], planifier=[4, 5])
    page = client.get(reverse("outcomes:profile")).content.decode()
    assert page.count('role="img"') == 2  # latest, and the pathway's start vs end
    assert re.search(r'<svg[^>]*aria-labelledby="comparison-\d+-title comparison-\d+-desc"', page)
    assert "<caption>Mes scores au début et à la fin du parcours" in page
    texts, cells = _svg_texts(page), _table_cells(page)
    # Chart and table carry the same numbers: start 1,5 / end 4 for Vision, etc.
    for label in ("début 1,5", "fin 4", "début 2", "fin 2", "début 3", "fin 4,5"):
        assert label in texts, label
    for value in ("1,5", "4", "+2,5", "=", "+1,5", "4,5"):
        assert value in cells, value
    # Series differ by pattern, not only by colour: the start bars are hatched.
    assert 'fill="url(#comparison-' in page and "<pattern" in page


def test_profile_latest_scores_match_the_table(client, signed_in, competences):
    submit(client, reverse("outcomes:diagnosis_free"), competences)
    submit(
        client,
        reverse("outcomes:diagnosis_free"),
        competences,
        vision=[5, 4],
        confiance=[1],
        planifier=[2, 3],
    )
    page = client.get(reverse("outcomes:profile")).content.decode()
    assert page.count('role="img"') == 1
    texts, cells = _svg_texts(page), _table_cells(page)
    for value in ("4,5", "1", "2,5"):
        assert value in texts and value in cells, value
    assert "3" not in cells  # the older diagnosis is history, not the latest


# --- Milestones --------------------------------------------------------------------------------

GOOD = {"stage": "launch", "jobs_fte": "2", "revenue": "lt10k", "legal_form": "scic"}


@pytest.mark.parametrize(
    ("jobs", "message"),
    [("-1", "négatif"), ("1000", "au plus 999"), ("1,25", "après la virgule"), ("x", "nombre")],
)
def test_milestone_errors_are_shown(client, signed_in, pathway, jobs, message):
    pathway_actions.enroll(signed_in, pathway)
    url = reverse("outcomes:milestone_start", args=[pathway.pk])
    response = client.post(url, GOOD | {"jobs_fte": jobs})
    assert response.status_code == 422 and message in response.content.decode()
    assert not Milestone.objects.exists()


def test_milestone_asks_only_the_stage_and_marks_only_it_required(client, signed_in, pathway):
    """The page says the milestone is optional beyond the stage: the form agrees."""
    pathway_actions.enroll(signed_in, pathway)
    url = reverse("outcomes:milestone_start", args=[pathway.pk])
    page = client.get(url).content.decode()
    required = {
        line.split('name="')[1].split('"')[0]
        for line in page.splitlines()
        if 'name="' in line and " required" in line
    }
    assert required == {"stage"}
    assert page.count('<span class="required"') == 1
    assert client.post(url, {"stage": "idea", "jobs_fte": ""}).status_code == 302
    milestone = Milestone.objects.get()
    assert (milestone.stage, milestone.jobs_fte, milestone.revenue, milestone.legal_form) == (
        "idea",
        0,
        "",
        "",
    )


def test_the_point_page_asks_for_a_milestone_prefilled(client, signed_in, pathway):
    pathway_actions.enroll(signed_in, pathway)
    url_start = reverse("outcomes:milestone_start", args=[pathway.pk])
    client.post(url_start, GOOD)
    point_id = point_ids(pathway)[0]
    milestone_url = reverse("outcomes:milestone_point", args=[pathway.pk, point_id])
    assert client.get(milestone_url).status_code == 403  # point not reached yet
    assert client.post(milestone_url, GOOD).status_code == 403
    module = modules_of(pathway)[0]
    pathway_actions.complete_step(signed_in, module, module.step_ids[0])
    page = client.get(reverse("pathways:point", args=[pathway.pk, point_id])).content.decode()
    assert f'action="{milestone_url}"' in page
    assert 'value="scic" selected' in page and 'value="2,0"' in page  # from the start milestone
    response = client.post(milestone_url, GOOD | {"stage": "activity"})
    assert response.url == reverse("pathways:point", args=[pathway.pk, point_id])
    assert Milestone.objects.get(moment=Moment.POINT, point_id=point_id).stage == "activity"
    assert (
        client.get(reverse("outcomes:milestone_point", args=[pathway.pk, "nope"])).status_code
        == 404
    )


def test_end_milestone_leads_to_the_satisfaction_form(client, signed_in, pathway):
    finish(signed_in, pathway)
    response = client.post(reverse("outcomes:milestone_end", args=[pathway.pk]), GOOD)
    assert response.url == reverse("outcomes:satisfaction", args=[pathway.pk])


# --- Satisfaction ----------------------------------------------------------------------------


def test_satisfaction_is_editable_and_bounded(client, signed_in, pathway):
    url = reverse("outcomes:satisfaction", args=[pathway.pk])
    pathway_actions.enroll(signed_in, pathway)
    assert client.get(url).status_code == 302  # not finished yet
    finish(signed_in, pathway)
    page = client.get(url).content.decode()
    assert page.count('type="radio"') == 11 and "Pas du tout" in page and "Tout à fait" in page
    for bad in ("-1", "11", "dix"):
        response = client.post(url, {"score": bad})
        assert (
            response.status_code == 422
            and "Choisissez une note de 0 à 10." in response.content.decode()
        )
    assert not Satisfaction.objects.exists()
    assert client.post(url, {"score": "10", "comment": "Merci"}).url == pathway.url
    assert client.post(url, {"score": "0", "comment": ""}).status_code == 302
    satisfaction = Satisfaction.objects.get()
    assert (satisfaction.score, satisfaction.comment) == (0, "")
    assert (
        'value="0" class="scale" required id="id_score_0" checked'
        in client.get(url).content.decode()
    )


# --- Module feedback ----------------------------------------------------------------------------


def feedback_url(pathway, module):
    return reverse("outcomes:module_feedback", args=[pathway.pk, module.pk])


def test_module_feedback_without_javascript(client, signed_in, pathway):
    pathway_actions.enroll(signed_in, pathway)
    first, second = modules_of(pathway)
    page = client.get(pathway.url).content.decode()
    assert feedback_url(pathway, first) not in page  # not finished yet
    response = client.post(feedback_url(pathway, first), {"useful": "1"})
    assert response.status_code == 302 and not ModuleFeedback.objects.exists()
    pathway_actions.complete_step(signed_in, first, first.step_ids[0])
    page = client.get(pathway.url).content.decode()
    assert feedback_url(pathway, first) in page and feedback_url(pathway, second) not in page
    step = reverse("pathways:step", args=[pathway.pk, first.pk, first.step_ids[0]])
    response = client.post(feedback_url(pathway, first), {"useful": "0", "next": step})
    assert response.status_code == 302 and response.url == step
    assert ModuleFeedback.objects.get().useful is False
    page = client.get(step).content.decode()  # the module's last step, done: the box shows
    assert feedback_url(pathway, first) in page and 'aria-pressed="true"' in page
    # An outside "next" is ignored; a bad value is an error message, not a 500.
    response = client.post(
        feedback_url(pathway, first), {"useful": "1", "next": "https://evil.example/"}
    )
    assert response.url == pathway.url and ModuleFeedback.objects.get().useful is True
    response = client.post(feedback_url(pathway, first), {"useful": "peut-être"}, follow=True)
    assert "Choisissez « Utile » ou « Pas utile »." in response.content.decode()


def test_module_feedback_with_htmx_swaps_in_a_thank_you(client, signed_in, pathway):
    pathway_actions.enroll(signed_in, pathway)
    first = modules_of(pathway)[0]
    pathway_actions.complete_step(signed_in, first, first.step_ids[0])
    response = client.post(
        feedback_url(pathway, first), {"useful": "1", "next": pathway.url}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.strip().startswith(f'<div class="feedback" id="feedback-{first.pk}">')
    assert "Merci pour votre avis !" in body and 'aria-pressed="true"' in body
    assert ModuleFeedback.objects.get().useful is True
    body = client.post(
        feedback_url(pathway, first), {"useful": "x"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'role="alert"' in body


def test_completing_a_module_with_htmx_offers_the_feedback(client, signed_in):
    pathway = build_pathway(["m:2"])
    pathway_actions.enroll(signed_in, pathway)
    module = modules_of(pathway)[0]
    first = reverse("pathways:complete_step", args=[pathway.pk, module.pk, module.step_ids[0]])
    response = client.post(first, HTTP_HX_REQUEST="true")
    body = client.get(response.headers["HX-Redirect"]).content.decode()
    assert feedback_url(pathway, module) not in body  # one step left
    last = reverse("pathways:complete_step", args=[pathway.pk, module.pk, module.step_ids[1]])
    response = client.post(last, HTTP_HX_REQUEST="true")
    assert response.headers["HX-Redirect"] == pathway.url  # where the feedback is asked
    body = client.get(pathway.url).content.decode()
    assert feedback_url(pathway, module) in body and 'aria-pressed="true"' not in body


# --- Who may do what ----------------------------------------------------------------------------


def all_urls(pathway, diagnosis, module, point_id):
    return {
        "outcomes:profile": reverse("outcomes:profile"),
        "outcomes:diagnosis_free": reverse("outcomes:diagnosis_free"),
        "outcomes:diagnosis_result": reverse("outcomes:diagnosis_result", args=[diagnosis.pk]),
        "outcomes:diagnosis_request_coaching": reverse(
            "outcomes:diagnosis_request_coaching", args=[diagnosis.pk]
        ),
        "outcomes:diagnosis_start": start_url(pathway),
        "outcomes:diagnosis_end": reverse("outcomes:diagnosis_end", args=[pathway.pk]),
        "outcomes:milestone_start": reverse("outcomes:milestone_start", args=[pathway.pk]),
        "outcomes:milestone_point": reverse(
            "outcomes:milestone_point", args=[pathway.pk, point_id]
        ),
        "outcomes:milestone_end": reverse("outcomes:milestone_end", args=[pathway.pk]),
        "outcomes:satisfaction": reverse("outcomes:satisfaction", args=[pathway.pk]),
        "outcomes:module_feedback": feedback_url(pathway, module),
    }


@pytest.fixture
def owned(client, competences, pathway):
    """Learner A finished the pathway, took a low start diagnosis and gave everything."""
    owner = learner()
    finish(owner, pathway)
    watch(pathway, competences, "offer")
    client.force_login(owner)
    submit(client, start_url(pathway), competences, **LOW)
    client.post(
        reverse("outcomes:satisfaction", args=[pathway.pk]), {"score": "8", "comment": "Secret-A"}
    )
    client.logout()
    diagnosis = Diagnosis.objects.get(learner=owner)
    return owner, all_urls(pathway, diagnosis, modules_of(pathway)[0], point_ids(pathway)[0])


def test_anonymous_visitors_are_sent_to_login(client, owned):
    _owner, urls = owned
    for name, url in urls.items():
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, name
            assert response.url.startswith(reverse("account_login")), name


def test_another_learner_cannot_see_or_affect_a_diagnosis(client, owned, pathway):
    owner, urls = owned
    client.force_login(learner())
    assert client.get(urls["outcomes:diagnosis_result"]).status_code == 404
    assert client.post(urls["outcomes:diagnosis_request_coaching"]).status_code == 404
    assert not CoachingRequest.objects.exists()
    page = client.get(urls["outcomes:profile"]).content.decode()
    assert "Vous n’avez pas encore fait d’autodiagnostic" in page
    # Not enrolled: pathway pages send them to the pathway, writing nothing.
    for name in (
        "outcomes:diagnosis_start",
        "outcomes:diagnosis_end",
        "outcomes:milestone_start",
        "outcomes:milestone_point",
        "outcomes:milestone_end",
        "outcomes:satisfaction",
        "outcomes:module_feedback",
    ):
        response = client.post(urls[name], GOOD | {"score": "1", "useful": "0"})
        assert response.status_code == 302 and response.url == pathway.url, name
    assert Satisfaction.objects.get().comment == "Secret-A"
    assert not ModuleFeedback.objects.exists() and not Milestone.objects.exists()
    assert Diagnosis.objects.count() == 1


def test_get_only_and_post_only_routes(client, owned):
    owner, urls = owned
    client.force_login(owner)
    assert client.post(urls["outcomes:profile"]).status_code == 405
    assert client.post(urls["outcomes:diagnosis_result"]).status_code == 405
    assert client.get(urls["outcomes:diagnosis_request_coaching"]).status_code == 405
    assert client.get(urls["outcomes:module_feedback"]).status_code == 405


def test_unpublished_pathway_is_a_404(client, owned, pathway):
    owner, urls = owned
    client.force_login(owner)
    pathway.unpublish()
    for name in ("outcomes:diagnosis_start", "outcomes:satisfaction", "outcomes:module_feedback"):
        assert client.post(urls[name]).status_code == 404, name
    assert client.post(urls["outcomes:diagnosis_request_coaching"]).status_code == 404
    assert client.get(urls["outcomes:diagnosis_result"]).status_code == 200  # still theirs


def test_passages_are_needed_for_point_milestones(client, signed_in, pathway):
    pathway_actions.enroll(signed_in, pathway)
    point_id = point_ids(pathway)[0]
    assert not CheckpointPassage.objects.exists()
    url = reverse("outcomes:milestone_point", args=[pathway.pk, point_id])
    assert client.get(url).status_code == 403


def test_my_pathways_links_to_the_profile_and_a_free_diagnosis(client, signed_in):
    page = client.get(reverse("pathways:dashboard")).content.decode()
    assert reverse("outcomes:profile") in page and reverse("outcomes:diagnosis_free") in page
