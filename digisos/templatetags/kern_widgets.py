"""The KERN widget templates' hot inner parts in Python, with the templates' exact output.

Every form field renders ``django/forms/widgets/attrs.html`` once, and every radio button, checkbox
and select option renders three to four nested templates (option → input_option → input → attrs).
In the template language that was about a third of the filing form's CPU (issue 19). The templates
stay where they are (templates/django/forms/widgets/) and call these tags instead of including one
another per option:

* ``{% kern_attrs widget %}``: what attrs.html rendered.
* ``{% kern_option option %}``: what ``{% include option.template_name with widget=option %}``
  rendered, for Django's radio, checkbox and select options; any other option template is
  included as before.

Each value goes through ``render_value_in_context`` (localisation, autoescaping) as ``{{ … }}`` does.
tests/test_kern_widgets.py renders random widgets and options both ways and compares the bytes, so
a change to one of the templates that these tags stand in for fails there.
"""

from __future__ import annotations

from html import escape as _escape

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.safestring import SafeData, mark_safe

register = template.Library()

SELECT = "django/forms/widgets/select.html"
SELECT_OPTION = "django/forms/widgets/select_option.html"
INPUT_OPTIONS = frozenset({"django/forms/widgets/radio_option.html", "django/forms/widgets/checkbox_option.html"})


def render_value(value, context) -> str:
    """``render_value_in_context(value, context)``, the short way for a plain ``str`` (exactly str: not a
    SafeString, not a lazy translation): localisation and the time zone leave a string as it is, and
    Django's ``escape`` is ``html.escape`` (issue 19: ~300 values per filing form page)."""
    if value.__class__ is str:
        return _escape(value) if context.autoescape else value
    return render_value_in_context(value, context)


def _lookup(widget, key):
    """``widget.<key>`` of the template language for the dicts widgets are: missing is ''."""
    try:
        return widget[key]
    except (KeyError, TypeError):
        return ""


def _s(value, context) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe value safe (is_safe=True)."""
    text = stringformat(value, "s")
    return render_value(mark_safe(text) if isinstance(value, SafeData) else text, context)  # noqa: S308  # nosec B308 B703


def render_attrs(widget, context) -> str:
    """templates/django/forms/widgets/attrs.html."""
    attrs = _lookup(widget, "attrs") or {}
    kind, name = _lookup(widget, "type"), _lookup(widget, "template_name")
    extra = _lookup(attrs, "class")
    out = []
    if name == SELECT_OPTION or kind == "hidden" or _lookup(attrs, "multiple"):
        if extra:
            out.append(f' class="{render_value(extra, context)}"')
    else:
        if kind == "checkbox":
            css = "kern-form-check__checkbox"
        elif kind == "radio":
            css = "kern-form-check__radio"
        elif name == SELECT:
            css = "kern-form-input__select"
        else:
            css = "kern-form-input__input"
        if extra:
            css = f"{css} {render_value(extra, context)}"
        out.append(f' class="{css}"')
    for key, value in attrs.items():
        if key != "class" and value is not False:
            out.append(" " + render_value(key, context))
            if value is not True:
                out.append(f'="{_s(value, context)}"')
    return "".join(out)


def render_input(widget, context) -> str:
    """django/forms/widgets/input.html (Django's own)."""
    # In {% if %} a missing variable is None (in {{ }} it is '').
    value = widget.get("value") if isinstance(widget, dict) else None
    shown = f' value="{_s(value, context)}"' if value is not None else ""
    return (
        f'<input type="{render_value(_lookup(widget, "type"), context)}" '
        f'name="{render_value(_lookup(widget, "name"), context)}"{shown}{render_attrs(widget, context)}>\n'
    )


def render_input_option(widget, context) -> str:
    """radio_option.html / checkbox_option.html (Django's) → templates/…/input_option.html (ours)."""
    out = render_input(widget, context)
    if _lookup(widget, "wrap_label"):
        for_id = _lookup(_lookup(widget, "attrs") or {}, "id")
        target = f' for="{render_value(for_id, context)}"' if for_id else ""
        label = render_value(_lookup(widget, "label"), context)
        out += f'\n<label class="kern-label"{target}>{label}</label>'
    return out + "\n\n"


def render_select_option(widget, context) -> str:
    """django/forms/widgets/select_option.html (Django's own)."""
    value = _s(_lookup(widget, "value"), context)
    label = render_value(_lookup(widget, "label"), context)
    return f'<option value="{value}"{render_attrs(widget, context)}>{label}</option>\n'


@register.simple_tag(takes_context=True)
def kern_attrs(context, widget):
    return _safe(render_attrs(widget, context))


@register.simple_tag(takes_context=True)
def kern_option(context, option):
    name = _lookup(option, "template_name")
    if name in INPUT_OPTIONS:
        return _safe(render_input_option(option, context))
    if name == SELECT_OPTION:
        return _safe(render_select_option(option, context))
    # Any other option template: included as {% include option.template_name with widget=option %} did.
    with context.push(widget=option):
        return _safe(context.template.engine.get_template(name).render(context))


def _safe(html: str):
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - every value in it went through render_value_in_context
