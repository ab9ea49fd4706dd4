"""The dashboard's tables, built from ``queries`` (reads) and ``figures`` (arithmetic).

``Report`` reads lazily and once. Every table is built at once, even for one CSV export:
which figures are hidden outside Balise is decided across the tables (``Report.tables``),
since a reader can subtract one table's figures from another's. Every table has a slug
(its export's ``table`` parameter) and belongs to a section.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.departements import DEPARTEMENTS
from lms.accounts.models import AreaType, Modality
from lms.coaching.models import Origin
from lms.outcomes.models import Stage
from pathways.models import OutlineItem, PathwayPage
from pathways.queries import live_outline

from . import queries
from .figures import (
    SMALL_CELL,
    Cell,
    Column,
    FunnelStage,
    Kind,
    Table,
    column_sums,
    count,
    decimal,
    drop,
    funnel,
    mean,
    nps,
    ordered_steps,
    percent,
    protect_tables,
    rate,
    rates,
    suppressed,
    text,
)
from .queries import Filters
from .suppression import Derived, Sum


def _label(choices, value) -> str:
    if not value:
        return _("Non renseigné")
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def departement_label(code: str | None) -> str:
    if not code:
        return _("Non renseigné")
    name = DEPARTEMENTS.get(code)
    return f"{code} – {name}" if name else code


class Report:
    """The figures of one selection (``Filters``), read on first use: each read is a
    cached property, so a test can hand a report its figures without a database."""

    def __init__(
        self, filters: Filters, pathways: list[queries.PathwayRef], now: datetime | None = None
    ):
        self.filters = filters
        self.pathways = pathways
        self.now = now or timezone.now()

    @cached_property
    def tables(self) -> dict[str, Table]:
        """Every table, their secrecy outside Balise decided together (``figures.
        protect_tables``): a hidden count must stay hidden whichever tables one reads."""
        built = {slug: builder(self) for slug, builder in TABLE_BUILDERS.items()}
        return protect_tables(built, links(self, built))

    @cached_property
    def peer_circles(self) -> dict:
        return queries.peer_circles(self.filters, self.now)

    # --- Funnel ------------------------------------------------------------------------------

    @cached_property
    def summary(self) -> dict[int, dict]:
        return queries.pathway_summary(self.filters)

    @cached_property
    def selected(self) -> queries.PathwayRef | None:
        """The chosen pathway, or else the one with most enrolments in the selection."""
        by_pk = {pathway.pk: pathway for pathway in self.pathways}
        if self.filters.pathway_id:
            return by_pk.get(self.filters.pathway_id)
        order = {pathway.pk: index for index, pathway in enumerate(self.pathways)}
        ranked = sorted(
            (row for row in self.summary.values() if row["pathway_id"] in by_pk),
            key=lambda row: (-row["enrolled"], order[row["pathway_id"]]),
        )
        return by_pk[ranked[0]["pathway_id"]] if ranked else None

    @cached_property
    def selected_page(self) -> PathwayPage | None:
        """The selected pathway's page, for its outline (read only when computing)."""
        if self.selected is None:
            return None
        return PathwayPage.objects.filter(pk=self.selected.pk).first()

    @cached_property
    def outline(self) -> list[OutlineItem]:
        return live_outline(self.selected_page) if self.selected_page else []

    @cached_property
    def module_steps(self) -> dict[int, tuple[str, ...]]:
        return {item.module.pk: item.module.step_ids for item in self.outline if item.module}

    @cached_property
    def selected_module_ids(self) -> list[int] | None:
        """The chosen pathway's modules (None when no pathway is chosen)."""
        if not self.filters.pathway_id or self.selected is None:
            return None
        return self.selected_page.module_ids() if self.selected_page else []

    def pathway_enrolled(self) -> tuple[int, int]:
        row = self.summary.get(self.selected.pk, {}) if self.selected else {}
        return row.get("enrolled", 0), row.get("completed", 0)

    @cached_property
    def module_completions(self) -> dict[int, int]:
        if self.selected is None:
            return {}
        return queries.module_completions(self.filters, self.selected.pk, self.module_steps)

    @cached_property
    def passage_counts(self) -> dict[str, int]:
        if self.selected is None:
            return {}
        return queries.passage_counts(self.filters, self.selected.pk)

    @cached_property
    def step_counts(self) -> dict[tuple[int, str], int]:
        if self.selected is None or not self.pathway_enrolled()[0]:
            return {}
        return queries.step_counts(self.filters, self.selected.pk, self.module_steps)

    # --- Coaching ----------------------------------------------------------------------------

    @cached_property
    def origins(self) -> list[dict]:
        return queries.requests_by_origin(self.filters, now=self.now)

    @cached_property
    def response_hours(self):
        return queries.response_hours(self.filters)

    @cached_property
    def attendance(self) -> list[dict]:
        return queries.attendance_by_origin(self.filters)

    @cached_property
    def group_and_individual(self) -> dict[str, dict]:
        return queries.group_and_individual(self.filters)

    @cached_property
    def first_held_days(self):
        return queries.first_held_days(self.filters)

    @cached_property
    def recommended_modalities(self) -> list[tuple[str | None, str, int]]:
        return queries.recommended_modalities(self.filters)

    @cached_property
    def session_modalities(self) -> list[tuple[str | None, str, int]]:
        return queries.session_modalities(self.filters)

    @cached_property
    def sessions_by_departement(self) -> dict[str, int]:
        return queries.sessions_by_departement(self.filters)

    @cached_property
    def requests_by_departement(self) -> dict[str, int]:
        return queries.requests_by_departement(self.filters)

    @cached_property
    def learners_by_departement(self) -> dict[str | None, int]:
        return queries.learners_by_departement(self.filters)

    # --- Outcomes ----------------------------------------------------------------------------

    @cached_property
    def competence_progression(self) -> tuple[list[dict], int]:
        return queries.competence_progression(self.filters)

    @cached_property
    def latest_stages(self) -> list[dict]:
        return queries.latest_stages(self.filters)

    @cached_property
    def stage_transitions(self) -> list[tuple[str, str, int]]:
        return queries.stage_transitions(self.filters)

    @cached_property
    def satisfaction(self) -> list[dict]:
        return queries.satisfaction_by_pathway(self.filters)

    @cached_property
    def module_usefulness(self) -> list[dict]:
        return queries.module_usefulness(self.filters, self.selected_module_ids)

    # --- Headline ----------------------------------------------------------------------------

    def headline(self, suppress: bool = False) -> dict:
        return headline_figures(self.headline_cells(), suppress)

    def headline_cells(self) -> dict:
        """The few numbers of the summary paragraph, as cells (``headline`` formats them),
        and the number of départements reached. The cells are the tables' own totals, with
        their secrecy: the print page never shows above a table what the table hides."""
        tables = self.tables
        pathways, requests = tables["parcours"].total, tables["demandes"].total
        territories, satisfaction = tables["territoires"].total, tables["satisfaction"].total
        return {
            "enrolled": pathways[1],
            "completed": pathways[2],
            "completion_rate": pathways[3],
            "requests": requests[1],
            "sla_rate": requests[4],
            "median_hours": requests[5],
            "sessions": territories[3],
            "answers": satisfaction[1],
            "nps": satisfaction[5],
            "departements": len([code for code in self.learners_by_departement if code]),
        }


def headline_figures(cells: dict, suppress: bool = False) -> dict:
    """The summary paragraph's figures (``Report.headline_cells``): exact on the (internal)
    dashboard, hidden like exports on the print page. ``<key>_n`` keys choose plural
    forms."""
    departements = cells["departements"]
    cells = {key: cell for key, cell in cells.items() if key != "departements"}
    figures = {key: suppressed(c) if suppress else c.value for key, c in cells.items()}
    for key in ("enrolled", "completed", "requests", "sessions", "answers"):
        # "< 5" reads as a plural; "s" stands for 5 or more.
        hidden = isinstance(figures[key], str)
        figures[f"{key}_n"] = SMALL_CELL if hidden else cells[key].value
    figures["departements"] = departements
    return figures


# --- Tables ----------------------------------------------------------------------------------
#
# Each builder declares how its figures hang together (``Table.sums``, ``Table.derived``;
# positions are (row, column), the total row last) so that secrecy can hide whatever would
# give a hidden count back; ``links`` declares what one table shares with another.


def pathways_table(report: Report) -> Table:
    live_or_used = [p for p in report.pathways if p.live or p.pk in report.summary]
    rows, enrolled, completed = [], 0, 0
    for pathway in live_or_used:
        row = report.summary.get(pathway.pk, {"enrolled": 0, "completed": 0})
        enrolled += row["enrolled"]
        completed += row["completed"]
        rows.append(
            [
                text(pathway.title),
                count(row["enrolled"]),
                count(row["completed"]),
                rate(row["completed"], row["enrolled"]),
            ]
        )
    rows = rows if enrolled else []
    n = len(rows)
    return Table(
        slug="parcours",
        caption=_("Inscriptions et parcours terminés, par parcours"),
        columns=[
            Column(_("Parcours")),
            Column(_("Inscriptions"), Kind.COUNT),
            Column(_("Parcours terminés"), Kind.COUNT),
            Column(_("Taux de complétion (%)"), Kind.RATE),
        ],
        rows=rows,
        total=[
            text(_("Tous les parcours")),
            count(enrolled),
            count(completed),
            rate(completed, enrolled),
        ],
        note=_(
            "Inscriptions pendant la période, tous les parcours quel que soit le filtre de "
            "parcours : une personne inscrite à deux parcours compte deux inscriptions."
        ),
        sums=[
            *column_sums(n, (1, 2)),
            *(Sum((row, 1), ((row, 2),), at_most=True) for row in range(n + 1)),
        ],
        derived=rates(n, 3, part=2, whole=1),
        keys=[pathway.pk for pathway in live_or_used] if rows else [],
    )


def skipped_note() -> str:
    return _(
        "« + N (étapes sautées) » : N personnes de plus qu’à l’étape précédente, parce "
        "qu’elles l’ont sautée (ou, pour un module, terminé dans un autre parcours) ; ce "
        "n’est pas une perte."
    )


def funnel_table(report: Report) -> Table:
    pathway = report.selected
    stages: list[FunnelStage] = []
    keys: list[object] = []
    if pathway is not None:
        enrolled, completed = report.pathway_enrolled()
        modules, passages = report.module_completions, report.passage_counts
        stages.append(FunnelStage(_("Inscription"), "enrolled", enrolled))
        keys.append("enrolled")
        for item in report.outline:
            if item.kind == "module":
                learners = modules.get(item.module.pk, enrolled if not item.module.step_ids else 0)
                stages.append(FunnelStage(item.label, "module", learners))
                keys.append(("module", item.module.pk))
            else:
                stages.append(FunnelStage(item.label, "point", passages.get(item.key, 0)))
                keys.append(("point", item.key))
        stages.append(FunnelStage(_("Parcours terminé"), "completed", completed))
        keys.append("completed")
        if not enrolled:
            stages, keys = [], []
    kinds = {
        "enrolled": _("Inscription"),
        "module": _("Module terminé"),
        "point": _("Balise atteinte"),
        "completed": _("Fin"),
    }
    rows = [
        [
            text(row.label),
            text(kinds[row.kind]),
            count(row.learners),
            rate(row.learners, stages[0].learners),
            drop(row.lost),
            Cell(row.lost_share, Kind.RATE, base=stages[index - 1].learners if index else 0),
        ]
        for index, row in enumerate(funnel(stages))
    ]
    title = pathway.title if pathway else _("aucun parcours")
    return Table(
        slug="entonnoir",
        caption=_("Entonnoir du parcours « %(title)s »") % {"title": title},
        columns=[
            Column(_("Étape du parcours")),
            Column(_("Type")),
            Column(_("Personnes"), Kind.COUNT),
            Column(_("Part des personnes inscrites (%)"), Kind.RATE),
            Column(_("Perdu·es depuis l’étape précédente"), Kind.DROP),
            Column(_("Perte (%)"), Kind.RATE),
        ],
        rows=rows,
        note=_(
            "Un module compte les personnes qui en ont terminé toutes les étapes (même dans "
            "un autre parcours) ; une balise, celles qui l’ont atteinte."
        )
        + " "
        + skipped_note(),
        sums=[
            *chain(len(rows), figure=2, difference=4),
            # Nobody finishes a module or reaches a point of a pathway without enrolling.
            *(Sum((0, 2), ((index, 2),), at_most=True) for index in range(1, len(rows))),
            *_repeated(keys, column=2),
        ],
        derived=[
            *(Derived((index, 3), ((index, 2), (0, 2))) for index in range(len(rows))),
            *(Derived((index, 5), ((index, 4), (index - 1, 2))) for index in range(1, len(rows))),
        ],
        keys=keys,
    )


def chain(rows: int, figure: int, difference: int) -> list[Sum]:
    """Each row's ``figure`` and ``difference`` add up to the ``figure`` of the row before."""
    return [
        Sum((index - 1, figure), ((index, figure), (index, difference))) for index in range(1, rows)
    ]


def _repeated(keys: list[object], column: int) -> list[Sum]:
    """A module met twice in an outline counts the same people twice: equal figures."""
    first: dict[object, int] = {}
    sums = []
    for index, key in enumerate(keys):
        if key in first:
            sums.append(Sum((first[key], column), ((index, column),)))
        else:
            first[key] = index
    return sums


def steps_table(report: Report) -> Table:
    pathway = report.selected
    rows, keys = [], []
    if pathway is not None and report.pathway_enrolled()[0]:
        outline = [
            (
                item.module.pk,
                item.module.title,
                [
                    (step_id, item.module.step_titles.get(step_id, ""))
                    for step_id in item.module.step_ids
                ],
            )
            for item in report.outline
            if item.kind == "module"
        ]
        previous = None
        for index, (module_id, step_id, module_title, step_title, learners) in enumerate(
            ordered_steps(outline, report.step_counts)
        ):
            lost = None if previous is None else previous - learners
            rows.append(
                [
                    text(module_title),
                    text(f"{index + 1}. {step_title}" if step_title else f"{index + 1}."),
                    count(learners),
                    drop(lost),
                    Cell(
                        None if lost is None or lost < 0 else percent(lost, previous),
                        Kind.RATE,
                        base=previous or 0,
                    ),
                ]
            )
            keys.append((module_id, step_id))
            previous = learners
    title = pathway.title if pathway else _("aucun parcours")
    return Table(
        slug="etapes",
        caption=_("Décrochage étape par étape, parcours « %(title)s »") % {"title": title},
        columns=[
            Column(_("Module")),
            Column(_("Étape")),
            Column(_("Personnes ayant terminé l’étape"), Kind.COUNT),
            Column(_("Écart avec l’étape précédente"), Kind.DROP),
            Column(_("Écart (%)"), Kind.RATE),
        ],
        rows=rows,
        note=skipped_note(),
        sums=chain(len(rows), figure=2, difference=3),
        derived=[
            Derived((index, 4), ((index, 3), (index - 1, 2))) for index in range(1, len(rows))
        ],
        keys=keys,
    )


def requests_table(report: Report) -> Table:
    by_origin, overall = report.response_hours
    rows = []
    totals = dict.fromkeys(("requests", "answered", "within_sla", "sla_due"), 0)
    for row in report.origins:
        for key in totals:
            totals[key] += row[key]
        median, p90 = by_origin.get(row["origin"], [None, None])
        rows.append(_request_row(_label(Origin, row["origin"]), row, median, p90))
    n = len(rows)
    return Table(
        slug="demandes",
        caption=_("Demandes d’accompagnement par origine et délai de première réponse"),
        columns=[
            Column(_("Origine")),
            Column(_("Demandes"), Kind.COUNT),
            Column(_("Avec une réponse"), Kind.COUNT),
            Column(_("Réponse dans le délai"), Kind.COUNT),
            Column(_("Part dans le délai (%)"), Kind.RATE),
            Column(_("Délai médian (heures)"), Kind.DECIMAL),
            Column(_("Délai du 9e décile (heures)"), Kind.DECIMAL),
        ],
        rows=rows,
        total=_request_row(_("Toutes les demandes"), totals, *overall),
        note=_(
            "Le délai court de la demande à la première réponse. La part dans le délai se "
            "calcule sur les demandes qui ont reçu une réponse ou dont l’échéance est passée "
            "(hors demandes annulées sans réponse)."
        ),
        sums=[
            *column_sums(n, (1, 2, 3)),
            *(Sum((row, 1), ((row, 2),), at_most=True) for row in range(n + 1)),
            *(Sum((row, 2), ((row, 3),), at_most=True) for row in range(n + 1)),
        ],
        derived=[
            *(Derived((row, 4), ((row, 3),)) for row in range(n + 1)),
            *(Derived((row, column), ((row, 2),)) for row in range(n + 1) for column in (5, 6)),
        ],
        keys=[row["origin"] for row in report.origins],
    )


def _request_row(label: str, row: dict, median, p90) -> list[Cell]:
    return [
        text(label),
        count(row["requests"]),
        count(row["answered"]),
        count(row["within_sla"]),
        rate(row["within_sla"], row["sla_due"]),
        decimal(median, row["answered"]),
        decimal(p90, row["answered"]),
    ]


def attendance_table(report: Report) -> Table:
    """No-show rate (sessions of the period whose attendance was recorded) and the delay
    from a request to its first session held, by origin."""
    by_origin, overall, with_held = report.first_held_days
    recorded = {row["origin"]: row for row in report.attendance}
    origins = sorted(set(recorded) | set(with_held))
    rows, totals = [], {"held": 0, "no_show": 0, "requests": 0}
    for origin in origins:
        row = {
            **recorded.get(origin, {"held": 0, "no_show": 0}),
            "requests": with_held.get(origin, 0),
        }
        for key in totals:
            totals[key] += row[key]
        rows.append(
            _attendance_row(_label(Origin, origin), row, *by_origin.get(origin, [None, None]))
        )
    n = len(rows)
    return Table(
        slug="presences",
        caption=_(
            "Présence aux rendez-vous et délai jusqu’au premier rendez-vous tenu, par origine"
        ),
        columns=[
            Column(_("Origine")),
            Column(_("Rendez-vous notés"), Kind.COUNT),
            Column(_("Tenus"), Kind.COUNT),
            Column(_("Absences"), Kind.COUNT),
            Column(_("Taux d’absence (%)"), Kind.RATE),
            Column(_("Demandes avec un rendez-vous tenu"), Kind.COUNT),
            Column(_("Délai médian jusqu’au premier rendez-vous tenu (jours)"), Kind.DECIMAL),
            Column(_("Délai du 9e décile jusqu’au premier rendez-vous tenu (jours)"), Kind.DECIMAL),
        ],
        rows=rows,
        total=_attendance_row(_("Toutes les origines"), totals, *overall),
        note=_(
            "Rendez-vous de la période dont l’accompagnateur·rice a noté la présence (tenu ou "
            "absence). Le délai court de la demande (créée dans la période) à son premier "
            "rendez-vous noté « tenu »."
        ),
        sums=[
            *column_sums(n, (1, 2, 3, 5)),
            *(Sum((row, 1), ((row, 2), (row, 3))) for row in range(n + 1)),
        ],
        derived=[
            *(Derived((row, 4), ((row, 3), (row, 1))) for row in range(n + 1)),
            *(Derived((row, column), ((row, 5),)) for row in range(n + 1) for column in (6, 7)),
        ],
        keys=origins,
    )


def _attendance_row(label: str, row: dict, median, p90) -> list[Cell]:
    return [
        text(label),
        count(row["held"] + row["no_show"]),
        count(row["held"]),
        count(row["no_show"]),
        rate(row["no_show"], row["held"] + row["no_show"]),
        count(row["requests"]),
        decimal(median, row["requests"]),
        decimal(p90, row["requests"]),
    ]


def group_table(report: Report) -> Table:
    """One-to-one sessions against group sessions: sessions held, attendance, people
    reached and people reached per hour of a coach's time."""
    figures = report.group_and_individual
    rows = [
        _group_row(_("Rendez-vous individuels"), figures["individual"]),
        _group_row(_("Séances collectives"), figures["group"]),
    ]
    if not any(figures[key]["recorded"] for key in ("individual", "group")):
        rows = []  # nothing recorded in the selection: the table says so
    return Table(
        slug="collectif",
        caption=_("Sessions collectives et individuelles"),
        columns=[
            Column(_("Format")),
            Column(_("Séances tenues"), Kind.COUNT),
            Column(_("Présences notées"), Kind.COUNT),
            Column(_("Présences"), Kind.COUNT),
            Column(_("Taux de présence (%)"), Kind.RATE),
            Column(_("Personnes accompagnées"), Kind.COUNT),
            Column(_("Heures d’accompagnement"), Kind.DECIMAL),
            Column(_("Personnes accompagnées par heure"), Kind.DECIMAL),
        ],
        rows=rows,
        note=_(
            "Séances de la période dont la présence a été notée. Une séance collective est "
            "tenue quand au moins une personne est venue ; ses heures comptent une fois, "
            "quel que soit le nombre de personnes. Personnes accompagnées par heure : "
            "personnes venues au moins une fois, divisées par les heures des séances tenues."
        ),
        derived=[
            *(Derived((row, 4), ((row, 3), (row, 2))) for row in range(2)),
            *(Derived((row, 6), ((row, 1),)) for row in range(2)),
            *(Derived((row, 7), ((row, 5), (row, 1))) for row in range(2)),
        ],
        keys=["individual", "group"],
    )


def _group_row(label: str, row: dict) -> list[Cell]:
    hours = row["minutes"] / 60 if row["minutes"] else None
    per_hour = row["people"] / hours if hours else None
    return [
        text(label),
        count(row["sessions"]),
        count(row["recorded"]),
        count(row["held"]),
        rate(row["held"], row["recorded"]),
        count(row["people"]),
        decimal(hours, row["sessions"]),
        decimal(per_hour, row["people"]),
    ]


def _mix(rows: list[tuple[str | None, str, int]]) -> dict[str | None, dict[str, int]]:
    mix: dict[str | None, dict[str, int]] = {}
    for area, modality, n in rows:
        mix.setdefault(area or None, {}).setdefault(modality, 0)
        mix[area or None][modality] += n
    return mix


def modalities_table(report: Report) -> Table:
    recommended = _mix(report.recommended_modalities)
    held = _mix(report.session_modalities)
    areas = [area for area in AreaType.values if area in recommended or area in held]
    if None in recommended or None in held:
        areas.append(None)
    modalities = Modality.values

    def line(label, rec: dict, ses: dict) -> list[Cell]:
        return [
            text(label),
            *(count(rec.get(m, 0)) for m in modalities),
            *(count(ses.get(m, 0)) for m in modalities),
        ]

    rows = [
        line(_label(AreaType, area), recommended.get(area, {}), held.get(area, {}))
        for area in areas
    ]
    total_rec = {m: sum(r.get(m, 0) for r in recommended.values()) for m in modalities}
    total_held = {m: sum(r.get(m, 0) for r in held.values()) for m in modalities}
    labels = [Modality(m).label for m in modalities]
    return Table(
        slug="modalites",
        caption=_("Modalités d’accompagnement par type de territoire"),
        columns=[
            Column(_("Type de territoire")),
            *(
                Column(_("Recommandé : %(m)s") % {"m": label}, Kind.COUNT, short=label)
                for label in labels
            ),
            *(
                Column(_("Rendez-vous tenus : %(m)s") % {"m": label}, Kind.COUNT, short=label)
                for label in labels
            ),
        ],
        groups=[
            ("", 1),
            (_("Modalité recommandée (demandes)"), len(labels)),
            (_("Rendez-vous tenus"), len(labels)),
        ],
        rows=rows,
        total=line(_("Tous les territoires"), total_rec, total_held),
        note=_(
            "Modalité recommandée à l’ouverture des demandes ; rendez-vous acceptés dont "
            "l’heure est passée (période appliquée à leur date)."
        ),
        sums=column_sums(len(rows), range(1, 1 + 2 * len(modalities))),
        keys=areas,
    )


def territories_table(report: Report) -> Table:
    learners = report.learners_by_departement
    requests = report.requests_by_departement
    sessions = report.sessions_by_departement
    codes = {code or None for code in (*learners, *requests, *sessions)}
    ordered = sorted(
        codes,
        key=lambda code: (code is None, -learners.get(code, 0), code or ""),
    )
    rows = [
        [
            text(departement_label(code)),
            count(learners.get(code, 0)),
            count(requests.get(code or "", 0)),
            count(sessions.get(code or "", 0)),
        ]
        for code in ordered
    ]
    return Table(
        slug="territoires",
        caption=_("Territoires atteints : personnes et rendez-vous par département"),
        columns=[
            Column(_("Département")),
            Column(_("Personnes inscrites"), Kind.COUNT),
            Column(_("Demandes d’accompagnement"), Kind.COUNT),
            Column(_("Rendez-vous tenus"), Kind.COUNT),
        ],
        rows=rows,
        total=[
            text(_("Tous les départements")),
            count(sum(learners.values())),
            count(sum(requests.values())),
            count(sum(sessions.values())),
        ],
        note=_(
            "Personnes : département de leur profil ; demandes et rendez-vous : département "
            "noté sur la demande."
        ),
        sums=column_sums(len(rows), (1, 2, 3)),
        keys=ordered,
    )


def competences_table(report: Report) -> Table:
    progression, learners = report.competence_progression
    rows = []
    for row in progression:
        start, end = row["start"], row["end"]
        progress = None if start is None or end is None else float(end) - float(start)
        rows.append(
            [
                text(row["name"]),
                count(row["learners"]),
                mean(start, row["learners"]),
                mean(end, row["learners"]),
                mean(progress, row["learners"]),
            ]
        )
    return Table(
        slug="competences",
        caption=_("Progression des compétences entre le début et la fin du parcours"),
        columns=[
            Column(_("Compétence")),
            Column(_("Personnes"), Kind.COUNT),
            Column(_("Score moyen au début (sur 5)"), Kind.MEAN),
            Column(_("Score moyen à la fin (sur 5)"), Kind.MEAN),
            Column(_("Progression"), Kind.MEAN),
        ],
        rows=rows,
        total=[
            text(_("Personnes avec les deux autodiagnostics")),
            count(learners),
            *[Cell(None, Kind.MEAN, 0)] * 3,
        ]
        if rows
        else None,
        note=_(
            "Personnes ayant fait l’autodiagnostic au début et à la fin d’un même parcours "
            "(fin pendant la période)."
        ),
        # A person counts once per competence: the rows do not add up to the total.
        derived=[
            Derived((row, column), ((row, 1),)) for row in range(len(rows)) for column in (2, 3, 4)
        ],
        keys=[row["competence_id"] for row in progression],
    )


def stages_table(report: Report) -> Table:
    by_stage = {row["stage"]: row for row in report.latest_stages}
    present = [stage for stage in Stage.values if stage in by_stage]
    rows = [
        [
            text(Stage(stage).label),
            count(by_stage[stage]["learners"]),
            decimal(by_stage[stage]["jobs"], by_stage[stage]["learners"]),
        ]
        for stage in present
    ]
    learners = sum(row["learners"] for row in by_stage.values())
    jobs = sum(float(row["jobs"] or 0) for row in by_stage.values())
    return Table(
        slug="jalons",
        caption=_("Où en sont les projets : étape la plus récente et emplois créés"),
        columns=[
            Column(_("Étape du projet")),
            Column(_("Personnes"), Kind.COUNT),
            Column(_("Emplois créés (ETP)"), Kind.DECIMAL),
        ],
        rows=rows,
        total=[text(_("Tous les projets")), count(learners), decimal(jobs, learners)],
        note=_(
            "Dernier jalon déclaré par chaque personne pendant la période ; les emplois sont "
            "ceux de ce dernier jalon, additionnés."
        ),
        sums=column_sums(len(rows), (1,)),
        # The jobs of a hidden row would give the jobs of a few people back.
        derived=[Derived((row, 2), ((row, 1),)) for row in range(len(rows) + 1)],
        keys=present,
    )


def transitions_table(report: Report) -> Table:
    cells: dict[tuple[str, str], int] = {}
    for start, end, n in report.stage_transitions:
        cells[(start, end)] = cells.get((start, end), 0) + n
    starts = [s for s in Stage.values if any(key[0] == s for key in cells)]
    rows = [
        [text(Stage(start).label), *(count(cells.get((start, end), 0)) for end in Stage.values)]
        for start in starts
    ]
    return Table(
        slug="trajectoires",
        caption=_("Étape du projet au début (lignes) et à la fin du parcours (colonnes)"),
        columns=[
            Column(_("Au début \\ À la fin")),
            *(Column(str(label), Kind.COUNT) for label in Stage.labels),
        ],
        rows=rows,
        note=_("Personnes ayant déclaré un jalon au début et à la fin d’un même parcours."),
        keys=starts,
    )


def satisfaction_table(report: Report) -> Table:
    def line(label, row) -> list[Cell]:
        answers = row["answers"]
        average = row["total"] / answers if answers else None
        return [
            text(label),
            count(answers),
            decimal(average, answers),
            count(row["promoters"]),
            count(row["detractors"]),
            decimal(nps(row["promoters"], row["detractors"], answers), answers),
        ]

    keys = ("answers", "total", "promoters", "detractors")
    totals = {key: sum(row[key] or 0 for row in report.satisfaction) for key in keys}
    n = len(report.satisfaction)
    return Table(
        slug="satisfaction",
        caption=_("Satisfaction : recommanderiez-vous ce parcours ? (de 0 à 10)"),
        columns=[
            Column(_("Parcours")),
            Column(_("Avis"), Kind.COUNT),
            Column(_("Note moyenne (sur 10)"), Kind.DECIMAL),
            Column(_("Promoteur·rices (9-10)"), Kind.COUNT),
            Column(_("Détracteur·rices (0-6)"), Kind.COUNT),
            Column(_("NPS"), Kind.DECIMAL),
        ],
        rows=[line(row["pathway__title"], row) for row in report.satisfaction],
        total=line(_("Tous les parcours"), totals),
        note=_("NPS : part des promoteur·rices moins part des détracteur·rices, de -100 à 100."),
        sums=[
            *column_sums(n, (1, 3, 4)),
            *(Sum((row, 1), ((row, 3), (row, 4)), at_most=True) for row in range(n + 1)),
        ],
        derived=[
            *(Derived((row, 2), ((row, 1),)) for row in range(n + 1)),
            *(Derived((row, 5), ((row, 1), (row, 3), (row, 4))) for row in range(n + 1)),
        ],
        keys=[row["pathway_id"] for row in report.satisfaction],
    )


def modules_table(report: Report) -> Table:
    usefulness = report.module_usefulness
    rows = [
        [
            text(row["module__title"]),
            count(row["answers"]),
            count(row["useful"]),
            rate(row["useful"], row["answers"]),
        ]
        for row in usefulness
    ]
    return Table(
        slug="modules",
        caption=_("Utilité des modules selon les personnes"),
        columns=[
            Column(_("Module")),
            Column(_("Avis"), Kind.COUNT),
            Column(_("« Utile »"), Kind.COUNT),
            Column(_("Part « utile » (%)"), Kind.RATE),
        ],
        rows=rows,
        sums=[Sum((row, 1), ((row, 2),), at_most=True) for row in range(len(rows))],
        derived=rates(len(rows), 3, part=2, whole=1, total=False),
        keys=[row["module_id"] for row in usefulness],
    )


def circles_table(report: Report) -> Table:
    """Peer circles active in the period (a meeting held or a post written), their members,
    meetings and posts, and the hours of approved mentors, by the structure running them."""
    figures = report.peer_circles
    keys = sorted(figures["rows"], key=lambda k: (k is None, figures["rows"][k]["name"], k or 0))
    rows, totals = [], {"circles": 0, "meetings": 0, "posts": 0, "minutes": 0}
    for key in keys:
        row = figures["rows"][key]
        for name in totals:
            totals[name] += row[name]
        rows.append(
            _circles_row(
                row["name"] or _("Réseau (sans structure)"),
                row["circles"],
                len(row["members"]),
                row["meetings"],
                row["posts"],
                len(row["mentors"]),
                row["minutes"],
            )
        )
    n = len(rows)
    total = _circles_row(
        _("Toutes les structures"),
        totals["circles"],
        figures["members"],
        totals["meetings"],
        totals["posts"],
        figures["mentors"],
        totals["minutes"],
    )
    return Table(
        slug="cercles",
        caption=_("Cercles de pairs actifs et heures de mentorat, par structure"),
        columns=[
            Column(_("Structure")),
            Column(_("Cercles actifs"), Kind.COUNT),
            Column(_("Personnes membres"), Kind.COUNT),
            Column(_("Rencontres tenues"), Kind.COUNT),
            Column(_("Messages publiés"), Kind.COUNT),
            Column(_("Mentors ayant donné du temps"), Kind.COUNT),
            Column(_("Heures de mentorat"), Kind.DECIMAL),
        ],
        rows=rows,
        total=total,
        note=_(
            "Un cercle est actif s’il a tenu une rencontre ou reçu un message dans la période. "
            "Une personne membre de cercles de deux structures compte une fois dans le total. "
            "Les heures sont celles des mentors acceptés, notées dans la période."
        ),
        sums=[
            *column_sums(n, (1, 3, 4)),
            # A structure's people are some of the total's (a person may be in two).
            *(
                Sum((n, column), ((row, column),), at_most=True)
                for row in range(n)
                for column in (2, 5)
            ),
        ],
        derived=[Derived((row, 6), ((row, 5),)) for row in range(n + 1)],
        keys=keys,
    )


def _circles_row(label, circles, members, meetings, posts, mentors, minutes) -> list[Cell]:
    return [
        text(label),
        count(circles),
        count(members),
        count(meetings),
        count(posts),
        count(mentors),
        decimal(minutes / 60 if mentors else None, mentors),
    ]


def links(report: Report, tables: dict[str, Table]) -> list[Sum]:
    """Figures that one table shares with another, or breaks down, as ``Sum``s between
    positions (slug, row, column): what a reader can read across tables."""
    found: list[Sum] = []
    pathways, funnel_, steps = tables["parcours"], tables["entonnoir"], tables["etapes"]
    requests, territories = tables["demandes"], tables["territoires"]
    modalities = tables["modalites"]
    # The detailed pathway's enrolments and completions: its row of the pathways' table.
    if funnel_.rows and report.selected is not None and report.selected.pk in pathways.keys:
        row = pathways.keys.index(report.selected.pk)
        last = len(funnel_.rows) - 1
        found += [
            Sum(("parcours", row, 1), (("entonnoir", 0, 2),)),
            Sum(("parcours", row, 2), (("entonnoir", last, 2),)),
        ]
    # A module of one step: its completions are that step's; of several: at most each's.
    step_rows = {key: index for index, key in enumerate(steps.keys)}
    seen = set()
    for index, key in enumerate(funnel_.keys):
        if not (isinstance(key, tuple) and key[0] == "module") or key in seen:
            continue
        seen.add(key)
        step_ids = report.module_steps.get(key[1], ())
        mine = [step_rows[(key[1], step)] for step in step_ids if (key[1], step) in step_rows]
        if len(step_ids) == 1 and mine:
            found.append(Sum(("entonnoir", index, 2), (("etapes", mine[0], 2),)))
        else:
            found += [
                Sum(("etapes", row, 2), (("entonnoir", index, 2),), at_most=True) for row in mine
            ]
    # Requests and sessions: the same totals, broken down by origin, département, modality.
    total = territories.total_row
    found.append(Sum(("demandes", requests.total_row, 1), (("territoires", total, 2),)))
    per_modality = len(Modality.values)
    for column, offset in ((2, 1), (3, 1 + per_modality)):
        found.append(
            Sum(
                ("territoires", total, column),
                tuple(
                    ("modalites", modalities.total_row, offset + index)
                    for index in range(per_modality)
                ),
            )
        )
    # Requests with a session held are some of the requests of their origin.
    presences = tables["presences"]
    for index, key in enumerate(presences.keys):
        if key in requests.keys:
            found.append(
                Sum(("demandes", requests.keys.index(key), 1), (("presences", index, 5),), True)
            )
    found.append(
        Sum(("demandes", requests.total_row, 1), (("presences", presences.total_row, 5),), True)
    )
    # One-to-one attendance: the presences' totals, again in the group table's first row.
    if presences.total is not None and tables["collectif"].rows:
        found += [
            Sum(("presences", presences.total_row, 1), (("collectif", 0, 2),)),
            Sum(("presences", presences.total_row, 2), (("collectif", 0, 3),)),
        ]

    # With a pathway chosen, the territories count its enrolled people.
    if report.filters.pathway_id and funnel_.rows:
        found.append(Sum(("territoires", total, 1), (("entonnoir", 0, 2),)))
    return found


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    tables: tuple[str, ...]


def sections() -> list[Section]:
    return [
        Section(
            "entonnoir",
            _("Parcours : de l’inscription à la fin"),
            ("parcours", "entonnoir", "etapes"),
        ),
        Section(
            "accompagnement",
            _("Accompagnement"),
            ("demandes", "modalites", "presences", "collectif"),
        ),
        Section("territoires", _("Territoires atteints"), ("territoires",)),
        Section(
            "effets",
            _("Effets sur les projets"),
            ("competences", "jalons", "trajectoires", "satisfaction", "modules"),
        ),
        Section("communaute", _("Cercles de pairs et mentorat"), ("cercles",)),
    ]


# Each table as its builder makes it, before secrecy.
TABLE_BUILDERS: dict[str, Callable[[Report], Table]] = {
    "parcours": pathways_table,
    "entonnoir": funnel_table,
    "etapes": steps_table,
    "demandes": requests_table,
    "modalites": modalities_table,
    "presences": attendance_table,
    "collectif": group_table,
    "territoires": territories_table,
    "competences": competences_table,
    "jalons": stages_table,
    "trajectoires": transitions_table,
    "satisfaction": satisfaction_table,
    "modules": modules_table,
    "cercles": circles_table,
}


def _protected(slug: str) -> Callable[[Report], Table]:
    def build_table(report: Report) -> Table:
        return report.tables[slug]

    return build_table


# Each table with its secrecy: computing one computes them all (``Report.tables``).
BUILDERS: dict[str, Callable[[Report], Table]] = {slug: _protected(slug) for slug in TABLE_BUILDERS}


def build(report: Report, slug: str) -> Table:
    return report.tables[slug]


def build_all(report: Report) -> dict[str, Table]:
    return dict(report.tables)


# --- The territories' bar chart --------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int


def departement_bars(table: Table, limit: int = 15, width: int = 360, step: int = 26) -> list[Bar]:
    """The départements with most learners, as bars of an SVG chart (sizes in px)."""
    rows = [row for row in table.rows if row[1].value][:limit]
    top = max((row[1].value for row in rows), default=0)
    return [
        Bar(row[0].value, row[1].value, index * step, max(2, round(width * row[1].value / top)))
        for index, row in enumerate(rows)
    ]
