"""Pure computations of the self-diagnosis: means per competence, low scores."""

from decimal import Decimal

import pytest

from lms.outcomes.scoring import low_competences, progression, scores_from_answers

D = Decimal

# question pk -> competence pk: competence 1 has questions 10, 11, 12; competence 2 has 20.
COMPETENCE_OF = {10: 1, 11: 1, 12: 1, 20: 2}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, {}),
        ({10: 3}, {1: D("3.00")}),
        ({10: 1, 11: 2}, {1: D("1.50")}),
        ({10: 1, 11: 2, 12: 2}, {1: D("1.67")}),  # 5/3 = 1.666… rounds half up
        ({10: 5, 11: 5, 12: 4}, {1: D("4.67")}),
        ({10: 1, 11: 1, 12: 2, 20: 5}, {1: D("1.33"), 2: D("5.00")}),
        ({10: 4, 99: 1}, {1: D("4.00")}),  # an unknown question is ignored
    ],
)
def test_scores_are_the_mean_of_each_competence(answers, expected):
    assert scores_from_answers(answers, COMPETENCE_OF) == expected


@pytest.mark.parametrize(
    ("scores", "watched", "threshold", "expected"),
    [
        ({1: D("2.00"), 2: D("1.50")}, [1, 2], 2, [2, 1]),  # lowest first
        ({1: D("2.01")}, [1], 2, []),  # above the threshold
        ({1: D("2.00")}, [1], 2, [1]),  # equal counts as low
        ({1: D("1.00"), 2: D("1.00")}, [2, 1], 1, [2, 1]),  # ties: watched order
        ({1: D("1.00")}, [], 4, []),  # nothing watched
        ({1: D("1.00")}, [2], 4, []),  # watched but not scored
        ({1: D("4.00"), 3: D("3.50")}, [1, 3], 4, [3, 1]),
    ],
)
def test_low_competences(scores, watched, threshold, expected):
    assert low_competences(scores, watched, threshold) == expected


def test_progression():
    assert progression(D("2.5"), D("4")) == D("1.5")
    assert progression(None, D("4")) is None
    assert progression(D("4"), None) is None
