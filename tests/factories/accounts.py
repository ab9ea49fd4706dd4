import factory
from allauth.account.models import EmailAddress

from lms.accounts.actions import grant_role
from lms.accounts.models import CoachProfile, LearnerProfile, User
from lms.accounts.roles import Role


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

    user = factory.SubFactory(UserFactory, role=Role.COACH)
    structure = "Fabrique à initiatives"
    departements = factory.LazyFunction(lambda: ["69"])
    modalities = factory.LazyFunction(lambda: ["video", "phone", "in_person"])
    capacity = 5


def learner(**kwargs) -> User:
    return LearnerProfileFactory(**kwargs).user


def coach(**kwargs) -> User:
    return CoachProfileFactory(**kwargs).user
