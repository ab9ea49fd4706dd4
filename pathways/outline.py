"""What makes a pathway's outline sensible, on plain data (no database access).

The editor's outline is a sequence of modules and progression points. The rules:

- an outline without any module is no pathway: it is refused when the pathway is
  published or submitted for validation (``OutlineStreamBlock.clean``); a draft may
  still be saved, and its editor is told;
- a module placed twice is followed once: progress keys on the module, so its second
  place is already done when the learner reaches it. The editor is warned, not refused;
- a point placed before every module is reached as soon as the learner enrols (a point
  is reached when every module before it is done). The editor is warned, not refused.

Warnings are shown as Wagtail messages after each explicit save (``wagtail_hooks``).
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MODULE, POINT = "module", "point"


@dataclass(frozen=True)
class Entry:
    kind: str  # MODULE | POINT
    module_id: int | None = None  # a module's page id (None: chooser left empty)
    title: str = ""  # a point's title


def entries_from_raw(raw: Iterable[dict]) -> list[Entry]:
    """The outline's stored data (``PathwayPage.outline.raw_data``) as entries."""
    entries = []
    for item in raw:
        if item["type"] == "module":
            entries.append(Entry(MODULE, module_id=item["value"]))
        elif item["type"] == "progression_point":
            entries.append(Entry(POINT, title=(item["value"] or {}).get("title", "")))
    return entries


def has_module(entries: Sequence[Entry]) -> bool:
    return any(entry.kind == MODULE and entry.module_id is not None for entry in entries)


def repeated_modules(entries: Sequence[Entry]) -> list[int]:
    """Ids of the modules placed more than once, in the order they first appear."""
    counts = Counter(e.module_id for e in entries if e.kind == MODULE and e.module_id)
    seen = []
    for entry in entries:
        if counts.get(entry.module_id, 0) > 1 and entry.module_id not in seen:
            seen.append(entry.module_id)
    return seen


def points_before_any_module(entries: Sequence[Entry]) -> list[str]:
    """Titles of the points placed before the first module (all of them without one)."""
    titles = []
    for entry in entries:
        if entry.kind == MODULE and entry.module_id is not None:
            break
        if entry.kind == POINT:
            titles.append(entry.title)
    return titles
