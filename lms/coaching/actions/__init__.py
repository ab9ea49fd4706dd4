"""State changes of coaching. Views, signal receivers and tasks call these.

Rules enforced by the database as well as here: at most one active request per
(learner, pathway) (a partial unique constraint), one winner when coaches
race to claim (a conditional update), one active session per coach and start
time (a partial unique constraint, and the request row is locked while a
session is proposed). E-mails go through the notifications outbox, written in
the same transaction.

Split by subject: ``requests`` (open, join, announce, notes, close and orient, withdraw),
``claims``, ``booking`` (a learner books a free slot), ``assignment`` (by a structure's
manager), ``sessions``, ``messages`` (the thread and its e-mail digests), ``escalation``,
``inactivity``, ``repair`` (the sweeper) and ``groups`` (group sessions). Callers use
this package's names.
"""

from ._common import CoachingError, in_site_language
from .assignment import assign_request, assignable_coaches
from .availability import (
    add_availability_exception,
    add_availability_rule,
    remove_availability_exception,
    remove_availability_rule,
)
from .booking import Booked, BookingError, book_slot, upcoming_session
from .claims import ClaimResult, claim_request, hand_back
from .escalation import escalate_overdue_requests
from .feeds import open_calendar_feed, revoke_calendar_feed
from .inactivity import nudge_inactive_learners
from .messages import mark_thread_read, post_message, send_due_digests, send_message_digest
from .repair import REPAIR_BATCH, Repaired, repair_requests
from .requests import (
    Closed,
    accept_offered_point,
    balance_input,
    cancel_request,
    close_request,
    open_help_request,
    open_request,
    open_request_for_point,
    save_notes,
    snapshot,
)
from .sessions import (
    answer_session,
    cancel_session,
    is_late,
    move_session,
    propose_session,
    record_attendance,
)

__all__ = [
    "REPAIR_BATCH",
    "Booked",
    "BookingError",
    "ClaimResult",
    "Closed",
    "CoachingError",
    "Repaired",
    "accept_offered_point",
    "add_availability_exception",
    "add_availability_rule",
    "answer_session",
    "cancel_session",
    "assign_request",
    "assignable_coaches",
    "balance_input",
    "book_slot",
    "cancel_request",
    "claim_request",
    "close_request",
    "escalate_overdue_requests",
    "hand_back",
    "in_site_language",
    "mark_thread_read",
    "is_late",
    "move_session",
    "open_calendar_feed",
    "nudge_inactive_learners",
    "open_help_request",
    "open_request",
    "open_request_for_point",
    "post_message",
    "propose_session",
    "remove_availability_exception",
    "remove_availability_rule",
    "record_attendance",
    "repair_requests",
    "revoke_calendar_feed",
    "save_notes",
    "send_due_digests",
    "send_message_digest",
    "snapshot",
    "upcoming_session",
]

from .reminders import Reminded, remind_session, send_session_reminders  # noqa: E402

__all__ += ["Reminded", "remind_session", "send_session_reminders"]

from .groups import (  # noqa: E402
    cancel_group_session,
    create_group_session,
    decline_group_invitation,
    invite_to_group_session,
    keep_individual_request,
    post_group_brief,
    record_group_attendance,
    register_for_group_session,
    unregister_from_group_session,
)

__all__ += [
    "cancel_group_session",
    "create_group_session",
    "decline_group_invitation",
    "invite_to_group_session",
    "keep_individual_request",
    "post_group_brief",
    "record_group_attendance",
    "register_for_group_session",
    "unregister_from_group_session",
]
