"""The dashboard's filters. A filter the manager typed wrong is reported and left out:
the figures stay available, unfiltered on that criterion, with an explanation. The
structure filter never widens what the manager sees (``scope.Visibility``): a structure
that is not theirs is such a wrong filter."""

import hashlib
from dataclasses import dataclass
from datetime import date

from django import forms
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.accounts.departements import DEPARTEMENT_CHOICES, normalize_departement
from lms.accounts.models import AreaType

from .queries import Filters, PathwayRef
from .scope import Visibility
from .tables import departement_label

# Dates outside these years are typing errors (and would overflow time zone arithmetic).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class DepartementField(forms.ChoiceField):
    """A département code; " 1" or "2a" are read as "01" and "2A"."""

    def to_python(self, value):
        return normalize_departement(super().to_python(value))


@dataclass(frozen=True)
class FieldFragment:
    """One field of a form, as ``components/form_fields.html`` reads a form."""

    key: str
    visible_fields: list
    hidden_fields: tuple = ()
    non_field_errors: tuple = ()


class ReportFilterForm(forms.Form):
    structure = forms.TypedChoiceField(
        label=gettext_lazy("Structure"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Cette structure n’existe pas ou ses chiffres ne vous sont pas ouverts."
            )
        },
    )
    start = forms.DateField(
        label=gettext_lazy("Du"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("Au"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    pathway = forms.TypedChoiceField(
        label=gettext_lazy("Parcours"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": gettext_lazy("Ce parcours n’existe pas.")},
    )
    departement = DepartementField(
        label=gettext_lazy("Département"),
        required=False,
        choices=[("", gettext_lazy("Tous les départements")), *DEPARTEMENT_CHOICES],
        error_messages={
            "invalid_choice": gettext_lazy("« %(value)s » n’est pas un code de département connu.")
        },
    )
    area_type = forms.ChoiceField(
        label=gettext_lazy("Type de territoire"),
        required=False,
        choices=[("", gettext_lazy("Tous les territoires")), *AreaType.choices],
        error_messages={"invalid_choice": gettext_lazy("Type de territoire inconnu.")},
    )

    def __init__(self, data=None, *, pathways: list[PathwayRef], visibility: Visibility, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["pathway"].choices = [
            ("", _("Le parcours le plus suivi")),
            *((pathway.pk, pathway.title) for pathway in pathways),
        ]
        self.pathways = {pathway.pk: pathway for pathway in pathways}
        self.visibility = visibility
        if visibility.network or len(visibility.structures) > 1:
            everything = _("Tout le réseau") if visibility.network else _("Toutes mes structures")
            self.fields["structure"].choices = [
                ("", everything),
                *((structure.pk, structure.name) for structure in visibility.structures),
            ]
        else:  # one structure (or none): nothing to choose
            del self.fields["structure"]

    def _clean_day(self, name: str) -> date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Choisissez une date entre %(first)s et %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
                code="out_of_range",
            )
        return day

    def clean_start(self):
        return self._clean_day("start")

    def clean_end(self):
        return self._clean_day("end")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error(
                "end",
                forms.ValidationError(
                    _("La date de fin est avant la date de début."), code="inverted_period"
                ),
            )
            cleaned.pop("start", None)
        return cleaned

    def filters(self) -> Filters:
        """The valid part of the selection (everything, for an empty form)."""
        if not self.is_bound:
            return Filters(scope=self.visibility.scope())
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            start=data.get("start"),
            end=data.get("end"),
            pathway_id=data.get("pathway"),
            departement=data.get("departement") or "",
            area_type=data.get("area_type") or "",
            scope=self.visibility.scope(self.structure_id()),
        )

    def structure_id(self) -> int | None:
        """The structure chosen (one of the manager's choices), if any."""
        if not self.is_bound or "structure" not in self.fields:
            return None
        self.is_valid()
        return self.cleaned_data.get("structure")

    def structure_label(self) -> str:
        """Whose figures these are, in words."""
        chosen = self.visibility.get(self.structure_id())
        if chosen is not None:
            return _("Structure : %(name)s") % {"name": chosen.name}
        if self.visibility.network:
            return _("Structure : tout le réseau")
        if len(self.visibility.structures) == 1:
            return _("Structure : %(name)s") % {"name": self.visibility.structures[0].name}
        names = ", ".join(structure.name for structure in self.visibility.structures)
        return _("Structures : %(names)s") % {"names": names}

    def ignored(self) -> list[str]:
        """Labels of the filters left out because their value was wrong."""
        if not self.is_bound:
            return []
        names = list(self.errors)
        if "end" in names and "start" not in names and "start" not in self.cleaned_data:
            names.insert(0, "start")  # an inverted period drops both dates
        return [str(self.fields[name].label) for name in names if name in self.fields]

    def field_fragments(self) -> list["FieldFragment"]:
        """Each field with what its rendering depends on besides the language: its
        submitted value, its errors and, for the pathways and structures, the choices. A
        new selection mostly combines values already rendered: its page renders only the
        fields never seen with those values (the selects of a hundred départements or
        pathways were most of its time)."""
        fragments = []
        for field in self.visible_fields():
            data = self.data.getlist(field.html_name) if self.is_bound else None
            choices = list(field.field.choices) if field.name in ("structure", "pathway") else ()
            errors = list(field.errors) if self.is_bound else ()
            key = repr((field.name, data, [str(e) for e in errors], choices))
            fragments.append(FieldFragment(hashlib.sha256(key.encode()).hexdigest(), [field]))
        return fragments

    def query_string(self) -> str:
        """The valid filters, to carry to exports and the print page."""
        filters = self.filters()
        params = {
            "start": filters.start.isoformat() if filters.start else "",
            "end": filters.end.isoformat() if filters.end else "",
            "pathway": filters.pathway_id or "",
            "structure": self.structure_id() or "",
            "departement": filters.departement,
            "area_type": filters.area_type,
        }
        return urlencode({key: value for key, value in params.items() if value})


def describe(filters: Filters, pathway_title: str | None, structures: str = "") -> list[str]:
    """The selection in words, one phrase per criterion (for the print page and exports);
    ``structures``: ``ReportFilterForm.structure_label``."""

    def day(value: date) -> str:
        return formats.date_format(value, "j F Y")

    if filters.start and filters.end:
        period = _("du %(start)s au %(end)s") % {
            "start": day(filters.start),
            "end": day(filters.end),
        }
    elif filters.start:
        period = _("depuis le %(start)s") % {"start": day(filters.start)}
    elif filters.end:
        period = _("jusqu’au %(end)s") % {"end": day(filters.end)}
    else:
        period = _("depuis le début")
    return [
        *([structures] if structures else []),
        _("Période : %(period)s") % {"period": period},
        _("Parcours détaillé : %(title)s") % {"title": pathway_title}
        if pathway_title and filters.pathway_id
        else _("Parcours : tous (détail du parcours le plus suivi%(title)s)")
        % {"title": f" : {pathway_title}" if pathway_title else ""},
        _("Département : %(departement)s") % {"departement": departement_label(filters.departement)}
        if filters.departement
        else _("Département : tous"),
        _("Type de territoire : %(area)s") % {"area": AreaType(filters.area_type).label}
        if filters.area_type
        else _("Type de territoire : tous"),
    ]
