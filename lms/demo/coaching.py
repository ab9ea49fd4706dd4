"""Demo coaching data: requests of each origin in each state, sessions in each modality.

Built through the real actions (enrol, complete steps, claim, propose, answer,
close), so the demo shows what the product does. Idempotent: a demo learner
who already exists is left as is.
"""

from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path

import yaml
from allauth.account.models import EmailAddress
from django.utils import timezone

from lms.accounts.actions import grant_role
from lms.accounts.models import ContactPreferences, LearnerProfile, Structure, User
from lms.accounts.roles import Role
from lms.coaching import actions
from lms.coaching.models import AvailabilityRule, CoachingRequest, CoachingSession
from lms.notifications.models import Notification
from pathways import actions as pathway_actions
from pathways.models import CheckpointPassage, PathwayPage

from . import DEMO_PASSWORD

EMERGENCE = "faire-emerger-son-projet-ess"
IMPACT = "mesurer-et-piloter-son-impact-social"


@dataclass(frozen=True)
class DemoLearner:
    email: str
    first_name: str
    last_name: str
    profile: dict
    # A mobile number given with consent to SMS: the worker prints the reminders he gets.
    phone: str = ""


KARIM = DemoLearner(
    "karim@balise.test",
    "Karim",
    "Haddad",
    {
        "departement": "01",
        "commune": "Bourg-en-Bresse",
        "area_type": "qpv",
        "situation": "employed",
        "availability": ["weekday_evening"],
        "preferred_modality": "video",
        "digital_comfort": "at_ease",
        "project_summary": "Une conciergerie solidaire de quartier.",
    },
    phone="+33612345678",
)
INES = DemoLearner(
    "ines@balise.test",
    "Inès",
    "Moreau",
    {
        "departement": "07",
        "commune": "Privas",
        "area_type": "rural",
        "situation": "job_seeker",
        "availability": ["weekday_daytime"],
        "preferred_modality": "phone",
        "digital_comfort": "needs_help",
        "project_summary": "Un jardin partagé d'insertion.",
    },
)
PAUL = DemoLearner(
    "paul@balise.test",
    "Paul",
    "Girard",
    {
        "departement": "26",
        "commune": "Die",
        "area_type": "rural",
        "situation": "other",
        "availability": ["weekday_daytime", "weekend"],
        "preferred_modality": "in_person",
        "digital_comfort": "at_ease",
        "project_summary": "Une SCIC de circuits courts alimentaires.",
    },
)
LUCIE = DemoLearner(
    "lucie@balise.test", "Lucie", "Fabre",
    {"departement": "15", "commune": "Saint-Flour", "area_type": "rural", "situation": "employed",
     "availability": ["weekend"], "preferred_modality": "any", "digital_comfort": "at_ease",
     "project_summary": "Un tiers-lieu culturel dans une ancienne gare."},
)  # fmt: skip


BRUNO = DemoLearner(
    "bruno@balise.test", "Bruno", "Pagès",
    {"departement": "48", "commune": "Florac", "area_type": "rural", "situation": "job_seeker",
     "availability": ["weekday_daytime"], "preferred_modality": "in_person",
     "digital_comfort": "at_ease", "project_summary": "Une épicerie itinérante en Cévennes."},
)  # fmt: skip
YANIS = DemoLearner(
    "yanis@balise.test", "Yanis", "Benali",
    {"departement": "26", "commune": "Valence", "area_type": "qpv", "situation": "employed",
     "availability": ["weekday_evening"], "preferred_modality": "video",
     "digital_comfort": "at_ease",
     "project_summary": "Une plateforme de livraison à vélo portée par des coursiers associés."},
)  # fmt: skip
AMINA = DemoLearner(
    "amina@balise.test", "Amina", "Diallo",
    {"departement": "69", "commune": "Vénissieux", "area_type": "qpv", "situation": "employed",
     "availability": ["weekday_evening"], "preferred_modality": "video",
     "digital_comfort": "at_ease",
     "project_summary": "Une cantine solidaire tenue par des habitantes du quartier."},
    phone="+33698765432",
)  # fmt: skip

AVAILABILITY = Path(__file__).parent / "data" / "availability.yaml"
GROUPS = Path(__file__).parent / "data" / "groups.yaml"


def seed_group_waiting(pathways: dict) -> int:
    """The four learners of Lozère waiting at the gate that may be met in a group (data in
    ``data/groups.yaml``): each followed the pathway up to it, so its request waits (Thomas,
    the département's coach, is full: the network's queue). Returns how many were created."""
    data = yaml.safe_load(GROUPS.read_text(encoding="utf-8"))
    pathway = pathways.get(data["pathway"])
    if pathway is None:
        return 0
    created = 0
    for spec in data["learners"]:
        person = DemoLearner(spec["email"], spec["first_name"], spec["last_name"], spec["profile"])
        user, new = _learner(person)
        if not new:
            continue
        created += 1
        pathway_actions.enroll(user, pathway)
        _complete_modules(user, pathway, 5)
        _request_at_point(user, pathway, "gate")  # waiting at the gate
    return created


def seed_availability() -> dict:
    """The coaches' weekly slots and days off of ``data/availability.yaml``, for coaches who
    have none yet; returns the file's data."""
    data = yaml.safe_load(AVAILABILITY.read_text(encoding="utf-8"))
    today = timezone.localdate()
    for email, rules in data["rules"].items():
        coach = User.objects.get(email=email)
        if AvailabilityRule.objects.filter(coach=coach).exists():
            continue
        for rule in rules:
            actions.add_availability_rule(
                coach,
                weekdays=rule["weekdays"],
                start_time=time.fromisoformat(rule["start"]),
                end_time=time.fromisoformat(rule["end"]),
                slot_minutes=rule["slot_minutes"],
                modality=rule["modality"],
                place=rule.get("place", ""),
                valid_from=today,
            )
        for days_off in data["exceptions"].get(email, []):
            actions.add_availability_exception(
                coach,
                starts_on=today + timedelta(days=days_off["from_days"]),
                ends_on=today + timedelta(days=days_off["to_days"]),
                reason=days_off["reason"],
            )
    return data


def _learner(spec: DemoLearner) -> tuple[User, bool]:
    user = User.objects.filter(email=spec.email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        spec.email, DEMO_PASSWORD, first_name=spec.first_name, last_name=spec.last_name
    )
    EmailAddress.objects.create(user=user, email=spec.email, verified=True, primary=True)
    grant_role(user, Role.LEARNER)
    LearnerProfile.objects.create(user=user, **spec.profile)
    if spec.phone:
        ContactPreferences.objects.create(
            user=user, phone=spec.phone, sms_consent_at=timezone.now()
        )
    return user, True


def _complete_modules(user, pathway: PathwayPage, count: int) -> None:
    modules = [item.module for item in pathway.outline_items() if item.kind == "module"]
    for module in modules[:count]:
        for step_id in module.step_ids:
            pathway_actions.complete_step(user, module, step_id)


def _request_at_point(user, pathway: PathwayPage, trigger: str) -> CoachingRequest:
    """The request a reached point opened (on commit), or open it now: same result either way."""
    passage = CheckpointPassage.objects.get(learner=user, pathway=pathway, trigger=trigger)
    opened = actions.open_request_for_point(passage, pathway.point_value(passage.point_id))
    return opened or CoachingRequest.objects.active().get(
        learner=user, pathway=pathway, point_id=passage.point_id
    )


def _slot(days: int, hour: int):
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _propose(coach, request, days, hour, modality, location) -> CoachingSession:
    return actions.propose_session(
        coach,
        request,
        starts_at=_slot(days, hour),
        duration_minutes=60,
        modality=modality,
        location=location,
    )


def seed_coaching() -> int:
    """Create the demo learners with history; returns how many were created this run."""
    pathways = {p.slug: p for p in PathwayPage.objects.filter(slug__in=[EMERGENCE, IMPACT])}
    if len(pathways) < 2:
        return 0
    started = timezone.now()
    julien = User.objects.get(email="julien@balise.test")
    sophie = User.objects.get(email="sophie@balise.test")
    created = 0

    # Karim (Ain): reached the automatic point; Julien claimed; video session accepted.
    karim, new = _learner(KARIM)
    if new:
        created += 1
        pathway_actions.enroll(karim, pathways[EMERGENCE])
        _complete_modules(karim, pathways[EMERGENCE], 2)
        request = _request_at_point(karim, pathways[EMERGENCE], "automatic")
        actions.claim_request(julien, request.pk)
        # Tomorrow evening, or tomorrow at this hour when that is sooner: within 24 hours,
        # so beat's next run reminds him (e-mail, and an SMS printed by the worker).
        session = actions.propose_session(
            julien,
            request,
            starts_at=min(_slot(1, 19), _slot(1, timezone.localtime().hour)),
            duration_minutes=60,
            modality="video",
            location="https://visio.example.org/balise-karim",
        )
        actions.answer_session(karim, session, "accept", "Parfait, après le travail.")

    # Inès (Ardèche): asked for help; Sophie claimed and proposed a phone call.
    ines, new = _learner(INES)
    if new:
        created += 1
        pathway_actions.enroll(ines, pathways[IMPACT])
        _complete_modules(ines, pathways[IMPACT], 1)
        request = actions.open_help_request(
            ines,
            pathways[IMPACT],
            "Je ne sais pas quels indicateurs choisir pour mon jardin d'insertion.",
            "Définir ses indicateurs d'impact",
        )
        actions.claim_request(sophie, request.pk)
        _propose(sophie, request, 2, 10, "phone", "Sophie vous appelle au numéro de votre profil")

    # Paul (Drôme): first meeting held in person and closed; now waiting at the gate.
    paul, new = _learner(PAUL)
    if new:
        created += 1
        pathway_actions.enroll(paul, pathways[EMERGENCE])
        _complete_modules(paul, pathways[EMERGENCE], 2)
        first = _request_at_point(paul, pathways[EMERGENCE], "automatic")
        actions.claim_request(sophie, first.pk)
        session = _propose(sophie, first, 1, 14, "in_person", "Tiers-lieu La Fabrique, Aubenas")
        actions.answer_session(paul, session, "accept")
        actions.close_request(
            sophie,
            first,
            outcome="continues",
            summary="Besoin bien identifié avec les producteurs du Diois ; trois acteurs à "
            "rencontrer (la communauté de communes, une AMAP, une épicerie).",
            next_steps="Tester une vente mensuelle avant l'été.",
        )
        _complete_modules(paul, pathways[EMERGENCE], 5)
        _request_at_point(paul, pathways[EMERGENCE], "gate")  # waiting at the gate

    # Lucie (Cantal, no coach there): idle, then an inactivity request in the network queue,
    # already past its due date so that the SLA escalation shows.
    lucie, new = _learner(LUCIE)
    if new:
        created += 1
        pathway_actions.enroll(lucie, pathways[EMERGENCE])
        request = actions.open_request(
            lucie,
            origin="inactivity",
            pathway=pathways[EMERGENCE],
            point_id="inactivity",
            where="Sans activité depuis 14 jours",
        )
        CoachingRequest.objects.filter(pk=request.pk).update(
            created_at=timezone.now() - timedelta(days=6), due_at=timezone.now() - timedelta(days=2)
        )
    # Bruno (Lozère): Thomas, the Fabrique's only coach, took his request and is now full,
    # so the next Lozère request (Nadia's) goes to the network queue at once.
    thomas = User.objects.get(email="thomas@balise.test")
    bruno, new = _learner(BRUNO)
    if new:
        created += 1
        pathway_actions.enroll(bruno, pathways[EMERGENCE])
        request = actions.open_help_request(
            bruno, pathways[EMERGENCE], "Par où commencer mon étude de marché ?", "Module 1"
        )
        actions.claim_request(thomas, request.pk)

    # Yanis (Drôme): Sophie met him, then oriented him to the Lyon incubator, which was told.
    yanis, new = _learner(YANIS)
    if new:
        created += 1
        pathway_actions.enroll(yanis, pathways[EMERGENCE])
        request = actions.open_help_request(
            yanis, pathways[EMERGENCE], "Mon projet grandit vite : qui peut m'incuber ?", "Accueil"
        )
        actions.claim_request(sophie, request.pk)
        request.refresh_from_db()
        actions.close_request(
            sophie,
            request,
            outcome="referred",
            summary="Projet mûr, avec une équipe de cinq coursiers : un programme "
            "d'incubation de dix-huit mois lui convient mieux qu'un suivi ponctuel.",
            next_steps="Prendre contact avec l'incubateur de Lyon avant la fin du mois.",
            oriented_to=Structure.objects.get(slug="incubateur-lyon"),
        )

    # Amina (Rhône, in work): asked for help; nobody has answered yet, and she books one of
    # Julien's evening video slots herself from « Mon accompagnement ».
    availability = seed_availability()
    amina, new = _learner(AMINA)
    if new:
        created += 1
        pathway_actions.enroll(amina, pathways[EMERGENCE])
        actions.open_help_request(
            amina,
            pathways[EMERGENCE],
            availability["booking_learner"]["help_message"],
            availability["booking_learner"]["where"],
        )

    # Margaux, Rémi, Élodie and Karine (Lozère): waiting at the same gate, for a group.
    created += seed_group_waiting(pathways)

    # The demo history is not news: its e-mails count as sent, so that the worker's
    # first start does not flood the console (the in-app notifications stay unread).
    Notification.objects.filter(created_at__gte=started, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    return created
