"""The main navigation's entries in Python ({% portal_nav_items %}, digisos/templatetags/portal.py) render
what the template loop they replaced rendered, byte for byte, and escape what they show."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy

LOOP = """{% for label, url, current in portal_nav %}
              {# includes/nav_link.html inline (an include per entry cost more than its link; the line break is the file's) #}<li><a class="ds-nav__link" href="{{ url }}"{% if current %} aria-current="page"{% endif %}>{{ label }}</a>
</li>
            {% endfor %}"""  # noqa: E501

ENTRIES = [
    (gettext_lazy("Übersicht"), "/", False),
    (gettext_lazy("Abrufe"), "/abrufe/", True),
    ("<script>alert(1)</script> & Co", '/x/?a=1&b="2"', False),
]


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_entries_render_what_the_loop_rendered(language, autoescape):
    with translation.override(language):
        for entries in (ENTRIES, ENTRIES[:1], []):
            old = Template(LOOP).render(Context({"portal_nav": entries}, autoescape=autoescape))
            new = Template("{% load portal %}{% portal_nav_items %}").render(
                Context({"portal_nav": entries}, autoescape=autoescape)
            )
            assert new == old


def test_hostile_labels_are_escaped():
    html = Template("{% load portal %}{% portal_nav_items %}").render(Context({"portal_nav": ENTRIES}))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert 'href="/x/?a=1&amp;b=&quot;2&quot;"' in html
    assert html.count('aria-current="page"') == 1
