"""A person's data (``lms/accounts/gdpr.py``): export as a ZIP, erasure, inactive accounts.

- The export holds A's data (answers, passages, requests with sessions and the shared
  summary, notifications, e-mail addresses, files), never the coach's private notes nor
  another learner's data; every model linked to the user is either exported or excluded
  on purpose (a new one fails ``test_every_relation_to_the_user_is_classified``).
- Erasure leaves no trace of A's e-mail, name or answers anywhere in the database (a dump
  of every model is searched) while the counts of enrolments, completed steps, passages,
  requests and sessions stay the same.
- Inactive learners are warned once, anonymised after the grace period unless they came
  back, and the task is safe to run twice.
"""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from lms.accounts import gdpr, privacy
from lms.accounts.models import InactivityWarning, LearnerProfile, User
from lms.accounts.roles import Role
from lms.accounts.tasks import anonymise_inactive_task
from lms.coaching import actions as coaching_actions
from lms.coaching.models import CoachingRequest, CoachingSession
from lms.notifications.models import Notification
from pathways import actions as pathway_actions
from pathways.models import CheckpointPassage, Enrollment, ExerciseResponse, StepCompletion
from tests.factories.accounts import LearnerProfileFactory, UserFactory, coach, learner
from tests.factories.pathways import build_pathway, exercise, modules_of, point_ids, sheet
from tests.factories.pathways import module as make_module

pytestmark = pytest.mark.django_db

MARKER = "Réponse-de-Zéphyrine-91b2"
POINT_MARKER = "Balise-de-Zéphyrine-44d0"
PRIVATE = "Note-privée-du-coach-5e7a"
B_MARKER = "Réponse-de-B-0c61"
A_EMAIL = "zephyrine.quintavalle@balise.test"
A_FIRST, A_LAST = "Zéphyrine", "Quintavalle"


def _answer(learner_user, module, text):
    step_id = module.step_ids[0]
    question_id = module.find_step(step_id).value.questions_with_ids()[0][0]
    pathway_actions.save_answers(learner_user, module, step_id, {question_id: text}, True)


@pytest.fixture
def world():
    a = LearnerProfileFactory(
        user__email=A_EMAIL,
        user__first_name=A_FIRST,
        user__last_name=A_LAST,
        commune="Saint-Zéphyrin",
        project_summary=f"Projet {MARKER}",
    ).user
    b = learner()
    coach_a = coach(departements=["69"])
    pathway = build_pathway(
        [make_module(steps=[exercise("Exercice"), sheet("Fiche")]), "p:offered"],
        title="Parcours RGPD",
    )
    module = modules_of(pathway)[0]
    for person, text in ((a, MARKER), (b, B_MARKER)):
        pathway_actions.enroll(person, pathway)
        _answer(person, module, text)
        for step_id in module.step_ids:
            pathway_actions.complete_step(person, module, step_id)
    passage = CheckpointPassage.objects.get(learner=a, point_id=point_ids(pathway)[0])
    pathway_actions.answer_point_questions(passage, {"q": POINT_MARKER})
    request = coaching_actions.open_help_request(a, pathway, f"Aide {MARKER}", "ici")
    assert coaching_actions.claim_request(coach_a, request.pk).ok
    request.refresh_from_db()
    coaching_actions.propose_session(
        coach_a,
        request,
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=60,
        modality="phone",
        location=f"06 12 34 56 78 {MARKER}",
    )
    coaching_actions.save_notes(
        coach_a,
        request,
        private_notes=PRIVATE,
        summary=f"Synthèse {MARKER}",
        next_steps="Rencontrer la mairie",
    )
    coaching_actions.open_help_request(b, pathway, f"Aide {B_MARKER}", "ici")
    return {"a": a, "b": b, "coach": coach_a, "pathway": pathway, "request": request}


def _download(client, user) -> tuple[dict, zipfile.ZipFile, bytes]:
    client.force_login(user)
    response = client.post(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="balise-mes-donnees-')
    raw = b"".join(response.streaming_content)
    bundle = zipfile.ZipFile(io.BytesIO(raw))
    data = json.loads(bundle.read("data.json"))
    everything = b"".join(bundle.read(name) for name in bundle.namelist())
    return data, bundle, everything


# --- Export --------------------------------------------------------------------------------


def test_export_page_offers_a_post_button(client, world):
    client.force_login(world["a"])
    page = client.get(reverse("accounts:export")).content.decode()
    assert 'method="post"' in page and reverse("accounts:export") in page


def test_the_zip_holds_all_of_a_and_nothing_of_others(client, world):
    data, bundle, everything = _download(client, world["a"])
    text = everything.decode()
    assert data["format"] == gdpr.EXPORT_FORMAT
    assert data["user"]["email"] == A_EMAIL and data["user"]["last_name"] == A_LAST
    assert data["user"]["roles"] == [Role.LEARNER.value]
    [address] = data["email_addresses"]
    assert (address["email"], address["verified"], address["primary"]) == (A_EMAIL, True, True)
    assert data["learner_profile"]["commune"] == "Saint-Zéphyrin"
    assert len(data["enrollments"]) == 1 and len(data["step_completions"]) == 2
    assert MARKER in json.dumps(data["exercise_responses"], ensure_ascii=False)
    assert data["checkpoint_passages"][0]["answers"] == {"q": POINT_MARKER}
    [request] = data["coaching_requests"]
    assert request["message"] == f"Aide {MARKER}"
    assert request["summary"] == f"Synthèse {MARKER}"
    assert request["sessions"][0]["location"].endswith(MARKER)
    assert data["notifications"], "A's notifications are exported"
    # Every date and flag of the request, and each session's coach.
    for key in ("created_at", "due_at", "claimed_at", "first_response_at", "escalated_at"):
        assert key in request, key
    for key in ("closed_at", "network_queue", "releases_gate", "status", "outcome"):
        assert key in request, key
    assert request["claimed_at"] and request["due_at"]
    coach_name = world["coach"].get_full_name()
    assert request["coach"] == request["sessions"][0]["coach"] == coach_name
    assert data["user"]["language"] == "fr" and data["user"]["first_name"] == A_FIRST
    assert "password" not in data["user"] and "password" in data["withheld"]["user"]
    # Never the coach's private notes (named, with the reason), never another person's data.
    assert PRIVATE not in text and "private_notes" not in request
    assert data["withheld"]["coaching_requests"]["private_notes"]
    assert B_MARKER not in text and world["b"].email not in text
    assert world["coach"].email not in text
    assert bundle.namelist() == ["data.json"] and data["files"] == []


def test_every_exported_section_is_in_the_file(client, world):
    data, _bundle, _raw = _download(client, world["a"])
    for key in gdpr.exported().values():
        parent, _, field = key.rpartition(".")  # rows nested at any depth
        assert key.partition(".")[0] in data, key
        if parent:
            assert all(field in row for row in _rows_at(data, parent)), key
    assert data["not_included"] == gdpr.excluded()  # every exception named, with its reason


def _sections(sections=None, prefix=""):
    for section in privacy.sections() if sections is None else sections:
        yield f"{prefix}{section.key}", section
        yield from _sections(section.children, f"{prefix}{section.key}.")


def _rows_at(data, path):
    """The rows of data.json at a dotted path such as ``coaching_requests.sessions``."""
    rows = [data]
    for key in path.split("."):
        found = []
        for row in rows:
            value = row[key]
            found += value if isinstance(value, list) else [value] if value else []
        rows = found
    return rows


# Sections the world fills for A (the others are checked the same way when present).
WORLD_HAS = {
    "user",
    "email_addresses",
    "learner_profile",
    "enrollments",
    "enrollments.reminders",
    "step_completions",
    "exercise_responses",
    "checkpoint_passages",
    "coaching_requests",
    "coaching_requests.sessions",
    "notifications",
}


def test_every_field_of_every_exported_row_is_in_the_file(client, world):
    """A field added to a model linked to the person is exported, or named as withheld
    with its reason: never forgotten silently."""
    reminders = apps.get_model("coaching.InactivityNudge")
    reminders.objects.create(
        enrollment=Enrollment.objects.get(learner=world["a"]), level=1, activity_at=timezone.now()
    )
    data, _bundle, _raw = _download(client, world["a"])
    everything = [("user", apps.get_model("accounts.User"), "", privacy.USER_WITHHELD)]
    everything += [(p, apps.get_model(s.model), s.owner, s.withheld) for p, s in _sections()]
    for path, model, owner, withheld in everything:
        expected = {f.name for f in model._meta.concrete_fields} - {owner} - set(withheld)
        rows = _rows_at(data, path)
        assert rows or path not in WORLD_HAS, f"the world gives A some {path}"
        for row in rows:
            assert expected <= row.keys(), (path, sorted(expected - row.keys()))
        for name, reason in withheld.items():
            assert data["withheld"][path][name] == str(reason), (path, name)
    [enrollment] = data["enrollments"]
    assert enrollment["reminders"][0]["level"] == 1 and enrollment["reminders"][0]["sent_at"]
    notification = data["notifications"][0]
    assert notification["created_at"] and "sent_at" in notification and notification["kind"]


def test_b_downloads_only_b(client, world):
    data, _bundle, everything = _download(client, world["b"])
    assert MARKER not in everything.decode() and A_EMAIL not in everything.decode()
    assert B_MARKER in json.dumps(data["exercise_responses"], ensure_ascii=False)


def test_files_are_copied_into_the_zip(client, world):
    profile = UserProfile.get_for_user(world["a"])
    profile.avatar.save("portrait.png", ContentFile(b"\x89PNG fake"), save=True)
    data, bundle, _raw = _download(client, world["a"])
    name = f"files/avatar/{profile.avatar.name.rsplit('/', 1)[-1]}"
    assert data["files"] == [name]
    assert bundle.read(name) == b"\x89PNG fake"


def _relations_to_user() -> set[str]:
    """Every concrete relation of every model to the user, named by the declaring model."""
    user_model = get_user_model()
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model is user_model:
                found.add(f"{field.model._meta.label}.{field.name}")
    return found


def _relations_to_exported_rows() -> set[str]:
    """Relations to rows the export holds (a session's request, a score's diagnosis):
    rows about the person, one step further."""
    exported_models = {apps.get_model(s.model) for _path, s in _sections()}
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model in exported_models:
                found.add(f"{field.model._meta.label}.{field.name}")
    return found


def test_every_relation_to_the_user_is_classified():
    """A new model linked to users, or to a row about them (a request's messages or
    events, a session's details), fails here until it is exported or excluded on purpose."""
    relations = _relations_to_user() | _relations_to_exported_rows()
    assert not gdpr.exported().keys() & gdpr.excluded().keys()
    unclassified = sorted(relations - gdpr.exported().keys() - gdpr.excluded().keys())
    assert not unclassified, (
        f"add to gdpr.exported() (and the export) or gdpr.excluded(): {unclassified}"
    )
    stale = sorted((gdpr.exported().keys() | gdpr.excluded().keys()) - relations)
    assert not stale, f"these relations are gone: {stale}"
    assert "pathways.ExerciseResponse.learner" in relations  # the walk sees our apps


def test_anonymous_visitors_are_sent_to_login(client):
    for name in ("accounts:export", "accounts:delete"):
        for method in (client.get, client.post):
            response = method(reverse(name))
            assert response.status_code == 302 and "/comptes/login/" in response.url


# --- Erasure -------------------------------------------------------------------------------


def _dump() -> str:
    """Every row of every model, as JSON text (non-ASCII kept)."""
    chunks = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        chunks.append(
            serializers.serialize("json", model._default_manager.all(), ensure_ascii=False)
        )
    return "\n".join(chunks)


def _counts(user) -> dict[str, int]:
    return {
        "enrollments": Enrollment.objects.filter(learner=user).count(),
        "completions": StepCompletion.objects.filter(learner=user).count(),
        "passages": CheckpointPassage.objects.filter(learner=user).count(),
        "requests": CoachingRequest.objects.filter(learner=user).count(),
        "sessions": CoachingSession.objects.filter(request__learner=user).count(),
    }


def test_deleting_the_account_erases_personal_data_and_keeps_counts(client, world):
    a = world["a"]
    before = _counts(a)
    dump = _dump()
    assert all(s in dump for s in (A_EMAIL, A_FIRST, A_LAST, MARKER, POINT_MARKER, PRIVATE))
    client.force_login(a)
    page = client.get(reverse("accounts:delete")).content.decode()
    assert 'name="email"' in page
    wrong = client.post(reverse("accounts:delete"), {"email": "autre@balise.test"})
    assert wrong.status_code == 200 and User.objects.get(pk=a.pk).is_active

    response = client.post(reverse("accounts:delete"), {"email": A_EMAIL.upper()}, follow=True)

    assert response.redirect_chain[0] == ("/", 302)
    assert "Votre compte est supprimé" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert _counts(a) == before
    a.refresh_from_db()
    assert a.email == f"anonyme-{a.pk}@balise.invalid"
    assert (a.first_name, a.last_name, a.is_active) == ("", "", False)
    assert not a.has_usable_password() and not a.groups.exists()
    assert not LearnerProfile.objects.filter(user=a).exists()
    assert not ExerciseResponse.objects.filter(learner=a).exists()
    assert not CoachingRequest.objects.filter(learner=a).exclude(status="cancelled").exists()
    dump = _dump()
    for secret in (A_EMAIL, A_FIRST, A_LAST, MARKER, POINT_MARKER, PRIVATE, "Saint-Zéphyrin"):
        assert secret.lower() not in dump.lower(), secret
    # Other people's data is untouched.
    assert B_MARKER in dump and world["b"].email in dump and world["coach"].email in dump


def test_the_erased_person_cannot_log_in_and_the_address_is_free(client, world):
    gdpr.anonymise_user(world["a"])
    assert not client.login(email=A_EMAIL, password="mot-de-passe-test")
    assert UserFactory(email=A_EMAIL).pk != world["a"].pk


def test_anonymising_twice_is_harmless(world):
    gdpr.anonymise_user(world["a"])
    gdpr.anonymise_user(world["a"])
    assert User.objects.get(pk=world["a"].pk).email == f"anonyme-{world['a'].pk}@balise.invalid"


@pytest.mark.parametrize("role", [Role.COACH, Role.EDITOR, Role.MANAGER, "staff"])
def test_coaches_editors_managers_and_staff_cannot_delete_themselves(client, role):
    user = UserFactory(is_staff=True) if role == "staff" else UserFactory(role=role)
    client.force_login(user)
    page = client.get(reverse("accounts:delete"))
    assert page.status_code == 200 and 'name="email"' not in page.content.decode()
    assert "administrat" in page.content.decode()
    response = client.post(reverse("accounts:delete"), {"email": user.email})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.is_active and user.email.endswith("@balise.test")


def test_my_account_links_to_export_delete_and_privacy(client, world):
    client.force_login(world["a"])
    page = client.get(reverse("accounts:profile")).content.decode()
    for name in ("accounts:export", "accounts:delete", "accounts:privacy"):
        assert reverse(name) in page, name
    client.force_login(world["coach"])
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:export") in page and reverse("accounts:delete") not in page


def test_the_privacy_page_is_public_and_in_the_footer(client):
    page = client.get(reverse("accounts:privacy")).content.decode()
    for kept in (
        "autodiagnostics",
        "jalons",
        "avis",
        "notes de travail",
        "demandes d’accompagnement et leurs dates",
        "prise en charge, première réponse",
        "file nationale",
        "la personne qui vous accompagne à chacun",
        "rappels",
        "si vous avez choisi de la partager",
        "la langue",
        "votre prénom",
    ):
        assert kept in page, kept
    assert "seulement les réponses que vous choisissez de partager" in page
    assert "730 jours" in page
    home = client.get(reverse("accounts:privacy")).content.decode()
    assert f'href="{reverse("accounts:privacy")}"' in home.split('class="site-footer"')[1]


# --- Inactive accounts ---------------------------------------------------------------------

DAY = timedelta(days=1)


@pytest.fixture
def idle(settings):
    """A learner last seen 800 days ago, with an old answer; warn after 730, grace 30."""
    settings.BALISE_INACTIVE_WARN_DAYS = 730
    settings.BALISE_INACTIVE_ANONYMISE_AFTER_WARNING_DAYS = 30
    long_ago = timezone.now() - 800 * DAY
    person = learner()
    pathway = build_pathway(["m:1"])
    pathway_actions.enroll(person, pathway)
    User.objects.filter(pk=person.pk).update(last_login=long_ago, date_joined=long_ago)
    Enrollment.objects.filter(learner=person).update(
        enrolled_at=long_ago, last_activity_at=long_ago
    )
    return User.objects.get(pk=person.pk)


def test_inactive_learners_are_warned_then_anonymised(idle):
    now = timezone.now()
    active = learner()
    User.objects.filter(pk=active.pk).update(last_login=now - 10 * DAY)
    staff_member = coach()
    User.objects.filter(pk=staff_member.pk).update(last_login=now - 900 * DAY)

    assert gdpr.anonymise_inactive_learners(now) == {"warned": 1, "anonymised": 0}
    warning = InactivityWarning.objects.get(user=idle)
    assert warning.warned_at == now
    notice = Notification.objects.get(recipient=idle, kind="inactivity_warning")
    assert "anonymisé" in notice.subject and "730 jours" in notice.body_text
    # Idempotent: the same day, and any day within the grace period, nothing more happens.
    assert gdpr.anonymise_inactive_learners(now) == {"warned": 0, "anonymised": 0}
    assert gdpr.anonymise_inactive_learners(now + 29 * DAY) == {"warned": 0, "anonymised": 0}
    assert Notification.objects.filter(recipient=idle, kind="inactivity_warning").count() == 1

    assert gdpr.anonymise_inactive_learners(now + 31 * DAY) == {"warned": 0, "anonymised": 1}
    idle.refresh_from_db()
    assert not idle.is_active and idle.email.endswith("@balise.invalid")
    assert Enrollment.objects.filter(learner=idle).count() == 1
    assert gdpr.anonymise_inactive_learners(now + 32 * DAY) == {"warned": 0, "anonymised": 0}
    # The active learner and the coach were never concerned.
    assert User.objects.get(pk=active.pk).is_active
    assert User.objects.get(pk=staff_member.pk).is_active
    assert not InactivityWarning.objects.exclude(user=idle).exists()


def test_coming_back_after_the_warning_voids_it(idle):
    now = timezone.now()
    assert gdpr.anonymise_inactive_learners(now)["warned"] == 1
    User.objects.filter(pk=idle.pk).update(last_login=now + 5 * DAY)
    assert gdpr.anonymise_inactive_learners(now + 40 * DAY) == {"warned": 0, "anonymised": 0}
    assert User.objects.get(pk=idle.pk).is_active
    # Idle again for the whole period: a new warning first, never a direct anonymisation.
    later = now + 5 * DAY + 731 * DAY
    assert gdpr.anonymise_inactive_learners(later) == {"warned": 1, "anonymised": 0}
    assert InactivityWarning.objects.get(user=idle).warned_at == later


def test_recent_activity_without_login_keeps_the_account(idle):
    now = timezone.now()
    Enrollment.objects.filter(learner=idle).update(last_activity_at=now - 100 * DAY)
    assert gdpr.anonymise_inactive_learners(now) == {"warned": 0, "anonymised": 0}


def test_the_task_runs_the_action_and_is_scheduled(idle, settings):
    assert anonymise_inactive_task() == {"warned": 1, "anonymised": 0}
    assert anonymise_inactive_task() == {"warned": 0, "anonymised": 0}
    entry = settings.CELERY_BEAT_SCHEDULE["anonymise-inactive-accounts"]
    assert entry["task"] == anonymise_inactive_task.name == "accounts.anonymise_inactive_task"
