import pytest

from tests.factories.accounts import coach, learner, manager


@pytest.fixture
def managers():
    return [manager()]


@pytest.fixture
def rhone_coach():
    return coach(departements=["69", "01"], modalities=["video", "phone", "in_person"], capacity=3)


@pytest.fixture
def remote_coach():
    return coach(departements=["07"], modalities=["video", "phone"], capacity=3)


@pytest.fixture
def lyon_learner():
    return learner(
        departement="69", area_type="urban", situation="job_seeker", preferred_modality="any"
    )


@pytest.fixture
def rural_learner():
    return learner(
        departement="48",
        area_type="rural",
        situation="employed",
        availability=["weekday_evening", "weekend"],
        digital_comfort="needs_help",
    )
