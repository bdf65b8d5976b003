"""{% kern_field %} (templates/includes/form_field.html) renders what the template language version
rendered, byte for byte: fields of every kind (hidden, checkbox, radio and checkbox groups in a
fieldset, select, textarea, inputs), required and optional, with and without help text (markup
trusted) and errors (escaped), labels with markup characters, hide_optional, German and English.
"""

from __future__ import annotations

import pytest
from django import forms
from django.template import engines
from django.utils import translation
from django.utils.safestring import mark_safe

from calloffs.forms import ChecklistForm, ReasonForm, SummaryForm

#: templates/includes/form_field.html as it was in the template language (the reference).
OLD = """{% load i18n %}
{% comment %}x{% endcomment %}
{% if field.is_hidden %}{{ field }}{% else %}
{% if field.use_fieldset %}
  <fieldset class="kern-fieldset ds-field{% if field.errors %} kern-fieldset--error{% endif %}"{% if field.aria_describedby %} aria-describedby="{{ field.aria_describedby }}"{% endif %}>
    <legend class="kern-label">{{ field.label }}{% if not field.field.required and not hide_optional %} <span class="kern-label__optional">– {% translate "optional" %}</span>{% endif %}</legend>
    {% include "includes/form_field_hint.html" %}
    {{ field }}
    {% include "includes/form_field_error.html" %}
  </fieldset>
{% elif field.widget_type == "checkbox" %}
  <div class="ds-field ds-field--check{% if field.errors %} kern-form-input--error{% endif %}">
    <div class="kern-form-check">
      {{ field }}
      <label class="kern-label" for="{{ field.id_for_label }}">{{ field.label }}</label>
    </div>
    {% include "includes/form_field_hint.html" %}
    {% include "includes/form_field_error.html" %}
  </div>
{% else %}
  <div class="kern-form-input ds-field{% if field.errors %} kern-form-input--error{% endif %}">
    <label class="kern-label" for="{{ field.id_for_label }}">{{ field.label }}{% if not field.field.required and not hide_optional %} <span class="kern-label__optional">– {% translate "optional" %}</span>{% endif %}</label>
    {% include "includes/form_field_hint.html" %}
    {{ field }}
    {% include "includes/form_field_error.html" %}
  </div>
{% endif %}
{% endif %}
"""  # noqa: E501


class Everything(forms.Form):
    name = forms.CharField(label="Name <b>&", help_text=mark_safe("Mit <em>Markup</em>"), max_length=5)
    note = forms.CharField(label="Notiz", required=False, widget=forms.Textarea)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    agree = forms.BooleanField(label="Einverstanden", help_text="Bitte bestätigen")
    maybe = forms.BooleanField(label="Vielleicht", required=False)
    kind = forms.ChoiceField(label="Art", choices=[("a", "A <x>"), ("b", "B")], widget=forms.RadioSelect)
    kinds = forms.MultipleChoiceField(
        label="Arten", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple, required=False
    )
    pick = forms.ChoiceField(label="Wahl", choices=[("", "–"), ("1", "Eins")], required=False, help_text="Hilfe")
    when = forms.DateTimeField(label="Wann", required=False)
    mail = forms.EmailField(label="E-Mail")


def forms_to_render():
    yield Everything()
    yield Everything(data={"name": "<zu lang>", "mail": "kein", "kind": "z", "when": "gestern"})
    yield Everything(data={"name": "ok", "mail": "a@b.de", "agree": "on", "kind": "a"}, auto_id="x_%s")
    yield Everything(auto_id=False)
    yield ReasonForm()
    yield ReasonForm(data={"reason": ""})
    yield SummaryForm(data={})
    yield ChecklistForm(data={})


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("hide_optional", [False, True])
def test_the_tag_renders_what_the_template_rendered(language, hide_optional):
    engine = engines["django"]
    old, new = engine.from_string(OLD), engine.get_template("includes/form_field.html")
    with translation.override(language):
        for form in forms_to_render():
            form.is_bound and form.is_valid()
            for field in form:
                context = {"field": field, "hide_optional": hide_optional}
                assert new.render(context) == old.render(context), field.name
