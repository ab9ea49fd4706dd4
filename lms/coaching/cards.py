"""What a card of the coach's queue shows, computed in Python once per page.

The queue renders tens of cards per request. Written with template tags, a card cost
~300 µs: two ``{% url %}``, three ``get_*_display`` (each rebuilds its choices dict) and
two ``{% blocktranslate %}``, every translation going through Django's thread-local
lookup. Here each label is translated once per page and each URL pattern reversed once.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import Modality, User

from .models import ACTIVE_STATUSES, Origin, Status, is_overdue


@dataclass(frozen=True, slots=True)
class QueueCard:
    pk: int
    url: str
    claim_url: str
    mine: bool  # the coach's own active request
    claimable: bool  # open
    learner_name: str
    origin: str
    network_queue: bool
    overdue: bool
    profile: str  # « Rhône (69) · Urbain · En recherche d'emploi », "" without a profile
    pathway_title: str
    recommended: str  # « Recommandé : Visioconférence. »
    reason: str
    requested: str  # « Demandé il y a 2 heures · réponse attendue avant le 28/11/2026 18:00 »
    status: str  # "" while open
    unread: int = 0  # messages of the thread the coach has not read (their own requests)


def _url_for(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for any pk, from one ``reverse``."""
    sentinel = 987654321
    prefix, suffix = reverse(name, args=[sentinel]).split(str(sentinel))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _ago(created: datetime, now: datetime, said: dict[int, str]) -> str:
    """``naturaltime(created)`` to the unit below a day (« il y a 3 heures ») and to the day
    beyond (« il y a 3 jours », not « il y a 3 jours, 4 heures »): requests of the same
    age share their wording, translated once per page in ``said``."""
    seconds = max(int((now - created).total_seconds()), 0)
    if seconds < 60:
        step = 1
    elif seconds < 3600:
        step = 60
    elif seconds < 86400:
        step = 3600
    else:
        step = 86400
    seconds -= seconds % step
    if seconds not in said:
        said[seconds] = naturaltime(now - timedelta(seconds=seconds))
    return said[seconds]


def queue_cards(rows: Iterable[Mapping[str, Any]], coach: User) -> list[QueueCard]:
    """Cards for rows of ``queries.CARD_VALUES``, in the current language and time zone."""
    origins = {value: str(label) for value, label in Origin.choices}
    modalities = {value: str(label) for value, label in Modality.choices}
    statuses = {value: str(label) for value, label in Status.choices}
    recommended = _("Recommandé : %(modality)s.")
    requested = _("Demandé %(created)s · réponse attendue avant le %(due)s")
    request_url, claim_url = _url_for("coaching:request"), _url_for("coaching:claim")
    now = timezone.now()
    said = {}
    cards = []
    for row in rows:
        pk, status, modality = row["pk"], row["status"], row["recommended_modality"]
        profile = ""
        if row["profile_area_type"] is not None:  # the snapshot has a profile
            profile = " · ".join(
                (
                    row["profile_departement"] or "",
                    row["profile_area_type"],
                    row["profile_situation"] or "",
                )
            )
        cards.append(
            QueueCard(
                pk=pk,
                url=request_url(pk),
                claim_url=claim_url(pk),
                mine=row["coach_id"] == coach.pk and status in ACTIVE_STATUSES,
                claimable=status == Status.OPEN,
                # User.display_name, without loading the user
                learner_name=row["learner__first_name"]
                or row["learner__last_name"]
                or row["learner__email"].split("@")[0],
                origin=origins.get(row["origin"], row["origin"]),
                network_queue=row["network_queue"],
                overdue=is_overdue(status, row["due_at"], now),
                profile=profile,
                pathway_title=row["pathway_title"] or "",
                recommended=recommended % {"modality": modalities.get(modality, modality)},
                reason=row["coach_recommendation_reason"] or row["recommendation_reason"],
                requested=requested
                % {
                    "created": _ago(row["created_at"], now, said),
                    "due": timezone.localtime(row["due_at"]).strftime("%d/%m/%Y %H:%M"),
                },
                status="" if status == Status.OPEN else statuses.get(status, status),
                unread=row.get("unread", 0),
            )
        )
    return cards
