"""digisos.fast_reverse gives what reverse() gives: each UUID in its place, for several URLs, under
another script prefix, with literal arguments; other arguments are reversed as before."""

from __future__ import annotations

import uuid

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from digisos.fast_reverse import reverse_uuids

CASES = [
    ("calloffs:list",),
    ("calloffs:live", uuid.uuid4()),
    ("calloffs:action", uuid.uuid4(), "cancel"),
    ("calloffs:action", uuid.uuid4(), "checklist"),
    ("calloffs:attachment_download", uuid.uuid4(), uuid.uuid4()),
    ("calloffs:emergency_card", uuid.uuid4()),
]


@pytest.mark.parametrize("prefix", ["/", "/portal/"])
def test_it_gives_what_reverse_gives(prefix):
    set_script_prefix(prefix)
    try:
        for name, *args in CASES:
            for _ in range(3):  # kept after the first call: a new id each time
                args = [uuid.uuid4() if isinstance(arg, uuid.UUID) else arg for arg in args]
                assert reverse_uuids(name, *args) == reverse(name, args=args)
                assert all(str(arg) in reverse_uuids(name, *args) for arg in args if isinstance(arg, uuid.UUID))
    finally:
        set_script_prefix("/")


def test_other_arguments_are_reversed_as_before():
    public_id = uuid.uuid4()
    assert reverse_uuids("calloffs:live", str(public_id)) == reverse("calloffs:live", args=[str(public_id)])
    with pytest.raises(NoReverseMatch):
        reverse_uuids("calloffs:live", 42)


@pytest.mark.parametrize("prefix", ["/", "/portal/"])
def test_url_of_in_a_template_gives_what_url_gives(prefix):
    """{% url_of %} asks the URL conf and script prefix once per render (digisos/templatetags/portal.py):
    several URLs in one render, renders under another prefix, beside {% constant %} and {% language %}."""
    from django.template import Context, Template
    from django.utils import translation

    source = (
        "{% load portal constant i18n %}"
        "{% url_of name a %}|{% url 'calloffs:live' a %}|{% url_of 'calloffs:action' b 'cancel' %}|"
        "{% url 'calloffs:action' b 'cancel' %}|{% language 'en' %}{% url_of 'calloffs:live' b %}"
        "{% constant %}{% translate 'Abrufe' %}{% endconstant %}{% endlanguage %}|"
        "{% constant %}{% translate 'Abrufe' %}{% endconstant %}|{% url_of 'calloffs:list' %}"
    )
    set_script_prefix(prefix)
    try:
        with translation.override("de"):
            for _ in range(3):
                a, b = uuid.uuid4(), uuid.uuid4()
                html = Template(source).render(Context({"name": "calloffs:live", "a": a, "b": b}))
                parts = html.split("|")
                assert parts[0] == parts[1] == reverse("calloffs:live", args=[a])
                assert parts[2] == parts[3] == reverse("calloffs:action", args=[b, "cancel"])
                assert parts[4] == reverse("calloffs:live", args=[b]) + "Call-offs"
                assert parts[5] == "Abrufe"  # the language of the block stays in the block
                assert parts[6] == reverse("calloffs:list")
                assert parts[0].startswith(prefix)
    finally:
        set_script_prefix("/")
