"""Fuzzing of every form and htmx endpoint: hostile input never gives a 500, never comes back raw.

Each test builds one realistic world (the approach of ``test_access_matrix``: a pathway with a
guided exercise and a progression point offering coaching, learners, a coach of their
département who took a request and proposed a session, a notification), then Hypothesis sends
200 generated requests to one endpoint. Every text field gets ``st.text()`` or a hostile string
(markup, quotes, NUL, 20 000 characters, RTL override, emoji, template and format syntax);
selects and ids get valid values or random ones. Each example runs inside a savepoint rolled
back at its end, so examples are independent and the world is built once per test.

Checked on every answer: the status is below 500; an HTML body never contains one of the
attacks verbatim (``<script>alert(1)</script>``, a ``"`` closing an attribute...), nor any
submitted value that escaping would change (values are sometimes wrapped in a marker so that
a raw reflection of arbitrary text is recognisable). A local redirect after a write is
followed once, so what was stored is checked where it is shown; off-site redirects fail.

The last test prints how many examples each endpoint ran (and their statuses) and checks
that none ran fewer than 200.
"""

import html
import logging
import re
from collections import Counter, defaultdict
from contextlib import nullcontext
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lms.accounts.models import (
    AreaType,
    Availability,
    DigitalComfort,
    Modality,
    Situation,
    Structure,
)
from lms.accounts.roles import Role
from lms.coaching import actions as coaching_actions
from lms.coaching.models import CoachingRequest, Origin, Outcome, RequestEvent
from lms.notifications.models import Notification
from lms.outcomes import actions as outcomes_actions
from lms.outcomes.models import (
    CompetenceScore,
    Diagnosis,
    LegalForm,
    Milestone,
    ModuleFeedback,
    Moment,
    RevenueBracket,
    Satisfaction,
    Stage,
)
from lms.outcomes.queries import questionnaire
from lms.reports.forms import ReportFilterForm
from lms.reports.queries import pathways as report_pathways
from lms.reports.scope import visibility
from lms.reports.tables import BUILDERS
from pathways import actions as pathway_actions
from pathways.models import SelfAssessmentCoaching
from tests.factories.accounts import UserFactory, coach, learner, manager
from tests.factories.pathways import build_pathway, exercise, modules_of, point, point_ids, sheet
from tests.factories.pathways import module as make_module

pytestmark = pytest.mark.django_db

EXAMPLES = 200
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Examples run and statuses answered, by endpoint; printed by the last test.
STATS: dict[str, Counter] = defaultdict(Counter)

# --- Hostile input ---------------------------------------------------------------------------

# Attacks that must never come back verbatim in HTML (escaped forms are fine).
ATTACKS = (
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "'><img src=x onerror=alert(1)>",
)
HOSTILE = (
    *ATTACKS,
    "< > & ' \" \\ 碁 %00",
    *"<>&'\"\\",
    "碁",
    "%00",
    "\x00",
    "avant\x00après",
    "\u202eexe.ecnalab",
    "\u202b<b>مرحبا</b>\u202c",
    "🦊👩🏽‍🚀🇫🇷\u200d",
    "e\u0301\ufeff\u200b",
    "{{ 7*7 }}",
    "{% debug %}",
    "%(x)s",
    "%s %d {0} {x}",
    "",
    " ",
    "\t\r\n",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "null",
    "[]",
    "../../etc/passwd",
    "javascript:alert(1)",
    "//evil.example/",
    "https://evil.example/",
    "\\\\evil.example",
    "Robert'); DROP TABLE coaching_coachingrequest;--",
)
# Very long values (20 000 characters), made on demand: a 20 kB string in a strategy's repr
# makes Hypothesis warn.
LONG = st.sampled_from(["x", "<script>alert(1)</script>", "碁🦊", "\u202e"]).map(
    lambda unit: (unit * 20_000)[:20_000]
)
# A raw reflection of arbitrary text is recognisable when it is wrapped in this marker.
MARK = "Zq7"


def _marked(value: str) -> str:
    return f"{MARK}{value}{MARK}"


# Characters that break naive code, slipped into random text.
SPECIALS = ("\x00", "\u202e", "<", ">", "&", "'", '"', "\\", "碁", "%00", "🦊", "\r\n", "%(x)s")
_plain = st.sampled_from(
    [
        st.text(),
        st.sampled_from(HOSTILE),
        LONG,
        st.tuples(st.sampled_from(HOSTILE), st.text(max_size=20)).map("".join),
        st.tuples(st.text(max_size=20), st.sampled_from(SPECIALS), st.text(max_size=20)).map(
            "".join
        ),
    ]
).flatmap(lambda strategy: strategy)
TEXT = st.one_of(_plain, _plain.map(_marked))


def mostly(valid: st.SearchStrategy, other: st.SearchStrategy = TEXT) -> st.SearchStrategy:
    """Valid values three times out of four (so that valid forms go deep), anything otherwise.

    (``st.one_of(valid, other)`` would pick ``other`` too often: a form of five fields would
    almost never be valid as a whole.)"""
    return st.integers(0, 3).flatmap(lambda i: valid if i < 3 else other)


def choice(valid) -> st.SearchStrategy:
    """A select: one of its values most of the time, anything at all otherwise."""
    return mostly(st.sampled_from(list(valid)))


def ident(valid) -> st.SearchStrategy:
    """An id in a URL: a valid one, another integer, or hostile text (percent-encoded)."""
    return mostly(
        st.sampled_from(list(valid)),
        st.one_of(st.integers(min_value=0, max_value=2**31 - 1).map(str), TEXT.filter(bool)),
    )


def junk() -> st.SearchStrategy:
    """Unexpected extra fields in a POST or a query string."""
    return st.dictionaries(st.sampled_from(["x", "csrfmiddlewaretoken", "id", "pk", "_"]), TEXT)


def form(fields: dict) -> st.SearchStrategy:
    """Every field most of the time; otherwise some are left out. Plus junk fields."""
    dropped = mostly(st.just(frozenset()), st.frozensets(st.sampled_from(sorted(fields))))
    return st.tuples(st.fixed_dictionaries(fields), dropped, junk()).map(
        lambda parts: {**parts[2], **{k: v for k, v in parts[0].items() if k not in parts[1]}}
    )


def path_segment(value: str) -> str:
    return quote(value, safe="")


# --- The world ------------------------------------------------------------------------------

EXERCISE_QUESTIONS = [
    {"label": "Votre idée ?", "kind": "long_text", "help_text": "", "choices": []},
    {"label": "En un mot ?", "kind": "short_text", "help_text": "", "choices": []},
    {
        "label": "Avez-vous un local ?",
        "kind": "single_choice",
        "help_text": "",
        "choices": ["Oui", 'Plutôt "oui"', "Non & « peut-être »"],
    },
    {
        "label": "Vos besoins ?",
        "kind": "multiple_choice",
        "help_text": "",
        "choices": ["Réseau", "Financement", "L'équipe <b>"],
    },
    {"label": "Votre motivation", "kind": "scale", "help_text": "", "choices": []},
]
POINT_QUESTIONS = [
    {"label": "Où en êtes-vous ?", "kind": "long_text", "choices": []},
    {"label": "Priorité ?", "kind": "single_choice", "choices": ["Statuts", "Budget"]},
    {"label": "Confiance", "kind": "scale", "choices": []},
]


def _field_values(questions_with_ids) -> dict:
    """The strategy of each answer field, by field name."""
    fields = {}
    for question_id, question in questions_with_ids:
        kind = question["kind"]
        if kind == "scale":
            value = choice([str(i) for i in range(0, 7)])
        elif kind == "single_choice":
            value = choice(question["choices"])
        elif kind == "multiple_choice":
            value = st.lists(choice(question["choices"]), max_size=4)
        else:
            value = TEXT
        fields[f"q_{question_id}"] = value
    return fields


@pytest.fixture
def world(settings, caplog):
    """A's pathway (exercise done, offered point reached, finished), A's help request taken by
    the coach with a proposed session, B (no request yet), a newcomer without profile, a pathway
    whose last step reaches an automatic point; A's self-diagnoses (start: low, end: high, one
    free), opinion and start milestone on the finished pathway; a manager."""
    settings.BALISE_RATE_LIMITS = dict.fromkeys(settings.BALISE_RATE_LIMITS, "1000000/3600")
    caplog.set_level(logging.ERROR, logger="django.request")  # not a line per 4xx; 500s stay
    learner_a = learner(departement="69")
    learner_b = learner(departement="69")
    newcomer = UserFactory(role=Role.LEARNER)
    coach_a = coach(departements=["69"])

    steps = [exercise("Exercice", questions=EXERCISE_QUESTIONS), sheet("Fiche")]
    offered = point("Balise offerte", trigger="offered", questions=POINT_QUESTIONS)
    pathway = build_pathway([make_module(steps=steps), offered], title="Parcours fuzz")
    module = modules_of(pathway)[0]
    exercise_step, sheet_step = module.step_ids
    questions = module.find_step(exercise_step).value.questions_with_ids()
    pathway_actions.enroll(learner_a, pathway)
    pathway_actions.save_answers(
        learner_a, module, exercise_step, {questions[0][0]: "Une recyclerie"}, True
    )
    for step_id in module.step_ids:
        pathway_actions.complete_step(learner_a, module, step_id)
    point_id = point_ids(pathway)[0]

    # Completing this pathway's only step reaches an automatic point (a request is opened).
    reaching = build_pathway(["m:1", "p:automatic"], title="Parcours à balise automatique")
    reaching_module = modules_of(reaching)[0]
    pathway_actions.enroll(learner_a, reaching)

    request = coaching_actions.open_help_request(learner_a, pathway, "Aide", "Exercice")
    assert coaching_actions.claim_request(coach_a, request.pk).ok
    request.refresh_from_db()
    session = coaching_actions.propose_session(
        coach_a,
        request,
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=60,
        modality="in_person",
        location="Local associatif",
    )

    # Outcomes: both pathways watch three competences (low: 2 or less); A's finished pathway
    # offers coaching after a low self-diagnosis, the other one opens a request directly.
    competences = questionnaire()
    for page, mode in (
        (pathway, SelfAssessmentCoaching.OFFER),
        (reaching, SelfAssessmentCoaching.OPEN),
    ):
        page.coaching_competences.set(competences[:3])
        page.coaching_threshold = 2
        page.self_assessment_coaching = mode
        page.save()
    every_question = [q.pk for c in competences for q in c.questions.all()]

    def diagnose(score, moment, on=pathway):
        answers = dict.fromkeys(every_question, score)
        return outcomes_actions.take_diagnosis(
            learner_a, competences, answers, moment=moment, pathway=on
        ).diagnosis

    low_diagnosis, high_diagnosis = diagnose(1, Moment.START), diagnose(5, Moment.END)
    free_diagnosis = diagnose(3, Moment.FREE, on=None)
    outcomes_actions.record_satisfaction(learner_a, pathway, score=8, comment="Avis de A")
    outcomes_actions.record_milestone(
        learner_a,
        pathway,
        moment=Moment.START,
        stage="idea",
        jobs_fte=Decimal(0),
        revenue="none",
        legal_form="none",
    )

    def client_of(user):
        client = Client()
        client.force_login(user)
        return client

    return SimpleNamespace(
        learner_a=client_of(learner_a),
        learner_b=client_of(learner_b),
        newcomer=client_of(newcomer),
        coach_a=client_of(coach_a),
        pathway=pathway,
        module=module,
        exercise_step=exercise_step,
        sheet_step=sheet_step,
        questions=questions,
        point_id=point_id,
        point_questions=pathway.point_value(point_id).questions_with_ids(),
        reaching=reaching,
        reaching_module=reaching_module,
        request=request,
        session=session,
        notification=Notification.objects.filter(recipient=learner_a).latest("pk"),
        manager=client_of(manager()),  # of the network's head: every structure
        competences=competences,
        low_diagnosis=low_diagnosis,
        high_diagnosis=high_diagnosis,
        free_diagnosis=free_diagnosis,
        reaching_point_id=point_ids(reaching)[0],
    )


# --- One exchange: request, checks, rollback --------------------------------------------------


def _values(data) -> list[str]:
    values = []
    for value in (data or {}).values():
        values.extend(value if isinstance(value, list | tuple) else [value])
    return [v for v in values if isinstance(v, str)]


def _check(endpoint: str, response, sent: list[str]) -> None:
    STATS[endpoint][response.status_code] += 1
    assert response.status_code < 500, (endpoint, response.status_code)
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        assert url_has_allowed_host_and_scheme(location, {"testserver"}), location
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    body = response.content.decode(errors="replace")
    for attack in ATTACKS:
        assert attack not in body, f"{endpoint}: {attack!r} reflected unescaped"
    for value in sent:
        if MARK not in value:
            continue
        for shown in {value, value[:200]}:
            if MARK in shown and escape(shown) != shown:
                assert shown not in body, f"{endpoint}: {shown[:80]!r} reflected unescaped"


def exchange(
    endpoint: str,
    client: Client,
    method: str,
    url: str,
    data=None,
    htmx: bool = False,
    follow_as: Client | None = None,
    then=None,
    expect=None,
):
    """Send one request inside a savepoint rolled back afterwards; check what comes back.

    A local redirect is followed once (by ``follow_as``, the same client by default) when a
    marked value was sent, so stored values are checked where they are shown. ``then`` is
    called inside the savepoint for extra requests (it receives ``sent``); ``expect`` too,
    with the response, to check what was written."""
    STATS[endpoint]["examples"] += 1
    sent = _values(data)
    headers = {"HX-Request": "true"} if htmx else {}
    STATS[endpoint]["failed"] += 1  # until the checks below pass
    savepoint = transaction.atomic()
    # Actions open durable blocks (``atomic(durable=True)``): Django lets them nest in a test
    # case's transaction only, so this savepoint is flagged as one (as ``TestCase`` does).
    savepoint._from_testcase = True
    with savepoint:
        if method == "GET":
            response = client.get(url, data or {}, headers=headers)
        else:
            response = client.post(url, data or {}, headers=headers)
        _check(endpoint, response, sent)
        marked = any(MARK in value for value in sent)
        if marked and response.status_code == 302 and response["Location"].startswith("/"):
            _check(endpoint + " (redirect)", (follow_as or client).get(response["Location"]), sent)
        if then is not None:
            then(sent)
        if expect is not None:
            expect(response)
        transaction.set_rollback(True)
    STATS[endpoint]["failed"] -= 1
    return response


# --- Learner: onboarding, exercises, steps, points --------------------------------------------

ONBOARDING = {
    "departement": choice(["69", "07", "2A", "974", "7", "2a", " 69 ", "99", "00"]),
    "commune": TEXT,
    "area_type": choice(AreaType.values),
    "situation": choice(Situation.values),
    "availability": st.lists(choice(Availability.values), max_size=5),
    "preferred_modality": choice(Modality.values),
    "digital_comfort": choice(DigitalComfort.values),
    "project_summary": TEXT,
}


@FUZZ
@given(data=form(ONBOARDING), who=st.sampled_from(["learner_a", "newcomer"]))
def test_onboarding_profile_form(world, data, who):
    url = reverse("accounts:onboarding")
    exchange("onboarding profile (POST)", getattr(world, who), "POST", url, data)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@FUZZ
@given(st.data())
def test_exercise_autosave(world, htmx, data):
    fields = {
        **_field_values(world.questions),
        "share_with_coach": choice(["on", "", "true", "false", "1", "0"]),
        "complete": choice(["1"]),
        "save": choice(["1"]),
    }
    payload = data.draw(form(fields))
    step_id = data.draw(mostly(st.just(world.exercise_step), ident([world.sheet_step])))
    url = (
        reverse(
            "pathways:save_answers", args=[world.pathway.pk, world.module.pk, world.exercise_step]
        ).removesuffix(f"{world.exercise_step}/reponses/")
        + f"{path_segment(step_id)}/reponses/"
    )
    name = f"exercise autosave ({'htmx' if htmx else 'plain'})"
    exchange(name, world.learner_a, "POST", url, payload, htmx=htmx)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@FUZZ
@given(st.data())
def test_complete_step(world, htmx, data):
    targets = [
        (world.pathway.pk, world.module.pk, world.sheet_step),  # done already: idempotent
        (world.reaching.pk, world.reaching_module.pk, world.reaching_module.step_ids[0]),
        (world.pathway.pk, world.reaching_module.pk, world.reaching_module.step_ids[0]),
    ]
    pathway_id, module_id, step_id = data.draw(
        mostly(st.sampled_from(targets[:2]), st.just(targets[2]))
    )
    step_id = data.draw(ident([step_id]))
    url = (
        reverse("pathways:complete_step", args=[pathway_id, module_id, "x"]).removesuffix(
            "x/terminer/"
        )
        + f"{path_segment(step_id)}/terminer/"
    )
    name = f"complete step ({'htmx' if htmx else 'plain'})"
    exchange(name, world.learner_a, "POST", url, data.draw(junk()), htmx=htmx)


@FUZZ
@given(st.data())
def test_point_questions(world, data):
    point_id = data.draw(ident([world.point_id]))
    url = (
        reverse("pathways:point", args=[world.pathway.pk, "x"]).removesuffix("x/")
        + f"{path_segment(point_id)}/"
    )
    method = data.draw(st.sampled_from(["POST", "POST", "GET"]))
    payload = data.draw(form(_field_values(world.point_questions)))
    exchange("point questions", world.learner_a, method, url, payload)


# --- Learner: coaching ------------------------------------------------------------------------


@FUZZ
@given(st.data())
def test_help_request(world, data):
    """B asks for help (GET with ``?ou=``, or POST); the coach then reads the request."""
    url = reverse("coaching:help", args=[world.pathway.pk])
    if data.draw(st.booleans()):
        exchange("help request", world.learner_b, "GET", url, data.draw(form({"ou": TEXT})))
        return

    def coach_reads_it(sent):
        opened = CoachingRequest.objects.filter(origin=Origin.HELP, pathway=world.pathway).exclude(
            pk=world.request.pk
        )
        for request in opened:
            detail = world.coach_a.get(reverse("coaching:request", args=[request.pk]))
            _check("help request (coach reads it)", detail, sent)

    payload = data.draw(form({"message": TEXT, "where": TEXT}))
    exchange("help request", world.learner_b, "POST", url, payload, then=coach_reads_it)


@FUZZ
@given(st.data())
def test_accept_offer(world, data):
    point_id = data.draw(ident([world.point_id]))
    url = (
        reverse("coaching:accept_offer", args=[world.pathway.pk, "x"]).removesuffix("x/demander/")
        + f"{path_segment(point_id)}/demander/"
    )
    exchange("accept offer", world.learner_a, "POST", url, data.draw(form({"message": TEXT})))


@FUZZ
@given(st.data())
def test_answer_session(world, data):
    pk = data.draw(mostly(st.just(world.session.pk), st.integers(0, 2**31 - 1)))
    fields = {"answer": choice(["accept", "decline", "reschedule"]), "message": TEXT}
    url = reverse("coaching:answer_session", args=[pk])
    exchange("answer session", world.learner_a, "POST", url, data.draw(form(fields)))


# --- Coach workspace --------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@FUZZ
@given(st.data())
def test_coach_queue_filters(world, htmx, data):
    fields = {
        "departement": choice(["69", "07", "2A", "974"]),
        "origin": choice(Origin.values),
        "modality": choice(Modality.values),
        "age": choice(["new", "week", "old"]),
    }
    name = f"coach queue filters ({'htmx' if htmx else 'GET'})"
    url = reverse("coaching:queue")
    exchange(name, world.coach_a, "GET", url, data.draw(form(fields)), htmx=htmx)


def _dates():
    today = date.today()
    near = st.dates(min_value=today - timedelta(days=3), max_value=today + timedelta(days=400))
    other = st.one_of(
        st.dates().map(date.isoformat), near.map(lambda d: d.strftime("%d/%m/%Y")), TEXT
    )
    return mostly(near.map(date.isoformat), other)


def _times():
    return mostly(
        st.times().map(lambda t: t.strftime("%H:%M")), st.one_of(st.times().map(str), TEXT)
    )


@FUZZ
@given(st.data())
def test_session_proposal(world, data):
    fields = {
        "date": _dates(),
        "time": _times(),
        "duration_minutes": choice(["30", "45", "60", "90"]),
        "modality": choice(Modality.values),
        "location": TEXT,
    }
    url = reverse("coaching:propose_session", args=[world.request.pk])
    exchange("session proposal", world.coach_a, "POST", url, data.draw(form(fields)))


@FUZZ
@given(data=form({"private_notes": TEXT, "summary": TEXT, "next_steps": TEXT}))
def test_notes(world, data):
    url = reverse("coaching:notes", args=[world.request.pk])
    exchange("notes", world.coach_a, "POST", url, data)


@FUZZ
@given(data=form({"outcome": choice(Outcome.values), "summary": TEXT, "next_steps": TEXT}))
def test_close(world, data):
    """The coach closes the request; the learner then reads the summary."""
    url = reverse("coaching:close", args=[world.request.pk])

    def learner_reads_it(sent):
        _check(
            "close (learner reads it)", world.learner_a.get(reverse("coaching:my_coaching")), sent
        )

    exchange("close", world.coach_a, "POST", url, data, then=learner_reads_it)


# --- Notifications and language -------------------------------------------------------------

NEXT = choice(["/", "/notifications/", "/apprendre/", "//evil.example/", "https://evil.example/"])


@FUZZ
@given(st.data())
def test_notifications_mark_read(world, data):
    if data.draw(st.booleans()):
        url = reverse("notifications:mark_all_read")
        payload = data.draw(form({"next": NEXT}))
        exchange("notifications mark read", world.learner_a, "POST", url, payload)
    else:
        pk = data.draw(mostly(st.just(world.notification.pk), st.integers(0, 2**31 - 1)))
        method = data.draw(st.sampled_from(["GET", "POST"]))
        url = reverse("notifications:open", args=[pk])
        exchange("notifications mark read", world.learner_a, method, url, data.draw(junk()))


@FUZZ
@given(data=form({"language": choice(["fr", "en", "de", "en-us", "FR"]), "next": NEXT}))
def test_language_switch(world, data):
    client = Client()
    exchange("language switch", client, "POST", reverse("set_language"), data)


# --- Account: data export and deletion -------------------------------------------------------


@FUZZ
@given(data=junk())
def test_data_export(world, data):
    exchange("data export (POST)", world.learner_a, "POST", reverse("accounts:export"), data)


@FUZZ
@given(data=form({"email": TEXT}))
def test_account_deletion_confirmation(world, data):
    """Hostile confirmations never delete the account (random text is never A's e-mail)."""
    learner_pk = world.learner_a.session["_auth_user_id"]

    def still_active(sent):
        assert get_user_model().objects.get(pk=learner_pk).is_active

    url = reverse("accounts:delete")
    exchange("account deletion (POST)", world.learner_a, "POST", url, data, then=still_active)


# --- Learner: self-diagnosis, milestones, opinions, module feedback ---------------------------

# What people type in a number field, and what breaks number parsers.
NUMBERS = (
    *(str(n) for n in range(-10, 16)),
    *("2.5", "2,5", "1e999", "-1e999", "1e-999", "NaN", "-NaN", "sNaN", "Infinity", "-inf"),
    *("-0", "+3", "03", "3.0", "1,25", "1 000", "1\u00a0000", "1\u202f000", "\u00a03", " 3"),
    *("3 ", "٣", "３", "0x3", "3\x00", "1_0", "0e5", "99999999999999999999999", ""),
)
NUMBER = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers().map(str),
    st.floats().map(str),
    st.decimals().map(str),
    TEXT,
)
# Ids of nothing: large integers, or text that the URL's converter refuses.
UNKNOWN_ID = st.one_of(
    st.integers(min_value=10**6, max_value=2**63).map(str),
    st.sampled_from(["0", "99999999999999999999999", "-1", "1e3", "٣"]),
    TEXT.filter(bool).filter(lambda s: not (s.isascii() and s.isdigit() and int(s) < 10**6)),
)
ROWS = (
    Diagnosis,
    CompetenceScore,
    Milestone,
    Satisfaction,
    ModuleFeedback,
    CoachingRequest,
    RequestEvent,
)


def _rows() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROWS}


def _written(before: dict[str, int]) -> dict[str, int]:
    """Rows added (negative: removed) since ``before``, by model."""
    after = _rows()
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _shows_errors(response) -> None:
    """The form comes back with its errors, each shown (escaped) on the page."""
    form = response.context["form"]
    body = response.content.decode()
    assert form.errors
    for name, errors in form.errors.items():
        assert any(escape(error) in body for error in errors), (name, errors)


def _refused(response, before: dict[str, int], status: int | None = None) -> None:
    """Nothing written, and people are told why: the form with its errors (422), a redirect
    with a message, or an error page."""
    assert _written(before) == {}, _written(before)
    if status is not None:
        assert response.status_code == status, response.status_code
    if response.status_code == 422:
        _shows_errors(response)
    elif response.status_code == 302:
        assert _messages(response), response["Location"]
    else:  # an error page, or what the caller expects (htmx: the box with its error)
        assert response.status_code in (403, 404, status), response.status_code


def _with_pathway(name: str, pathway_id, **kwargs) -> str:
    """The URL ``name`` with any pathway id segment (percent-encoded)."""
    url = reverse(name, kwargs={"pathway_id": 999_999_999, **kwargs})
    return url.replace("/999999999/", f"/{path_segment(str(pathway_id))}/", 1)


SCALE = [str(n) for n in range(1, 6)]
ODD_QUESTION_KEYS = (
    *("q_", "q_-1", "q_0", "q_99999999999999999999999", "q_1e3", "q_ 1", "q__1", "q_x"),
    *("q_\x00", "q_<b>", "Q_1"),
)


@st.composite
def diagnosis_answers(draw, fields: list[str]) -> dict:
    """Every question answered (1-5) half of the time; otherwise some answers are hostile or
    missing, or questions that do not exist are answered."""
    answers = {name: draw(st.sampled_from(SCALE)) for name in fields}
    damage = draw(
        st.one_of(
            st.just(frozenset()),
            st.frozensets(st.sampled_from(["hostile", "missing", "extra"]), min_size=1),
        )
    )
    some = st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True)
    if "hostile" in damage:
        for name in draw(some):
            answers[name] = draw(NUMBER)
    if "missing" in damage:
        for name in draw(some):
            answers.pop(name, None)
    if "extra" in damage:
        keys = st.one_of(
            st.sampled_from(ODD_QUESTION_KEYS),
            st.integers().map(lambda n: f"q_{n}"),
            st.text(max_size=8).map(lambda t: f"q_{t}"),
        )
        values = st.one_of(st.sampled_from(SCALE), NUMBER)
        answers.update(draw(st.dictionaries(keys, values, min_size=1, max_size=3)))
    return answers


DIAGNOSIS_TARGETS = ("free", "start", "end", "start, opens requests", "end, unfinished", "unknown")


@FUZZ
@given(st.data())
def test_self_diagnosis(world, data):
    """Free, start (A took it already: replaced) and end diagnoses of A's finished pathway;
    the other pathway opens a request on low scores and is not finished (no end diagnosis).
    Valid answers write one diagnosis (or replace it) and a score per competence; anything
    else writes nothing and says why."""
    fields = {f"q_{q.pk}": c for c in world.competences for q in c.questions.all()}
    target = data.draw(st.sampled_from(DIAGNOSIS_TARGETS))
    who = data.draw(mostly(st.just("learner_a"), st.just("learner_b")))
    pathway = world.reaching if "unfinished" in target or "opens" in target else world.pathway
    if target == "free":
        url = reverse("outcomes:diagnosis_free")
    elif target == "unknown":
        moment = data.draw(st.sampled_from(["start", "end"]))
        url = _with_pathway(f"outcomes:diagnosis_{moment}", data.draw(UNKNOWN_ID))
    else:
        url = reverse(f"outcomes:diagnosis_{target.split(',')[0]}", args=[pathway.pk])
    answers = data.draw(diagnosis_answers(sorted(fields)))
    payload = {**data.draw(junk()), **answers}
    valid = all(answers.get(name) in SCALE for name in fields) and not any(
        key.startswith("q_") and key not in fields for key in answers
    )
    before = _rows()

    def expect(response):
        if target == "unknown":
            return _refused(response, before, 404)
        if target == "end, unfinished" or (who == "learner_b" and target != "free"):
            _refused(response, before, 302)
            assert response["Location"] == pathway.url
            return
        if not valid:
            return _refused(response, before, 422)
        assert response.status_code == 302, response.status_code
        diagnosis = Diagnosis.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
        moment = target.split(",")[0]
        assert (diagnosis.learner, diagnosis.moment) == (response.wsgi_request.user, moment)
        assert diagnosis.pathway == (None if moment == "free" else pathway)
        assert diagnosis.answers == {name[2:]: int(answers[name]) for name in fields}
        assert diagnosis.scores.count() == len(world.competences)
        replaced = who == "learner_a" and pathway == world.pathway and moment != "free"
        if replaced:
            assert diagnosis.pk in (world.low_diagnosis.pk, world.high_diagnosis.pk)
        low = any(
            sum(int(answers[f"q_{q.pk}"]) for q in c.questions.all()) <= 2 * len(c.questions.all())
            for c in world.competences[:3]
        )
        opened = int(target == "start, opens requests" and low)
        expected = {"Diagnosis": int(not replaced)}
        expected["CompetenceScore"] = 0 if replaced else len(world.competences)
        expected["CoachingRequest"] = opened
        expected["RequestEvent"] = opened  # the origin of the request, on its file
        assert _written(before) == {k: v for k, v in expected.items() if v}, _written(before)
        assert _messages(response)

    exchange("self-diagnosis", getattr(world, who), "POST", url, payload, expect=expect)


@FUZZ
@given(st.data())
def test_diagnosis_request_coaching(world, data):
    """« Demander un accompagnement » after A's low start diagnosis (the pathway offers it):
    one request; after the high one, a message; a free one, someone else's, an unknown one:
    404."""
    kind = data.draw(st.sampled_from(["low", "low", "high", "free", "unknown"]))
    who = data.draw(mostly(st.just("learner_a"), st.just("learner_b")))
    if kind == "unknown":
        pk = data.draw(st.integers(min_value=10**6, max_value=2**31 - 1))
    else:
        pk = getattr(world, f"{kind}_diagnosis").pk
    url = reverse("outcomes:diagnosis_request_coaching", args=[pk])
    before = _rows()
    active = CoachingRequest.objects.active().filter(
        learner=world.low_diagnosis.learner, pathway=world.low_diagnosis.pathway
    )
    joins = active.exists()  # one file per learner and pathway: the diagnosis joins it

    def expect(response):
        if who == "learner_b" or kind in ("free", "unknown"):
            return _refused(response, before, 404)
        assert response.status_code == 302 and _messages(response)
        if kind == "high":
            assert _written(before) == {}
            assert response["Location"] == reverse("outcomes:diagnosis_result", args=[pk])
            return
        assert response["Location"] == reverse("coaching:my_coaching")
        if joins:
            assert _written(before) == {"RequestEvent": 1}
            assert active.get().events.latest("pk").origin == Origin.SELF_ASSESSMENT
            return
        assert _written(before) == {"CoachingRequest": 1, "RequestEvent": 1}
        assert CoachingRequest.objects.latest("pk").origin == Origin.SELF_ASSESSMENT

    exchange(
        "diagnosis: request coaching",
        getattr(world, who),
        "POST",
        url,
        data.draw(junk()),
        expect=expect,
    )


# Jobs (full-time equivalents) the form takes, with their value; and some it must refuse.
JOBS = {
    value: Decimal(value.strip().replace(",", "."))
    for value in ("0", "1", "1,5", "1.5", "0,5", "12", "999", "2.0", " 3 ", "998,9")
}
BAD_JOBS = (
    *("-1", "-0.5", "1000", "2.55", "1,25", "1 000", "1\u00a0000", "1\u202f000", "1e999"),
    *("1e-999", "NaN", "sNaN", "Infinity", "0x10", "999.9", "abc", "1e5", "1,5,0"),
)
MILESTONE = {
    "stage": choice(Stage.values),
    "jobs_fte": mostly(st.sampled_from(sorted(JOBS)), st.one_of(st.sampled_from(BAD_JOBS), NUMBER)),
    "revenue": choice(RevenueBracket.values),
    "legal_form": choice(LegalForm.values),
}
MILESTONE_TARGETS = ("start", "point", "end", "point, not reached", "end, unfinished", "unknown")
AFTER_MILESTONE = {
    "start": "pathways:continue",
    "point": "pathways:point",
    "end": "outcomes:satisfaction",
}


@FUZZ
@given(st.data())
def test_milestone(world, data):
    """Where the project stands, at the start (A gave it already: updated), at the point A
    reached, at the end; the other pathway's point is not reached and it is not finished."""
    target = data.draw(st.sampled_from(MILESTONE_TARGETS))
    who = data.draw(mostly(st.just("learner_a"), st.just("learner_b")))
    moment = target.split(",")[0]
    pathway = world.pathway if target in ("start", "point", "end") else world.reaching
    point_id = {"point": world.point_id, "point, not reached": world.reaching_point_id}.get(target)
    if target == "unknown":
        if data.draw(st.booleans()):
            url = _with_pathway("outcomes:milestone_start", data.draw(UNKNOWN_ID))
        else:
            point = data.draw(st.one_of(st.sampled_from(["x", "0", "balise"]), TEXT.filter(bool)))
            url = reverse("outcomes:milestone_point", args=[world.pathway.pk, "x"])
            url = url.replace("/x/jalon/", f"/{path_segment(point)}/jalon/")
    elif point_id:
        url = reverse("outcomes:milestone_point", args=[pathway.pk, point_id])
    else:
        url = reverse(f"outcomes:milestone_{moment}", args=[pathway.pk])
    payload = data.draw(form(MILESTONE))
    method = data.draw(st.sampled_from(["POST", "POST", "POST", "GET"]))
    # The stage is required; revenue, legal form and jobs may be left out (jobs count as 0).
    chosen = payload.get("stage") in Stage.values and all(
        payload.get(name) in (None, "", *model.values)
        for name, model in (("revenue", RevenueBracket), ("legal_form", LegalForm))
    )
    jobs = payload.get("jobs_fte")
    valid = chosen and (jobs in JOBS or jobs in (None, ""))
    unsure = chosen and not valid and jobs not in BAD_JOBS
    before = _rows()

    def untouched():
        given = Milestone.objects.get(pathway=world.pathway, moment="start")
        assert (given.stage, given.jobs_fte, given.revenue, given.legal_form) == (
            "idea",
            0,
            "none",
            "none",
        )

    def expect(response):
        if method == "GET":
            assert _written(before) == {}
            return
        if target == "unknown":  # B may be sent to the pathway first (not enrolled)
            return _refused(response, before, 404 if who == "learner_a" else None)
        if who == "learner_b" or target == "end, unfinished":
            _refused(response, before, 302)
            assert response["Location"] == pathway.url
            return
        if target == "point, not reached":
            return _refused(response, before, 403)
        if not valid and not (unsure and response.status_code == 302):
            _refused(response, before, 422)
            return untouched()
        assert response.status_code == 302, (response.status_code, payload)
        args = [pathway.pk, point_id] if point_id else [pathway.pk]
        assert response["Location"] == reverse(AFTER_MILESTONE[moment], args=args)
        assert _written(before) == ({} if moment == "start" else {"Milestone": 1})
        given = Milestone.objects.get(pathway=pathway, moment=moment, point_id=point_id or "")
        got = {name: getattr(given, name) for name in ("stage", "revenue", "legal_form")}
        assert got == {name: payload.get(name, "") for name in got}
        assert 0 <= given.jobs_fte <= 999 and given.jobs_fte == given.jobs_fte.quantize(
            Decimal("0.1")
        )
        if jobs in JOBS:
            assert given.jobs_fte == JOBS[jobs]
        elif jobs in (None, ""):
            assert given.jobs_fte == 0
        assert _messages(response)

    exchange("milestone", getattr(world, who), method, url, payload, expect=expect)


SCORES = [str(n) for n in range(11)]


@FUZZ
@given(st.data())
def test_satisfaction(world, data):
    """A's opinion of the finished pathway (given already: updated); the other pathway is not
    finished. The comment is stored without NUL nor invisible control characters."""
    target = data.draw(st.sampled_from(["finished", "finished", "unfinished", "unknown"]))
    who = data.draw(mostly(st.just("learner_a"), st.just("learner_b")))
    pathway = world.pathway if target == "finished" else world.reaching
    if target == "unknown":
        url = _with_pathway("outcomes:satisfaction", data.draw(UNKNOWN_ID))
    else:
        url = reverse("outcomes:satisfaction", args=[pathway.pk])
    payload = data.draw(form({"score": mostly(st.sampled_from(SCORES), NUMBER), "comment": TEXT}))
    comment = payload.get("comment", "").strip()
    valid = payload.get("score") in SCORES and "\x00" not in comment and len(comment) <= 2000
    before = _rows()

    def expect(response):
        if target == "unknown":
            return _refused(response, before, 404)
        if who == "learner_b" or target == "unfinished":
            _refused(response, before, 302)
            assert response["Location"] == pathway.url
            return
        given = Satisfaction.objects.get(pathway=world.pathway)
        if not valid:
            _refused(response, before, 422)
            assert (given.score, given.comment) == (8, "Avis de A")
            return
        assert response.status_code == 302 and response["Location"] == pathway.url
        assert _written(before) == {} and _messages(response)
        assert given.score == int(payload["score"])
        assert len(given.comment) <= 2000 and set(given.comment) <= set(comment)
        assert all(ch.isprintable() or ch in "\n\t" for ch in given.comment), given.comment[:80]

    exchange("satisfaction", getattr(world, who), "POST", url, payload, expect=expect)


LOCAL_NEXT = ["/", "/apprendre/", "/notifications/", "/apprendre/competences/?a=1&b=<i>#x"]
OFFSITE_NEXT = [
    *("//evil.example/", "https://evil.example/", "/\\evil.example", "\\\\evil.example"),
    *("///evil.example", "http:evil.example", "javascript:alert(1)", " //evil.example"),
    *("\x00//evil.example", "/\t/evil.example", "https:/\\evil.example", "http://testserver.evil/"),
]
BARE_NEXT = ["0", "x", "notifications", "outcomes:profile", "pathways:dashboard", "."]
FEEDBACK_TARGETS = ("done", "done", "not done", "other pathway's module", "unknown")
HIDDEN_NEXT = re.compile(r'name="next" value="([^"]*)"')


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@FUZZ
@given(st.data())
def test_module_feedback(world, htmx, data):
    """« Utile » / « Pas utile » on A's completed module (htmx: the box comes back, thanked;
    plain: back to ``next`` when it is a path of the site); a module not done yet is refused
    with a message; another pathway's module, an unknown one: 404."""
    target = data.draw(st.sampled_from(FEEDBACK_TARGETS))
    who = data.draw(mostly(st.just("learner_a"), st.just("learner_b")))
    pathway, module = {
        "done": (world.pathway, world.module),
        "not done": (world.reaching, world.reaching_module),
        "other pathway's module": (world.pathway, world.reaching_module),
        "unknown": (world.pathway, None),
    }[target]
    module_id = module.pk if module else data.draw(st.integers(10**6, 2**31 - 1))
    url = reverse("outcomes:module_feedback", args=[pathway.pk, module_id])
    next_url = st.one_of(st.sampled_from(OFFSITE_NEXT + BARE_NEXT), TEXT)
    fields = {"useful": choice(["1", "0"]), "next": mostly(st.sampled_from(LOCAL_NEXT), next_url)}
    payload = data.draw(form(fields))
    valid = payload.get("useful") in ("1", "0")
    back = payload.get("next", "")
    before = _rows()

    def expect(response):
        if target in ("other pathway's module", "unknown"):
            return _refused(response, before, 404 if who == "learner_a" else 302)
        if who == "learner_b":
            _refused(response, before, 302)
            assert response["Location"] == pathway.url
            return
        if response.status_code == 302:  # back to ``next`` when it is a path of the site
            location = response["Location"]
            assert location in (iri_to_uri(back), pathway.url), location
            assert location.startswith("/") and not location.startswith("//"), location
            if back in OFFSITE_NEXT + BARE_NEXT:
                assert location == pathway.url, location
        else:
            hidden = html.unescape(HIDDEN_NEXT.search(response.content.decode()).group(1))
            assert hidden.startswith("/") and url_has_allowed_host_and_scheme(
                hidden, {"testserver"}
            )
        if target == "not done" or not valid:
            _refused(response, before, 200 if htmx and target == "done" else 302)
            if response.status_code == 200:
                assert escape("Choisissez « Utile » ou « Pas utile ».") in response.content.decode()
            return
        assert _written(before) == {"ModuleFeedback": 1}
        given = ModuleFeedback.objects.get(module=world.module)
        assert given.useful == (payload["useful"] == "1")
        if htmx:
            assert response.status_code == 200
            assert "Merci pour votre avis" in response.content.decode()
        else:
            assert response.status_code == 302 and _messages(response)

    name = f"module feedback ({'htmx' if htmx else 'plain'})"
    exchange(name, getattr(world, who), "POST", url, payload, htmx=htmx, expect=expect)


# --- Manager: the programme's dashboard ------------------------------------------------------


def _report_days():
    near = st.dates(min_value=date(2020, 1, 1), max_value=date.today() + timedelta(days=400))
    other = st.one_of(
        st.dates().map(date.isoformat),
        st.dates().map(lambda d: f"{d.day:02}/{d.month:02}/{d.year}"),
        st.sampled_from(["2025-02-30", "1999-12-31", "2101-01-01", "0001-01-01", "9999-12-31"]),
        TEXT,
    )
    return mostly(near.map(date.isoformat), other)


@FUZZ
@given(st.data())
def test_report_filters(world, data):
    """The dashboard, its print page and exports, on a world with data (``tests/reports``
    fuzzes an empty one): no 500, a wrong filter is named and left out, and the links to
    the print page and exports carry exactly the filters applied."""
    name = data.draw(st.sampled_from(["reports:dashboard", "reports:print", "reports:export"]))
    ids = [str(world.pathway.pk), str(world.reaching.pk)]
    fields = {
        "start": _report_days(),
        "end": _report_days(),
        "pathway": mostly(st.sampled_from(ids), UNKNOWN_ID),
        "departement": choice(["69", "07", "2A", "2a", " 7", "974", "975", "20", "00"]),
        "area_type": choice(AreaType.values),
        # Active structures, and the network's head (not a choice).
        "structure": mostly(
            st.sampled_from([str(pk) for pk in Structure.objects.values_list("pk", flat=True)]),
            UNKNOWN_ID,
        ),
    }
    if name == "reports:export":
        fields["table"] = mostly(st.sampled_from(sorted(BUILDERS)), st.one_of(st.just(""), TEXT))
    query = data.draw(form(fields))

    def expect(response):
        if getattr(response, "streaming", False):
            assert response.status_code == 200 and query.get("table") in BUILDERS
            assert response["Content-Type"].startswith("text/csv")
            lines = b"".join(response.streaming_content).decode().splitlines()
            assert len(lines) >= 1
            return
        if name == "reports:export":
            assert response.status_code == (400 if query.get("table") else 200)
        else:
            assert response.status_code == 200
            body = response.content.decode()
            filters = response.context["form"]
            for field in filters.errors:
                if field in filters.fields:
                    assert escape(str(filters.fields[field].label)) in body, field
        seen = visibility(response.wsgi_request.user)
        applied = ReportFilterForm(
            response.wsgi_request.GET, pathways=report_pathways(), visibility=seen
        ).filters()
        carried = ReportFilterForm(
            QueryDict(response.context["query_string"]), pathways=report_pathways(), visibility=seen
        )
        assert not carried.errors, carried.errors
        assert carried.filters() == applied

    exchange("report filters", world.manager, "GET", reverse(name), query, expect=expect)


# --- What fuzzing found, pinned as plain tests (they fail until the bug is fixed) ------------


def test_found_mark_all_read_with_a_next_that_is_not_a_path(world):
    """``next`` without "/" nor "." goes through ``redirect()``, which takes it for a URL name:
    NoReverseMatch, a 500 (every database)."""
    for next_url in ("0", "notifications", "x"):
        response = world.learner_a.post(reverse("notifications:mark_all_read"), {"next": next_url})
        assert response.status_code < 500, next_url


def test_found_help_request_with_nul_in_where(world):
    """``where`` (raw POST, not a form field) is stored in a JSON column: PostgreSQL refuses
    ``\\u0000`` in jsonb, a 500 there."""
    url = reverse("coaching:help", args=[world.pathway.pk])
    response = world.learner_b.post(url, {"message": "Aide", "where": "avant\x00après"})
    assert response.status_code < 500


def test_found_accept_offer_with_nul_in_point_id(world):
    """The point id of the URL goes to a query unchecked: PostgreSQL refuses NUL, a 500 there."""
    url = reverse("coaching:accept_offer", args=[world.pathway.pk, "x"]).replace("/x/", "/%00/")
    response = world.learner_a.post(url)
    assert response.status_code < 500


# A pathway id beyond 2**63 - 1 in a URL made SQLite raise OverflowError on comparing it to a
# page's id, a 500 (Django spares plain integer fields, not ``PathwayPage``'s pk, a link to
# ``Page``): ids are now read by the ``id`` converter (lms/converters.py), 18 digits at most.
TOO_LARGE = 10**23
OVERFLOWING = [
    ("GET", "pathways:continue"),
    ("GET", "pathways:carnet_text"),
    ("POST", "pathways:enroll"),
    ("POST", "coaching:help"),
    ("GET", "outcomes:satisfaction"),
]


@pytest.mark.parametrize(("method", "name"), OVERFLOWING)
def test_found_pathway_id_too_large_for_sqlite(world, method, name):
    client = Client(raise_request_exception=False)  # the 500 as people get it
    client.force_login(get_user_model().objects.get(pk=world.learner_a.session["_auth_user_id"]))
    url = reverse(name, args=[7]).replace("/7/", f"/{TOO_LARGE}/")
    response = client.get(url) if method == "GET" else client.post(url)
    assert response.status_code == 404


# --- The figures ----------------------------------------------------------------------------


def test_every_endpoint_ran_enough_examples(request):
    """Printed in the output (also without -s); fails when an endpoint ran fewer examples."""
    fuzzed = {name: stats for name, stats in STATS.items() if "examples" in stats}
    if not fuzzed:
        pytest.skip("no fuzz test ran in this process")
    lines = [f"Fuzzing: {sum(s['examples'] for s in fuzzed.values())} examples in all"]
    for name, stats in sorted(STATS.items()):
        codes = sorted(code for code in stats if isinstance(code, int))
        statuses = ", ".join(f"{code}: {stats[code]}" for code in codes)
        examples = f"{stats['examples']:>4} examples" if "examples" in stats else " " * 13
        failed = "  FAILED: a 500 or a raw reflection" if stats["failed"] else ""
        lines.append(f"  {name:<40} {examples}  statuses {statuses}{failed}")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None:
        with capture.global_and_fixture_disabled() if capture else nullcontext():
            reporter.ensure_newline()
            for line in lines:
                reporter.write_line(line)
    too_few = {
        name: s["examples"]
        for name, s in fuzzed.items()
        if s["examples"] < EXAMPLES and not s["failed"]  # a failed test reports for itself
    }
    assert not too_few, f"fewer than {EXAMPLES} examples: {too_few}"
