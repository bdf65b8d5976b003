"""The call-off page's loops, rendered in Python (issue 19): the timeline (htmx/calloff_live.html), the
table of services (calloffs/calloff_detail.html) and the first-hour checklist's steps
(calloffs/includes/first_hour_checklist.html).

Each tag returns, byte for byte, what the ``{% for %}`` it replaced rendered: the same whitespace,
each ``{{ … }}`` through ``render_value_in_context`` (escaping, localisation, time zone as the
template's context sets them), a ``|date`` with the value in local time first (the filter's
``expects_localtime``), ``{% translate %}`` and ``{% blocktranslate %}`` through ``gettext`` with the
same message ids (a translated literal is not escaped, a blocktranslate's values are).
tests/calloffs/test_page_snapshots.py holds the whole pages (German and English, each party), written
with the template loops, and tests/calloffs/test_calloff_page_tags.py renders the old loops beside the
tags.

In a template: ``{% load calloff_page %}`` and ``{% calloff_timeline_items %}`` (context: events,
provider_view), ``{% calloff_service_rows %}`` (services), ``{% calloff_checklist_steps %}`` (checklist,
actions, checklist_url).
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.core.signals import setting_changed
from django.template.defaulttags import CsrfTokenNode
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, ngettext

from digisos.fast_date import date_filter
from digisos.fast_reverse import reverse_uuids
from digisos.templatetags.kern_widgets import render_value

from .money import eur, quantity

register = template.Library()

_CSRF = CsrfTokenNode()


#: Per model field with choices: {value: label}, as ``get_<field>_display`` builds it on every call (hashing
#: each lazy label translates it: ~0.1 ms per call on the page). The labels stay lazy: shown in the
#: language of the request.
_LABELS: dict = {}


@register.filter
def choice_label(instance, name: str) -> str:
    """``{{ calloff|choice_label:"state" }}``: what ``{{ calloff.get_state_display }}`` shows, the choices'
    lookup built once per process (Model._get_FIELD_display's expression)."""
    field = instance._meta.get_field(name)
    labels = _LABELS.get(field)
    if labels is None:
        labels = _LABELS[field] = dict(make_hashable(field.flatchoices))
    value = getattr(instance, field.attname)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


def _date(value, fmt: str, context) -> str:
    """``{{ value|date:fmt }}`` (digisos.fast_date); ``|date:'c'`` of a datetime is its isoformat()
    (DateFormat.c), without parsing the format."""
    value = template_localtime(value, context.use_tz)
    if fmt == "c" and isinstance(value, datetime):
        return render_value(value.isoformat(), context)
    return render_value(date_filter(value, fmt), context)


def timeline_items(events, provider_view, context) -> str:
    """The ``{% for event in events %}`` of htmx/calloff_live.html."""
    out = []
    for event in events:
        out.append("\n      ")
        if not provider_view or event.kind != "skipped":
            provider = event.provider
            by = f" · {render_value(provider.short_name, context)}" if provider and not provider_view else ""
            reason = event.reason
            why = f": {render_value(reason, context)}" if reason and not provider_view else ""
            kind = render_value(choice_label(event, "kind"), context)
            out.append(
                '\n        <li class="ds-timeline__item"><p class="kern-body ds-muted"><time datetime="'
                f'{_date(event.at, "c", context)}">{_date(event.at, "SHORT_DATETIME_FORMAT", context)}</time>{by}</p>\n'
                f'          <p class="kern-body">{kind}{why}</p></li>\n'
                "      "
            )
        out.append("\n    ")
    return "".join(out)


def service_rows(services, context) -> str:
    """The ``{% for line in services %}`` of calloffs/calloff_detail.html."""
    out = []
    for line in services:
        module = line.service_module
        out.append(
            '\n            <tr class="kern-table__row">\n'
            f'              <td class="kern-table__cell">{render_value(module.name, context)}</td>\n'
            '              <td class="kern-table__cell kern-table__cell--numeric">'
            f"{render_value(quantity(line.estimated_quantity, module.unit), context)}</td>\n"
            '              <td class="kern-table__cell kern-table__cell--numeric">'
            f"{render_value(eur(line.unit_price), context)}</td>\n"
            '              <td class="kern-table__cell kern-table__cell--numeric">'
            f"{render_value(eur(line.value), context)}</td>\n"
            "            </tr>\n"
            "          "
        )
    return "".join(out)


def _step_html(row, can_tick, url, csrf, context) -> str:
    """One step of the ``{% for row in checklist %}`` of calloffs/includes/first_hour_checklist.html."""
    done = row.done
    step = render_value(row.step, context)
    if done:
        state = gettext("Erledigt – %(at)s, %(by)s") % {
            "at": _date(row.changed_at, "SHORT_DATETIME_FORMAT", context),
            "by": render_value(row.changed_by, context),
        }
    else:
        state = gettext("Offen")
    out = [
        f'\n      <li class="ds-checklist__item{" ds-checklist__item--done" if done else ""}" id="step-{step}">\n'
        '        <p class="kern-body"><span class="ds-checklist__mark" aria-hidden="true">'
        f"{'✓' if done else '○'}</span>\n"
        f'          <span id="step-{step}-text">{render_value(row.label, context)}</span></p>\n'
        f'        <p class="kern-body ds-muted" id="step-{step}-state">{state}</p>\n'
        "        "
    ]
    if can_tick:
        label = gettext("Haken entfernen") if done else gettext("Als erledigt abhaken")
        out.append(
            f'\n          <form method="post" action="{url}">\n'
            f"            {csrf}\n"
            f'            <input type="hidden" name="step" value="{step}">\n'
            f'            <input type="hidden" name="done" value="{"0" if done else "1"}">\n'
            f'            <button class="kern-btn kern-btn--{"tertiary" if done else "secondary"}" type="submit" '
            f'aria-describedby="step-{step}-text step-{step}-state">\n'
            f'              <span class="kern-label">{label}</span>\n'
            "            </button>\n"
            "          </form>\n"
            "        "
        )
    out.append("\n      </li>\n    ")
    return "".join(out)


#: A step not ticked yet looks the same on every call-off in one language: its HTML is kept per language,
#: autoescaping, whether the viewer may tick, the step and its label (the label object itself, FirstHourStep's
#: lazy label: a row with another label is rendered anew), in three pieces around the request's own form URL
#: and CSRF token. Nothing of a body, a call-off or a user is kept. Forgotten when a setting changes (tests).
_OPEN_STEPS: dict[tuple, tuple[object, tuple[str, ...]]] = {}
_URL_MARK, _CSRF_MARK = "\x00url\x00", "\x00csrf\x00"


def _forget_open_steps(**kwargs) -> None:
    _OPEN_STEPS.clear()


setting_changed.connect(_forget_open_steps, dispatch_uid="calloffs.templatetags.calloff_page.open_steps")


def _open_step_html(row, can_tick, url, csrf, context, language) -> str:
    key = (language, context.autoescape, can_tick, row.step)
    kept = _OPEN_STEPS.get(key)
    if kept is None or kept[0] is not row.label:
        html = _step_html(row, can_tick, _URL_MARK, _CSRF_MARK, context)
        marks = (1, 1) if can_tick else (0, 0)
        if (html.count(_URL_MARK), html.count(_CSRF_MARK)) != marks:  # a label with a mark in it: not kept
            return _step_html(row, can_tick, url, csrf, context)
        if can_tick:
            head, rest = html.split(_URL_MARK)
            middle, tail = rest.split(_CSRF_MARK)
            parts = (head, middle, tail)
        else:
            parts = (html,)
        if len(_OPEN_STEPS) > 256:  # languages × steps × the two ways of viewing
            _OPEN_STEPS.clear()
        kept = _OPEN_STEPS[key] = (row.label, parts)
    parts = kept[1]
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]}{url}{parts[1]}{csrf}{parts[2]}"


def checklist_steps(checklist, can_tick, checklist_url, context) -> str:
    """The ``{% for row in checklist %}`` of calloffs/includes/first_hour_checklist.html."""
    csrf = _CSRF.render(context) if can_tick else ""
    url = render_value(checklist_url, context) if can_tick else ""
    language = get_language()
    return "".join(
        _step_html(row, can_tick, url, csrf, context)
        if row.done
        else _open_step_html(row, can_tick, url, csrf, context, language)
        for row in checklist
    )


# Every value in these went through render_value_in_context; the translations are the templates' own.
@register.simple_tag(takes_context=True)
def calloff_timeline_items(context):
    return mark_safe(timeline_items(context.get("events") or (), context.get("provider_view"), context))  # noqa: S308  # nosec B308 B703


@register.simple_tag(takes_context=True)
def calloff_service_rows(context):
    return mark_safe(service_rows(context.get("services") or (), context))  # noqa: S308  # nosec B308 B703


@register.simple_tag(takes_context=True)
def calloff_checklist_steps(context):
    actions = context.get("actions") or {}
    can_tick = bool(actions.get("checklist")) if hasattr(actions, "get") else False
    html = checklist_steps(context.get("checklist") or (), can_tick, context.get("checklist_url"), context)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


def checklist_section(context) -> str:
    """calloffs/includes/first_hour_checklist.html, byte for byte (the template is kept in
    tests/calloffs/test_calloff_page_tags.py and rendered beside this)."""
    checklist = context.get("checklist") or ()
    actions = context.get("actions") or {}
    can_tick = bool(actions.get("checklist")) if hasattr(actions, "get") else False
    url = reverse_uuids("calloffs:action", context.get("calloff").public_id, "checklist") if can_tick else None
    count = context.get("checklist_done")
    done = ngettext(
        "%(counter)s von %(total)s Schritten erledigt.", "%(counter)s von %(total)s Schritten erledigt.", count
    ) % {"counter": render_value(count, context), "total": render_value(len(checklist), context)}
    hint = gettext(
        "Die Schritte der Notfallkarte; jeder Haken steht mit Uhrzeit und Namen in der Zeitleiste des "
        "Sicherheitsvorfalls."
    )
    return (
        '\n\n<section class="ds-flow ds-checklist" aria-labelledby="checklist-heading" id="checkliste">\n'
        f'  <h2 class="kern-heading-medium" id="checklist-heading">{gettext("Checkliste für die erste Stunde")}</h2>\n'
        f'  <p class="kern-body">{done} {hint}</p>\n'
        '  <ol class="ds-checklist__list">\n    '
        f"{checklist_steps(checklist, can_tick, url, context)}\n  </ol>\n</section>\n"
    )


@register.simple_tag(takes_context=True)
def calloff_checklist_section(context):
    """``{% calloff_checklist_section %}``: the first-hour checklist (calloffs/includes/first_hour_checklist.html)."""
    return mark_safe(checklist_section(context))  # noqa: S308  # nosec B308 B703 - values escaped by render_value
