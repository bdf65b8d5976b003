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

Tags decorated ``with_tag_locale`` look the time zone and language up once per tag, not for each of their
dates (``_date``), literals (``translated``) and choice labels (``choice_text``): each lookup reads a
context-local value (tests/calloffs/test_tag_locale.py). ``{% action_fields_of %}`` keeps the fields of the
unbound reason and summary forms (tests/calloffs/test_action_fields.py); ``|fast_date`` is ``|date`` through
digisos.fast_date.

In a template: ``{% load calloff_page %}`` and ``{% calloff_timeline_items %}`` (context: events,
provider_view), ``{% calloff_service_rows %}`` (services), ``{% calloff_checklist_steps %}`` (checklist,
actions, checklist_url).
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from datetime import datetime

from django import template
from django.core.signals import setting_changed
from django.template.defaulttags import CsrfTokenNode
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, ngettext

from digisos.fast_date import LocalDates, date_filter
from digisos.fast_reverse import reverse_uuids_in
from digisos.templatetags.kern_fields import kern_fields_of
from digisos.templatetags.kern_widgets import render_value
from digisos.templatetags.portal import url_state

from ..forms import ReasonForm, SummaryForm
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


@register.filter(expects_localtime=True, is_safe=False)
def fast_date(value, arg=None):
    """``{{ value|fast_date:fmt }}``: what ``{{ value|date:fmt }}`` shows (django.template.defaultfilters.date:
    nothing for None and "", the value in local time as that filter asks), through digisos.fast_date."""
    if value in (None, ""):
        return ""
    return date_filter(value, arg)


class _TagLocale:
    """The time zone, formats and language of one tag's rendering (with_tag_locale), each looked up once: every
    lookup reads a context-local value (asgiref Local), as dear as formatting a date (issue 19)."""

    def __init__(self, context):
        self.dates = LocalDates(context.use_tz)
        self.language = get_language()


_LOCALE: ContextVar[_TagLocale | None] = ContextVar("calloff_page_locale", default=None)


class _Kept(dict):
    """Fixed text this module keeps (translations, choice labels, open steps, plain form fields): emptied when
    it would hold more than ``limit`` entries, and, like every _Kept, when a setting changes (the catalogues,
    LANGUAGE_CODE in tests)."""

    every: list[_Kept] = []

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        _Kept.every.append(self)

    def keep(self, key, value):
        if len(self) > self.limit:
            self.clear()
        self[key] = value
        return value


def _forget_kept(**kwargs) -> None:
    for kept in _Kept.every:
        kept.clear()


setting_changed.connect(_forget_kept, dispatch_uid="calloffs.templatetags.calloff_page.kept")

#: {(language, message): gettext(message)} of the tags' literals (a few dozen per language).
_TRANSLATED = _Kept(1024)  # literals × languages: a few hundred at most
#: {(language, field, value): choice_label}: the choice labels shown in with_tag_locale tags.
_CHOICE_TEXTS = _Kept(1024)  # languages × the fields' choices


def with_tag_locale(tag):
    """For a tag (context first) written in Python: while its own code runs, the time zone and the language
    are the same (a template it renders gives back any it changes), so each is looked up once for its dates
    (``_date``, digisos.fast_date.LocalDates) and literals (``translated``), not for every one."""

    @functools.wraps(tag)
    def render(context, *args, **kwargs):
        token = _LOCALE.set(_TagLocale(context))
        try:
            return tag(context, *args, **kwargs)
        finally:
            _LOCALE.reset(token)

    return render


def translated(message: str) -> str:
    """``gettext(message)`` of a literal; inside a with_tag_locale tag kept per language and message."""
    locale = _LOCALE.get()
    if locale is None:
        return gettext(message)
    key = (locale.language, message)
    text = _TRANSLATED.get(key)
    if text is None:
        text = _TRANSLATED.keep(key, gettext(message))
    return text


def choice_text(instance, name: str):
    """``choice_label(instance, name)`` (the label translated); inside a with_tag_locale tag kept per language,
    field and value."""
    locale = _LOCALE.get()
    if locale is None:
        return choice_label(instance, name)
    field = instance._meta.get_field(name)
    key = (locale.language, field, make_hashable(getattr(instance, field.attname)))
    text = _CHOICE_TEXTS.get(key)
    if text is None:
        text = _CHOICE_TEXTS.keep(key, choice_label(instance, name))
    return text


def count_shown(value, context) -> str:
    """``render_value(value, context)``: an int of up to three digits is localised as itself (number_format
    groups only longer numbers, and an int has no decimals), without looking up the language's formats."""
    if value.__class__ is int and -1000 < value < 1000:
        return str(value)
    return render_value(value, context)


def _date(value, fmt: str, context) -> str:
    """``{{ value|date:fmt }}`` (digisos.fast_date); ``|date:'c'`` of a datetime is its isoformat()
    (DateFormat.c), without parsing the format."""
    locale = _LOCALE.get()
    dates = locale.dates if locale is not None else None
    if dates is None or dates.use_tz is not context.use_tz:
        value = template_localtime(value, context.use_tz)
        if fmt == "c" and isinstance(value, datetime):
            return render_value(value.isoformat(), context)
        return render_value(date_filter(value, fmt), context)
    value = dates.local(value)
    if fmt == "c" and isinstance(value, datetime):
        return render_value(value.isoformat(), context)
    return render_value(dates.format(value, fmt), context)


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
            kind = render_value(choice_text(event, "kind"), context)
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
        state = translated("Erledigt – %(at)s, %(by)s") % {
            "at": _date(row.changed_at, "SHORT_DATETIME_FORMAT", context),
            "by": render_value(row.changed_by, context),
        }
    else:
        state = translated("Offen")
    out = [
        f'\n      <li class="ds-checklist__item{" ds-checklist__item--done" if done else ""}" id="step-{step}">\n'
        '        <p class="kern-body"><span class="ds-checklist__mark" aria-hidden="true">'
        f"{'✓' if done else '○'}</span>\n"
        f'          <span id="step-{step}-text">{render_value(row.label, context)}</span></p>\n'
        f'        <p class="kern-body ds-muted" id="step-{step}-state">{state}</p>\n'
        "        "
    ]
    if can_tick:
        label = translated("Haken entfernen") if done else translated("Als erledigt abhaken")
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
_OPEN_STEPS = _Kept(256)  # languages × steps × the two ways of viewing: (label, pieces)
_URL_MARK, _CSRF_MARK = "\x00url\x00", "\x00csrf\x00"


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
        kept = _OPEN_STEPS.keep(key, (row.label, parts))
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
@with_tag_locale
def calloff_timeline_items(context):
    return mark_safe(timeline_items(context.get("events") or (), context.get("provider_view"), context))  # noqa: S308  # nosec B308 B703


@register.simple_tag(takes_context=True)
def calloff_service_rows(context):
    return mark_safe(service_rows(context.get("services") or (), context))  # noqa: S308  # nosec B308 B703


@register.simple_tag(takes_context=True)
@with_tag_locale
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
    url = None
    if can_tick:
        public_id = context.get("calloff").public_id
        url = reverse_uuids_in(*url_state(context), "calloffs:action", public_id, "checklist")
    count = context.get("checklist_done")
    done = ngettext(
        "%(counter)s von %(total)s Schritten erledigt.", "%(counter)s von %(total)s Schritten erledigt.", count
    ) % {"counter": count_shown(count, context), "total": count_shown(len(checklist), context)}
    hint = translated(
        "Die Schritte der Notfallkarte; jeder Haken steht mit Uhrzeit und Namen in der Zeitleiste des "
        "Sicherheitsvorfalls."
    )
    title = translated("Checkliste für die erste Stunde")
    return (
        '\n\n<section class="ds-flow ds-checklist" aria-labelledby="checklist-heading" id="checkliste">\n'
        f'  <h2 class="kern-heading-medium" id="checklist-heading">{title}</h2>\n'
        f'  <p class="kern-body">{done} {hint}</p>\n'
        '  <ol class="ds-checklist__list">\n    '
        f"{checklist_steps(checklist, can_tick, url, context)}\n  </ol>\n</section>\n"
    )


@register.simple_tag(takes_context=True)
@with_tag_locale
def calloff_checklist_section(context):
    """``{% calloff_checklist_section %}``: the first-hour checklist (calloffs/includes/first_hour_checklist.html)."""
    return mark_safe(checklist_section(context))  # noqa: S308  # nosec B308 B703 - values escaped by render_value


#: The action forms whose fields, unbound and without initial values, show nothing but their class: a reason
#: (decline, cancel) and a summary (complete), each a text area (the accept form's date fields are not: their
#: limits move with the clock; the assignment's choices are the call-off's). Their fields' HTML is kept per
#: form class, ids (auto_id, prefix), language and autoescaping; forgotten when a setting changes (tests).
_PLAIN_FORMS = frozenset({ReasonForm, SummaryForm})
_PLAIN_FIELDS = _Kept(64)  # forms × ids × languages


@register.simple_tag(takes_context=True)
def action_fields_of(context, form):
    """``{% action_fields_of form %}``: what ``{% kern_fields_of form %}`` renders; for an unbound form of
    _PLAIN_FORMS without initial values, kept (the cancel form on every page of a body, issue 19)."""
    if form.__class__ not in _PLAIN_FORMS or form.is_bound or form.initial:
        return kern_fields_of(context, form)
    key = (
        form.__class__,
        form.auto_id,
        form.prefix,
        form.label_suffix,
        form.use_required_attribute,
        get_language(),
        context.autoescape,
    )
    html = _PLAIN_FIELDS.get(key)
    if html is None:
        html = _PLAIN_FIELDS.keep(key, kern_fields_of(context, form))
    return html
