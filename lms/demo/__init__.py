"""Demo data of Balise: people, then content (pathways, modules, media, workflow).

Everything here is idempotent: running it twice changes nothing. The content
itself is read from the data files of ``lms/demo/data/`` by ``lms/demo/content.py``;
``coaching.py`` and ``outcomes.py`` add requests, sessions and a cohort's figures.
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import transaction

from lms.accounts.actions import grant_role
from lms.accounts.models import CoachProfile, LearnerProfile, User
from lms.accounts.roles import Role, ensure_role_groups

from . import content as demo_content

DEMO_PASSWORD = "balise-demo"  # noqa: S105 - demo accounts only, refused when DEBUG is off


@dataclass(frozen=True)
class DemoPerson:
    email: str
    first_name: str
    last_name: str
    role: Role
    description: str
    learner: dict = field(default_factory=dict)
    coach: dict = field(default_factory=dict)
    superuser: bool = False


PEOPLE = [
    DemoPerson(
        "lea@balise.test", "Léa", "Martin", Role.LEARNER,
        "apprenante, Villeurbanne (69), en recherche d'emploi",
        learner={
            "departement": "69", "commune": "Villeurbanne", "area_type": "qpv",
            "situation": "job_seeker", "availability": ["weekday_daytime"],
            "preferred_modality": "in_person", "digital_comfort": "at_ease",
            "project_summary": "Une épicerie solidaire avec un coin café dans mon quartier.",
        },
    ),
    DemoPerson(
        "nadia@balise.test", "Nadia", "Roux", Role.LEARNER,
        "apprenante rurale en emploi, Marvejols (48), le soir et le week-end",
        learner={
            "departement": "48", "commune": "Marvejols", "area_type": "rural",
            "situation": "employed", "availability": ["weekday_evening", "weekend"],
            "preferred_modality": "any", "digital_comfort": "needs_help",
            "project_summary": "Un atelier partagé pour réparer vélos et petit électroménager.",
        },
    ),
    DemoPerson(
        "julien@balise.test", "Julien", "Bernard", Role.COACH,
        "accompagnateur, Rhône, Ain et Loire (visio, téléphone, présentiel)",
        coach={
            "structure": "Fabrique à initiatives du Rhône", "departements": ["69", "01", "42"],
            "modalities": ["video", "phone", "in_person"], "capacity": 12,
            "in_person_address": "12 rue de la Coopération, 69100 Villeurbanne",
        },
    ),
    DemoPerson(
        "sophie@balise.test", "Sophie", "Garnier", Role.COACH,
        "accompagnatrice, Ardèche et Drôme (visio, téléphone, présentiel)",
        coach={
            "structure": "Incubateur ESS Drôme-Ardèche", "departements": ["07", "26"],
            "modalities": ["video", "phone", "in_person"], "capacity": 8,
            "in_person_address": "Tiers-lieu La Fabrique, 07200 Aubenas",
        },
    ),
    DemoPerson(
        "claire@balise.test", "Claire", "Petit", Role.EDITOR,
        "éditrice des contenus (administration Wagtail)",
    ),
    DemoPerson(
        "marc@balise.test", "Marc", "Lefèvre", Role.MANAGER,
        "responsable de programme (tableaux de bord, validation des contenus)",
        superuser=False,
    ),
    DemoPerson(
        "admin@balise.test", "Admin", "Balise", Role.MANAGER,
        "administrateur technique (tout l'admin, planification Celery)",
        superuser=True,
    ),
]  # fmt: skip


@transaction.atomic
def seed_people() -> list[DemoPerson]:
    """Create the demo accounts with verified e-mails, roles and profiles."""
    ensure_role_groups()
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(
                person.email,
                DEMO_PASSWORD,
                first_name=person.first_name,
                last_name=person.last_name,
                is_staff=person.superuser,
                is_superuser=person.superuser,
            )
        EmailAddress.objects.get_or_create(
            user=user, email=person.email, defaults={"verified": True, "primary": True}
        )
        grant_role(user, person.role)
        if person.learner:
            LearnerProfile.objects.get_or_create(user=user, defaults=person.learner)
        if person.coach:
            CoachProfile.objects.get_or_create(user=user, defaults=person.coach)
    return PEOPLE


def seed_content() -> demo_content.ContentSummary:
    """Create the demo pathways, modules, media, documents and the moderation workflow."""
    return demo_content.seed_content()
