"""Coaching requests in a learner's data (see ``lms/accounts/privacy.py``)."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from lms.accounts.privacy import Declaration, Section, register
from lms.notifications.privacy import erase_notices

from .actions.messages import thread_path, thread_url
from .models import (
    AvailabilityException,
    AvailabilityRule,
    CalendarFeed,
    CoachingRequest,
    CoachingSession,
    GroupInvitation,
    GroupSeat,
    GroupStatus,
    InvitationStatus,
    RequestEvent,
    RequestMessage,
    SessionChange,
    SessionStatus,
    Status,
    ThreadReader,
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
    sessions.update(learner_message="", location="", video_room="")
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
    # The threads of their requests, whoever wrote each message (replies speak of them):
    # the rows stay as dates, their text goes; no digest leaves about them any more.
    RequestMessage.objects.filter(request__learner=user).update(body="")
    ThreadReader.objects.filter(request__learner=user).update(digest_due_at=None)
    # Where they stood in other people's threads (a coach's or a manager's account).
    ThreadReader.objects.filter(reader=user).delete()
    ids = list(requests.values_list("pk", flat=True))
    # Reasons given for moving or cancelling the person's sessions may tell of their life.
    SessionChange.objects.filter(session__request__learner=user).update(reason="")
    CalendarFeed.objects.filter(coach=user).delete()
    erase_notices(
        [
            *(reverse("coaching:request", args=[pk]) for pk in ids),
            *(thread_url(pk) for pk in ids),
            *(thread_path(pk) for pk in ids),
        ]
    )
    # As a coach: their weekly slots and days off (with their reasons) go; sessions booked
    # on them stay the learners' (their rule is forgotten).
    AvailabilityRule.objects.filter(coach=user).delete()
    AvailabilityException.objects.filter(coach=user).delete()
    # Group sessions still to come: their seat is freed (nobody waits for an anonymous
    # person) and their invitations cancelled; past seats stay as anonymous attendance.
    upcoming = Q(session__status=GroupStatus.SCHEDULED, session__starts_at__gt=timezone.now())
    GroupSeat.objects.filter(upcoming, learner=user).update(
        learner=None, registered_at=None, attendance="", keep_request=False
    )
    GroupInvitation.objects.filter(upcoming, learner=user).update(status=InvitationStatus.CANCELLED)


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
                        # When each session was reminded (the messages are notifications);
                        # each move, cancellation (who, when, why) and attendance record.
                        children=(
                            Section("reminders", "coaching.SessionReminder", "session"),
                            Section("changes", "coaching.SessionChange", "session"),
                        ),
                    ),
                    # Each message and origin added to the request (help, points, self-assessment).
                    Section("events", "coaching.RequestEvent", "request"),
                    # The thread: their messages and those written to them, each with its
                    # author (a name, or « équipe de la structure ») and date.
                    Section("messages", "coaching.RequestMessage", "request"),
                ),
            ),
            # Group sessions: each seat they held (session, date of registration, attendance,
            # whether they kept their individual request), each invitation and its answer,
            # and when they were reminded.
            Section("group_seats", "coaching.GroupSeat", "learner"),
            Section("group_invitations", "coaching.GroupInvitation", "learner"),
            Section("group_reminders", "coaching.GroupSeatReminder", "learner"),
            # As a coach: the weekly slots they publish and the days they take no booking.
            Section("availability_rules", "coaching.AvailabilityRule", "coach"),
            Section("availability_exceptions", "coaching.AvailabilityException", "coach"),
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
            "coaching.RequestMessage.author": (
                "a message is exported with the thread of the request it belongs to (the "
                "learner's); a coach's or manager's messages are about other people"
            ),
            "coaching.ThreadReader.reader": (
                "technical: where each person stopped reading a thread, and the e-mail digest "
                "pending; the e-mails themselves are in « notifications »"
            ),
            "coaching.ThreadReader.request": "technical: read marks of the request's thread",
            "coaching.CoachingSession.rule": "coach side: the weekly slot a session was booked "
            "on, exported with the coach's availability",
            "coaching.GroupSession.coach": "coach side: group sessions they lead, with other "
            "people",
            "coaching.GroupSession.created_by": "coach side: group sessions they created",
            "coaching.GroupInvitation.invited_by": "coach side: the invitations they sent "
            "(exported with each invited person's invitations)",
            "coaching.SessionChange.actor": (
                "who moved, cancelled or recorded a session: exported with the changes of the "
                "person's own sessions; a coach's changes are their learners' files"
            ),
        },
        erase=erase,
        activity=(
            ("coaching.CoachingRequest", "learner", "created_at"),
            ("coaching.CoachingSession", "request__learner", "starts_at"),
            ("coaching.GroupSeat", "learner", "registered_at"),
        ),
    )
)
