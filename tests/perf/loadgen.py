"""A reproducible dataset at national scale, for benchmarks (``manage.py seed_load``).

Everything is drawn from one seeded ``random.Random``: the same size and seed give
the same people, pages, ids and progress (timestamps are offsets from the load's
start). Pages are real Wagtail pages (created through treebeard, with a live
revision each); the rows of people and progress are written in bulk, with COPY on
PostgreSQL and with ``executemany`` elsewhere, ids chosen here and sequences reset
afterwards.

Safety: every account of the load has an e-mail at ``LOAD_DOMAIN`` and every page a
slug starting with ``load-``. The loader refuses a database holding anything else
(accounts, pathways or modules of the demo or of real people), whatever the flags;
``replace=True`` wipes a previous load, and only that.
"""

import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from wagtail.models import Page, Revision

from lms.accounts.departements import DEPARTEMENTS
from lms.accounts.models import (
    AreaType,
    Availability,
    CoachProfile,
    DigitalComfort,
    LearnerProfile,
    Membership,
    Modality,
    PreferredModality,
    Situation,
    Structure,
    User,
)
from lms.accounts.roles import Role, ensure_role_groups
from lms.coaching.models import CoachingRequest, CoachingSession, Origin, Outcome, Status
from lms.notifications.models import Notification
from lms.outcomes.models import (
    Competence,
    CompetenceScore,
    Diagnosis,
    LegalForm,
    Milestone,
    ModuleFeedback,
    RevenueBracket,
    Satisfaction,
    Stage,
)
from pathways.models import (
    CheckpointPassage,
    Enrollment,
    ExerciseResponse,
    HomePage,
    ModuleLibraryPage,
    ModulePage,
    PathwayIndexPage,
    PathwayPage,
    StepCompletion,
    Theme,
)

LOAD_DOMAIN = "load.balise.test"
STRUCTURES = 30  # accompaniment structures, coaches spread over them
PASSWORD = "balise-load"  # noqa: S105 - load accounts only; seed_load refuses without DEBUG
VERSION = 4  # bump when the shape of the dataset changes (the bench reloads)
DEFAULT_SEED = 20251127
SLUG_PREFIX = "load-"
INDEX_SLUG = "load-parcours"
LIBRARY_SLUG = "load-modules"
MARKER_PREFIX = "seed_load"
# Learners left one step before an automatic progression point (the bench completes it).
POISED_PREFIX = "poised-"


@dataclass(frozen=True)
class Size:
    name: str
    learners: int
    pathways: int
    modules: int
    coaches: int
    requests: int
    poised: int  # learners one step before an automatic point
    enrollments_per_learner: float = 2.0


SIZES = {
    # XS is for tests only (seconds on SQLite).
    "XS": Size("XS", learners=60, pathways=4, modules=6, coaches=5, requests=60, poised=5),
    "S": Size("S", learners=1_000, pathways=20, modules=30, coaches=20, requests=2_000, poised=50),
    "M": Size(
        "M", learners=10_000, pathways=100, modules=150, coaches=100, requests=20_000, poised=200
    ),
    "L": Size(
        "L", learners=50_000, pathways=100, modules=150, coaches=300, requests=100_000, poised=500
    ),
}


class LoadError(Exception):
    """The database is not one seed_load may write to (message for the operator)."""


@dataclass
class LoadSummary:
    size: str
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def marker(size: Size, seed: int) -> str:
    return f"{MARKER_PREFIX} size={size.name} version={VERSION} seed={seed}"


def current_marker() -> str | None:
    """The marker of the load in this database, or None when there is none."""
    index = PathwayIndexPage.objects.filter(slug=INDEX_SLUG).first()
    return index.search_description if index else None


def foreign_data() -> list[str]:
    """What in the database was not written by seed_load (empty when it may load)."""
    found = []
    users = User.objects.exclude(email__endswith=f"@{LOAD_DOMAIN}").count()
    if users:
        found.append(f"{users} accounts outside @{LOAD_DOMAIN}")
    pages = (
        Page.objects.type(PathwayIndexPage, ModuleLibraryPage, PathwayPage, ModulePage)
        .exclude(slug__startswith=SLUG_PREFIX)
        .count()
    )
    if pages:
        found.append(f"{pages} pathway or module pages not created by seed_load")
    return found


def wipe() -> None:
    """Delete a previous load: its accounts (and, by cascade, their rows) and its pages."""
    with transaction.atomic():
        learner_ids = User.objects.filter(email__endswith=f"@{LOAD_DOMAIN}").values("pk")
        for model in (Notification, CoachingSession, CoachingRequest):
            model.objects.all().delete()  # only load accounts exist (checked by the caller)
        for model in (StepCompletion, ExerciseResponse, CheckpointPassage, Enrollment):
            model.objects.filter(learner__in=learner_ids).delete()
        User.objects.filter(email__endswith=f"@{LOAD_DOMAIN}").delete()
        Structure.objects.filter(email__endswith=f"@{LOAD_DOMAIN}").delete()
        for page in Page.objects.filter(slug__in=[INDEX_SLUG, LIBRARY_SLUG]):
            page.delete()


# --- Bulk writing ----------------------------------------------------------------------


def insert_rows(model, columns: list[str], rows) -> int:
    """Insert raw rows (tuples in ``columns`` order): COPY on PostgreSQL, executemany elsewhere.

    Values are Python values (datetimes, bools, dicts and lists for JSON columns).
    Bypasses ``save()`` and ``auto_now``: timestamps are the dataset's own.
    """
    table = model._meta.db_table
    json_columns = {
        f.column for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"
    }
    positions = [i for i, name in enumerate(columns) if name in json_columns]
    count = 0
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    if positions:
                        row = list(row)
                        for i in positions:
                            row[i] = json.dumps(row[i], ensure_ascii=False)
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - names from the model's meta
        batch = []
        for row in rows:
            batch.append([_adapt(value, i in positions) for i, value in enumerate(row)])
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _adapt(value, is_json: bool):
    if is_json:
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def reset_sequences(*models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


# --- Content ----------------------------------------------------------------------------

LOREM = (
    "Un projet d'économie sociale et solidaire part d'un besoin du territoire. "
    "Cette fiche propose une méthode en trois temps, des exemples et des questions "
    "à se poser avant d'avancer. "
)
QUESTION_KINDS = ["long_text", "short_text", "single_choice", "scale"]


class Content:
    """Pages of the load: a module library and pathways assembled from its modules."""

    def __init__(self, rng: random.Random, size: Size):
        self.rng = rng
        self.size = size
        self.modules: list[ModulePage] = []
        self.pathways: list[PathwayPage] = []
        # For the progress generator: pathway pk -> outline entries as plain data.
        self.outlines: dict[int, list[tuple]] = {}
        self.step_ids: dict[int, list[str]] = {}  # module pk -> step ids
        self.exercises: dict[tuple[int, str], list[tuple[str, str, list]]] = {}

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def step(self, number: int) -> dict:
        kind = self.rng.choices(["workshop_sheet", "guided_exercise", "testimony"], [4, 5, 1])[0]
        title = f"Étape {number}"
        if kind == "workshop_sheet":
            value = {"title": title, "body": f"<p>{LOREM * 4}</p>", "document": None}
        elif kind == "testimony":
            value = {
                "title": title,
                "person": "Aïcha",
                "structure": "Recyclerie du Lot",
                "territory": "Lot, rural",
                "quote": "On a commencé à trois, dans un garage.",
                "story": f"<p>{LOREM * 3}</p>",
                "photo": None,
                "audio": None,
                "video": None,
            }
        else:
            questions = []
            for q in range(self.rng.randint(2, 4)):
                qkind = self.rng.choice(QUESTION_KINDS)
                choices = ["Oui", "Non", "Pas encore"] if qkind == "single_choice" else []
                questions.append(
                    {
                        "type": "item",
                        "id": self.uid(),
                        "value": {
                            "label": f"Question {q + 1} : qui, quoi, où ?",
                            "kind": qkind,
                            "help_text": "",
                            "choices": [
                                {"type": "item", "id": self.uid(), "value": c} for c in choices
                            ],
                            "required": False,
                        },
                    }
                )
            value = {
                "title": title,
                "instructions": f"<p>{LOREM}</p>",
                "questions": questions,
                "share_with_coach": True,
            }
        return {"type": kind, "id": self.uid(), "value": value}

    def point(self, number: int, trigger: str) -> dict:
        return {
            "type": "progression_point",
            "id": self.uid(),
            "value": {
                "title": f"Balise {number}",
                "trigger": trigger,
                "learner_message": "<p>Bravo, vous avez atteint une balise.</p>",
                "coach_brief": "Faire le point sur le projet et les prochaines étapes.",
                "recommended_modality": self.rng.choice(["any", "remote", "in_person"]),
                "questions": [],
            },
        }

    def build(self) -> None:
        home = HomePage.objects.get()
        index = home.add_child(
            instance=PathwayIndexPage(title="Parcours", slug=INDEX_SLUG, live=True)
        )
        library = home.add_child(
            instance=ModuleLibraryPage(title="Bibliothèque de modules", slug=LIBRARY_SLUG)
        )
        self.index = index
        for n in range(1, self.size.modules + 1):
            steps = [self.step(i + 1) for i in range(self.rng.randint(5, 11))]
            page = library.add_child(
                instance=ModulePage(
                    title=f"Module {n}",
                    slug=f"{SLUG_PREFIX}module-{n}",
                    summary="Un module de la bibliothèque nationale.",
                    duration_minutes=self.rng.choice([20, 30, 45, 60]),
                    steps=steps,
                )
            )
            self.modules.append(page)
            self.step_ids[page.pk] = [s["id"] for s in steps]
            for s in steps:
                if s["type"] == "guided_exercise":
                    self.exercises[(page.pk, s["id"])] = [
                        (q["id"], q["value"]["kind"], [c["value"] for c in q["value"]["choices"]])
                        for q in s["value"]["questions"]
                    ]
        themes = Theme.values
        for n in range(1, self.size.pathways + 1):
            chosen = self.rng.sample(self.modules, self.rng.randint(3, 6))
            outline = []
            for position, module in enumerate(chosen):
                outline.append({"type": "module", "id": self.uid(), "value": module.pk})
                last = position == len(chosen) - 1
                if position == 0 and self.rng.random() < 0.5:
                    outline.append(self.point(len(outline), "offered"))
                elif position == 1 or last:
                    outline.append(self.point(len(outline), "automatic"))
                elif self.rng.random() < 0.3:
                    outline.append(self.point(len(outline), "gate"))
            page = index.add_child(
                instance=PathwayPage(
                    title=f"Parcours {n}",
                    slug=f"{SLUG_PREFIX}parcours-{n}",
                    intro="<p>Un parcours pour avancer sur son projet.</p>",
                    theme=themes[n % len(themes)],
                    estimated_hours=self.rng.randint(2, 12),
                    outline=outline,
                )
            )
            self.pathways.append(page)
            self.outlines[page.pk] = [
                ("module", item["value"])
                if item["type"] == "module"
                else ("point", item["id"], item["value"]["trigger"], item["value"]["title"])
                for item in outline
            ]
        self._revisions([index, library, *self.modules, *self.pathways])

    def _revisions(self, pages) -> None:
        """One published revision per page, as if an editor had published it."""
        now = timezone.now()
        base = ContentType.objects.get_for_model(Page)
        revisions = Revision.objects.bulk_create(
            Revision(
                content_type=ContentType.objects.get_for_model(page),
                base_content_type=base,
                object_id=str(page.pk),
                created_at=now,
                object_str=page.title,
                content=page.serializable_data(),
            )
            for page in pages
        )
        for page, revision in zip(pages, revisions, strict=True):
            Page.objects.filter(pk=page.pk).update(
                latest_revision=revision,
                live_revision=revision,
                first_published_at=now,
                last_published_at=now,
                has_unpublished_changes=False,
            )


# --- People and progress ------------------------------------------------------------------


class Generator:
    def __init__(self, size: Size, seed: int):
        self.size = size
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.now = timezone.now().replace(microsecond=0)
        self.summary = LoadSummary(size.name)
        self.departements = list(DEPARTEMENTS)

    def ago(self, max_days: float, min_days: float = 0.0):
        return self.now - timedelta(days=self.rng.uniform(min_days, max_days))

    def timed(self, label: str, function, *args):
        start = time.perf_counter()
        result = function(*args)
        self.summary.timings[label] = round(time.perf_counter() - start, 2)
        return result

    def run(self) -> LoadSummary:
        self.timed("roles", ensure_role_groups)
        self.content = Content(self.rng, self.size)
        self.timed("pages", self.content.build)
        self.timed("people", self.people)
        self.timed("progress", self.progress)
        self.timed("coaching", self.coaching)
        self.timed("outcomes", self.outcomes)
        self.timed("sequences", self.sequences)
        return self.summary

    # People

    def people(self) -> None:
        rng = self.rng
        password = make_password(PASSWORD)
        groups = {g.name: g.pk for g in Group.objects.all()}
        first_id = next_id(User)
        size = self.size
        self.learner_ids = list(range(first_id, first_id + size.learners))
        first_coach = first_id + size.learners
        self.coach_ids = list(range(first_coach, first_coach + size.coaches))
        self.manager_id = first_id + size.learners + size.coaches
        self.poised_ids = set(self.learner_ids[-size.poised :]) if size.poised else set()
        users, emails, memberships = [], [], []
        for uid in self.learner_ids:
            prefix = POISED_PREFIX if uid in self.poised_ids else "learner-"
            users.append((uid, f"{prefix}{uid - first_id + 1:05d}@{LOAD_DOMAIN}", "Learner"))
        for uid in self.coach_ids:
            users.append((uid, f"coach-{uid - self.coach_ids[0] + 1:03d}@{LOAD_DOMAIN}", "Coach"))
        users.append((self.manager_id, f"manager@{LOAD_DOMAIN}", "Manager"))
        rows = []
        for uid, email, role in users:
            joined = self.ago(400, 30)
            rows.append(
                (uid, password, email, f"{role} {uid}", "Load", True, False, False, joined,
                 self.ago(30) if role != "Learner" or rng.random() < 0.7 else None, "fr", joined)
            )  # fmt: skip
            emails.append((uid, email, True, True))
            memberships.append((uid, groups[Role(role).value]))
        insert_rows(
            User,
            ["id", "password", "email", "first_name", "last_name", "is_active", "is_staff",
             "is_superuser", "date_joined", "last_login", "language", "name_asked_at"],
            rows,
        )  # fmt: skip
        insert_rows(EmailAddress, ["user_id", "email", "verified", "primary"], emails)
        insert_rows(User.groups.through, ["user_id", "group_id"], memberships)
        network = Structure.objects.create(
            name="Réseau (charge)", slug="reseau-charge", kind="network",
            email=f"reseau@{LOAD_DOMAIN}",
        )  # fmt: skip
        Membership.objects.create(user_id=self.manager_id, structure=network, role="manager")

        # A third of the départements have no coach: their requests go to the network queue.
        covered = rng.sample(self.departements, k=len(self.departements) * 2 // 3)
        self.coverage: dict[str, list[int]] = {}
        self.remote_coaches = []
        self.coach_structure: dict[int, int] = {}
        profiles = []
        structures = [
            Structure.objects.create(
                name=f"Structure d'accompagnement {n + 1}",
                slug=f"load-structure-{n + 1}",
                kind=rng.choice(["incubator", "fabrique", "cae", "couveuse", "tiers_lieu"]),
                email=f"contact-{n + 1}@load.balise.test",
                modalities=["video", "phone", "in_person"],
            )
            for n in range(min(STRUCTURES, len(self.coach_ids)))
        ]
        for i, uid in enumerate(self.coach_ids):
            deps = [covered[i % len(covered)], *rng.sample(covered, rng.randint(0, 2))]
            deps = list(dict.fromkeys(deps))
            modalities = rng.choice(
                [["video", "phone", "in_person"], ["video", "phone"], ["in_person"]]
            )
            for dep in deps:
                self.coverage.setdefault(dep, []).append(uid)
            if "video" in modalities:
                self.remote_coaches.append(uid)
            structure = structures[i % len(structures)]
            self.coach_structure[uid] = structure.pk
            structure.departements = sorted(set(structure.departements) | set(deps))
            profiles.append(
                (uid, structure.pk, deps, modalities,
                 "1 place de la Mairie" if "in_person" in modalities else "", rng.randint(15, 40))
            )  # fmt: skip
        Structure.objects.bulk_update(structures, ["departements"])
        insert_rows(
            CoachProfile,
            ["user_id", "structure_id", "departements", "modalities", "in_person_address",
             "capacity"],
            profiles,
        )  # fmt: skip
        insert_rows(
            Membership,
            ["user_id", "structure_id", "role"],
            [(uid, self.coach_structure[uid], "coach") for uid in self.coach_ids],
        )
        self.profiles = {}
        rows = []
        for uid in self.learner_ids:
            dep = rng.choice(self.departements)
            profile = (
                uid,
                dep,
                f"Commune {rng.randint(1, 500)}",
                rng.choices(AreaType.values, [3, 5, 2])[0],
                rng.choice(Situation.values),
                rng.sample(Availability.values, rng.randint(1, 3)),
                rng.choice(PreferredModality.values),
                rng.choices(DigitalComfort.values, [4, 1])[0],
                "Un tiers-lieu de réparation et de réemploi.",
                self.ago(400, 30),
                self.ago(30),
            )
            self.profiles[uid] = profile
            rows.append(profile)
        insert_rows(
            LearnerProfile,
            ["user_id", "departement", "commune", "area_type", "situation", "availability",
             "preferred_modality", "digital_comfort", "project_summary", "created_at",
             "updated_at"],
            rows,
        )  # fmt: skip
        self.summary.counts["learners"] = len(self.learner_ids)
        self.summary.counts["coaches"] = len(self.coach_ids)

    # Progress

    def progress(self) -> None:
        """Enrollments, completions in outline order, answers, passages, consistent with
        pathways.progress: a point is passed only when every module before it is done, and
        nothing after an unreleased gate is done."""
        rng = self.rng
        content = self.content
        pathway_ids = [p.pk for p in content.pathways]
        self.passages: list[tuple] = []  # (learner, pathway, point id, trigger, title, reached)
        enrollments, completions, answers, passages = [], [], [], []
        self.enrollments: list[tuple] = []  # (learner, pathway, enrolled at, completed at)
        self.poised: list[tuple[int, int]] = []
        done_keys: set[tuple[int, int, str]] = set()
        answered: set[tuple[int, int, str]] = set()
        for learner in self.learner_ids:
            poised = learner in self.poised_ids
            count = 1 if poised else min(len(pathway_ids), rng.choice([1, 1, 2, 2, 3, 3]))
            for pathway in rng.sample(pathway_ids, count):
                outline = content.outlines[pathway]
                start = self.ago(300, 2)
                if poised:
                    goal = self._poised_goal(outline)
                    if goal is None:
                        continue
                    fraction = None
                else:
                    # Half stopped at a random point; of the others, 3 in 4 finished.
                    fraction = rng.random()
                    if rng.random() < 0.5:
                        fraction = rng.choice([0.0, 1.0, 1.0, 1.0])
                    goal = None
                last_activity, completed, reached = self._walk(
                    learner, pathway, outline, start, fraction, goal, done_keys, answered,
                    completions, answers, passages,
                )  # fmt: skip
                enrollments.append((learner, pathway, start, last_activity, completed))
                self.enrollments.append((learner, pathway, start, completed))
                if poised:
                    self.poised.append((learner, pathway))
        insert_rows(
            Enrollment,
            ["learner_id", "pathway_id", "enrolled_at", "last_activity_at", "completed_at"],
            enrollments,
        )
        insert_rows(
            StepCompletion, ["learner_id", "module_id", "step_id", "completed_at"], completions
        )
        insert_rows(
            ExerciseResponse,
            ["learner_id", "module_id", "step_id", "answers", "shared_with_coach", "updated_at"],
            answers,
        )
        insert_rows(
            CheckpointPassage,
            ["learner_id", "pathway_id", "point_id", "trigger", "reached_at", "answers",
             "released_at"],
            [p[:5] + ({}, p[6]) for p in passages],
        )  # fmt: skip
        self.passages = passages
        self.done_keys = done_keys
        counts = self.summary.counts
        counts.update(
            enrollments=len(enrollments),
            completions=len(completions),
            answers=len(answers),
            passages=len(passages),
        )

    def _poised_goal(self, outline):
        """(outline position of the first automatic point) when the module before it has
        at least one step, else None."""
        for position, entry in enumerate(outline):
            if entry[0] == "point" and entry[2] == "automatic":
                if outline[position - 1][0] == "module":
                    return position
                return None
            if entry[0] == "point" and entry[2] == "gate":
                return None
        return None

    def _walk(self, learner, pathway, outline, start, fraction, goal, done_keys, answered,
              completions, answers, passages):  # fmt: skip
        rng = self.rng
        content = self.content
        sequence = [
            (entry[1], step_id)
            for entry in outline[: goal if goal is not None else len(outline)]
            if entry[0] == "module"
            for step_id in content.step_ids[entry[1]]
        ]
        # Poised learners do everything but the last step before their point.
        budget = len(sequence) - 1 if goal is not None else round(fraction * len(sequence))
        moment = start
        done_here = set()
        stopped = False
        all_before_done = True
        for entry in outline:
            if entry[0] == "point":
                _, point_id, trigger, title = entry
                if stopped or not all_before_done:
                    break
                moment += timedelta(minutes=rng.randint(1, 120))
                released = None
                if trigger == "gate":
                    if rng.random() < 0.6:
                        released = moment + timedelta(days=rng.uniform(0.5, 5))
                    else:
                        stopped = True
                passages.append((learner, pathway, point_id, trigger, moment, title, released))
                continue
            if stopped:
                break
            module = entry[1]
            for step_id in content.step_ids[module]:
                key = (learner, module, step_id)
                if key in done_keys:
                    done_here.add(key)
                    continue
                if budget <= 0:
                    all_before_done = False
                    self._draft(key, moment, answered, answers)
                    break
                budget -= 1
                moment += timedelta(minutes=rng.randint(3, 90))
                done_keys.add(key)
                done_here.add(key)
                completions.append((learner, module, step_id, min(moment, self.now)))
                if (module, step_id) in content.exercises and key not in answered:
                    answered.add(key)
                    answers.append(
                        (learner, module, step_id, self._answers(module, step_id),
                         rng.random() < 0.85, min(moment, self.now))
                    )  # fmt: skip
            else:
                continue
            break
        finished = all_before_done and not stopped and budget >= 0 and goal is None
        last = min(moment, self.now)
        complete = finished and all(
            (learner, e[1], s) in done_keys
            for e in outline
            if e[0] == "module"
            for s in content.step_ids[e[1]]
        )
        return last, (last if complete else None), len(done_here)

    def _draft(self, key, moment, answered, answers) -> None:
        """Half of the exercises a learner stopped on have answers saved as drafts."""
        learner, module, step_id = key
        is_exercise = (module, step_id) in self.content.exercises
        if is_exercise and key not in answered and self.rng.random() < 0.5:
            answered.add(key)
            answers.append(
                (learner, module, step_id, self._answers(module, step_id), True,
                 min(moment, self.now))
            )  # fmt: skip

    def _answers(self, module, step_id) -> dict:
        result = {}
        for question_id, kind, choices in self.content.exercises[(module, step_id)]:
            if kind == "scale":
                result[question_id] = str(self.rng.randint(1, 5))
            elif kind == "single_choice":
                result[question_id] = self.rng.choice(choices)
            else:
                result[question_id] = "Notre projet répond à un besoin du quartier. " * (
                    self.rng.randint(1, 6)
                )
        return result

    # Coaching

    def coaching(self) -> None:
        """Requests from the passages of automatic and gate points, then help and inactivity
        requests up to the size's count; old ones closed, recent ones open, claimed or
        scheduled; sessions for scheduled and done ones; the notifications they caused."""
        rng = self.rng
        size = self.size
        sources = [
            (p[0], p[1], p[2], Origin.CHECKPOINT, p[4], p[5], p[3] == "gate")
            for p in self.passages
            if p[3] in ("automatic", "gate") and p[0] not in self.poised_ids
        ]
        rng.shuffle(sources)
        sources = sources[: size.requests * 3 // 4]
        enrolled = [p[:2] for p in self.passages if p[0] not in self.poised_ids] or [
            (self.learner_ids[0], self.content.pathways[0].pk)
        ]
        while len(sources) < size.requests:
            learner, pathway = rng.choice(enrolled)
            origins = [Origin.HELP, Origin.INACTIVITY, Origin.SELF_ASSESSMENT]
            origin = rng.choices(origins, [6, 3, 1])[0]
            sources.append(
                (learner, pathway, str(origin), origin, self.ago(200), "Une étape", False)
            )
        first_id = next_id(CoachingRequest)
        requests, sessions, notifications = [], [], []
        active_keys = set()
        load = Counter()
        slots = Counter()
        manager = self.manager_id
        for offset, (learner, pathway, point_id, origin, created, where, gate) in enumerate(
            sources
        ):
            rid = first_id + offset
            profile = self.profiles[learner]
            dep = profile[1]
            local = self.coverage.get(dep, [])
            network = not local
            candidates = local or self.remote_coaches or self.coach_ids
            age = (self.now - created).days
            if age > 20:
                status = rng.choices([Status.DONE, Status.CANCELLED, Status.EXPIRED], [7, 2, 1])[0]
            else:
                status = rng.choices(
                    [Status.OPEN, Status.CLAIMED, Status.SCHEDULED, Status.DONE], [3, 2, 2, 3]
                )[0]
            key = (learner, pathway)
            if status in (Status.OPEN, Status.CLAIMED, Status.SCHEDULED):
                if key in active_keys:
                    status = Status.DONE
                else:
                    active_keys.add(key)
            coach = None
            if status != Status.OPEN and status != Status.EXPIRED:
                coach = min(rng.sample(candidates, min(3, len(candidates))), key=load.__getitem__)
                if status in (Status.CLAIMED, Status.SCHEDULED):
                    load[coach] += 1
            due = created + timedelta(days=2)
            claimed = created + timedelta(hours=rng.uniform(1, 60)) if coach else None
            closed = None
            if status in (Status.DONE, Status.CANCELLED, Status.EXPIRED):
                closed = min(created + timedelta(days=rng.uniform(3, 20)), self.now)
            modality = rng.choice(Modality.values)
            requests.append(
                (rid, learner, pathway, point_id, str(origin), str(status),
                 "J'aimerais un coup de main pour avancer." if origin == Origin.HELP else "",
                 self._snapshot(profile, where), dep, network, modality,
                 "Rendez-vous à distance recommandé : la personne travaille en journée.",
                 gate, coach, created, due, claimed, claimed, None, closed,
                 rng.choice(Outcome.values) if status == Status.DONE else "",
                 "Le projet avance bien." if status == Status.DONE else "",
                 "Contacter la mairie." if status == Status.DONE else "",
                 "Personne motivée." if coach else "",
                 self.coach_structure[local[0]] if local else None)
            )  # fmt: skip
            if status in (Status.SCHEDULED, Status.DONE) and coach:
                for n in range(rng.choice([1, 1, 2])):
                    slots[coach] += 1
                    starts = self.now.replace(minute=0, second=0) + timedelta(
                        hours=slots[coach] * (1 if status == Status.SCHEDULED else -1)
                        - (0 if status == Status.SCHEDULED else 24)
                    )
                    session_status = "accepted" if status == Status.DONE else (
                        "proposed" if n == 0 else "accepted"
                    )  # fmt: skip
                    sessions.append(
                        (rid, coach, str(uuid.UUID(int=rng.getrandbits(128), version=4)), starts,
                         60, modality, "https://visio.example.org/salle" if modality != "in_person"
                         else "1 place de la Mairie", session_status, "", n, created)
                    )  # fmt: skip
            recipients = [(learner, "request_received")]
            recipients += [(c, "request_opened") for c in candidates[:3]]
            if network:
                recipients.append((manager, "network_queue"))
            for recipient, kind in recipients:
                notifications.append(
                    (recipient, kind, "Demande d'accompagnement",
                     "Bonjour,\n\nUne demande d'accompagnement est ouverte.\n\nBalise",
                     "", f"/accompagnement/demandes/{rid}/", "", created, created, created, 1, "",
                     created if status != Status.OPEN or rng.random() < 0.5 else None)
                )  # fmt: skip
        insert_rows(
            CoachingRequest,
            ["id", "learner_id", "pathway_id", "point_id", "origin", "status", "message",
             "context", "departement", "network_queue", "recommended_modality",
             "recommendation_reason", "releases_gate", "coach_id", "created_at", "due_at",
             "claimed_at", "first_response_at", "escalated_at", "closed_at", "outcome",
             "summary", "next_steps", "private_notes", "structure_id"],
            requests,
        )  # fmt: skip
        insert_rows(
            CoachingSession,
            ["request_id", "coach_id", "uid", "starts_at", "duration_minutes", "modality",
             "location", "status", "learner_message", "sequence", "created_at"],
            sessions,
        )  # fmt: skip
        insert_rows(
            Notification,
            ["recipient_id", "kind", "subject", "body_text", "body_html", "url", "ics",
             "created_at", "sent_at", "claimed_at", "attempts", "last_error", "read_at"],
            notifications,
        )  # fmt: skip
        self.summary.counts.update(
            requests=len(requests), sessions=len(sessions), notifications=len(notifications)
        )

    # Outcomes

    def outcomes(self) -> None:
        """A start diagnosis and milestone per enrollment, an end diagnosis, milestone and
        satisfaction per completed pathway, a milestone at a third of the points reached,
        feedback on a third of the modules done."""
        rng = self.rng
        competences = list(Competence.objects.prefetch_related("questions"))
        questions = {c.pk: [q.pk for q in c.questions.all()] for c in competences}
        diagnoses, scores, milestones, satisfactions = [], [], [], []
        next_diagnosis = next_id(Diagnosis)
        stages = Stage.values

        def diagnose(learner, pathway, moment, when, level):
            nonlocal next_diagnosis
            by_competence = {pk: max(1, min(5, round(rng.gauss(level, 0.8)))) for pk in questions}
            answers = {str(q): score for pk, score in by_competence.items() for q in questions[pk]}
            diagnoses.append((next_diagnosis, learner, pathway, moment, answers, when, when))
            scores.extend(
                (next_diagnosis, pk, Decimal(score)) for pk, score in by_competence.items()
            )
            next_diagnosis += 1

        def milestone(learner, pathway, moment, point_id, when, stage_index):
            stage = stages[min(stage_index, len(stages) - 1)]
            jobs = Decimal(rng.choice([0, 0, 0, 0.5, 1, 2])) if stage_index >= 3 else Decimal(0)
            revenue = RevenueBracket.NONE if stage_index < 3 else rng.choice(RevenueBracket.values)
            legal = LegalForm.NONE if stage_index < 2 else rng.choice(LegalForm.values)
            milestones.append(
                (learner, pathway, moment, point_id, stage, jobs, str(revenue), str(legal),
                 when, when)
            )  # fmt: skip

        for learner, pathway, enrolled_at, completed_at in self.enrollments:
            level = rng.uniform(1.8, 3.2)
            stage = rng.choice([0, 0, 1, 1, 2])
            start = enrolled_at + timedelta(minutes=5)
            diagnose(learner, pathway, "start", start, level)
            milestone(learner, pathway, "start", "", start, stage)
            if completed_at is not None:
                diagnose(learner, pathway, "end", completed_at, level + rng.uniform(0, 1.2))
                milestone(learner, pathway, "end", "", completed_at, stage + rng.randint(0, 2))
                score = rng.choices(range(11), [1, 1, 1, 1, 2, 3, 4, 8, 12, 10, 7])[0]
                satisfactions.append(
                    (learner, pathway, score,
                     "Parcours clair et concret." if rng.random() < 0.3 else "",
                     completed_at, completed_at)
                )  # fmt: skip
        for learner, pathway, point_id, _trigger, when, _title, _released in self.passages:
            if rng.random() < 0.33:
                milestone(learner, pathway, "point", point_id, when, rng.randint(0, 3))
        steps_done = Counter((learner, module) for learner, module, _ in self.done_keys)
        feedback = [
            (learner, module, rng.random() < 0.8, self.now, self.now)
            for (learner, module), done in sorted(steps_done.items())
            if done == len(self.content.step_ids[module]) and rng.random() < 0.33
        ]
        insert_rows(
            Diagnosis,
            ["id", "learner_id", "pathway_id", "moment", "answers", "created_at", "updated_at"],
            diagnoses,
        )
        insert_rows(CompetenceScore, ["diagnosis_id", "competence_id", "score"], scores)
        insert_rows(
            Milestone,
            ["learner_id", "pathway_id", "moment", "point_id", "stage", "jobs_fte", "revenue",
             "legal_form", "created_at", "updated_at"],
            milestones,
        )  # fmt: skip
        insert_rows(
            Satisfaction,
            ["learner_id", "pathway_id", "score", "comment", "created_at", "updated_at"],
            satisfactions,
        )
        insert_rows(
            ModuleFeedback,
            ["learner_id", "module_id", "useful", "created_at", "updated_at"],
            feedback,
        )
        self.summary.counts.update(
            diagnoses=len(diagnoses),
            milestones=len(milestones),
            satisfactions=len(satisfactions),
            module_feedback=len(feedback),
        )

    def _snapshot(self, profile, where) -> dict:
        return {
            "where": where,
            "profile": {
                "departement": profile[1],
                "departement_label": DEPARTEMENTS[profile[1]],
                "commune": profile[2],
                "area_type": str(AreaType(profile[3]).label),
                "situation": str(Situation(profile[4]).label),
                "availability": [str(Availability(a).label) for a in profile[5]],
                "preferred_modality": str(PreferredModality(profile[6]).label),
                "digital_comfort": str(DigitalComfort(profile[7]).label),
                "project_summary": profile[8],
            },
        }

    def sequences(self) -> None:
        reset_sequences(
            User, EmailAddress, LearnerProfile, CoachProfile, Enrollment, StepCompletion,
            ExerciseResponse, CheckpointPassage, CoachingRequest, CoachingSession, Notification,
            Diagnosis, CompetenceScore, Milestone, Satisfaction, ModuleFeedback,
        )  # fmt: skip


def load(size_name: str, seed: int = DEFAULT_SEED, learners: int | None = None) -> LoadSummary:
    """Write the dataset of ``size_name`` (``learners`` overrides its learner count).

    Precondition: ``foreign_data()`` is empty and no previous load is present.
    """
    size = SIZES[size_name]
    if learners is not None:
        size = Size(
            size.name, learners, size.pathways, size.modules, size.coaches,
            requests=max(learners * size.requests // size.learners, 1),
            poised=min(size.poised, max(learners // 10, 1)),
        )  # fmt: skip
    generator = Generator(size, seed)
    with transaction.atomic():
        summary = generator.run()
        PathwayIndexPage.objects.filter(pk=generator.content.index.pk).update(
            search_description=marker(size, seed)
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Planner statistics and the visibility map after bulk loading (autovacuum
            # would set them later): index-only scans then skip the heap.
            # (VACUUM cannot run in a transaction: a test's load only analyzes.)
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    counts = summary.counts
    counts["pathways"] = len(generator.content.pathways)
    counts["modules"] = len(generator.content.modules)
    counts["steps"] = sum(len(s) for s in generator.content.step_ids.values())
    return summary
