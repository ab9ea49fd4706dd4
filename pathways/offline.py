"""The conflict rule of answers typed offline (pure: no models, no database).

An offline answer was typed on a page showing the stored answers of some moment. If the
stored answers changed since (another device, another tab), neither text is dropped: a
text answer that differs keeps the stored text and gets the offline text appended under
a note saying when it was written; a choice keeps the stored choice (the offline one stays
in the sync's record). Without a conflict, the offline answers win, as an autosave does.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Merge:
    answers: dict
    # True when the learner should reread: a text was appended or a choice kept as stored.
    combined: bool


def merge_answers(
    stored: dict, offline: dict, *, conflict: bool, note: str, texts: frozenset = frozenset()
) -> Merge:
    """The answers to store once ``offline`` (answers by question id) reaches the server.

    ``stored``: the answers on the server now; ``conflict``: they changed after the
    version the offline page showed; ``note``: the line put before an appended text;
    ``texts``: the ids of the questions answered with free text (the others are choices).
    """
    merged = dict(stored)
    combined = False
    for question_id, typed in offline.items():
        current = stored.get(question_id)
        if not conflict or current in (None, "", []) or typed == current:
            merged[question_id] = typed
            continue
        if typed in (None, "", []):
            continue  # an empty offline answer never erases what was written elsewhere
        if question_id in texts and isinstance(typed, str) and isinstance(current, str):
            if typed in current:
                continue
            if current in typed:
                merged[question_id] = typed
                continue
            merged[question_id] = f"{current}\n\n{note}\n{typed}"
        combined = True
    return Merge(merged, combined)
