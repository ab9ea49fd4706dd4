"""Coaching requests in a learner's data (see ``lms/accounts/privacy.py``)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from lms.accounts.privacy import Declaration, Section, register
from lms.notifications.privacy import erase_notices

from .models import (
    CalendarFeed,
    CoachingRequest,
    CoachingSession,
    RequestEvent,
    SessionChange,
    SessionStatus,
    Status,
)


def erase(user) -> None:
    """Active requests and sessions are cancelled, so no coach waits for an anonymous row
    (coaches are not told); what the person wrote or said where they were is erased, and
    so are other people's notices about their requests. Dates and outcomes stay as
    anonymous figures."""
    requests = CoachingRequest.objects.filter(learner=user)
    sessions = CoachingSession.objects.filter(request__learner=user)
    sessions.filter(status__in=[SessionStatus.PROPOSED, SessionStatus.ACCEPTED]).update(
        status=SessionStatus.CANCELLED
    )
    sessions.update(learner_message="", location="")
    requests.filter(status__in=[Status.OPEN, Status.CLAIMED, Status.SCHEDULED]).update(
        status=Status.CANCELLED, closed_at=timezone.now()
    )
    requests.update(
        message="",
        context={},
        recommendation_reason="",
        coach_recommendation_reason="",
        summary="",
        next_steps="",
        private_notes="",
    )
    RequestEvent.objects.filter(request__learner=user).update(message="", where="")
    # Reasons given for moving or cancelling the person's sessions may tell of their life.
    SessionChange.objects.filter(session__request__learner=user).update(reason="")
    CalendarFeed.objects.filter(coach=user).delete()
    erase_notices(
        reverse("coaching:request", args=[pk]) for pk in requests.values_list("pk", flat=True)
    )


register(
    Declaration(
        "coaching",
        sections=(
            # As the learner: every date and flag of the request, with its sessions (and
            # each session's coach), never the coach's private notes.
            Section(
                "coaching_requests",
                "coaching.CoachingRequest",
                "learner",
                withheld={
                    "private_notes": gettext_lazy(
                        "notes de travail de la personne qui vous accompagne, qu’elle ne "
                        "partage pas ; ce qu’elle partage avec vous est dans « summary » et "
                        "« next_steps »"
                    )
                },
                children=(
                    Section(
                        "sessions",
                        "coaching.CoachingSession",
                        "request",
                        # Each move, cancellation (who, when, why) and attendance record.
                        children=(Section("changes", "coaching.SessionChange", "session"),),
                    ),
                    # Each message and origin added to the request (help, points, self-assessment).
                    Section("events", "coaching.RequestEvent", "request"),
                ),
            ),
            # A coach's private calendar feed: that it exists and since when.
            Section(
                "calendar_feed",
                "coaching.CalendarFeed",
                "coach",
                one=True,
                withheld={
                    "token": gettext_lazy(
                        "la clé secrète du lien de votre agenda : renouvelez-la depuis « Mon "
                        "agenda » pour en obtenir une nouvelle"
                    )
                },
            ),
        ),
        # Reminders sent when the person had not come back for a while, with each enrolment.
        nested={"enrollments": (Section("reminders", "coaching.InactivityNudge", "enrollment"),)},
        excluded={
            # Coach side: the coach's work about other people (their requests, sessions,
            # notes). A coach's own data is their profile (exported); what they wrote about
            # learners is the learners' file, not the coach's.
            "coaching.CoachingRequest.coach": "coach side: other people's requests",
            "coaching.CoachingSession.coach": "coach side: sessions with other people",
            "coaching.SessionChange.actor": (
                "who moved, cancelled or recorded a session: exported with the changes of the "
                "person's own sessions; a coach's changes are their learners' files"
            ),
        },
        erase=erase,
        activity=(
            ("coaching.CoachingRequest", "learner", "created_at"),
            ("coaching.CoachingSession", "request__learner", "starts_at"),
        ),
    )
)
