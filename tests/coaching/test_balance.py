"""The remote / in-person balance policy, as a table of cases."""

import importlib
import re

import pytest

from lms.coaching.balance import BalanceInput, recommend_modality


def case(**kwargs):
    base = {
        "preferred": "any",
        "area_type": "urban",
        "employed": False,
        "needs_digital_help": False,
    }
    return BalanceInput(**{**base, **kwargs})


@pytest.mark.parametrize(
    ("situation", "modality", "reason_contains"),
    [
        # 1. No local coach (rural): remote, video or phone by digital comfort.
        (
            case(area_type="rural", local_coach=False, in_person_reachable=False),
            "video",
            "ne couvre",
        ),
        (
            case(
                area_type="rural",
                local_coach=False,
                in_person_reachable=False,
                needs_digital_help=True,
            ),
            "phone",
            "par téléphone",
        ),
        # ...even if the learner prefers in person.
        (
            case(preferred="in_person", local_coach=False, in_person_reachable=False),
            "video",
            "ne couvre",
        ),
        # 2. The point recommends in person and a local coach offers it.
        (case(point_recommends="in_person", preferred="video"), "in_person", "face à face"),
        # ...but not when nobody meets in person locally: the preference wins.
        (
            case(point_recommends="in_person", preferred="video", in_person_reachable=False),
            "video",
            "préférer",
        ),
        # 3. Completing a pathway: at least one in-person meeting offered.
        (case(completing_pathway=True, preferred="phone"), "in_person", "bout du parcours"),
        (
            case(completing_pathway=True, in_person_offered=True, preferred="phone"),
            "phone",
            "préférer",
        ),
        (case(completing_pathway=True, in_person_reachable=False), "video", "déplacement"),
        # 4. Stated preference when feasible.
        (case(preferred="in_person"), "in_person", "préférer vous rencontrer"),
        (case(preferred="phone", area_type="rural"), "phone", "par téléphone"),
        (case(preferred="video"), "video", "en visioconférence"),
        (
            case(preferred="in_person", in_person_reachable=False),
            "video",
            "aucun·e accompagnateur·rice ne reçoit",
        ),
        # 5. History balances the mix.
        (case(remote_sessions=2), "in_person", "plusieurs échanges à distance"),
        (
            case(remote_sessions=2, area_type="rural", employed=True),
            "in_person",
            "plusieurs échanges",
        ),
        (case(in_person_sessions=1), "video", "Après une rencontre"),
        # 6. The point recommends remote.
        (case(point_recommends="remote"), "video", "à distance"),
        # 7. Defaults: rural and employed start remote; employed evening -> phone.
        (case(area_type="rural"), "video", "long déplacement"),
        (case(employed=True, availability=("weekday_evening",)), "phone", "emploi"),
        (case(employed=True, availability=("weekday_daytime",)), "video", "emploi"),
        (case(area_type="qpv"), "in_person", "près de chez vous"),
    ],
)
def test_policy(situation, modality, reason_contains):
    recommendation = recommend_modality(situation)
    assert recommendation.modality == modality
    assert reason_contains in recommendation.reason


POLICY_CASES = [params[0] for params in test_policy.pytestmark[0].args[1]]
# The learner is addressed (« vous ») only in the learner's wording.
ADDRESSES_THE_LEARNER = re.compile(
    r"(?<![-\w])(vous|votre|vos)\b", re.IGNORECASE
)  # not rendez-vous


@pytest.mark.parametrize("situation", POLICY_CASES)
def test_the_coach_reads_about_the_learner_not_to_them(situation):
    recommendation = recommend_modality(situation)
    assert not ADDRESSES_THE_LEARNER.search(recommendation.coach_reason), recommendation
    assert recommendation.coach_reason.strip()


def test_a_stated_preference_is_worded_for_each_reader():
    recommendation = recommend_modality(case(preferred="video"))
    assert recommendation.reason == "Vous avez indiqué préférer un échange en visioconférence."
    assert recommendation.coach_reason == (
        "La personne a indiqué préférer un échange en visioconférence."
    )


@pytest.mark.parametrize("situation", POLICY_CASES)
def test_stored_reasons_are_reworded_for_coaches_as_the_policy_words_them(situation):
    """The data migration turns each learner wording into the coach's, slots kept."""
    migration = importlib.import_module("lms.coaching.migrations.0006_coach_recommendation_reason")
    recommendation = recommend_modality(situation)
    slots = " Créneaux à privilégier : en soirée ou le week-end."
    assert migration.for_coach(recommendation.reason + slots) == (
        recommendation.coach_reason + slots
    )


@pytest.mark.parametrize(
    ("availability", "slots"),
    [
        (("weekday_evening", "weekend"), "en soirée ou le week-end"),
        (("weekend",), "le week-end"),
        ((), "en soirée ou pendant la pause de midi"),
        (("weekday_daytime",), ""),
    ],
)
def test_employed_learners_get_evening_or_weekend_slots(availability, slots):
    assert recommend_modality(case(employed=True, availability=availability)).slots == slots


def test_no_slots_for_people_not_employed():
    assert recommend_modality(case(availability=("weekday_evening",))).slots == ""


def test_local_coaches_who_are_full_are_not_said_to_be_missing():
    """Someone covers the département but cannot take the request now: the reason says so,
    to the learner and to the coach of the network who reads it."""
    situation = case(area_type="rural", local_coach=False, local_covered=True)
    recommendation = recommend_modality(situation)
    assert recommendation.modality == "video"
    assert "complet·es ou absent·es" in recommendation.reason
    assert "ne couvre" not in recommendation.reason + recommendation.coach_reason
    assert "ne proposent pas la modalité" in recommendation.coach_reason


def test_the_point_help_text_states_when_the_learner_s_preference_wins():
    """The editor's « Modalité recommandée » on a point is what ``recommend_modality`` calls
    ``point_recommends``: its help text says how far it goes, and the policy agrees."""
    from pathways.blocks import ProgressionPointBlock

    help_text = str(ProgressionPointBlock().child_blocks["recommended_modality"].field.help_text)
    assert "préférence" in help_text and "présentiel" in help_text and "distance" in help_text

    # « En présentiel » wins over a stated preference for video...
    in_person = recommend_modality(case(preferred="video", point_recommends="in_person"))
    assert in_person.modality == "in_person"
    # ...unless nobody in the département meets in person, or no coach of it is free.
    assert (
        recommend_modality(
            case(preferred="video", point_recommends="in_person", in_person_reachable=False)
        ).modality
        == "video"
    )
    assert recommend_modality(
        case(point_recommends="in_person", local_coach=False, in_person_reachable=False)
    ).modality in {"video", "phone"}
    # « À distance » gives way to the learner's stated preference and to the history.
    assert (
        recommend_modality(case(preferred="in_person", point_recommends="remote")).modality
        == "in_person"
    )
    assert (
        recommend_modality(case(point_recommends="remote", remote_sessions=2)).modality
        == "in_person"
    )
    assert recommend_modality(case(point_recommends="remote")).modality in {"video", "phone"}
    # At the end of a pathway, an in-person meeting is offered once, whatever the point says.
    assert (
        recommend_modality(
            case(preferred="video", point_recommends="remote", completing_pathway=True)
        ).modality
        == "in_person"
    )


GROUP = "« Valider son besoin », le 12 janvier 2027 à 18:30, à distance"


@pytest.mark.parametrize(
    "situation",
    [
        case(nearby_group=GROUP),
        case(area_type="rural", local_coach=False, in_person_reachable=False, nearby_group=GROUP),
        case(preferred="in_person", nearby_group=GROUP),
    ],
)
def test_a_nearby_group_session_is_suggested_with_its_reason_whatever_the_modality(situation):
    alone = recommend_modality(BalanceInput(**{**situation.__dict__, "nearby_group": ""}))
    recommendation = recommend_modality(situation)

    assert recommendation.modality == alone.modality and recommendation.reason == alone.reason
    assert (
        GROUP in recommendation.group_reason and "vaut rendez-vous" in recommendation.group_reason
    )
    assert (
        GROUP in recommendation.coach_group_reason
        and "Invitez-y" in recommendation.coach_group_reason
    )
    assert alone.group_reason == ""
