"""Every state change of peer circles and mentoring; views, tasks and the demo call these.

Split by subject: ``circles`` (open, join, leave), ``threads`` (posts, read marks, e-mail
digests), ``moderation`` (report, review), ``meetings`` (group sessions in the
co-development format), ``mentoring`` (offers, decisions, hours).
"""

from ._common import CommunityError, circle_url, thread_url
from .circles import close_circle, create_circle, facilitator_refusal, join_circle, leave_circle
from .meetings import choose_question_bringer, post_top_flop, schedule_meeting
from .mentoring import (
    decide_offer,
    may_record_hours,
    offer_to_mentor,
    record_hours,
    structure_of_learner,
)
from .moderation import moderators_of, report_post, review_post
from .threads import (
    mark_circle_read,
    post_to_circle,
    send_circle_digest,
    send_due_circle_digests,
)

__all__ = [
    "CommunityError",
    "choose_question_bringer",
    "close_circle",
    "circle_url",
    "create_circle",
    "decide_offer",
    "facilitator_refusal",
    "join_circle",
    "leave_circle",
    "mark_circle_read",
    "may_record_hours",
    "moderators_of",
    "offer_to_mentor",
    "post_to_circle",
    "post_top_flop",
    "record_hours",
    "report_post",
    "review_post",
    "schedule_meeting",
    "send_circle_digest",
    "send_due_circle_digests",
    "structure_of_learner",
    "thread_url",
]
