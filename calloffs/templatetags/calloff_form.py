"""The filing form page's loops, rendered in Python (issue 19): the providers' hotlines and the reporting
clocks of templates/calloffs/calloff_form.html, byte for byte what their ``{% for %}`` loops rendered
(each ``{{ … }}`` through ``render_value_in_context``, ``|date`` on the local time, ``|cut`` on the
string, the translated literal unescaped as ``{% translate %}`` leaves it). The page snapshots
(tests/calloffs/test_page_snapshots.py) and tests/calloffs/test_calloff_page_tags.py compare them.

In the template: ``{% load calloff_form %}``, ``{% calloff_hotlines hotlines %}``, ``{% calloff_clocks %}``
(context: clocks).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from digisos.templatetags.kern_widgets import render_value

from .calloff_page import _date, translated, with_tag_locale

register = template.Library()


def hotline_items(providers, context) -> str:
    """``{% for provider in … %}<li>{{ provider.short_name }}: <a … href="tel:{{ provider.hotline|cut:' ' }}">…``."""
    out = []
    for provider in providers:
        hotline = provider.hotline
        out.append(
            f"<li>{render_value(provider.short_name, context)}: "
            f'<a class="kern-link" href="tel:{render_value(str(hotline).replace(" ", ""), context)}">'
            f"{render_value(hotline, context)}</a></li>"
        )
    return "".join(out)


def clock_items(clocks, context) -> str:
    """``{% for clock in clocks %}<li data-clock-seconds="…">{{ clock.label }}: {% translate "bis" %} <time …>``."""
    until = translated("bis")
    out = []
    for clock in clocks:
        due = clock["due_at"]
        out.append(
            f'<li data-clock-seconds="{render_value(clock["seconds"], context)}">'
            f"{render_value(clock['label'], context)}: {until} "
            f'<time datetime="{_date(due, "c", context)}">{_date(due, "SHORT_DATETIME_FORMAT", context)}</time></li>'
        )
    return "".join(out)


# Every value in these went through render_value_in_context; "bis" is the template's own translation.
@register.simple_tag(takes_context=True)
def calloff_hotlines(context, providers):
    return mark_safe(hotline_items(providers or (), context))  # noqa: S308  # nosec B308 B703


@register.simple_tag(takes_context=True)
@with_tag_locale
def calloff_clocks(context):
    return mark_safe(clock_items(context.get("clocks") or (), context))  # noqa: S308  # nosec B308 B703
