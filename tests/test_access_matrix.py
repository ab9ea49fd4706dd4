"""Who may do what, on every URL of Balise: a declared table checked against the real views.

Every URL pattern of our apps is found by walking the resolver; each is requested with
GET and POST by eight people (anonymous, learner A, learner B, the coach of A's
département who took A's request, a coach of another structure and département, an
editor, a manager of A's structure, a manager of another structure). ``EXPECTATIONS``
declares the answer of each: a status code, or ``"login"`` for a redirect to the login
page. A URL with no row fails ``test_every_url_is_declared``,
so a new view is covered by construction.

Besides status codes: learner B, the other coach and manager, the editor and anonymous
visitors never receive A's answers, messages or sessions (a marker written in each is
looked for in every response), no HTML page carries an inline script, and every POST
route refuses a request without a CSRF token.
"""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtailmedia.models import get_media_model

from lms.accounts.roles import Role
from lms.coaching import actions as coaching_actions
from lms.community import actions as community_actions
from lms.community.models import MentorOffer
from lms.notifications.models import Notification
from lms.outcomes import actions as outcomes_actions
from lms.outcomes.queries import questionnaire
from lms.reports.models import FunderReport
from pathways import actions as pathway_actions
from tests.factories.accounts import StructureFactory, UserFactory, coach, learner, manager
from tests.factories.pathways import build_pathway, exercise, modules_of, point_ids, sheet
from tests.factories.pathways import module as make_module

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous", "learner_a", "learner_b", "coach_a", "other_coach", "editor", "manager",
    "other_manager",
)  # fmt: skip
# Owners act last, so a POST that changes A's data cannot change what others get.
ORDER = (
    "anonymous", "learner_b", "other_coach", "editor", "other_manager", "manager", "coach_a",
    "learner_a",
)  # fmt: skip
# People who must never receive A's data: the coach and the manager of another structure too.
OUTSIDERS = ("anonymous", "learner_b", "other_coach", "editor", "other_manager")
SECRET = "Secret-de-A-7f3c"
LOGIN = "login"

# Namespaces of our apps, and project-level URL names outside any namespace.
OUR_NAMESPACES = {
    "accounts", "pathways", "coaching", "community", "notifications", "outcomes", "reports"
}  # fmt: skip
# Third-party trees, tested by their authors: Wagtail's admin and page serving, Django's
# admin, Wagtail's documents and image serve view (public, at signed addresses: see
# tests/notifications/test_emails.py), django-allauth (its login page gets a sanity row below).
SKIPPED_MODULE_PREFIXES = ("wagtail", "allauth", "django.contrib")
SANITY_ROWS = ("account_login",)


def row(get: dict | int | str, post: dict | int | str) -> dict[str, dict[str, int | str]]:
    """One URL's expectations; a single value stands for every role, a dict lists them,
    with ``"*"`` for the roles not named."""

    def expand(spec):
        if not isinstance(spec, dict):
            return dict.fromkeys(ROLES, spec)
        default = spec.get("*")
        table = {role: spec.get(role, default) for role in ROLES}
        assert None not in table.values(), spec
        return table

    return {"GET": expand(get), "POST": expand(post)}


def logged_in(value):
    """Anonymous visitors go to the login page; everyone else gets ``value``."""
    return {"anonymous": LOGIN, "*": value}


COACHES_ONLY = {"anonymous": LOGIN, "coach_a": 405, "other_coach": 405, "*": 403}
LEARNER_A_ONLY = {"anonymous": LOGIN, "*": 404}
MANAGERS_ONLY = {"anonymous": LOGIN, "*": 403}
BOTH_MANAGERS = {"manager": 200, "other_manager": 200}
STAFF = ("coach_a", "other_coach", "manager", "other_manager")
GROUP_STAFF = {"anonymous": LOGIN, **dict.fromkeys(STAFF, 200)}
GROUP_STAFF_405 = {"anonymous": LOGIN, **dict.fromkeys(STAFF, 405), "*": 404}
GROUP_OWNERS = {"anonymous": LOGIN, "*": 404}

EXPECTATIONS = {
    # Probes and language: public, read-only.
    "healthz": row(200, 405),
    "readyz": row(200, 405),
    "set_language": row(302, 302),
    # « Près de chez vous »: the network's structures, public and read-only.
    "structures": row(200, 405),
    # Installable and offline: public, read-only (the offline page is shown without network).
    "web_manifest": row(200, 405),
    "service_worker": row(200, 405),
    "offline": row(200, 405),
    # The accessibility statement and the glossary: public, read-only.
    "accessibility": row(200, 405),
    "pathways:glossary": row(200, 405),
    "account_login": row(logged_in(302) | {"anonymous": 200}, logged_in(302) | {"anonymous": 200}),
    # Accounts: anyone logged in, for themselves.
    "accounts:profile": row(logged_in(200), logged_in(405)),
    "accounts:after_login": row(logged_in(302), logged_in(302)),
    "accounts:onboarding": row(logged_in(200), logged_in(200)),  # POST: the form's errors
    "accounts:details": row(logged_in(200), logged_in(200)),  # POST: the form's errors
    "accounts:ask_name": row(logged_in(200), logged_in(200)),  # POST: the form's errors
    "accounts:contact": row(logged_in(200), logged_in(200)),  # POST: the form again
    "accounts:stop_sms": row(logged_in(405), logged_in(302)),
    # Personal data: the privacy page is public; the export is one's own ZIP (POST builds it);
    # learners may delete their account (POST without confirmation: the form's errors), coaches,
    # editors and managers are refused with a message (an administrator closes them).
    "accounts:privacy": row(200, 405),
    "accounts:export": row(logged_in(200), logged_in(200)),
    "accounts:delete": row(
        logged_in(200),
        {"anonymous": LOGIN, "learner_a": 200, "learner_b": 200, "*": 403},
    ),
    # Learning: any logged-in person may follow a pathway; steps need an enrolment (others
    # are sent to the pathway's page), progression points need a passage (403 page).
    "pathways:dashboard": row(logged_in(200), logged_in(405)),
    "pathways:enroll": row(logged_in(405), logged_in(302)),
    "pathways:continue": row(logged_in(302), logged_in(405)),
    "pathways:step": row(logged_in(302) | {"learner_a": 200}, logged_in(405)),
    "pathways:complete_step": row(logged_in(405), logged_in(302)),
    # An enrolled learner's POST carrying no answer is refused (it would erase them).
    "pathways:save_answers": row(logged_in(405), logged_in(302) | {"learner_a": 400}),
    "pathways:point": row(logged_in(403) | {"learner_a": 200}, logged_in(403) | {"learner_a": 200}),
    # A carnet is always the requester's own (B gets an empty one: checked for A's data).
    "pathways:carnet_pdf": row(logged_in(200), 405),
    "pathways:carnet_text": row(logged_in(200), 405),
    # Podcasts: public feeds for podcast apps.
    "pathways:podcasts_feed": row(200, 200),
    "pathways:pathway_podcasts_feed": row(200, 200),
    "pathways:podcast_audio": row(302, 405),
    "pathways:media_file": row(logged_in(302), logged_in(405)),
    # Offline: a module's pages and sizes for its enrolled learner; the sync takes JSON only
    # (the matrix's empty form is unreadable).
    "pathways:offline_module": row(logged_in(404) | {"learner_a": 200}, logged_in(405)),
    "pathways:offline_sync": row(logged_in(405), logged_in(400)),
    # Coaching, learner side: A's request and session are A's only.
    "coaching:my_coaching": row(logged_in(200), logged_in(405)),
    "coaching:help": row(logged_in(200), logged_in(200)),  # POST: the form's errors
    "coaching:cancel": row(logged_in(405), LEARNER_A_ONLY | {"learner_a": 302}),
    "coaching:answer_session": row(logged_in(405), LEARNER_A_ONLY | {"learner_a": 302}),
    "coaching:accept_offer": row(logged_in(405), LEARNER_A_ONLY | {"learner_a": 302}),
    "coaching:session_ics": row(
        LEARNER_A_ONLY | {"learner_a": 200, "coach_a": 200}, logged_in(405)
    ),
    # Coach workspace: coaches only; a request outside a coach's territory is a 404.
    "coaching:queue": row(COACHES_ONLY | {"coach_a": 200, "other_coach": 200}, COACHES_ONLY),
    "coaching:request": row(
        {
            "anonymous": LOGIN,
            "coach_a": 200,
            "other_coach": 404,
            "manager": 200,
            "other_manager": 404,
            "*": 403,
        },
        logged_in(405),
    ),  # fmt: skip
    # A request's messages: its learner, its coach and its structure's managers (the
    # network's too); anyone else a 404. POST without data: the form's errors.
    "coaching:thread": row(
        {"anonymous": LOGIN, "learner_a": 200, "coach_a": 200, "manager": 200, "*": 404},
        {"anonymous": LOGIN, "learner_a": 422, "coach_a": 422, "manager": 422, "*": 404},
    ),
    # A coach's own absence and capacity (POST without data: the form's errors).
    "coaching:availability": row(
        COACHES_ONLY | {"coach_a": 200, "other_coach": 200},
        COACHES_ONLY | {"coach_a": 422, "other_coach": 422},
    ),
    # Structure managers: their structure's requests; giving one to a coach (POST without
    # data: a message, back to the file) only for the request's structure.
    "coaching:structure_requests": row(
        MANAGERS_ONLY | BOTH_MANAGERS, MANAGERS_ONLY | {"manager": 405, "other_manager": 405}
    ),
    "coaching:assign": row(
        MANAGERS_ONLY | {"manager": 405, "other_manager": 405},
        MANAGERS_ONLY | {"manager": 302, "other_manager": 404},
    ),
    # Claiming someone else's request is refused by the action, with a message (redirect).
    "coaching:claim": row(COACHES_ONLY, COACHES_ONLY | {"coach_a": 302, "other_coach": 302}),
    "coaching:propose_session": row(
        COACHES_ONLY, COACHES_ONLY | {"coach_a": 422, "other_coach": 404}
    ),
    "coaching:notes": row(COACHES_ONLY, COACHES_ONLY | {"coach_a": 302, "other_coach": 404}),
    "coaching:close": row(COACHES_ONLY, COACHES_ONLY | {"coach_a": 422, "other_coach": 404}),
    "coaching:hand_back": row(COACHES_ONLY, COACHES_ONLY | {"coach_a": 302, "other_coach": 404}),
    # Self-booking: the learner's own request's slots (POST without a slot: the page again
    # with its message); a coach's own weekly rules and days off (POST without data: the
    # form's errors; removing a rule that is not theirs: a message); BigBlueButton's door
    # (Jitsi here: closed to everyone).
    "coaching:booking": row(LEARNER_A_ONLY | {"learner_a": 200}, logged_in(405)),
    "coaching:book": row(logged_in(405), LEARNER_A_ONLY | {"learner_a": 422}),
    "coaching:add_rule": row(COACHES_ONLY, COACHES_ONLY | {"coach_a": 422, "other_coach": 422}),
    "coaching:remove_rule": row(COACHES_ONLY, COACHES_ONLY | {"coach_a": 302, "other_coach": 302}),
    "coaching:add_exception": row(
        COACHES_ONLY, COACHES_ONLY | {"coach_a": 422, "other_coach": 422}
    ),
    "coaching:remove_exception": row(
        COACHES_ONLY, COACHES_ONLY | {"coach_a": 302, "other_coach": 302}
    ),
    "coaching:session_video": row(logged_in(404), logged_in(405)),
    # The life of a session: its coach or its learner moves or cancels it (POST without data:
    # a message, back to their page); its coach records attendance; the agenda is a coach's own.
    "coaching:move_session": row(
        logged_in(405), {"anonymous": LOGIN, "learner_a": 302, "coach_a": 302, "*": 404}
    ),
    "coaching:cancel_session": row(
        logged_in(405), {"anonymous": LOGIN, "learner_a": 302, "coach_a": 302, "*": 404}
    ),
    "coaching:attendance": row(COACHES_ONLY, COACHES_ONLY | {"coach_a": 302, "other_coach": 404}),
    "coaching:agenda": row(COACHES_ONLY | {"coach_a": 200, "other_coach": 200}, COACHES_ONLY),
    "coaching:agenda_feed_token": row(
        COACHES_ONLY, COACHES_ONLY | {"coach_a": 302, "other_coach": 302}
    ),
    # A calendar feed needs no login: its secret token is the key. A revoked (or unknown)
    # token answers 404 to everyone (a valid one: tests/coaching/test_calendar_feed.py).
    "coaching:agenda_feed": row(404, 405),
    # Group sessions: the staff pages are the coaches' and managers' of the structures that
    # run them (others 404, as for anyone who is not staff); learners answer their own.
    "coaching:groups": row(GROUP_STAFF | {"*": 404}, GROUP_STAFF_405),
    "coaching:groups_waiting": row(GROUP_STAFF | {"*": 404}, GROUP_STAFF_405),
    "coaching:group_create": row(GROUP_STAFF | {"*": 404}, GROUP_STAFF | {"*": 404}),
    "coaching:group": row(GROUP_OWNERS | {"coach_a": 200, "manager": 200}, GROUP_STAFF_405),
    "coaching:group_invite": row(GROUP_STAFF_405, GROUP_OWNERS | {"coach_a": 400, "manager": 400}),
    "coaching:group_attendance": row(
        GROUP_STAFF_405, GROUP_OWNERS | {"coach_a": 302, "manager": 302}
    ),
    "coaching:group_brief": row(GROUP_STAFF_405, GROUP_OWNERS | {"coach_a": 400, "manager": 400}),
    "coaching:group_cancel": row(GROUP_STAFF_405, GROUP_OWNERS | {"coach_a": 400, "manager": 400}),
    "coaching:group_audio": row(logged_in(404), logged_in(405)),  # no audio posted
    "coaching:group_register": row(logged_in(405), LEARNER_A_ONLY | {"learner_a": 302}),
    "coaching:group_decline": row(logged_in(405), LEARNER_A_ONLY | {"learner_a": 302}),
    "coaching:group_unregister": row(logged_in(405), LEARNER_A_ONLY | {"learner_a": 302}),
    "coaching:group_keep_request": row(logged_in(405), LEARNER_A_ONLY | {"learner_a": 302}),
    "coaching:group_ics": row(LEARNER_A_ONLY | {"learner_a": 200}, logged_in(405)),
    # Peer circles: A belongs to a circle led by A's coach, of A's coach's structure, with a
    # meeting and a post of A's; the circle, its meetings and posts are its members', its
    # facilitator's and its structure's managers' only (anyone else: 404). Members and the
    # facilitator write (POST without data: the form's errors); managers read and moderate.
    "community:home": row(logged_in(200), logged_in(405)),
    "community:create_circle": row(
        {"anonymous": LOGIN, "coach_a": 200, "other_coach": 200, **BOTH_MANAGERS, "*": 403},
        {
            "anonymous": LOGIN,
            "coach_a": 422,
            "other_coach": 422,
            "manager": 422,
            "other_manager": 422,
            "*": 403,
        },
    ),  # fmt: skip
    "community:circle": row(
        {"anonymous": LOGIN, "learner_a": 200, "coach_a": 200, "manager": 200, "*": 404},
        {"anonymous": LOGIN, "learner_a": 422, "coach_a": 422, "manager": 403, "*": 404},
    ),
    # Learners choose to join (B joins A's circle: same département, places left; A is
    # told she already belongs); coaches, editors and managers are not learners.
    "community:join": row(
        logged_in(405), {"anonymous": LOGIN, "learner_a": 302, "learner_b": 302, "*": 403}
    ),
    "community:leave": row(
        logged_in(405),
        {"anonymous": LOGIN, "learner_a": 302, "coach_a": 302, "manager": 302, "*": 404},
    ),
    "community:close": row(
        logged_in(405), {"anonymous": LOGIN, "coach_a": 302, "manager": 302, "*": 404}
    ),
    "community:schedule_meeting": row(
        {"anonymous": LOGIN, "coach_a": 200, "manager": 200, "*": 404},
        {"anonymous": LOGIN, "coach_a": 422, "manager": 422, "*": 404},
    ),
    "community:meeting": row(
        {"anonymous": LOGIN, "learner_a": 200, "coach_a": 200, "manager": 200, "*": 404},
        logged_in(405),
    ),
    "community:choose_question": row(
        logged_in(405), {"anonymous": LOGIN, "coach_a": 302, "manager": 302, "*": 404}
    ),
    "community:top_flop": row(
        logged_in(405), {"anonymous": LOGIN, "coach_a": 302, "manager": 302, "*": 404}
    ),
    # The calendar file: a member with a seat and the facilitator.
    "community:meeting_ics": row(
        {"anonymous": LOGIN, "learner_a": 200, "coach_a": 200, "*": 404}, logged_in(405)
    ),
    "community:report": row(
        {"anonymous": LOGIN, "learner_a": 200, "coach_a": 200, "manager": 200, "*": 404},
        {"anonymous": LOGIN, "learner_a": 422, "coach_a": 422, "manager": 422, "*": 404},
    ),
    "community:review": row(
        logged_in(405), {"anonymous": LOGIN, "coach_a": 302, "manager": 302, "*": 404}
    ),
    "community:moderation": row(logged_in(200), logged_in(405)),
    # Mentoring: anyone logged in sees their own offers (POST without data: the form's
    # errors); managers decide on their structures' offers and record hours.
    "community:mentoring": row(logged_in(200), logged_in(422)),
    "community:offers": row(MANAGERS_ONLY | BOTH_MANAGERS, logged_in(405)),
    "community:decide": row(logged_in(405), MANAGERS_ONLY | {"manager": 302, "other_manager": 404}),
    "community:record_hours": row(logged_in(405), logged_in(302)),
    # Outcomes: the learner's own self-diagnoses, milestones and opinions. Pathway pages need an
    # enrolment (others are sent to the pathway's page); A finished the pathway and reached its
    # point, so A gets the forms (POST without data: the form's errors).
    "outcomes:profile": row(logged_in(200), logged_in(405)),
    "outcomes:diagnosis_free": row(logged_in(200), logged_in(422)),
    "outcomes:diagnosis_result": row(LEARNER_A_ONLY | {"learner_a": 200}, logged_in(405)),
    "outcomes:diagnosis_request_coaching": row(logged_in(405), LEARNER_A_ONLY | {"learner_a": 302}),
    "outcomes:diagnosis_start": row(
        logged_in(302) | {"learner_a": 200}, logged_in(302) | {"learner_a": 422}
    ),
    "outcomes:diagnosis_end": row(
        logged_in(302) | {"learner_a": 200}, logged_in(302) | {"learner_a": 422}
    ),
    "outcomes:milestone_start": row(
        logged_in(302) | {"learner_a": 200}, logged_in(302) | {"learner_a": 422}
    ),
    "outcomes:milestone_point": row(
        logged_in(302) | {"learner_a": 200}, logged_in(302) | {"learner_a": 422}
    ),
    "outcomes:milestone_end": row(
        logged_in(302) | {"learner_a": 200}, logged_in(302) | {"learner_a": 422}
    ),
    "outcomes:satisfaction": row(
        logged_in(302) | {"learner_a": 200}, logged_in(302) | {"learner_a": 422}
    ),
    "outcomes:module_feedback": row(logged_in(405), logged_in(302)),
    # Programme dashboard, print page and CSV exports: managers only.
    "reports:dashboard": row(
        MANAGERS_ONLY | BOTH_MANAGERS, MANAGERS_ONLY | {"manager": 405, "other_manager": 405}
    ),
    "reports:print": row(
        MANAGERS_ONLY | BOTH_MANAGERS, MANAGERS_ONLY | {"manager": 405, "other_manager": 405}
    ),
    "reports:export": row(
        MANAGERS_ONLY | BOTH_MANAGERS, MANAGERS_ONLY | {"manager": 405, "other_manager": 405}
    ),
    # Funder reports: the form for every manager (an empty POST: its errors); a report and
    # its files for the managers of its structure (another structure's: 404).
    "reports:funder_reports": row(
        MANAGERS_ONLY | BOTH_MANAGERS, MANAGERS_ONLY | {"manager": 400, "other_manager": 400}
    ),
    "reports:funder_report": row(
        MANAGERS_ONLY | {"manager": 200, "other_manager": 404},
        MANAGERS_ONLY | {"manager": 405, "other_manager": 405},
    ),
    "reports:funder_download": row(
        MANAGERS_ONLY | {"manager": 200, "other_manager": 404},
        MANAGERS_ONLY | {"manager": 405, "other_manager": 405},
    ),
    "reports:funder_regenerate": row(
        MANAGERS_ONLY | {"manager": 405, "other_manager": 405},
        MANAGERS_ONLY | {"manager": 302, "other_manager": 404},
    ),
    # The session attendance sheet: managers (their structures) and coaches (their own).
    "reports:attendance": row(
        {"anonymous": LOGIN, "coach_a": 200, "other_coach": 200, **BOTH_MANAGERS, "*": 403},
        logged_in(405),
    ),
    # Notifications: only the recipient sees one.
    "notifications:list": row(logged_in(200), logged_in(405)),
    "notifications:mark_all_read": row(logged_in(405), logged_in(302)),
    "notifications:open": row(
        LEARNER_A_ONLY | {"learner_a": 302}, LEARNER_A_ONLY | {"learner_a": 302}
    ),
    # The SMS provider's webhook: POST only, unknown without the secret in its address
    # (tests/notifications/test_sms_inbound.py posts with it).
    "notifications:sms_inbound": row(405, 404),
}
# Routes without CSRF protection, and why (their own authentication is tested elsewhere).
CSRF_EXEMPT = {
    "notifications:sms_inbound": "the SMS provider posts without a session: a secret token",
}


# --- The URL patterns of our apps ------------------------------------------------------------


def _module_name(resolver: URLResolver) -> str:
    module = resolver.urlconf_name
    if isinstance(module, str):
        return module
    if isinstance(module, list | tuple):  # admin.site.urls and the like
        return getattr(resolver.urlconf_module[0], "__module__", "") if module else ""
    return getattr(module, "__name__", "")


def walk(patterns=None, namespace: str = "", route: str = ""):
    """(URL name, route, pattern) for every named pattern of our apps."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or _module_name(entry).startswith(
                SKIPPED_MODULE_PREFIXES
            ):
                continue
            inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, inner or namespace, route + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            if entry.callback.__module__.startswith(SKIPPED_MODULE_PREFIXES):
                continue  # a third-party view mounted on its own (Wagtail's image serve view)
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, route + str(entry.pattern), entry


def our_url_names() -> list[str]:
    names = [name for name, _route, _pattern in walk()]
    assert len(names) == len(set(names)), "a URL name is used twice"
    return sorted(names) + list(SANITY_ROWS)


def test_every_url_is_declared_and_every_declaration_exists():
    names = set(our_url_names())
    undeclared = sorted(names - EXPECTATIONS.keys())
    assert not undeclared, f"declare who may use these URLs in EXPECTATIONS: {undeclared}"
    unknown = sorted(EXPECTATIONS.keys() - names)
    assert not unknown, f"these URLs are gone, drop their rows: {unknown}"


def test_the_walk_finds_our_namespaces_and_skips_third_party_trees():
    names = our_url_names()
    assert {name.split(":")[0] for name in names if ":" in name} == OUR_NAMESPACES
    assert {"healthz", "readyz", "set_language"} <= set(names)
    assert not any(name.startswith(("wagtail", "admin:", "account_")) for name in names[:-1])


# --- The world: A's pathway, answers, request, session and notification -------------------


@pytest.fixture
def world():
    learner_a = learner(departement="69")
    learner_b = learner(departement="69")
    coach_a = coach(departements=["69"])
    drome = StructureFactory(name="CAE Drôme-Ardèche", departements=["07", "26"])
    other_coach = coach(departements=["07"], structure=drome)
    # Audio is served once a live page uses it: A's module has an episode.
    audio = get_media_model().objects.create(
        title="Épisode", type="audio", duration=60, file=ContentFile(b"ID3", name="episode.mp3")
    )
    episode = {"title": "Épisode", "audio": audio, "summary": "", "chapters": [], "transcript": ""}
    steps = [exercise("Exercice de la matrice"), sheet("Fiche"), ("podcast", episode)]
    pathway = build_pathway([make_module(steps=steps), "p:offered"], title="Parcours matrice")
    module = modules_of(pathway)[0]
    exercise_step = module.step_ids[0]
    question_id = module.find_step(exercise_step).value.questions_with_ids()[0][0]
    pathway_actions.enroll(learner_a, pathway)
    pathway_actions.save_answers(learner_a, module, exercise_step, {question_id: SECRET}, True)
    for step_id in module.step_ids:
        pathway_actions.complete_step(learner_a, module, step_id)
    request = coaching_actions.open_help_request(learner_a, pathway, f"Aide {SECRET}", "ici")
    assert coaching_actions.claim_request(coach_a, request.pk).ok
    request.refresh_from_db()
    session = coaching_actions.propose_session(
        coach_a,
        request,
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=60,
        modality="in_person",
        location=f"Local {SECRET}",
    )
    group = coaching_actions.create_group_session(
        actor=coach_a,
        title=f"Séance {SECRET}",
        starts_at=timezone.now() + timedelta(days=4),
        duration_minutes=90,
        modality="remote",
        seats=3,
    )
    coaching_actions.invite_to_group_session(coach_a, group, [learner_a])
    coaching_actions.register_for_group_session(group, learner_a)
    seat = group.seat_rows.get(learner=learner_a)
    notification = Notification.objects.filter(recipient=learner_a).latest("pk")
    competences = questionnaire()
    answers = {q.pk: 1 for c in competences for q in c.questions.all()}
    diagnosis = outcomes_actions.take_diagnosis(
        learner_a, competences, answers, moment="start", pathway=pathway
    ).diagnosis
    outcomes_actions.record_satisfaction(learner_a, pathway, score=8, comment=f"Avis {SECRET}")
    # A ready funder report of A's coach's structure (its files are stand-ins).
    funder_report = FunderReport.objects.create(
        structure=coach_a.coach_profile.structure,
        start=date(2026, 7, 1),
        end=date(2026, 9, 30),
        status=FunderReport.Status.DONE,
        pdf=ContentFile(b"%PDF-1.7", name="rapport.pdf"),
        xlsx=ContentFile(b"PK", name="rapport.xlsx"),
    )
    # A's peer circle, led by A's coach for A's coach's structure, with three more members, a
    # meeting to come, A's post (reported by nobody yet) and A's offer to facilitate.
    circle = community_actions.create_circle(
        coach_a,
        name="Cercle de A",
        facilitator=coach_a,
        departements=["69"],
        structure=coach_a.coach_profile.structure,
    )
    for person in (learner_a, *(learner(departement="69") for _ in range(3))):
        community_actions.join_circle(person, circle.pk)
    meeting = community_actions.schedule_meeting(
        coach_a,
        circle.pk,
        starts_at=timezone.now() + timedelta(days=5),
        duration_minutes=90,
        modality="remote",
    )
    post = community_actions.post_to_circle(learner_a, circle.pk, f"Fil {SECRET}")
    offer = MentorOffer.objects.create(
        learner=learner_a,
        kind="facilitator",
        message=f"Offre {SECRET}",
        structure=coach_a.coach_profile.structure,
    )
    users = {
        "learner_a": learner_a,
        "learner_b": learner_b,
        "coach_a": coach_a,
        "other_coach": other_coach,
        "editor": UserFactory(role=Role.EDITOR),
        "manager": manager(coach_a.coach_profile.structure),
        "other_manager": manager(drome),
    }
    kwargs = {
        "pathway_id": pathway.pk,
        "module_id": module.pk,
        "step_id": exercise_step,
        "point_id": point_ids(pathway)[0],
        "media_id": audio.pk,
        "request_pk": request.pk,
        "session_pk": session.pk,
        "notification_pk": notification.pk,
        "token": "not-the-secret",
        "diagnosis_pk": diagnosis.pk,
        "funder_report_pk": funder_report.pk,
        "kind": "pdf",
        "room": "salle-inconnue",
        "group_pk": group.pk,
        "seat_pk": seat.pk,
        "circle_pk": circle.pk,
        "meeting_pk": meeting.pk,
        "post_pk": post.pk,
        "offer_pk": offer.pk,
    }
    return users, kwargs


# Which object a ``pk`` stands for, by URL name.
PK_OF = {
    "coaching:answer_session": "session_pk",
    "coaching:session_ics": "session_pk",
    "coaching:move_session": "session_pk",
    "coaching:cancel_session": "session_pk",
    "coaching:attendance": "session_pk",
    **{
        f"coaching:{name}": "group_pk"
        for name in (
            "group",
            "group_invite",
            "group_attendance",
            "group_brief",
            "group_audio",
            "group_cancel",
            "group_register",
            "group_decline",
            "group_unregister",
            "group_keep_request",
            "group_ics",
        )
    },
    "notifications:open": "notification_pk",
    "outcomes:diagnosis_result": "diagnosis_pk",
    "outcomes:diagnosis_request_coaching": "diagnosis_pk",
    "reports:funder_report": "funder_report_pk",
    "reports:funder_download": "funder_report_pk",
    "reports:funder_regenerate": "funder_report_pk",
    "community:circle": "circle_pk",
    "community:join": "circle_pk",
    "community:leave": "circle_pk",
    "community:close": "circle_pk",
    "community:schedule_meeting": "circle_pk",
    "community:meeting": "meeting_pk",
    "community:choose_question": "meeting_pk",
    "community:top_flop": "meeting_pk",
    "community:meeting_ics": "meeting_pk",
    "community:report": "post_pk",
    "community:review": "post_pk",
    "community:decide": "offer_pk",
}


def url_for(name: str, kwargs: dict) -> str:
    if name in SANITY_ROWS:
        return reverse(name)
    pattern = next(p for n, _route, p in walk() if n == name)
    wanted = {}
    for key in pattern.pattern.converters:
        if key == "pk":
            wanted["pk"] = kwargs[PK_OF.get(name, "request_pk")]
        else:
            wanted[key] = kwargs[key]
    return reverse(name, kwargs=wanted)


def outcome(response) -> int | str:
    login_url = resolve_url(settings.LOGIN_URL)
    if response.status_code == 302 and response["Location"].startswith(login_url):
        return LOGIN
    return response.status_code


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)", re.I)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("name", our_url_names())
def test_access_matrix(name, world):
    users, kwargs = world
    url = url_for(name, kwargs)
    expected = EXPECTATIONS[name]
    mismatches, leaks, inline = [], [], []
    for method in ("GET", "POST"):
        for role in ORDER:
            client = Client()
            if role != "anonymous":
                client.force_login(users[role])
            response = client.get(url) if method == "GET" else client.post(url)
            got = outcome(response)
            if got != expected[method][role]:
                mismatches.append(f"{method} {role}: expected {expected[method][role]}, got {got}")
            body = _body(response)
            if role in OUTSIDERS and SECRET in body:
                leaks.append(f"{method} {role}")
            if response.get("Content-Type", "").startswith("text/html") and INLINE_SCRIPT.search(
                body
            ):
                inline.append(f"{method} {role}")
    assert not mismatches, f"{name} {url}:\n" + "\n".join(mismatches)
    assert not leaks, f"{name} {url} shows A's data to: {leaks}"
    assert not inline, f"{name} {url} has an inline <script> for: {inline}"


# --- CSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in our_url_names() if n not in CSRF_EXEMPT])
def test_post_without_csrf_token_is_refused(name, world):
    """Every route, POST included or not, refuses a POST without token from a logged-in user
    (the CSRF check runs before the view: a route that takes no POST is refused all the same)."""
    users, kwargs = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["learner_a"])
    response = client.post(url_for(name, kwargs), {"message": "x"})
    assert response.status_code == 403, (name, response.status_code)
    assert "CSRF" in response.content.decode(), name


def test_the_marker_is_found_where_it_belongs(world):
    """The leak check above is not vacuous: A's marker shows where A's data may be seen."""
    users, kwargs = world
    allowed = [
        ("learner_a", reverse("pathways:carnet_text", args=[kwargs["pathway_id"]])),
        ("learner_a", reverse("coaching:my_coaching")),
        ("coach_a", reverse("coaching:group", args=[kwargs["group_pk"]])),
        ("manager", reverse("coaching:groups")),
        ("learner_a", reverse("outcomes:satisfaction", args=[kwargs["pathway_id"]])),
        ("coach_a", reverse("coaching:request", args=[kwargs["request_pk"]])),
        ("manager", reverse("coaching:request", args=[kwargs["request_pk"]])),
        ("coach_a", reverse("community:circle", args=[kwargs["circle_pk"]])),
        ("manager", reverse("community:circle", args=[kwargs["circle_pk"]])),
        ("manager", reverse("community:offers")),
    ]
    for role, url in allowed:
        client = Client()
        client.force_login(users[role])
        assert SECRET in _body(client.get(url)), (role, url)
