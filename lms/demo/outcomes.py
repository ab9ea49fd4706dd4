"""Demo outcomes: Nadia's self-diagnoses before and after a pathway, and a cohort of past
learners so that the manager's dashboard shows meaningful figures.

Nadia (rural, employed, evenings) followed « Avancer le soir, à son rythme » through the
real actions; her diagnoses, milestones and opinion are dated over the last two months.

The cohort is 72 learners who cannot log in (no usable password), spread over twelve
départements and the three kinds of territory, enrolled during the last ten months, each
with their own progress, requests, sessions, diagnoses, milestones and opinions. It is
written with bulk inserts from a seeded random generator: the same data on every machine.
Idempotent: nothing is added when the cohort or Nadia's history exists.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from lms.accounts.models import LearnerProfile, User
from lms.accounts.roles import Role
from lms.coaching.models import CoachingRequest, CoachingSession, Origin, SessionStatus, Status
from lms.outcomes.models import (
    Competence,
    CompetenceScore,
    Diagnosis,
    LegalForm,
    Milestone,
    ModuleFeedback,
    Moment,
    RevenueBracket,
    Satisfaction,
    Stage,
)
from pathways import actions as pathway_actions
from pathways.models import CheckpointPassage, Enrollment, PathwayPage, StepCompletion

EVENING = "avancer-le-soir-a-son-rythme"
COHORT_SIZE = 72
COHORT_DOMAIN = "cohorte.balise.test"

# (département, area type, weight): the network's territories, rural ones first.
TERRITORIES = [
    ("69", "qpv", 8), ("69", "urban", 5), ("01", "rural", 5), ("42", "urban", 4),
    ("07", "rural", 7), ("26", "rural", 6), ("48", "rural", 5), ("15", "rural", 4),
    ("93", "qpv", 7), ("13", "qpv", 5), ("59", "urban", 4), ("974", "urban", 3),
    ("29", "rural", 3),
]  # fmt: skip
FIRST_NAMES = [
    "Amina", "Bruno", "Chloé", "David", "Elsa", "Farid", "Gaëlle", "Hugo", "Imane", "Jeanne",
    "Kevin", "Laura", "Mehdi", "Noémie", "Olivier", "Pauline", "Rachid", "Sarah", "Thomas",
    "Victoire", "Yanis", "Zoé", "Aurélien", "Binta",
]  # fmt: skip
LAST_NAMES = [
    "Aubert", "Benali", "Chevalier", "Diallo", "Estève", "Fontaine", "Guerin", "Hoarau",
    "Jacquet", "Kone", "Lambert", "Mercier", "Nguyen", "Olivier", "Perrin", "Renaud",
]  # fmt: skip
PROJECTS = [
    "Une recyclerie de meubles et d'objets du quotidien.",
    "Un café associatif itinérant dans les villages du canton.",
    "Une cantine de quartier avec des cuisinières du quartier.",
    "Une coopérative de maraîchage en agriculture biologique.",
    "Un service de mobilité solidaire pour les personnes âgées.",
    "Une ressourcerie de matériel de sport.",
    "Un atelier de couture et de retouches en insertion.",
    "Un habitat partagé pour jeunes travailleurs.",
]
MODALITY_BY_AREA = {
    "rural": ["video", "phone", "video", "in_person"],
    "urban": ["in_person", "video", "in_person"],
    "qpv": ["in_person", "in_person", "phone"],
}
REASON = {
    "video": "Trajet long pour se rencontrer : un échange en visio, le soir si besoin.",
    "phone": "Connexion fragile : un appel téléphonique suffit pour cette étape.",
    "in_person": "Un lieu d'accompagnement est proche : une rencontre en personne.",
}
LOCATIONS = {
    "video": "Lien de visioconférence envoyé par e-mail",
    "phone": "Appel au numéro du profil",
    "in_person": "Tiers-lieu du territoire",
}
STAGES = list(Stage.values)
LEGAL_FORMS = [
    LegalForm.ASSOCIATION, LegalForm.SCIC, LegalForm.SCOP, LegalForm.SAS_ESUS, LegalForm.CAE,
]  # fmt: skip
COMMENTS = [
    "Les fiches m'ont aidée à mettre de l'ordre dans mes idées, et le rendez-vous a tout débloqué.",
    "Bien pour avancer le soir, mais j'aurais aimé plus de témoignages de projets ruraux.",
    "Clair et concret. Le podcast sur le modèle économique m'a beaucoup servi.",
    "Un peu long pour moi, mais l'accompagnatrice m'a aidé à garder le rythme.",
    "",
]


@dataclass
class Rows:
    """Everything the cohort adds, inserted in bulk at the end."""

    enrollments: list
    completions: list
    passages: list
    requests: list
    sessions: list
    diagnoses: list
    scores: list
    milestones: list
    satisfactions: list
    feedback: list
    feedback_keys: set = field(default_factory=set)  # a module shared by two pathways


def seed_outcomes() -> int:
    """Nadia's history and the cohort; returns how many learners were created this run."""
    pathways = list(PathwayPage.objects.live().order_by("path"))
    if not pathways:
        return 0
    competences = list(Competence.objects.prefetch_related("questions"))
    return _seed_nadia(competences) + _seed_cohort(pathways, competences)


def _competence_scores(rng: random.Random, competences, level: float) -> dict[int, int]:
    """A plausible self-assessment around ``level``, one integer score per competence."""
    return {
        competence.pk: max(1, min(5, round(rng.gauss(level, 0.8)))) for competence in competences
    }


def _diagnosis(learner, pathway, moment, when, competences, scores: dict[int, int]):
    """A diagnosis with its answers (each question gets its competence's score)."""
    diagnosis = Diagnosis(
        learner=learner,
        pathway=pathway,
        moment=moment,
        answers={
            str(question.pk): scores[competence.pk]
            for competence in competences
            for question in competence.questions.all()
        },
    )
    diagnosis.created_at = diagnosis.updated_at = when
    rows = [
        CompetenceScore(diagnosis=diagnosis, competence_id=pk, score=Decimal(score))
        for pk, score in scores.items()
    ]
    return diagnosis, rows


@transaction.atomic
def _seed_nadia(competences) -> int:
    nadia = User.objects.filter(email="nadia@balise.test").first()
    pathway = PathwayPage.objects.live().filter(slug=EVENING).first()
    if nadia is None or pathway is None or Diagnosis.objects.filter(learner=nadia).exists():
        return 0
    rng = random.Random(48)  # noqa: S311 - reproducible demo data
    now = timezone.now()
    started = now - timedelta(days=58)
    pathway_actions.enroll(nadia, pathway)
    for item in pathway.outline_items():
        if item.kind == "module":
            for step_id in item.module.step_ids:
                pathway_actions.complete_step(nadia, item.module, step_id)
            ModuleFeedback.objects.create(learner=nadia, module=item.module, useful=True)
    Enrollment.objects.filter(learner=nadia, pathway=pathway).update(
        enrolled_at=started, completed_at=now - timedelta(days=3)
    )
    before = _competence_scores(rng, competences, 2.2)
    after = {pk: min(5, score + rng.choice([0, 1, 1, 2])) for pk, score in before.items()}
    for moment, when, scores in (
        (Moment.START, started, before),
        (Moment.END, now - timedelta(days=3), after),
    ):
        diagnosis, rows = _diagnosis(nadia, pathway, moment, when, competences, scores)
        diagnosis.save()
        CompetenceScore.objects.bulk_create(rows)
        Diagnosis.objects.filter(pk=diagnosis.pk).update(created_at=when, updated_at=when)
    Milestone.objects.create(
        learner=nadia,
        pathway=pathway,
        moment=Moment.START,
        stage=Stage.IDEA,
        revenue=RevenueBracket.NONE,
        legal_form=LegalForm.NONE,
    )
    Milestone.objects.create(
        learner=nadia,
        pathway=pathway,
        moment=Moment.END,
        stage=Stage.TEST,
        revenue=RevenueBracket.NONE,
        legal_form=LegalForm.ASSOCIATION,
    )
    Satisfaction.objects.create(
        learner=nadia,
        pathway=pathway,
        score=9,
        comment="Des étapes courtes, faisables après le travail. Merci !",
    )
    return 1


@transaction.atomic
def _seed_cohort(pathways, competences) -> int:
    if User.objects.filter(email__endswith=f"@{COHORT_DOMAIN}").exists():
        return 0
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data
    now = timezone.now()
    coaches = {
        coach.email: coach
        for coach in User.objects.filter(email__in=["julien@balise.test", "sophie@balise.test"])
    }
    if len(coaches) < 2:
        return 0
    outlines = {pathway.pk: pathway.outline_items() for pathway in pathways}
    learners = _cohort_learners(rng)
    rows = Rows([], [], [], [], [], [], [], [], [], [])
    done_steps: set[tuple[int, int, str]] = set()
    slot = iter(range(10_000))
    for learner, profile in learners:
        chosen = rng.sample(pathways, k=1 if rng.random() < 0.75 else 2)
        for pathway in chosen:
            enrolled_at = now - timedelta(days=rng.randint(20, 300), hours=rng.randint(0, 23))
            _follow(
                rng,
                rows,
                done_steps,
                learner,
                profile,
                pathway,
                outlines[pathway.pk],
                enrolled_at,
                now,
                coaches,
                competences,
                slot,
            )
    _insert(rows)
    return len(learners)


def _cohort_learners(rng: random.Random) -> list[tuple[User, LearnerProfile]]:
    from lms.accounts.actions import grant_role

    users, profiles = [], []
    territories = [(d, a) for d, a, weight in TERRITORIES for _ in range(weight)]
    for number in range(1, COHORT_SIZE + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user = User(email=f"cohorte-{number:03d}@{COHORT_DOMAIN}", first_name=first, last_name=last)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    users = list(User.objects.filter(email__endswith=f"@{COHORT_DOMAIN}").order_by("email"))
    for user in users:
        departement, area_type = rng.choice(territories)
        profiles.append(
            LearnerProfile(
                user=user,
                departement=departement,
                area_type=area_type,
                situation=rng.choice(["employed", "job_seeker", "job_seeker", "other"]),
                availability=rng.choice(
                    [["weekday_evening"], ["weekday_daytime"], ["weekend", "weekday_evening"]]
                ),
                preferred_modality=rng.choice(["any", "video", "phone", "in_person"]),
                digital_comfort=rng.choice(["at_ease", "at_ease", "needs_help"]),
                project_summary=rng.choice(PROJECTS),
            )
        )
    LearnerProfile.objects.bulk_create(profiles)
    for user in users:
        grant_role(user, Role.LEARNER)
    return list(zip(users, profiles, strict=True))


def _follow(
    rng,
    rows: Rows,
    done_steps,
    learner,
    profile,
    pathway,
    outline,
    enrolled_at,
    now,
    coaches,
    competences,
    slot,
) -> None:
    """One learner's way through one pathway: how far they got, and what it left behind."""
    modules = [item for item in outline if item.kind == "module"]
    # Fewer learners reach each next module: the funnel the dashboard shows.
    reached = 0
    while reached < len(modules) and rng.random() < 0.78:
        reached += 1
    completed = reached == len(modules)
    moment = enrolled_at
    level = rng.uniform(1.8, 3.2)

    rows.enrollments.append(
        Enrollment(
            learner=learner,
            pathway=pathway,
            enrolled_at=enrolled_at,
            last_activity_at=enrolled_at,
            completed_at=None,
        )
    )
    enrollment = rows.enrollments[-1]
    if rng.random() < 0.85:
        _add_diagnosis(
            rows,
            learner,
            pathway,
            Moment.START,
            enrolled_at,
            competences,
            _competence_scores(rng, competences, level),
        )
        rows.milestones.append(
            _milestone(
                learner,
                pathway,
                Moment.START,
                "",
                enrolled_at,
                rng.choice(STAGES[:2]),
                Decimal(0),
                RevenueBracket.NONE,
                LegalForm.NONE,
            )
        )

    finished = 0
    for index, item in enumerate(outline):
        if item.kind == "module":
            if finished >= reached:
                # Part of the next module, then the learner stopped.
                for step_id in item.module.step_ids[: rng.randint(0, 1)]:
                    moment += timedelta(hours=rng.randint(2, 60))
                    _complete(rows, done_steps, learner, item.module, step_id, moment)
                break
            for step_id in item.module.step_ids:
                moment += timedelta(hours=rng.randint(2, 60))
                _complete(rows, done_steps, learner, item.module, step_id, moment)
            finished += 1
            if rng.random() < 0.5 and (learner.pk, item.module.pk) not in rows.feedback_keys:
                rows.feedback_keys.add((learner.pk, item.module.pk))
                rows.feedback.append(
                    ModuleFeedback(learner=learner, module=item.module, useful=rng.random() < 0.8)
                )
        elif finished == sum(1 for before in outline[:index] if before.kind == "module"):
            moment += timedelta(hours=1)
            _pass_point(
                rng,
                rows,
                learner,
                profile,
                pathway,
                item,
                moment,
                now,
                coaches,
                slot,
                released=finished < reached,
            )
            if rng.random() < 0.6:
                rows.milestones.append(
                    _milestone(
                        learner,
                        pathway,
                        Moment.POINT,
                        item.key,
                        moment,
                        rng.choice(STAGES[1:3]),
                        Decimal(0),
                        RevenueBracket.NONE,
                        rng.choice([LegalForm.NONE, *LEGAL_FORMS[:2]]),
                    )
                )
    # Requests of the other origins: help, inactivity, a low self-diagnosis.
    for origin, chance in (
        (Origin.HELP, 0.15),
        (Origin.INACTIVITY, 0.08),
        (Origin.SELF_ASSESSMENT, 0.08),
    ):
        if rng.random() < chance and (origin != Origin.INACTIVITY or not completed):
            when = enrolled_at + timedelta(days=rng.randint(1, 15), hours=rng.randint(0, 12))
            _request(
                rng,
                rows,
                learner,
                profile,
                pathway,
                str(origin),
                origin,
                min(when, now),
                now,
                coaches,
                slot,
                closed=True,
            )
    enrollment.last_activity_at = min(moment, now)
    if completed:
        ended = min(moment + timedelta(hours=1), now)
        enrollment.completed_at = ended
        if rng.random() < 0.8:
            _add_diagnosis(
                rows,
                learner,
                pathway,
                Moment.END,
                ended,
                competences,
                _competence_scores(rng, competences, level + rng.uniform(0.3, 1.2)),
            )
        rows.milestones.append(
            _milestone(
                learner,
                pathway,
                Moment.END,
                "",
                ended,
                rng.choice(STAGES[2:]),
                Decimal(rng.choice([0, 0, 0.5, 1, 1, 2, 3.5])),
                rng.choice(RevenueBracket.values[:3]),
                rng.choice(LEGAL_FORMS),
            )
        )
        if rng.random() < 0.85:
            satisfaction = Satisfaction(
                learner=learner,
                pathway=pathway,
                score=rng.choice([6, 7, 8, 8, 9, 9, 10, 10, 5]),
                comment=rng.choice(COMMENTS),
            )
            satisfaction.created_at = satisfaction.updated_at = ended
            rows.satisfactions.append(satisfaction)


def _complete(rows: Rows, done_steps, learner, module, step_id, when) -> None:
    key = (learner.pk, module.pk, step_id)
    if key not in done_steps:  # a module shared by two pathways counts once
        done_steps.add(key)
        completion = StepCompletion(learner=learner, module=module, step_id=step_id)
        completion.completed_at = when
        rows.completions.append(completion)


def _pass_point(
    rng, rows: Rows, learner, profile, pathway, point, when, now, coaches, slot, released
) -> None:
    passage = CheckpointPassage(
        learner=learner,
        pathway=pathway,
        point_id=point.key,
        trigger=point.trigger,
        released_at=when + timedelta(days=5) if point.trigger == "gate" and released else None,
    )
    passage.reached_at = when
    rows.passages.append(passage)
    if point.trigger == "offered" and rng.random() < 0.5:
        return
    _request(
        rng,
        rows,
        learner,
        profile,
        pathway,
        point.key,
        Origin.CHECKPOINT,
        when,
        now,
        coaches,
        slot,
        closed=released or point.trigger != "gate",
    )


def _request(
    rng, rows: Rows, learner, profile, pathway, point_id, origin, when, now, coaches, slot, closed
) -> None:
    modality = rng.choice(MODALITY_BY_AREA[profile.area_type])
    local = profile.departement in {"69", "01", "42", "07", "26"}
    coach = coaches[
        "sophie@balise.test" if profile.departement in {"07", "26"} else "julien@balise.test"
    ]
    due_at = when + timedelta(days=2 if when.weekday() < 3 else 4)
    # Most requests are answered within the two working days; some wait longer.
    response = when + timedelta(hours=rng.choice([3, 6, 20, 26, 30, 44, 70, 100]))
    recent = (now - when).days < 4
    status = Status.OPEN if recent else (Status.DONE if closed else Status.SCHEDULED)
    request = CoachingRequest(
        learner=learner,
        pathway=pathway,
        point_id=point_id,
        origin=origin,
        status=status,
        message="",
        context={},
        departement=profile.departement,
        network_queue=not local,
        recommended_modality=modality,
        recommendation_reason=REASON[modality],
        due_at=due_at,
    )
    request.created_at = when
    rows.requests.append(request)
    if status == Status.OPEN:
        return
    request.coach = coach
    request.claimed_at = request.first_response_at = min(response, now)
    # A distinct second per session keeps the one-session-per-coach-slot rule.
    starts_at = response + timedelta(days=rng.randint(1, 6), seconds=next(slot))
    held = modality if rng.random() < 0.8 else "video"
    session = CoachingSession(
        request=request,
        coach=coach,
        starts_at=starts_at.replace(microsecond=0),
        modality=held,
        location=LOCATIONS[held],
        status=SessionStatus.ACCEPTED,
    )
    rows.sessions.append(session)
    if status == Status.DONE:
        request.closed_at = min(starts_at + timedelta(hours=2), now)
        request.outcome = rng.choice(["continues", "continues", "follow_up", "referred"])
        request.summary = "Point d'étape tenu ; la personne poursuit son parcours."


def _add_diagnosis(rows: Rows, learner, pathway, moment, when, competences, scores) -> None:
    diagnosis, scores = _diagnosis(learner, pathway, moment, when, competences, scores)
    rows.diagnoses.append(diagnosis)
    rows.scores.extend(scores)


def _milestone(learner, pathway, moment, point_id, when, stage, jobs, revenue, legal_form):
    milestone = Milestone(
        learner=learner,
        pathway=pathway,
        moment=moment,
        point_id=point_id,
        stage=stage,
        jobs_fte=jobs,
        revenue=revenue,
        legal_form=legal_form,
    )
    milestone.created_at = milestone.updated_at = when
    return milestone


def _insert(rows: Rows) -> None:
    """Bulk inserts, then the dates: ``auto_now_add`` overwrites them on insert."""
    dated = [
        (Enrollment, rows.enrollments, ["enrolled_at", "last_activity_at"]),
        (StepCompletion, rows.completions, ["completed_at"]),
        (CheckpointPassage, rows.passages, ["reached_at"]),
        (CoachingRequest, rows.requests, ["created_at"]),
        (CoachingSession, rows.sessions, ["created_at"]),
        (Diagnosis, rows.diagnoses, ["created_at", "updated_at"]),
        (Milestone, rows.milestones, ["created_at", "updated_at"]),
        (Satisfaction, rows.satisfactions, ["created_at", "updated_at"]),
        (ModuleFeedback, rows.feedback, []),
    ]
    for session in rows.sessions:
        session.created_at = session.request.created_at
    for model, objects, fields in dated:
        wanted = [{name: getattr(obj, name) for name in fields} for obj in objects]
        if model is CoachingSession:
            for session in objects:
                session.request_id = session.request.pk
        model.objects.bulk_create(objects, batch_size=500)
        if model is Diagnosis:
            for score in rows.scores:
                score.diagnosis_id = score.diagnosis.pk
            CompetenceScore.objects.bulk_create(rows.scores, batch_size=1000)
        if fields:
            for obj, values in zip(objects, wanted, strict=True):
                for name, value in values.items():
                    setattr(obj, name, value)
            model.objects.bulk_update(objects, fields, batch_size=500)
