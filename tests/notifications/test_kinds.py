"""Every kind of notification has its copy in templates and reads in its reader's language."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from lms.accounts.models import Structure
from lms.coaching.models import CoachingRequest, CoachingSession, GroupSession, RequestEvent
from lms.community.models import MentorOffer, PeerCircle
from lms.notifications.emails import StructureIdentity, render_notification
from pathways.models import Enrollment, PathwayPage
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

KINDS_DIR = Path(settings.BASE_DIR) / "templates" / "notifications"
SOURCES = [
    *Path(settings.BASE_DIR, "lms").rglob("*.py"),
    *Path(settings.BASE_DIR, "pathways").rglob("*.py"),
]
KIND_LITERAL = re.compile(
    r'\bnotify(?:_many)?\((?:[^()]|\([^()]*\))*?kind=f?"([a-z_{}]+)"', re.DOTALL
)


def kinds_in_code() -> set[str]:
    found = set()
    for path in SOURCES:
        for kind in KIND_LITERAL.findall(path.read_text()):
            if kind == "session_{answer}":
                found |= {"session_accept", "session_decline", "session_reschedule"}
            else:
                found.add(kind)
    return found


def kinds_in_templates() -> set[str]:
    return {p.name for p in KINDS_DIR.iterdir() if p.is_dir() and p.name != "email"}


def test_every_kind_notified_by_the_code_has_its_templates_and_no_template_is_orphan():
    assert kinds_in_code() == kinds_in_templates()
    for kind in kinds_in_templates():
        assert (KINDS_DIR / kind / "subject.txt").is_file(), kind
        assert (KINDS_DIR / kind / "message.txt").is_file(), kind


def scene(language: str) -> dict:
    """Unsaved rows, enough for every template: no query, no database."""
    learner = UserFactory.build(first_name="Léa", language=language)
    coach = UserFactory.build(first_name="Julien", last_name="Martin")
    pathway = PathwayPage(title="Faire émerger son projet ESS")
    starts = timezone.make_aware(datetime(2027, 1, 12, 18, 30))
    request = CoachingRequest(
        pk=7,
        learner=learner,
        coach=coach,
        pathway=pathway,
        origin="help",
        departement="48",
        due_at=starts,
        created_at=starts - timedelta(days=3),
        summary="Étude de marché à affiner.",
        next_steps="Rencontrer deux clients.",
        recommendation_reason="Vous avez indiqué préférer la visioconférence.",
        coach_recommendation_reason="La personne a indiqué préférer la visioconférence.",
        releases_gate=True,
    )
    session = CoachingSession(
        request=request, coach=coach, starts_at=starts, modality="video", location="https://x"
    )
    event = RequestEvent(request=request, origin="checkpoint", where="Étape 2", message="Aide")
    group = GroupSession(
        title="Tester son idée",
        coach=coach,
        starts_at=starts,
        duration_minutes=90,
        modality="hybrid",
        place="Mairie de Florac",
        video_room="salle",
    )
    structure = Structure(
        name="Incubateur ESS de Lyon", email="incubateur@balise.test", phone="04 72 00 00 69"
    )
    return {
        "recipient": learner,
        "site_url": settings.SITE_URL,
        "url": f"{settings.SITE_URL}/accompagnement/",
        "request": request,
        "session": session,
        "group": group,
        "event": event,
        "coach": coach,
        "learner": learner,
        "message": "",
        "gate": True,
        "because": "handed_back",
        # A session moved or cancelled by one side: who, its former start, their reason.
        "actor": coach,
        "previous": starts - timedelta(days=1),
        "reason": "Un empêchement",
        "late": False,
        "enrollment": Enrollment(learner=learner, pathway=pathway),
        "days": 14,
        "deadline": starts,
        "manager": UserFactory.build(first_name="Marc", last_name="Lefèvre"),
        "structure": structure,
        "oriented_to": structure,
        # The layout's block about the structure the message comes from (learners' e-mails).
        "from_structure": StructureIdentity(name=structure.name, accent="#1d4e89"),
        # A digest of a request's messages (message_digest).
        "reader_role": "learner",
        "thread_messages": [
            {"author_role": "coach", "author_name": "Julien", "created_at": starts, "body": "OK"},
            {"author_role": "manager", "author_name": "", "created_at": starts, "body": "Merci"},
        ],
        # Peer circles: a digest of a circle's thread, a reported post, an offer to mentor.
        "circle": PeerCircle(name="Premiers pas, le soir"),
        "posts": [
            {"author_name": "Amina", "is_reply": False, "created_at": starts, "body": "Bravo"},
            {"author_name": "", "is_reply": True, "created_at": starts, "body": "Merci"},
        ],
        "offer": MentorOffer(
            learner=learner, kind="facilitator", status="approved", message="Le mardi soir"
        ),
    }


FRENCH_WORDS = re.compile(r"\b(vous|votre|Bonjour|demande|rendez-vous|équipe)\b", re.IGNORECASE)


@pytest.mark.parametrize("kind", sorted(kinds_in_templates()))
def test_each_kind_reads_in_french_and_in_english(kind):
    french = render_notification(kind, scene("fr"))
    english = render_notification(kind, scene("en"))

    assert french.subject and french.text.startswith("Bonjour Léa,")
    assert english.text.startswith("Hello Léa,")
    assert english.subject != french.subject
    names = ("Julien Martin", "Incubateur ESS de Lyon")
    english_text = english.subject + english.text
    for name in names:
        english_text = english_text.replace(name, "")
    words = FRENCH_WORDS.findall(english_text)
    # Text stored with the request (people's summaries, the recommendation's reason worded
    # when the request was opened) stays as written.
    request = scene("en")["request"]
    stored = " ".join((request.summary, request.next_steps, request.recommendation_reason))
    assert not [w for w in words if w not in stored], (kind, english.subject, english.text)
