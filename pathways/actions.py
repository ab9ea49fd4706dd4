"""State changes of learner progress, and of pages being written in the admin. Views,
receivers, admin hooks and tasks call these.

Each rule is enforced by a unique constraint as well, so double clicks, two tabs
or concurrent requests never create twins: completing twice is a no-op, and a
progression point is recorded exactly once.
"""

import logging
import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail.actions.delete_page import DeletePageAction
from wagtail.models import Page

from lms.accounts.models import User

from .models import (
    CheckpointPassage,
    Enrollment,
    ExerciseResponse,
    ModulePage,
    OfflineSync,
    PathwayPage,
    ProvisionalPage,
    StepCompletion,
)
from .offline import merge_answers
from .progress import PathwayProgress
from .queries import abandoned_provisional_pages, learner_progress, progress_changed
from .signals import progression_point_reached

logger = logging.getLogger(__name__)


def enroll(learner: User, pathway: PathwayPage) -> Enrollment:
    """Enrol the learner in a pathway (idempotent) and record points already reached,
    since modules done in another pathway count here too."""
    with transaction.atomic():
        enrollment, _ = Enrollment.objects.get_or_create(learner=learner, pathway=pathway)
        record_reached_points(learner, pathway)
    return enrollment


def complete_step(learner: User, module: ModulePage, step_id: str) -> list[CheckpointPassage]:
    """Mark a step done (idempotent) and record the points it lets the learner reach.

    Precondition: ``step_id`` is a live step of ``module`` (views check it).
    Returns the passages recorded by this call, across every pathway the learner
    follows that uses the module.
    """
    with transaction.atomic():
        _get_or_create(StepCompletion, learner=learner, module=module, step_id=step_id)
        enrollments = list(Enrollment.objects.filter(learner=learner).select_related("pathway"))
        passages = []
        for enrollment in enrollments:
            pathway = enrollment.pathway
            if module.pk not in pathway.module_ids():
                continue
            progress, recorded = record_reached_points(learner, pathway)
            passages.extend(recorded)
            _touch(enrollment, progress)
    return passages


def save_answers(
    learner: User, module: ModulePage, step_id: str, answers: dict, shared_with_coach: bool
) -> ExerciseResponse:
    """Save a guided exercise's answers (autosave or submit): the last write wins.

    Precondition: answers are cleaned by the exercise's form (known question
    ids, offered choices, length limits).
    """
    with transaction.atomic():
        response, created = _get_or_create(
            ExerciseResponse,
            learner=learner,
            module=module,
            step_id=step_id,
            defaults={"answers": answers, "shared_with_coach": shared_with_coach},
        )
        if not created:
            response.answers = answers
            response.shared_with_coach = shared_with_coach
            response.save(update_fields=["answers", "shared_with_coach", "updated_at"])
        Enrollment.objects.filter(learner=learner).update(last_activity_at=timezone.now())
    return response


def answer_point_questions(passage: CheckpointPassage, answers: dict) -> CheckpointPassage:
    """Save the learner's answers to a progression point's questions."""
    passage.answers = answers
    passage.save(update_fields=["answers"])
    return passage


def release_gate(learner: User, pathway: PathwayPage, point_id: str) -> CheckpointPassage | None:
    """Open what follows a gate point for this learner (called by coaching).

    Returns the passage, or None when the learner has not reached the point yet.
    Releasing twice keeps the first release time. Points reachable beyond the gate
    are recorded at once, and a pathway that ends on this gate is complete now: the
    funnel counts it and the learner is no longer nudged to finish it.
    """
    with transaction.atomic():
        updated = CheckpointPassage.objects.filter(
            learner=learner, pathway=pathway, point_id=point_id, released_at__isnull=True
        ).update(released_at=timezone.now())
        progress_changed(learner.pk)
        passage = CheckpointPassage.objects.filter(
            learner=learner, pathway=pathway, point_id=point_id
        ).first()
        if updated:
            progress, _ = record_reached_points(learner, pathway)
            enrollment = Enrollment.objects.filter(learner=learner, pathway=pathway).first()
            if enrollment is not None:
                # The coach's release is not the learner's activity: inactivity nudges
                # still count from the learner's last step.
                _touch(enrollment, progress, activity=False)
    return passage


def record_reached_points(
    learner: User, pathway: PathwayPage
) -> tuple[PathwayProgress, list[CheckpointPassage]]:
    """Record a passage for each point the learner now reaches and send the signal with it.

    Exactly one passage per (learner, pathway, point), even under concurrency:
    the loser of a race sees the unique constraint and records nothing. The signal is
    sent inside this transaction, so what receivers write (coaching's request) commits
    with the passage or not at all.
    """
    progress = learner_progress(learner, pathway).progress
    recorded = []
    for point in progress.points_to_record:
        passage, created = _get_or_create(
            CheckpointPassage,
            learner=learner,
            pathway=pathway,
            point_id=point.point_id,
            defaults={"trigger": point.trigger},
        )
        if created:
            recorded.append(passage)
            _announce(passage)
    if recorded:
        progress = learner_progress(learner, pathway).progress
    return progress, recorded


def _announce(passage: CheckpointPassage) -> None:
    """Send ``progression_point_reached`` in a savepoint: a receiver that fails rolls back
    its own writes, never the learner's progress, and the learner gets no error page.
    Receivers repair what they missed (coaching's sweeper opens the request later)."""
    point = passage.pathway.point_value(passage.point_id)
    try:
        with transaction.atomic():
            progression_point_reached.send(sender=CheckpointPassage, passage=passage, point=point)
    except Exception:
        logger.exception("A receiver of progression_point_reached failed (passage %s).", passage.pk)


def _touch(enrollment: Enrollment, progress: PathwayProgress, activity: bool = True) -> None:
    """Note the learner's activity (unless ``activity`` is False) and, once the progress
    is complete, the completion time (kept from the first time)."""
    now = timezone.now()
    fields = {"last_activity_at": now} if activity else {}
    if progress.is_complete and enrollment.completed_at is None:
        fields["completed_at"] = now
    if fields:
        Enrollment.objects.filter(pk=enrollment.pk).update(**fields)


def _get_or_create(model, defaults=None, **lookup):
    """get_or_create that survives a concurrent insert of the same natural key."""
    try:
        with transaction.atomic():
            return model.objects.get_or_create(defaults=defaults, **lookup)
    except IntegrityError:
        return model.objects.get(**lookup), False


# --- Pages being written --------------------------------------------------------------


def mark_provisional(page: Page) -> None:
    """Wagtail's autosave has just created ``page``: keep it out of the page choosers until
    its editor saves it (``ProvisionalPage``). Idempotent."""
    ProvisionalPage.objects.get_or_create(page_id=page.pk)


def confirm_page(page: Page) -> None:
    """Its editor saved ``page`` (draft, submission or publication): the choosers offer it.
    A no-op for a page that was never provisional."""
    ProvisionalPage.objects.filter(page_id=page.pk).delete()


@transaction.atomic(durable=True)
def delete_abandoned_page(page_id: int, cutoff) -> bool:
    """Delete a first save that failed or was abandoned (``abandoned_provisional_pages``),
    through Wagtail's own delete action (logged in the page's history, signals sent).
    The conditions are read again, row locked, in this transaction: a page that its editor
    saved or submitted in the meantime is kept. Returns whether the page was deleted."""
    page = abandoned_provisional_pages(cutoff).select_for_update(of=("self",)).filter(pk=page_id)
    page = page.first()
    if page is None:
        return False
    DeletePageAction(page.specific, user=None).execute(skip_permission_checks=True)
    return True


# --- Changes made offline -------------------------------------------------------------


def _already_synced(key) -> OfflineSync | None:
    return OfflineSync.objects.filter(key=key).first()


@transaction.atomic(durable=True)
def sync_offline_answers(
    learner: User,
    module: ModulePage,
    step_id: str,
    *,
    key: uuid.UUID,
    answers: dict,
    texts: frozenset,
    shared_with_coach: bool | None,
    kept: list,
    based_on: datetime | None,
    typed_at: datetime | None,
) -> OfflineSync:
    """Apply answers typed offline, once per ``key`` (a replay returns the first record).

    ``answers`` are the cleaned answers (by question id) of the questions the step still
    asks, ``texts`` the ids of those answered with free text; ``kept`` the answers to
    questions it no longer asks, with their label, stored on the record so that nothing
    typed is lost. ``based_on`` is the version (``ExerciseResponse.updated_at``) the
    offline page showed: when the stored answers are newer, both texts are kept
    (``pathways.offline.merge_answers``). A concurrent replay of the same key fails on the
    key's unique constraint and rolls back entirely: the answers are written once.
    """
    if (done := _already_synced(key)) is not None:
        return done
    stored = (
        ExerciseResponse.objects.select_for_update()
        .filter(learner=learner, module=module, step_id=step_id)
        .first()
    )
    conflict = stored is not None and (based_on is None or stored.updated_at > based_on)
    when = timezone.localtime(typed_at or timezone.now())
    when = formats.date_format(when, "SHORT_DATETIME_FORMAT")
    note = _("[Écrit hors connexion le %(date)s]") % {"date": when}
    merge = merge_answers(
        stored.answers if stored else {}, answers, conflict=conflict, note=note, texts=texts
    )
    if shared_with_coach is None or conflict:
        shared_with_coach = stored.shared_with_coach if stored else False
    save_answers(learner, module, step_id, merge.answers, shared_with_coach)
    if kept:
        outcome = OfflineSync.Outcome.QUESTIONS_CHANGED
    elif merge.combined:
        outcome = OfflineSync.Outcome.MERGED
    else:
        outcome = OfflineSync.Outcome.SAVED
    return OfflineSync.objects.create(
        key=key,
        learner=learner,
        module=module,
        step_id=step_id,
        kind=OfflineSync.Kind.ANSWERS,
        outcome=outcome,
        answers=answers,
        kept=kept,
        typed_at=typed_at,
    )


@transaction.atomic(durable=True)
def sync_offline_completion(
    learner: User, module: ModulePage, step_id: str, *, key: uuid.UUID, typed_at: datetime | None
) -> OfflineSync:
    """Mark a step done offline, once per ``key``; ``complete_step`` is idempotent too.

    Precondition: as ``complete_step`` (the view checks the step, the enrolment, the lock).
    """
    if (done := _already_synced(key)) is not None:
        return done
    complete_step(learner, module, step_id)
    return OfflineSync.objects.create(
        key=key,
        learner=learner,
        module=module,
        step_id=step_id,
        kind=OfflineSync.Kind.COMPLETE,
        outcome=OfflineSync.Outcome.SAVED,
        typed_at=typed_at,
    )
