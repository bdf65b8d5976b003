"""``{% kern_field %}``: what templates/includes/form_field.html rendered with its two includes
(form_field_hint.html, form_field_error.html), byte for byte, in Python (issue 19).

Every form field of the portal is included through form_field.html; in the template language it
was the filing form's second largest cost after the widgets. The template now holds only this tag,
so the 100-odd ``{% include "includes/form_field.html" with field=… %}`` stay as they are. Context:
``field`` (a BoundField), optional ``hide_optional``. Each value goes through
``render_value_in_context`` as ``{{ … }}`` does; the help text is trusted (``|safe``) as before.
tests/test_kern_fields.py renders the fields of the portal's forms both ways and compares the bytes.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .kern_widgets import render_value

register = template.Library()


def _hint(field, context) -> str:
    """templates/includes/form_field_hint.html."""
    if not field.help_text:
        return "\n"
    auto_id = render_value(field.auto_id, context)
    return f'<div class="kern-hint" id="{auto_id}_helptext">{field.help_text}</div>\n'


def _error(field, context) -> str:
    """templates/includes/form_field_error.html."""
    errors = field.errors
    if not errors:
        return "\n"
    auto_id = render_value(field.auto_id, context)
    shown = "<br>".join(render_value(error, context) for error in errors)
    return (
        f'<div class="kern-error" id="{auto_id}_error">\n'
        '  <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>\n'
        f'  <p class="kern-body"><span class="kern-sr-only">{gettext("Fehler:")} </span>{shown}</p>\n'
        "</div>\n"
    )


def render_field(field, context, *, hide_optional) -> str:
    """templates/includes/form_field.html as it was in the template language."""
    widget = render_value(field, context)
    if field.is_hidden:
        return f"\n\n{widget}\n"
    label = render_value(field.label, context)
    optional = ""
    if not field.field.required and not hide_optional:
        optional = f' <span class="kern-label__optional">– {gettext("optional")}</span>'
    if field.use_fieldset:
        describedby = field.aria_describedby
        described = f' aria-describedby="{render_value(describedby, context)}"' if describedby else ""
        body = (
            f'\n  <fieldset class="kern-fieldset ds-field{" kern-fieldset--error" if field.errors else ""}"'
            f'{described}>\n    <legend class="kern-label">{label}{optional}</legend>\n'
            f"    {_hint(field, context)}\n    {widget}\n    {_error(field, context)}\n  </fieldset>\n"
        )
    elif field.widget_type == "checkbox":
        for_id = render_value(field.id_for_label, context)
        body = (
            f'\n  <div class="ds-field ds-field--check{" kern-form-input--error" if field.errors else ""}">\n'
            f'    <div class="kern-form-check">\n      {widget}\n'
            f'      <label class="kern-label" for="{for_id}">{label}</label>\n    </div>\n'
            f"    {_hint(field, context)}\n    {_error(field, context)}\n  </div>\n"
        )
    else:
        for_id = render_value(field.id_for_label, context)
        body = (
            f'\n  <div class="kern-form-input ds-field{" kern-form-input--error" if field.errors else ""}">\n'
            f'    <label class="kern-label" for="{for_id}">{label}{optional}</label>\n'
            f"    {_hint(field, context)}\n    {widget}\n    {_error(field, context)}\n  </div>\n"
        )
    return f"\n\n\n{body}\n\n"


@register.simple_tag(takes_context=True)
def kern_field(context):
    html = render_field(context.get("field"), context, hide_optional=context.get("hide_optional"))
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - every value in it went through render_value_in_context


@register.simple_tag(takes_context=True)
def kern_field_of(context, field, hide_optional=False):
    """``{% kern_field_of form.x %}``: what ``{% include "includes/form_field.html" with field=form.x %}``
    renders (the include's file is this tag alone), without the include's own cost — on the filing form
    the includes of its 13 fields and the module fields cost as much as a field (issue 19)."""
    html = render_field(field, context, hide_optional=hide_optional)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - every value in it went through render_value_in_context


@register.simple_tag(takes_context=True)
def kern_fields_of(context, fields, hide_optional=False):
    """``{% for field in fields %}{% include "includes/form_field.html" with hide_optional=… %}{% endfor %}``."""
    html = "".join(render_field(field, context, hide_optional=hide_optional) for field in fields)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - every value in it went through render_value_in_context


#: What includes/form_errors.html renders for a form without errors: the line breaks after its {% load %},
#: its comment and its {% if %} (tests/test_form_errors_of.py renders both).
_NO_ERRORS = "\n\n\n"


@register.simple_tag(takes_context=True)
def form_errors_of(context, form):
    """``{% form_errors_of form %}``: what ``{% include "includes/form_errors.html" %}`` renders with this
    form, without the include for a form that has no errors (the call-off page's action forms, as a rule)."""
    if not form.errors:
        return _NO_ERRORS
    with context.push(form=form):
        return context.template.engine.get_template("includes/form_errors.html").render(context)
