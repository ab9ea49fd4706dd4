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

import logging
from collections import Counter, defaultdict
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lms.accounts.models import AreaType, Availability, DigitalComfort, Modality, Situation
from lms.accounts.roles import Role
from lms.coaching import actions as coaching_actions
from lms.coaching.models import CoachingRequest, Origin, Outcome
from lms.notifications.models import Notification
from pathways import actions as pathway_actions
from tests.factories.accounts import UserFactory, coach, learner
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
    """A's pathway (exercise done, offered point reached), A's help request taken by the coach
    with a proposed session, B (no request yet), a newcomer without profile, a pathway whose
    last step reaches an automatic point."""
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
):
    """Send one request inside a savepoint rolled back afterwards; check what comes back.

    A local redirect is followed once (by ``follow_as``, the same client by default) when a
    marked value was sent, so stored values are checked where they are shown. ``then`` is
    called inside the savepoint for extra requests (it receives ``sent``)."""
    STATS[endpoint]["examples"] += 1
    sent = _values(data)
    headers = {"HX-Request": "true"} if htmx else {}
    STATS[endpoint]["failed"] += 1  # until the checks below pass
    with transaction.atomic():
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
    if reporter is not None:
        reporter.ensure_newline()
        for line in lines:
            reporter.write_line(line)
    too_few = {
        name: s["examples"]
        for name, s in fuzzed.items()
        if s["examples"] < EXAMPLES and not s["failed"]  # a failed test reports for itself
    }
    assert not too_few, f"fewer than {EXAMPLES} examples: {too_few}"
