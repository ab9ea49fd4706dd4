"""State changes of coaching. Views, signal receivers and tasks call these.

Rules enforced by the database as well as here: at most one active request per
(learner, pathway) (a partial unique constraint), one winner when coaches
race to claim (a conditional update), one active session per coach and start
time (a partial unique constraint, and the request row is locked while a
session is proposed). E-mails go through the notifications outbox, written in
the same transaction.

Split by subject: ``requests`` (open, join, announce, notes, close and orient, withdraw),
``claims``, ``assignment`` (by a structure's manager),
``sessions``, ``escalation``, ``inactivity`` and ``repair`` (the sweeper). Callers use
this package's names.
"""

from ._common import CoachingError, in_site_language
from .assignment import assign_request, assignable_coaches
from .claims import ClaimResult, claim_request, hand_back
from .escalation import escalate_overdue_requests
from .feeds import open_calendar_feed, revoke_calendar_feed
from .inactivity import nudge_inactive_learners
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
    "ClaimResult",
    "Closed",
    "CoachingError",
    "Repaired",
    "accept_offered_point",
    "answer_session",
    "cancel_session",
    "assign_request",
    "assignable_coaches",
    "balance_input",
    "cancel_request",
    "claim_request",
    "close_request",
    "escalate_overdue_requests",
    "hand_back",
    "in_site_language",
    "is_late",
    "move_session",
    "open_calendar_feed",
    "nudge_inactive_learners",
    "open_help_request",
    "open_request",
    "open_request_for_point",
    "propose_session",
    "record_attendance",
    "repair_requests",
    "revoke_calendar_feed",
    "save_notes",
    "snapshot",
]
