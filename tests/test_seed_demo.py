"""seed_demo: idempotent, prints the accounts, refuses to run outside DEBUG; its content
(pathways, modules, media, documents, workflow) is complete and valid for editors."""

import wave
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.core.serializers import serialize
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import (
    GroupApprovalTask,
    Page,
    Revision,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)
from wagtailmedia.models import get_media_model

from lms.accounts.models import LearnerProfile, User
from lms.coaching.models import CoachingRequest, CoachingSession
from lms.demo import content as demo_content
from lms.outcomes.models import CompetenceScore, Diagnosis, Milestone, Satisfaction
from lms.webvtt import captions_problem
from pathways.glossary import GlossaryTerm
from pathways.models import Enrollment, ModulePage, PathwayPage
from pathways.workflow import WORKFLOW_NAME, WORKFLOW_TASK_NAME

pytestmark = pytest.mark.django_db

SEEDED_APPS = (
    "accounts",
    "account",
    "auth",
    "pathways",
    "wagtailmedia",
    "wagtaildocs",
    "coaching",
    "notifications",
    "outcomes",
    "community",
)
SEEDED_MODELS = (Workflow, WorkflowPage, WorkflowTask, Task, GroupApprovalTask)
STEP_TYPES = {"workshop_sheet", "guided_exercise", "testimony", "podcast", "video"}
QUESTION_KINDS = {"short_text", "long_text", "single_choice", "multiple_choice", "scale"}


def snapshot() -> dict[str, str]:
    state = {
        model._meta.label: serialize("json", model.objects.order_by("pk"))
        for app_label in SEEDED_APPS
        for model in apps.get_app_config(app_label).get_models()
    }
    state.update(
        {
            model._meta.label: serialize("json", model.objects.order_by("pk"))
            for model in SEEDED_MODELS
        }
    )
    state["page count"] = Page.objects.count()
    state["revision count"] = Revision.objects.count()
    return state


@pytest.fixture
def content():
    return demo_content.seed_content()


def test_seed_demo_twice_changes_nothing(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = snapshot()
    assert first["page count"] > 10 and first["revision count"] > 10
    call_command("seed_demo")
    assert snapshot() == first
    out = capsys.readouterr().out
    assert "lea@balise.test" in out and "balise-demo" in out
    assert "3 pathways" in out and "(0 objects created this run)" in out


def test_demo_accounts_can_log_in(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    for email in ("lea@balise.test", "julien@balise.test", "claire@balise.test"):
        assert client.login(email=email, password="balise-demo"), email
        client.logout()
    assert User.objects.get(email="nadia@balise.test").learner_profile.area_type == "rural"


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
    assert not ModulePage.objects.exists()


# --- Content -------------------------------------------------------------------------------


def outlines() -> dict[str, list[dict]]:
    return {page.slug: list(page.outline.raw_data) for page in PathwayPage.objects.all()}


def test_pathways_share_modules_and_have_one_point_per_trigger(content):
    pages = Page.objects.type(ModulePage, PathwayPage)
    assert ModulePage.objects.live().count() >= 8 and PathwayPage.objects.live().count() >= 2
    for page in pages:
        assert page.live and page.live_revision_id is not None, page.title
        assert Revision.page_revisions.filter(object_id=str(page.pk)).count() == 1, page.title

    pathway_modules = {
        slug: {item["value"] for item in outline if item["type"] == "module"}
        for slug, outline in outlines().items()
    }
    emergence = PathwayPage.objects.get(slug="faire-emerger-son-projet-ess")
    impact = PathwayPage.objects.get(slug="mesurer-et-piloter-son-impact-social")
    assert (emergence.theme, emergence.audiences) == ("emergence", ["rural", "employed", "qpv"])
    assert (impact.theme, impact.audiences) == ("impact", [])
    assert pathway_modules[emergence.slug] & pathway_modules[impact.slug]

    points = [
        item["value"]
        for outline in outlines().values()
        for item in outline
        if item["type"] == "progression_point"
    ]
    assert sorted(point["trigger"] for point in points) == ["automatic", "gate", "offered"]
    assert content.points == 3
    for point in points:
        assert point["learner_message"] and point["coach_brief"]
        assert point["recommended_modality"] in {"any", "remote", "in_person"}
    with_questions = [point for point in points if point["questions"]]
    assert len(with_questions) == 1
    assert 1 <= len(with_questions[0]["questions"]) <= 2


def test_modules_use_every_step_type_and_pass_the_editors_validation(content):
    step_types, kinds = Counter(), set()
    for module in ModulePage.objects.all():
        steps = list(module.steps.raw_data)
        assert 3 <= len(steps) <= 5, module.title
        assert module.summary and module.duration_minutes
        for step in steps:
            step_types[step["type"]] += 1
            if step["type"] == "guided_exercise":
                kinds.update(q["value"]["kind"] for q in step["value"]["questions"])
            if step["type"] == "podcast":
                value = step["value"]
                assert value["transcript"] and value["chapters"]
                assert value["chapters"][0]["value"]["start"] == "00:00"
        module.steps.stream_block.clean(module.steps)  # what the admin form would check
    assert set(step_types) == STEP_TYPES
    assert min(step_types.values()) >= 2
    assert kinds == QUESTION_KINDS
    for pathway in PathwayPage.objects.all():
        pathway.outline.stream_block.clean(pathway.outline)


def test_media_documents_and_workflow(content):
    Media = get_media_model()
    audio = Media.objects.filter(type="audio")
    assert audio.count() >= 2
    for media in audio:
        with media.file.open("rb") as handle, wave.open(handle) as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 1)
            assert wav.getnframes() / wav.getframerate() == pytest.approx(media.duration)
        assert media.file.size < 100_000
    videos = Media.objects.filter(type="video")
    assert videos.exists()
    for media in videos:
        with media.file.open("rb") as handle:
            assert handle.read(12)[4:8] == b"ftyp"  # an MP4 container
        assert media.file.size < 60_000
    documents = get_document_model().objects.all()
    assert documents.count() >= 2
    for document in documents:
        with document.file.open("rb") as handle:
            # Worksheets in PDF; videos' captions in WebVTT.
            signature = b"WEBVTT" if document.file.name.endswith(".vtt") else b"%PDF-"
            assert handle.read(len(signature)) == signature
        assert document.file_size == document.file.size and document.file_hash

    # Every hosted video has its captions, and every testimony with a voice its transcript.
    steps = [step for page in ModulePage.objects.all() for step in page.steps]
    videos = [step.value for step in steps if step.block_type == "video"]
    assert videos and all(not captions_problem(video["captions"]) for video in videos)
    testimonies = [step.value for step in steps if step.block_type == "testimony"]
    assert any(t["audio"] for t in testimonies)
    assert all(t["transcript"] for t in testimonies if t["audio"] or t["video"])

    # The glossary, which learner pages link.
    assert GlossaryTerm.objects.count() >= 20
    assert GlossaryTerm.objects.get(slug="scic").expansion.startswith("Société coopérative")

    # Editors submit, managers approve.
    workflow = WorkflowPage.objects.get(page=Page.get_first_root_node()).workflow
    assert workflow.active and workflow.name == WORKFLOW_NAME
    tasks = [task.specific for task in workflow.tasks]
    assert [task.name for task in tasks] == [WORKFLOW_TASK_NAME]
    assert [group.name for group in tasks[0].groups.all()] == ["Manager"]
    assert ModulePage.objects.first().get_workflow() == workflow


def test_french_typography():
    assert demo_content.fr("Pourquoi ? « Oui » : 30 000 €") == (
        "Pourquoi\u202f? «\u00a0Oui\u00a0»\u00a0: 30\u202f000\u00a0€"
    )
    assert demo_content.fr({"a": ["Et toi ?"]}) == {"a": ["Et toi\u202f?"]}
    assert demo_content.fr("<p class=\"x\">L'ESS d'abord</p>") == '<p class="x">L’ESS d’abord</p>'


def test_coaching_demo_shows_every_origin_state_and_modality(settings):
    from lms.coaching.models import CoachingRequest, CoachingSession

    settings.DEBUG = True
    call_command("seed_demo")
    requests = CoachingRequest.objects.all()
    assert {r.origin for r in requests} >= {"checkpoint", "help", "inactivity"}
    assert {r.status for r in requests} >= {"open", "claimed", "scheduled", "done"}
    assert {s.modality for s in CoachingSession.objects.all()} == {"video", "phone", "in_person"}
    network = requests.get(learner__email="lucie@balise.test")
    assert network.network_queue and network.recommended_modality in ("video", "phone")
    # The demo learner Léa starts fresh: she reaches the automatic point herself.
    assert not requests.filter(learner__email="lea@balise.test").exists()


def test_outcomes_demo_gives_the_dashboard_figures(settings):
    """Nadia sees her profile before and after; the cohort fills every section of the
    manager's dashboard above the small-cell threshold."""
    settings.DEBUG = True
    call_command("seed_demo")
    nadia = User.objects.get(email="nadia@balise.test")
    moments = Diagnosis.objects.filter(learner=nadia).values_list("moment", flat=True)
    assert sorted(moments) == ["end", "start"]
    assert CompetenceScore.objects.filter(diagnosis__learner=nadia).count() == 30
    cohort = User.objects.filter(email__endswith="@cohorte.balise.test")
    assert cohort.count() == 72 and not any(user.has_usable_password() for user in cohort)
    assert Enrollment.objects.filter(completed_at__isnull=False).count() >= 20
    assert Diagnosis.objects.filter(moment="end").count() >= 20
    assert Satisfaction.objects.count() >= 20 and Milestone.objects.count() >= 60
    origins = Counter(CoachingRequest.objects.values_list("origin", flat=True))
    assert set(origins) == {"checkpoint", "help", "inactivity", "self_assessment"}
    assert CoachingSession.objects.filter(starts_at__lt=timezone.now()).count() >= 20
    departements = set(LearnerProfile.objects.values_list("departement", flat=True))
    assert len(departements) >= 10


# --- The copy lives in data files --------------------------------------------------------------


def test_every_module_of_the_data_files_becomes_a_live_page_with_its_steps(content):
    from pathlib import Path

    import yaml

    files = sorted((Path(demo_content.DATA_DIR) / "modules").glob("*.yaml"))
    assert len(files) == content.modules == 10
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        page = ModulePage.objects.live().get(slug=data["slug"])
        assert [block.block_type for block in page.steps] == [s["type"] for s in data["steps"]]
        assert page.title == demo_content.fr(data["title"])


def test_a_malformed_data_file_is_named_in_the_error(tmp_path, monkeypatch):
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "01-casse.yaml").write_text("slug: casse\nsteps: [\n")
    monkeypatch.setattr(demo_content, "DATA_DIR", tmp_path)
    with pytest.raises(demo_content.DemoDataError, match=r"modules/01-casse\.yaml"):
        demo_content.module_specs({})
    (tmp_path / "modules" / "01-casse.yaml").write_text(
        "slug: casse\ntitle: T\nsummary: S\nduration_minutes: 5\nsteps:\n"
        "- type: workshop_sheet\n  title: Fiche\n  body: <p>x</p>\n  document: inconnu\n"
    )
    with pytest.raises(demo_content.DemoDataError, match="01-casse.yaml: unknown document"):
        demo_content.module_specs({})


def test_the_demo_network_tells_its_story(settings):
    """Four structures; Thomas, Lozère's only coach, is full, so Nadia's request goes to the
    network queue and Julien, of the Lyon incubator, may take it; Yanis was oriented from
    the Drôme CAE to the Lyon incubator, whose manager was told."""
    from lms.accounts.models import Structure
    from lms.coaching import actions
    from lms.coaching.models import CoachingRequest
    from lms.notifications.models import Notification
    from pathways.models import PathwayPage

    settings.DEBUG = True
    call_command("seed_demo")
    assert set(Structure.objects.values_list("slug", flat=True)) == {
        "reseau-balise", "fabrique-lozere", "incubateur-lyon", "cae-drome",
    }  # fmt: skip
    nadia = User.objects.get(email="nadia@balise.test")
    pathway = PathwayPage.objects.live().first()
    CoachingRequest.objects.filter(learner=nadia).update(status="done")
    request = actions.open_help_request(nadia, pathway, "Je bloque sur mon budget", "Module 2")
    assert request.network_queue and request.structure.slug == "fabrique-lozere"
    julien = User.objects.get(email="julien@balise.test")
    assert actions.claim_request(julien, request.pk).ok

    yanis = CoachingRequest.objects.get(learner__email="yanis@balise.test")
    assert (yanis.outcome, yanis.oriented_to.slug) == ("referred", "incubateur-lyon")
    samia = User.objects.get(email="samia@balise.test")
    assert Notification.objects.filter(recipient=samia, kind="request_oriented").exists()


def test_the_demo_learner_is_reminded_by_email_and_sms_the_day_before(settings, capsys):
    from lms.coaching.tasks import send_session_reminders_task
    from lms.notifications.actions import deliver_sms
    from lms.notifications.models import Notification, TextMessage

    settings.DEBUG = True
    settings.SMS_BACKEND = "console"
    call_command("seed_demo")
    capsys.readouterr()

    assert send_session_reminders_task()["sessions"] >= 1  # what beat runs every 5 minutes

    reminder = Notification.objects.get(
        kind="session_reminder", recipient__email="karim@balise.test"
    )
    assert reminder.email and "https://visio.example.org/balise-karim" in reminder.body_text
    (text,) = TextMessage.objects.filter(
        recipient__email="karim@balise.test", kind="session_reminder"
    )
    assert deliver_sms(text.pk)
    printed = capsys.readouterr().out
    assert "SMS to +33612345678" in printed and "Balise : RDV demain" in printed


def test_the_demo_peer_circle_exchanges_between_two_meetings(settings):
    """Nadia, an alumna approved to facilitate with hours recorded, leads a circle of five
    demo learners: a meeting held (its « top / flop » in the thread), posts and replies
    since, the next meeting scheduled with a seat for each member; an offer to mentor waits
    for the network's manager."""
    from django.utils import timezone

    from lms.coaching.models import GroupSeat
    from lms.community.access import may_facilitate
    from lms.community.models import CirclePost, MentorHours, MentorOffer, PeerCircle
    from lms.community.queries import meetings_of

    settings.DEBUG = True
    call_command("seed_demo")
    circle = PeerCircle.objects.get()
    nadia = User.objects.get(email="nadia@balise.test")
    assert circle.facilitator == nadia and may_facilitate(nadia)
    assert MentorHours.objects.filter(mentor=nadia).count() == 2
    assert circle.memberships.filter(left_at__isnull=True).count() == 5
    upcoming, past = meetings_of(circle)
    assert len(upcoming) == 1 and len(past) == 1
    assert past[0].notes_posted_at is not None
    posts = CirclePost.objects.filter(circle=circle)
    between = posts.filter(
        meeting__isnull=True,
        created_at__gt=past[0].group_session.starts_at,
        created_at__lt=upcoming[0].group_session.starts_at,
    )
    assert between.filter(parent__isnull=True).count() == 2
    assert between.filter(parent__isnull=False).count() == 3
    seats = GroupSeat.objects.filter(session=upcoming[0].group_session, learner__isnull=False)
    assert seats.count() == 5
    assert past[0].group_session.starts_at < timezone.now()
    assert MentorOffer.objects.filter(status="pending", kind="mentor").count() == 1
