"""{% constant %} (digisos/templatetags/constant.py): the page frame's fixed stretches rendered once per
language, never anything that reads the request."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.utils import translation

FRAME = (
    '{% load i18n static constant %}{% constant %}<a href="{% url \'home\' %}">{% translate "Menü" %}</a>'
    "{% comment %}x{% endcomment %}<script src=\"{% static 'js/menu.js' %}\"></script>{% endconstant %}"
)


def render(source: str, **values) -> str:
    return Template(source).render(Context(values))


def test_it_renders_what_the_stretch_renders_in_each_language():
    template = Template(FRAME)
    plain = Template(FRAME.replace("{% constant %}", "").replace("{% endconstant %}", ""))
    for language in ("de", "en", "de"):
        with translation.override(language):
            assert template.render(Context()) == plain.render(Context())
    with translation.override("en"):
        assert "Menu" in template.render(Context())


@pytest.mark.parametrize(
    "inside",
    [
        "{{ user.email }}",
        "{% csrf_token %}",
        "{% translate title %}",
        '{% translate "Menü" as x %}',
        '{% translate "Menü"|upper %}',
        "{% url 'calloffs:detail' calloff.public_id %}",
        "{% url 'home' as home %}",
        "{% static path %}",
        "{% if x %}a{% endif %}",
        '{% include "includes/alert.html" %}',
    ],
)
def test_anything_that_reads_the_context_is_refused(inside):
    with pytest.raises(TemplateSyntaxError, match="constant"):
        Template("{% load i18n static constant %}{% constant %}" + inside + "{% endconstant %}")


def test_a_changed_setting_renders_it_anew():
    template = Template("{% load static constant %}{% constant %}{% static 'js/menu.js' %}{% endconstant %}")
    before = template.render(Context())
    with override_settings(STATIC_URL="/elsewhere/"):
        assert template.render(Context()).startswith("/elsewhere/")
    assert template.render(Context()) == before


def test_a_language_block_inside_one_render_gets_its_own_language():
    """The language is asked once per render of a template, but not across a {% language %} block."""
    source = (
        '{% load i18n constant %}{% constant %}{% translate "Abrufe" %}{% endconstant %}|'
        '{% language "en" %}{% constant %}{% translate "Abrufe" %}{% endconstant %}{% endlanguage %}|'
        '{% constant %}{% translate "Abrufe" %}{% endconstant %}'
    )
    plain = source.replace("{% constant %}", "").replace("{% endconstant %}", "")
    for language in ("de", "en"):
        with translation.override(language):
            assert render(source) == render(plain)
    with translation.override("de"):
        assert render(source) == "Abrufe|Call-offs|Abrufe"


def test_each_render_asks_the_language_anew():
    template = Template('{% load i18n constant %}{% constant %}{% translate "Abrufe" %}{% endconstant %}')
    with translation.override("de"):
        assert template.render(Context()) == "Abrufe"
    with translation.override("en"):
        assert template.render(Context()) == "Call-offs"
