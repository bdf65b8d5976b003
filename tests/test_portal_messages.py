"""The page frame's messages in Python ({% portal_messages %}, digisos/templatetags/portal.py) render what the
template loop they replaced rendered (each message through includes/alert.html), byte for byte, and escape
what they show."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

#: templates/base.html's loop before {% portal_messages %}.
LOOP = """{% for message in messages %}
              {% if message.level_tag == "error" %}
                {% include "includes/alert.html" with variant="danger" text=message role="alert" only %}
              {% elif message.level_tag == "warning" %}
                {% include "includes/alert.html" with variant="warning" text=message role="alert" only %}
              {% elif message.level_tag == "success" %}
                {% include "includes/alert.html" with variant="success" text=message role="status" only %}
              {% else %}
                {% include "includes/alert.html" with variant="info" text=message role="status" only %}
              {% endif %}
            {% endfor %}"""

MESSAGES = [
    Message(constants.SUCCESS, "Ihr Abruf ist eingegangen."),
    Message(constants.ERROR, "<script>alert(1)</script> & Co \"quoted\" 'single'"),
    Message(constants.WARNING, gettext_lazy("Bitte prüfen Sie Ihre Angaben.")),
    Message(constants.INFO, mark_safe("<strong>schon sicher</strong>")),  # noqa: S308
    Message(constants.DEBUG, "debug"),
    Message(35, "a level of its own, no tag"),
    Message(constants.SUCCESS, ""),
    Message(constants.ERROR, 42),
]


def render_both(messages, *, autoescape=True):
    old = Template(LOOP).render(Context({"messages": messages}, autoescape=autoescape))
    new = Template("{% load portal %}{% portal_messages %}").render(
        Context({"messages": messages}, autoescape=autoescape)
    )
    return old, new


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_messages_render_what_the_loop_rendered(language, autoescape):
    with translation.override(language):
        for messages in (MESSAGES, MESSAGES[:1], MESSAGES[1:2], []):
            old, new = render_both(messages, autoescape=autoescape)
            assert new == old


@override_settings(MESSAGE_TAGS={constants.INFO: "error", 35: "success"})
def test_level_tags_of_the_settings_decide_as_in_the_loop():
    old, new = render_both(MESSAGES)
    assert new == old
    assert new.count("kern-alert--danger") == 2 + 1  # two errors and the info that is tagged "error" now


def test_hostile_messages_are_escaped():
    html = render_both(MESSAGES)[1]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co &quot;quoted&quot; &#x27;single&#x27;" in html
    assert "<strong>schon sicher</strong>" in html  # a message marked safe stays as it was


def test_the_frame_shows_a_message_once():
    """Through templates/base.html: a message left by a view is shown once, as an alert, escaped."""
    request = RequestFactory().get("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    request._messages.add(constants.SUCCESS, "Gestellt <b>")
    html = Template('{% extends "base.html" %}{% block content %}x{% endblock content %}').render(
        Context({"messages": get_messages(request), "request": request})
    )
    assert html.count('<div class="kern-alert kern-alert--success" role="status">') == 1
    assert '<p class="kern-body">Gestellt &lt;b&gt;</p>' in html
