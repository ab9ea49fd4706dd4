"""Demo data of Balise: people, then content (pathways, modules, media, workflow).

Everything here is idempotent: running it twice changes nothing. The content
itself is read from the data files of ``lms/demo/data/`` by ``lms/demo/content.py``;
``coaching.py`` and ``outcomes.py`` add requests, sessions and a cohort's figures.
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import transaction

from lms.accounts.actions import grant_role
from lms.accounts.models import CoachProfile, LearnerProfile, MemberRole, Structure, User
from lms.accounts.roles import Role, ensure_role_groups
from lms.accounts.structures import join

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
    manages: tuple[str, ...] = ()  # slugs of the structures this person manages


# The network's head and three structures: a rural Fabrique à initiatives, an urban
# incubator and a CAE, each covering a few départements.
STRUCTURES = [
    {
        "slug": "reseau-balise", "name": "Réseau Balise", "kind": "network",
        "presentation": "La tête de réseau : elle coordonne les structures et suit l'ensemble.",
        "email": "reseau@balise.test",
    },
    {
        "slug": "fabrique-lozere", "name": "Fabrique à initiatives de Lozère", "kind": "fabrique",
        "departements": ["48", "12"], "modalities": ["video", "phone", "in_person"],
        "address": "2 place du Foirail, 48000 Mende", "email": "fabrique48@balise.test",
        "phone": "04 66 00 00 48", "colour": "#2f6b3a",
        "presentation": "Fait émerger des activités d'utilité sociale en milieu rural, "
        "à partir des besoins repérés sur le territoire.",
    },
    {
        "slug": "incubateur-lyon", "name": "Incubateur ESS de Lyon", "kind": "incubator",
        "departements": ["69", "01", "42"], "modalities": ["video", "phone", "in_person"],
        "address": "12 rue de la Coopération, 69100 Villeurbanne",
        "email": "incubateur69@balise.test",
        "phone": "04 72 00 00 69", "colour": "#1d4e89",
        "presentation": "Accompagne pendant dix-huit mois des projets d'entreprise sociale, "
        "de l'idée au lancement.",
    },
    {
        "slug": "cae-drome", "name": "CAE Drôme-Ardèche", "kind": "cae",
        "departements": ["26", "07"], "modalities": ["video", "phone", "in_person"],
        "address": "Tiers-lieu La Fabrique, 07200 Aubenas", "email": "cae26@balise.test",
        "phone": "04 75 00 00 26", "colour": "#8a3b12",
        "presentation": "Permet de tester son activité en étant salarié·e de la coopérative.",
    },
]  # fmt: skip


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
            "structure": "incubateur-lyon", "departements": ["69", "01", "42"],
            "modalities": ["video", "phone", "in_person"], "capacity": 12,
            "in_person_address": "12 rue de la Coopération, 69100 Villeurbanne",
        },
    ),
    DemoPerson(
        "sophie@balise.test", "Sophie", "Garnier", Role.COACH,
        "accompagnatrice, Ardèche et Drôme (visio, téléphone, présentiel)",
        coach={
            "structure": "cae-drome", "departements": ["07", "26"],
            "modalities": ["video", "phone", "in_person"], "capacity": 8,
            "in_person_address": "Tiers-lieu La Fabrique, 07200 Aubenas",
        },
    ),
    DemoPerson(
        "thomas@balise.test", "Thomas", "Vidal", Role.COACH,
        "accompagnateur, Lozère et Aveyron (téléphone, présentiel), complet : une seule place",
        coach={
            "structure": "fabrique-lozere", "departements": ["48", "12"],
            "modalities": ["phone", "in_person"], "capacity": 1,
            "in_person_address": "2 place du Foirail, 48000 Mende",
        },
    ),
    DemoPerson(
        "helene@balise.test", "Hélène", "Chabert", Role.MANAGER,
        "responsable de la CAE Drôme-Ardèche (ses demandes et ses chiffres seulement)",
        manages=("cae-drome",),
    ),
    DemoPerson(
        "samia@balise.test", "Samia", "Kaci", Role.MANAGER,
        "responsable de l'incubateur ESS de Lyon (reçoit les personnes orientées vers lui)",
        manages=("incubateur-lyon",),
    ),
    DemoPerson(
        "claire@balise.test", "Claire", "Petit", Role.EDITOR,
        "éditrice des contenus (administration Wagtail)",
    ),
    DemoPerson(
        "marc@balise.test", "Marc", "Lefèvre", Role.MANAGER,
        "responsable du réseau (tableaux de bord de toutes les structures, validation)",
        superuser=False, manages=("reseau-balise",),
    ),
    DemoPerson(
        "admin@balise.test", "Admin", "Balise", Role.MANAGER,
        "administrateur technique (tout l'admin, planification Celery)",
        superuser=True, manages=("reseau-balise",),
    ),
]  # fmt: skip


@transaction.atomic
def seed_people() -> list[DemoPerson]:
    """Create the demo structures and accounts (verified e-mails, roles, profiles)."""
    ensure_role_groups()
    for fields in STRUCTURES:
        fields = dict(fields)
        Structure.objects.get_or_create(slug=fields.pop("slug"), defaults=fields)
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
            coach = dict(person.coach)
            structure = Structure.objects.get(slug=coach.pop("structure"))
            CoachProfile.objects.get_or_create(user=user, defaults=coach | {"structure": structure})
            join(user, structure, MemberRole.COACH)
        for slug in person.manages:
            join(user, Structure.objects.get(slug=slug), MemberRole.MANAGER)
    return PEOPLE


def seed_content() -> demo_content.ContentSummary:
    """Create the demo pathways, modules, media, documents and the moderation workflow."""
    return demo_content.seed_content()
