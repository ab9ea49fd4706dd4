"""Prepare a benchmark run on a database loaded by seed_load (``python -m tests.perf.prepare``).

1. Undo what earlier runs wrote (rows stamped after the load), so that every run
   starts from the same state, and put the "poised" learners back one step
   before their automatic progression point.
2. Log people in: one session row per benchmark user (learners, coaches, the
   manager), as Django's login would write it; Locust sends the cookie.
3. Write the plan (``var/bench/plan.json``): per user, the URLs each scenario visits.
"""

import json
import os
import random
import sys
from pathlib import Path

import django

BROWSING_LEARNERS = 200
PLAN = Path(os.environ.get("BENCH_PLAN", "var/bench/plan.json"))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    django.setup()

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.urls import reverse

    from lms.accounts.models import User
    from lms.coaching.models import CoachingRequest
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

        learners = []
        candidates = list(
            User.objects.filter(email__startswith="learner-", email__endswith=domain)
            .filter(enrollments__completed_at__isnull=True)
            .distinct()
            .order_by("pk")
        )
        for user in rng.sample(candidates, min(BROWSING_LEARNERS, len(candidates))):
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
            if steps:
                learners.append(
                    {
                        "session": login(user),
                        "steps": steps,
                        "exercises": exercises,
                        "complete": to_complete,
                    }
                )

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

        manager = User.objects.get(email=f"manager{domain}")

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
        "manager": {"session": login(manager)},
        "poised": poised,
    }
    PLAN.parent.mkdir(parents=True, exist_ok=True)
    PLAN.write_text(json.dumps(plan))
    print(  # noqa: T201
        f"prepare: {len(learners)} learners, {len(coaches)} coaches, 1 manager, "
        f"{len(poised)} poised learners logged in; plan in {PLAN}."
    )


if __name__ == "__main__":
    main()
