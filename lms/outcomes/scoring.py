"""Pure computations of the self-diagnosis (no database access).

- A competence's score is the mean of its questions' answers (1 to 5), rounded half up
  to two decimals; a competence with no answered question has no score.
- A score is *low* when it is lower than or equal to the pathway's threshold, on one of
  the competences the pathway watches.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def scores_from_answers(
    answers: Mapping[int, int], competence_of: Mapping[int, int]
) -> dict[int, Decimal]:
    """Mean answer per competence: ``{competence pk: score}``.

    ``answers`` maps question pks to scores (1-5, validated by the form);
    ``competence_of`` maps question pks to their competence's pk. Answers to unknown
    questions are ignored (the form refuses them before).
    """
    totals: dict[int, list[int]] = {}
    for question, score in answers.items():
        competence = competence_of.get(question)
        if competence is not None:
            totals.setdefault(competence, []).append(score)
    return {
        competence: (Decimal(sum(values)) / len(values)).quantize(TWO_PLACES, ROUND_HALF_UP)
        for competence, values in totals.items()
    }


def low_competences(
    scores: Mapping[int, Decimal], watched: Iterable[int], threshold: int
) -> list[int]:
    """Pks of the watched competences scored at or below ``threshold``, lowest first
    (ties in the order of ``watched``)."""
    order = {pk: index for index, pk in enumerate(watched)}
    low = [pk for pk in order if pk in scores and scores[pk] <= threshold]
    return sorted(low, key=lambda pk: (scores[pk], order[pk]))


def progression(start: Decimal | None, end: Decimal | None) -> Decimal | None:
    """End minus start, when both exist."""
    if start is None or end is None:
        return None
    return end - start
