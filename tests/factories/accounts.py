import io

import factory
from allauth.account.models import EmailAddress
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from lms.accounts.actions import grant_role
from lms.accounts.models import (
    CoachProfile,
    LearnerProfile,
    MemberRole,
    Structure,
    StructureKind,
    User,
)
from lms.accounts.roles import Role
from lms.accounts.structures import join


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@balise.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("mot-de-passe-test")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted:
            grant_role(obj, extracted)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Structure {n}")
    slug = factory.Sequence(lambda n: f"structure-{n}")
    kind = StructureKind.FABRIQUE
    departements = factory.LazyFunction(lambda: ["69"])
    modalities = factory.LazyFunction(lambda: ["video", "phone", "in_person"])
    email = "contact@structure.test"


def logo(width=400, height=100, name="logo.png"):
    """A Wagtail image to use as a structure's logo (a plain PNG of that size)."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), "teal").save(buffer, "PNG")
    return get_image_model().objects.create(title=name, file=ImageFile(buffer, name=name))


def default_structure(departements) -> Structure:
    """The structure of coaches built without one: covers every département they cover."""
    structure = StructureFactory(name="Fabrique à initiatives", slug="fabrique-test")
    missing = set(departements) - set(structure.departements)
    if missing:
        structure.departements = sorted(set(structure.departements) | missing)
        structure.save(update_fields=["departements"])
    return structure


def network() -> Structure:
    return StructureFactory(
        name="Réseau Balise", slug="reseau", kind=StructureKind.NETWORK, departements=[]
    )


class LearnerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearnerProfile

    user = factory.SubFactory(UserFactory, role=Role.LEARNER)
    departement = "69"
    commune = "Villeurbanne"
    area_type = "urban"
    situation = "job_seeker"
    availability = factory.LazyFunction(lambda: ["weekday_daytime"])
    preferred_modality = "any"
    digital_comfort = "at_ease"
    project_summary = "Une recyclerie associative."


class CoachProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoachProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.COACH)
    departements = factory.LazyFunction(lambda: ["69"])
    structure = factory.LazyAttribute(lambda o: default_structure(o.departements))
    modalities = factory.LazyFunction(lambda: ["video", "phone", "in_person"])
    capacity = 5

    @factory.post_generation
    def member(obj, create, extracted, **kwargs):
        if create:
            join(obj.user, obj.structure, MemberRole.COACH)


def learner(**kwargs) -> User:
    return LearnerProfileFactory(**kwargs).user


def coach(**kwargs) -> User:
    return CoachProfileFactory(**kwargs).user


def manager(structure: Structure | None = None, **kwargs) -> User:
    """A manager of ``structure``, or of the network's head (who sees every structure)."""
    user = UserFactory(role=Role.MANAGER, **kwargs)
    join(user, structure or network(), MemberRole.MANAGER)
    return user
