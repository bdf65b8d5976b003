"""digisos/templatetags/kern_widgets.py renders what the widget templates rendered, byte for byte.

The reference is the template chain as it was before (issue 19): Django's own input.html,
radio_option.html, checkbox_option.html and select_option.html, our input_option.html, and the
attrs.html below (the template language version, kept here as the reference). Random widgets of
every kind Django has, with random attributes (classes with markup characters, booleans, numbers,
safe strings), values and choices (lazy, numeric, markup), are rendered both ways.
"""

from __future__ import annotations

from pathlib import Path

import django
import pytest
from django import forms
from django.template import Context, Engine
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
DJANGO_WIDGETS = Path(django.__file__).parent / "forms" / "templates" / "django" / "forms" / "widgets"
OURS = ROOT / "templates" / "django" / "forms" / "widgets"

#: attrs.html as it was in the template language (the reference for kern_attrs).
OLD_ATTRS = (
    '{% with t=widget.type tn=widget.template_name %}{% if tn == "django/forms/widgets/select_option.html" or '
    't == "hidden" or widget.attrs.multiple %}{% if widget.attrs.class %} class="{{ widget.attrs.class }}"'
    "{% endif %}{% else %} class=\"{% if t == 'checkbox' %}kern-form-check__checkbox{% elif t == 'radio' %}"
    "kern-form-check__radio{% elif tn == 'django/forms/widgets/select.html' %}kern-form-input__select{% else %}"
    'kern-form-input__input{% endif %}{% if widget.attrs.class %} {{ widget.attrs.class }}{% endif %}"{% endif %}'
    '{% endwith %}{% for name, value in widget.attrs.items %}{% if name != "class" and value is not False %} '
    "{{ name }}{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}"
)


def _templates(*, old: bool) -> dict[str, str]:
    """The widget templates as they are (new) or with the include per option and OLD_ATTRS (old)."""
    found = {f"django/forms/widgets/{p.name}": p.read_text() for p in DJANGO_WIDGETS.glob("*.html")}
    found.update({f"django/forms/widgets/{p.name}": p.read_text() for p in OURS.glob("*.html")})
    if old:
        found["django/forms/widgets/attrs.html"] = OLD_ATTRS
        for name in ("multiple_input.html", "select.html"):
            key = f"django/forms/widgets/{name}"
            found[key] = (
                found[key]
                .replace("{% load kern_widgets %}", "")
                .replace("{% kern_option option %}", "{% include option.template_name with widget=option %}")
            )
    found["option"] = "{% include option.template_name with widget=option %}"
    found["attrs"] = '{% include "django/forms/widgets/attrs.html" %}'
    found["new_option"] = "{% load kern_widgets %}{% kern_option option %}"
    return found


def _engine(templates: dict[str, str]) -> Engine:
    return Engine(
        loaders=[("django.template.loaders.locmem.Loader", templates)],
        libraries={"kern_widgets": "digisos.templatetags.kern_widgets"},
    )


OLD = _engine(_templates(old=True))
NEW = _engine(_templates(old=False))


def render(engine: Engine, name: str, **context) -> str:
    return engine.get_template(name).render(Context(context, autoescape=True))


TEXTS = st.one_of(
    st.sampled_from(["", "a", 'x" onclick="y', "<b>&amp;</b>", "Ä ß é", "kern-x  y"]),
    st.text(max_size=8),
)
VALUES = st.one_of(
    TEXTS,
    st.booleans(),
    st.integers(-2000, 2000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.builds(mark_safe, TEXTS),
    st.builds(gettext_lazy, st.sampled_from(["Ja", "Nein"])),
    st.none(),
)
ATTRS = st.dictionaries(
    st.sampled_from(["class", "id", "multiple", "size", "required", "disabled", "aria-invalid", "data-x", "rows"]),
    VALUES,
    max_size=5,
)
LABELS = st.one_of(TEXTS, st.integers(0, 100000), st.builds(gettext_lazy, st.sampled_from(["Ja", "Nein"])))
CHOICES = st.lists(st.tuples(st.one_of(TEXTS, st.integers(0, 5000)), LABELS), max_size=4)
WIDGETS = st.sampled_from(
    [
        forms.TextInput,
        forms.EmailInput,
        forms.NumberInput,
        forms.HiddenInput,
        forms.PasswordInput,
        forms.DateTimeInput,
        forms.Textarea,
        forms.CheckboxInput,
        forms.Select,
        forms.SelectMultiple,
        forms.NullBooleanSelect,
        forms.RadioSelect,
        forms.CheckboxSelectMultiple,
    ]
)


@pytest.mark.parametrize("language", ["de", "en"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(widget_class=WIDGETS, attrs=ATTRS, extra=ATTRS, value=VALUES, choices=CHOICES, grouped=st.booleans())
def test_the_tags_render_what_the_templates_rendered(language, widget_class, attrs, extra, value, choices, grouped):
    kwargs = {"attrs": attrs}
    if widget_class in (forms.Select, forms.SelectMultiple, forms.RadioSelect, forms.CheckboxSelectMultiple):
        kwargs["choices"] = [("Gruppe", choices)] + choices if grouped and choices else choices
    widget = widget_class(**kwargs)
    with translation.override(language):
        context = widget.get_context("feld", value, extra)["widget"]
        assert render(NEW, "attrs", widget=context) == render(OLD, "attrs", widget=context)
        for _group, options, _index in context.get("optgroups", []):
            for option in options:
                assert render(NEW, "new_option", option=option) == render(OLD, "option", option=option)
        for template in ("django/forms/widgets/multiple_input.html", "django/forms/widgets/select.html"):
            if context.get("optgroups") is not None:
                assert render(NEW, template, widget=context) == render(OLD, template, widget=context)


ALL_WIDGETS = st.one_of(
    WIDGETS,
    st.sampled_from([forms.URLInput, forms.DateInput, forms.TimeInput]),
)


@pytest.mark.parametrize("language", ["de", "en"])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(widget_class=ALL_WIDGETS, attrs=ATTRS, extra=ATTRS, value=VALUES, choices=CHOICES, grouped=st.booleans())
def test_the_form_renderer_renders_what_the_templates_render(
    language, widget_class, attrs, extra, value, choices, grouped
):
    """digisos.form_renderer.KernFormRenderer (the setting) against TemplatesSetting, whole widgets."""
    from django.conf import settings as django_settings
    from django.forms.renderers import TemplatesSetting

    from digisos.form_renderer import KernFormRenderer

    assert django_settings.FORM_RENDERER == "digisos.form_renderer.KernFormRenderer"
    kwargs = {"attrs": attrs}
    if widget_class in (forms.Select, forms.SelectMultiple, forms.RadioSelect, forms.CheckboxSelectMultiple):
        kwargs["choices"] = [("Gruppe", choices)] + choices if grouped and choices else choices
    widget = widget_class(**kwargs)
    with translation.override(language):
        fast = widget.render("feld", value, attrs=extra, renderer=KernFormRenderer())
        slow = widget.render("feld", value, attrs=extra, renderer=TemplatesSetting())
    assert fast == slow


def test_a_widget_with_an_option_template_of_its_own_goes_through_its_template():
    from digisos.form_renderer import KernFormRenderer

    class Custom(forms.RadioSelect):
        option_template_name = "no/such/option.html"

    with pytest.raises(django.template.TemplateDoesNotExist):
        Custom(choices=[(1, "a")]).render("feld", 1, renderer=KernFormRenderer())


def test_another_option_template_is_included_as_before():
    option = {"template_name": "custom_option.html", "label": "<Eigen>", "value": 1, "attrs": {}}
    templates = _templates(old=False)
    templates["custom_option.html"] = "[{{ widget.label }}|{{ widget.value }}]"
    assert render(_engine(templates), "new_option", option=option) == "[&lt;Eigen&gt;|1]"
