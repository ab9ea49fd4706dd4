"""Prepare a benchmark run on a database loaded by seed_load (``python -m tests.perf.prepare``).

1. Undo what earlier runs wrote (rows stamped after the load), so that every run
   starts from the same state, and put the "poised" learners back one step
   before their automatic progression point.
2. Log people in: one session row per benchmark user (learners, coaches, the
   manager), as Django's login would write it; the load generator sends the cookie.
   The learners who warm the server up are others than the measured ones, and so are
   the learners of the pathway whose module the bench publishes.
3. Write the plan (``var/bench/plan.json``): per user, the URLs each scenario visits.
"""

import json
import os
import random
import sys
from collections import Counter
from datetime import time, timedelta
from pathlib import Path

import django

BROWSING_LEARNERS = 200
BOOKERS = 100  # learners whose request waits for a time (the booking page)
WARMUP_LEARNERS = 40
PUBLISH_LEARNERS = 40
PLAN = Path(os.environ.get("BENCH_PLAN", "var/bench/plan.json"))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    django.setup()

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from lms.accounts.departements import DEPARTEMENT_CHOICES
    from lms.accounts.models import AreaType, User
    from lms.coaching.models import (
        ACTIVE_SESSION_STATUSES,
        AvailabilityRule,
        CoachingRequest,
        CoachingSession,
    )
    from lms.notifications.models import Notification
    from pathways.models import (
        CheckpointPassage,
        Enrollment,
        PathwayIndexPage,
        PathwayPage,
        StepCompletion,
    )
    from pathways.progress import ModuleState
    from pathways.queries import learner_progress
    from tests.perf import loadgen

    rng = random.Random(7)
    index = PathwayIndexPage.objects.filter(slug=loadgen.INDEX_SLUG).first()
    if index is None:
        sys.exit("prepare: no seed_load dataset in this database.")
    loaded_at = index.first_published_at

    with transaction.atomic():
        # 1. Back to the loaded state.
        StepCompletion.objects.filter(completed_at__gt=loaded_at).delete()
        CheckpointPassage.objects.filter(reached_at__gt=loaded_at).delete()
        CoachingRequest.objects.filter(created_at__gt=loaded_at).delete()
        Notification.objects.filter(created_at__gt=loaded_at).delete()
        Enrollment.objects.filter(completed_at__gt=loaded_at).update(completed_at=None)
        Session.objects.all().delete()

        # Each coach's weekly slots: weekday evenings and Saturday mornings by video.
        load_coaches = User.objects.filter(
            email__startswith="coach-", email__endswith=f"@{loadgen.LOAD_DOMAIN}"
        )
        AvailabilityRule.objects.filter(coach__in=load_coaches).delete()
        AvailabilityRule.objects.bulk_create(
            AvailabilityRule(
                coach=coach,
                weekdays=weekdays,
                start_time=start,
                end_time=end,
                slot_minutes=60,
                modality="video",
                valid_from=timezone.localdate(),
            )
            for coach in load_coaches
            for weekdays, start, end in (
                ([0, 1, 2, 3], time(18), time(21)),
                ([5], time(9), time(12)),
            )
        )

        # 2. Sessions.
        def login(user) -> str:
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            return store.session_key

        domain = f"@{loadgen.LOAD_DOMAIN}"
        pathways = {p.pk: p for p in PathwayPage.objects.live()}

        def learner_plan(user) -> dict | None:
            """The URLs of a learner's current pathway (unlocked modules only)."""
            enrollment = (
                Enrollment.objects.filter(learner=user, completed_at__isnull=True)
                .order_by("pk")
                .first()
            )
            pathway = pathways[enrollment.pathway_id]
            view = learner_progress(user, pathway)
            steps, exercises, to_complete = [], [], []
            for item, progress in view.rows():
                if item.kind != "module" or progress.state == ModuleState.LOCKED:
                    continue
                module = item.module
                remaining = [s for s in module.step_ids if (module.pk, s) not in view.completed]
                for step_id in module.step_ids:
                    url = reverse("pathways:step", args=[pathway.pk, module.pk, step_id])
                    steps.append(url)
                    block = module.find_step(step_id)
                    if block.block_type == "guided_exercise":
                        questions = [
                            {"id": qid, "kind": q["kind"], "choices": list(q["choices"])}
                            for qid, q in block.value.questions_with_ids()
                        ]
                        exercises.append({"url": f"{url}reponses/", "questions": questions})
                    # Not the last remaining step of a module: completing it reaches no point.
                    if step_id in remaining[:-1]:
                        to_complete.append(f"{url}terminer/")
            if not steps:
                return None
            return {
                "session": login(user),
                "steps": steps,
                "exercises": exercises,
                "complete": to_complete,
            }

        def publish_plan(exclude: set[int]) -> dict:
            """The pathway with most learners under way, the first module of its outline,
            and learners who have it unlocked: one step page of it each."""
            counts = Counter(
                Enrollment.objects.filter(completed_at__isnull=True, pathway_id__in=pathways)
                .exclude(learner_id__in=exclude)
                .values_list("pathway_id", flat=True)
            )
            pathway = pathways[counts.most_common(1)[0][0]]
            cohort = []
            enrolled = (
                Enrollment.objects.filter(pathway=pathway, completed_at__isnull=True)
                .exclude(learner_id__in=exclude)
                .select_related("learner")
                .order_by("pk")
            )
            module = None
            for enrollment in enrolled[: PUBLISH_LEARNERS * 3]:
                view = learner_progress(enrollment.learner, pathway)
                rows = [(i, p) for i, p in view.rows() if i.kind == "module"]
                item, progress = rows[0]
                if progress.state == ModuleState.LOCKED:
                    continue
                module = item.module
                step_id = module.step_ids[len(cohort) % len(module.step_ids)]
                url = reverse("pathways:step", args=[pathway.pk, module.pk, step_id])
                cohort.append({"session": login(enrollment.learner), "steps": [url]})
                if len(cohort) == PUBLISH_LEARNERS:
                    break
            return {"pathway": pathway.pk, "module": module.pk, "learners": cohort}

        def browsing(users) -> list[dict]:
            return [person for person in map(learner_plan, users) if person]

        candidates = list(
            User.objects.filter(email__startswith="learner-", email__endswith=domain)
            .filter(enrollments__completed_at__isnull=True)
            .distinct()
            .order_by("pk")
        )
        chosen = rng.sample(candidates, min(BROWSING_LEARNERS + WARMUP_LEARNERS, len(candidates)))
        learners = browsing(chosen[:BROWSING_LEARNERS])
        warmup = browsing(chosen[BROWSING_LEARNERS:])
        publish = publish_plan(exclude={user.pk for user in chosen})

        coaches = []
        for user in User.objects.filter(email__startswith="coach-", email__endswith=domain):
            profile = user.coach_profile
            visible = CoachingRequest.objects.visible_to_coach(user, profile)
            pks = list(visible.order_by("-created_at").values_list("pk", flat=True)[:20])
            coaches.append(
                {
                    "session": login(user),
                    "departements": profile.departements,
                    "requests": [reverse("coaching:request", args=[pk]) for pk in pks],
                }
            )

        next_week = timezone.localdate() + timedelta(days=7)
        for coach in coaches:
            coach["next_week"] = next_week.isoformat()
        # Learners whose request is routed and waits for a time: their booking page.
        upcoming = CoachingSession.objects.filter(
            status__in=ACTIVE_SESSION_STATUSES, starts_at__gte=timezone.now()
        ).values("request_id")
        waiting = (
            CoachingRequest.objects.active()
            .filter(learner__email__startswith="learner-", learner__email__endswith=domain)
            .exclude(pk__in=upcoming)
            .select_related("learner")
            .order_by("pk")[:BOOKERS]
        )
        bookers = [
            {
                "session": login(request.learner),
                "booking": reverse("coaching:booking", args=[request.pk]),
            }
            for request in waiting
        ]

        manager = User.objects.get(email=f"manager{domain}")
        report_choices = {
            "pathways": sorted(pathways),
            "departements": [code for code, _ in DEPARTEMENT_CHOICES],
            "area_types": list(AreaType.values),
            "today": timezone.localdate().isoformat(),
        }

        poised = []
        for user in User.objects.filter(
            email__startswith=loadgen.POISED_PREFIX, email__endswith=domain
        ).order_by("pk"):
            enrollment = Enrollment.objects.filter(learner=user).first()
            if enrollment is None:
                continue
            view = learner_progress(user, pathways[enrollment.pathway_id])
            next_step = view.progress.next_step
            if next_step is None:
                continue
            url = reverse("pathways:complete_step", args=[enrollment.pathway_id, *next_step])
            poised.append({"email": user.email, "session": login(user), "complete": url})

    plan = {
        "learners": learners,
        "coaches": coaches,
        "manager": {"session": login(manager), **report_choices},
        "warmup": warmup,
        "publish": publish,
        "poised": poised,
        "bookers": bookers,
    }
    PLAN.parent.mkdir(parents=True, exist_ok=True)
    PLAN.write_text(json.dumps(plan))
    print(  # noqa: T201
        f"prepare: {len(learners)} learners (and {len(warmup)} to warm up), "
        f"{len(coaches)} coaches, 1 manager, {len(poised)} poised learners, "
        f"{len(publish['learners'])} learners of pathway {publish['pathway']} (module "
        f"{publish['module']} is published) logged in; plan in {PLAN}."
    )


if __name__ == "__main__":
    main()
