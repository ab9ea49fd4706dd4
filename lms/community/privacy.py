"""Peer circles and mentoring in a person's data (see ``lms/accounts/privacy.py``)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from lms.accounts.privacy import Declaration, Section, register
from lms.notifications.privacy import erase_notices

from .actions import circle_url, thread_url
from .models import (
    CircleMeeting,
    CircleMembership,
    CirclePost,
    CircleReader,
    MentorHours,
    MentorOffer,
    PostReport,
)


def erase(user) -> None:
    """Memberships end and the rows stay as anonymous dates; what the person wrote (posts,
    reports, offers, notes about mentoring) is blanked, the rows kept so that replies keep
    their place; their read marks go. A circle they facilitate keeps its facilitator row
    (``PROTECT``): its structure hands it to someone else."""
    circle_ids = list(
        CircleMembership.objects.filter(learner=user).values_list("circle_id", flat=True)
    )
    CircleMembership.objects.filter(learner=user, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    CirclePost.objects.filter(author=user).update(body="")
    PostReport.objects.filter(reporter=user).update(reason="")
    MentorOffer.objects.filter(learner=user).update(message="", decision_note="")
    MentorHours.objects.filter(mentor=user).update(activity="")
    CircleMeeting.objects.filter(question_bringer=user).update(question="")
    CircleReader.objects.filter(reader=user).delete()
    erase_notices([*(circle_url(pk) for pk in circle_ids), *(thread_url(pk) for pk in circle_ids)])


register(
    Declaration(
        "community",
        sections=(
            # The circles joined and left (the circle's name and id, the dates).
            Section("circle_memberships", "community.CircleMembership", "learner"),
            # What they wrote in circles' threads, hidden or not.
            Section("circle_posts", "community.CirclePost", "author"),
            # The posts they reported and why (the review's outcome, not who reviewed).
            Section(
                "post_reports",
                "community.PostReport",
                "reporter",
                withheld={
                    "reviewed_by": gettext_lazy(
                        "la personne qui a relu le signalement (animation ou structure)"
                    )
                },
            ),
            # Offers to mentor or to facilitate, and the structure's answers.
            Section(
                "mentor_offers",
                "community.MentorOffer",
                "learner",
                withheld={"decided_by": gettext_lazy("la personne de la structure qui a répondu")},
            ),
            Section(
                "mentor_hours",
                "community.MentorHours",
                "mentor",
                withheld={"recorded_by": gettext_lazy("qui a noté ces heures")},
            ),
        ),
        excluded={
            "community.PeerCircle.facilitator": (
                "facilitator side: a circle of other people; the person's own part in it is "
                "their posts and hours"
            ),
            "community.PeerCircle.created_by": "team side: who opened a circle",
            "community.CircleMeeting.question_bringer": (
                "the meeting belongs to the circle; the question they brought is shared with "
                "its members, and erased with the account"
            ),
            "community.PostReport.reviewed_by": "moderation of other people's posts",
            "community.MentorOffer.decided_by": "a manager's decision about someone else",
            "community.MentorHours.recorded_by": "who recorded another person's hours",
            "community.CircleReader.reader": (
                "technical: where each person stopped reading a circle's thread, and the "
                "e-mail digest pending; the e-mails themselves are in « notifications »"
            ),
            "community.CirclePost.parent": (
                "the post a reply answers: someone else's words (the person's own posts are "
                "all in « circle_posts »)"
            ),
            "community.PostReport.post": (
                "the reported post is someone else's words; the report itself (reason, date, "
                "outcome) is exported"
            ),
        },
        erase=erase,
        activity=(
            ("community.CircleMembership", "learner", "joined_at"),
            ("community.CirclePost", "author", "created_at"),
        ),
    )
)
