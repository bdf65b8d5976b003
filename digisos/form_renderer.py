"""The form renderer: the KERN widget templates, with the common widgets rendered in Python.

``TemplatesSetting`` renders every widget through the template engine: a context, the widget's
template, the includes it is made of (text.html → input.html → attrs.html; radio.html →
multiple_input.html → an option each). On the filing form that was a fifth of the page's CPU
(issue 19). ``KernFormRenderer`` renders the widgets whose templates are plain wrappers of
input.html, the textarea, the radio and checkbox groups and the select in Python instead, with the
templates' exact output (the functions of digisos/templatetags/kern_widgets.py, which the templates
themselves call per option); every other widget, and one with an option template of its own, goes
through its template as before. Output is stripped, as BaseRenderer.render strips it.
tests/test_kern_widgets.py renders random widgets both ways and compares the bytes, so a change to
one of these templates fails there.
"""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting
from django.template import Context
from django.utils.safestring import mark_safe

from .templatetags.kern_widgets import (
    INPUT_OPTIONS,
    SELECT_OPTION,
    _lookup,
    render_attrs,
    render_input,
    render_input_option,
    render_select_option,
    render_value,
)

W = "django/forms/widgets/"
#: Django's widget templates that are ``{% include "django/forms/widgets/input.html" %}`` and a newline.
INPUT_WRAPPERS = frozenset(
    W + name
    for name in (
        "checkbox.html",
        "color.html",
        "date.html",
        "datetime.html",
        "email.html",
        "hidden.html",
        "number.html",
        "password.html",
        "search.html",
        "tel.html",
        "text.html",
        "time.html",
        "url.html",
    )
)
#: ``{% include "django/forms/widgets/multiple_input.html" %}`` and a newline.
GROUPS = frozenset({W + "radio.html", W + "checkbox_select.html"})
TEXTAREA = W + "textarea.html"
SELECT = W + "select.html"


def _options_known(widget, known) -> bool:
    groups = widget.get("optgroups") or ()
    return all(_lookup(option, "template_name") in known for _g, options, _i in groups for option in options)


def render_textarea(widget, context) -> str:
    """django/forms/widgets/textarea.html (Django's own)."""
    value = widget.get("value")
    shown = render_value(value, context) if value else ""
    name = render_value(_lookup(widget, "name"), context)
    return f'<textarea name="{name}"{render_attrs(widget, context)}>\n{shown}</textarea>\n'


def render_multiple_input(widget, context) -> str:
    """templates/django/forms/widgets/multiple_input.html (ours)."""
    attrs = _lookup(widget, "attrs") or {}
    id_ = _lookup(attrs, "id")
    css = _lookup(attrs, "class")
    shown_id = f' id="{render_value(id_, context)}"' if id_ else ""
    extra = " " + render_value(css, context) if css else ""
    out = [f'<div{shown_id} class="kern-fieldset__body{extra}">']
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(
                f'\n  <fieldset class="kern-fieldset"><legend class="kern-label">'
                f'{render_value(group, context)}</legend><div class="kern-fieldset__body">'
            )
        for option in options:
            out.append(f'\n    <div class="kern-form-check">{render_input_option(option, context)}</div>')
        if group:
            out.append("\n  </div></fieldset>")
    out.append("\n</div>\n")
    return "".join(out)


def render_select(widget, context) -> str:
    """templates/django/forms/widgets/select.html (ours)."""
    single = not _lookup(_lookup(widget, "attrs") or {}, "multiple")
    name = render_value(_lookup(widget, "name"), context)
    out = ['<div class="kern-form-input__select-wrapper">' if single else "", f'<select name="{name}"']
    out.append(render_attrs(widget, context) + ">")
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{render_value(group_name, context)}">')
        for option in group_choices:
            out.append(f"\n  {render_select_option(option, context)}")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>" + ("</div>" if single else "") + "\n")
    return "".join(out)


class KernFormRenderer(TemplatesSetting):
    """TemplatesSetting (templates/django/forms/ first), the common widgets in Python."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        html = None
        if isinstance(widget, dict):
            # As the template engine renders a widget: autoescaping on, localisation and time zone
            # as set for the thread (Context's defaults).
            ctx = Context(autoescape=True)
            if template_name in INPUT_WRAPPERS:
                html = render_input(widget, ctx) + "\n"
            elif template_name == TEXTAREA:
                html = render_textarea(widget, ctx)
            elif template_name in GROUPS and _options_known(widget, INPUT_OPTIONS):
                html = render_multiple_input(widget, ctx) + "\n"
            elif template_name == SELECT and _options_known(widget, {SELECT_OPTION}):
                html = render_select(widget, ctx)
        if html is None:
            return super().render(template_name, context, request)
        return mark_safe(html.strip())  # noqa: S308  # nosec B308 B703 - every value in it went through render_value_in_context
