"""A form renderer that writes Django's standard widgets in Python.

Django renders each widget, and each choice of a radio or checkbox list, through its
templates: on a guided exercise that was a sixth of the step page's server time, and the
self-diagnosis questionnaire holds 75 radio buttons. This renderer writes the very same
markup (``tests/test_forms_renderer.py`` compares it with Django's templates) from the
very same context (``Widget.get_context``), so ids, ``checked``, ``required`` and the
aria attributes stay Django's. Any other template, or a widget whose options use another
template, goes through Django's renderer as before.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape as esc

_CONTEXT = Context(autoescape=True)


def _v(value) -> str:
    """``{{ value }}``: localised and escaped as a template would. (``esc`` stands for
    ``{{ value|stringformat:'s' }}``, which is escaped but not localised.)"""
    return render_value_in_context(value, _CONTEXT)


WIDGETS = "django/forms/widgets/"


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ``False`` leaves the attribute out, ``True`` writes
    it bare."""
    return "".join(
        f" {_v(name)}" if value is True else f' {_v(name)}="{esc(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{esc(widget["value"])}"'
    return (
        f'<input type="{_v(widget["type"])}" name="{_v(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _input_option(widget: dict) -> str:
    if not widget["wrap_label"]:
        return _input(widget) + "\n"
    label_for = f' for="{_v(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    return f"<label{label_for}>{_input(widget)} {_v(widget['label'])}</label>\n"


def _select_option(widget: dict) -> str:
    return (
        f'<option value="{esc(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_v(widget['label'])}</option>\n"
    )


def _textarea(widget: dict) -> str:
    value = _v(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_v(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'


# Option templates: each includes its base template, then a line break of its own.
OPTIONS = {
    WIDGETS + "radio_option.html": lambda option: _input_option(option) + "\n",
    WIDGETS + "checkbox_option.html": lambda option: _input_option(option) + "\n",
    WIDGETS + "input_option.html": _input_option,
    WIDGETS + "select_option.html": _select_option,
}


def _options_known(widget: dict) -> bool:
    return all(
        option["template_name"] in OPTIONS
        for _group, options, _index in widget["optgroups"]
        for option in options
    )


def _multiple_input(widget: dict) -> str | None:
    if not _options_known(widget):
        return None
    attrs = widget["attrs"]
    parts = [
        "<div",
        f' id="{_v(attrs["id"])}"' if attrs.get("id") else "",
        f' class="{_v(attrs["class"])}"' if attrs.get("class") else "",
        ">",
    ]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_v(group)}</label>")
        parts.extend(
            f"<div>\n    {OPTIONS[option['template_name']](option)}</div>" for option in options
        )
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def _select(widget: dict) -> str | None:
    if not _options_known(widget):
        return None
    parts = [f'<select name="{_v(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_v(group)}">')
        parts.extend(f"\n  {OPTIONS[option['template_name']](option)}" for option in options)
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


# Django's widget templates that only include input.html.
INPUTS = [
    "checkbox",
    "color",
    "date",
    "datetime",
    "email",
    "file",
    "hidden",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
]
WRITERS = {
    **{f"{WIDGETS}{name}.html": _input for name in INPUTS},
    WIDGETS + "input.html": _input,
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "radio.html": _multiple_input,
    WIDGETS + "checkbox_select.html": _multiple_input,
    WIDGETS + "multiple_input.html": _multiple_input,
    WIDGETS + "select.html": _select,
    **OPTIONS,
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's ``DjangoTemplates`` renderer, with the standard widgets written in Python."""

    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        if write is not None and "widget" in context:
            html = write(context["widget"])
            if html is not None:
                return html.strip()
        return super().render(template_name, context, request)
