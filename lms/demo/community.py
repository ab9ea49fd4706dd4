"""Demo peer circle and mentoring (``data/community.yaml``): Nadia, an alumna approved as
facilitator with hours recorded, leads « Premiers pas, le soir » with five demo learners:
one past meeting (with its « top / flop » round in the thread), an exchange in the thread
since, and the next meeting scheduled. A past learner of the cohort offers to mentor.

Built through the real actions, so the meetings are group sessions with seats and calendar
files. A meeting cannot be scheduled in the past: the past one is scheduled, then moved
back. Idempotent: nothing is added once the circle exists.
"""

from datetime import datetime, time, timedelta
from pathlib import Path

import yaml
from django.utils import timezone

from lms.accounts.models import User
from lms.coaching.models import Attendance, GroupSeat, GroupSession
from lms.community import actions
from lms.community.models import MentorOffer, PeerCircle
from lms.notifications.models import Notification
from pathways.models import Enrollment, PathwayPage

DATA = Path(__file__).parent / "data" / "community.yaml"


def _at(day, hour: str) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.fromisoformat(hour)))


def _person(email: str) -> User:
    return User.objects.get(email=email)


def seed_community() -> bool:
    """Seed the circle; returns whether it was created this run."""
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    spec = data["circle"]
    if PeerCircle.objects.filter(name=spec["name"]).exists():
        return False
    nadia, marc = _person(data["facilitator"]), _person(data["approved_by"])
    offer = actions.offer_to_mentor(nadia, "facilitator", data["offer_message"].strip())
    actions.decide_offer(marc, offer.pk, True, "Merci Nadia, bienvenue parmi les animatrices !")
    circle = actions.create_circle(
        marc,
        name=spec["name"],
        facilitator=nadia,
        theme=spec["theme"],
        pathway=PathwayPage.objects.filter(slug=spec["pathway"]).first(),
        stage=spec["stage"],
        description=spec["description"].strip(),
    )
    for email in data["members"]:
        actions.join_circle(_person(email), circle.pk)
    today = timezone.localdate()
    past = data["past_meeting"]
    # Scheduled ahead, then moved to its real (past) date, as a meeting that took place; the
    # invitations written for the date ahead would tell the wrong day: they go.
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    meeting = actions.schedule_meeting(
        nadia,
        circle.pk,
        starts_at=_at(today + timedelta(days=1), past["hour"]),
        duration_minutes=90,
        modality="remote",
        question_bringer=_person(past["question_bringer"]),
    )
    actions.choose_question_bringer(
        nadia, meeting.pk, _person(past["question_bringer"]).pk, past["question"].strip()
    )
    GroupSession.objects.filter(pk=meeting.group_session_id).update(
        starts_at=_at(today - timedelta(days=past["days_ago"]), past["hour"])
    )
    Notification.objects.filter(pk__gt=before, kind="group_registered").delete()
    GroupSeat.objects.filter(session_id=meeting.group_session_id, learner__isnull=False).update(
        attendance=Attendance.HELD, attendance_recorded_at=timezone.now()
    )
    actions.post_top_flop(nadia, meeting.pk, past["top_flop"].strip())
    for post in data["thread"]:
        first = actions.post_to_circle(_person(post["author"]), circle.pk, post["body"].strip())
        for reply in post.get("replies", []):
            actions.post_to_circle(
                _person(reply["author"]), circle.pk, reply["body"].strip(), parent_id=first.pk
            )
    upcoming = data["next_meeting"]
    actions.schedule_meeting(
        nadia,
        circle.pk,
        starts_at=_at(today + timedelta(days=upcoming["days_ahead"]), upcoming["hour"]),
        duration_minutes=90,
        modality="remote",
        question_bringer=_person(upcoming["question_bringer"]),
    )
    for entry in data["hours"]:
        actions.record_hours(
            nadia,
            nadia,
            on=today - timedelta(days=entry["days_ago"]),
            minutes=entry["minutes"],
            activity=entry["activity"],
        )
    alumnus = (
        Enrollment.objects.filter(
            completed_at__isnull=False, learner__email__endswith="cohorte.balise.test"
        )
        .exclude(learner__in=MentorOffer.objects.values("learner"))
        .order_by("learner__email")
        .values_list("learner", flat=True)
        .first()
    )
    if alumnus is not None:
        actions.offer_to_mentor(
            User.objects.get(pk=alumnus), "mentor", data["pending_offer"]["message"]
        )
    return True
