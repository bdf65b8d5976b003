"""The call-off page's tags look the time zone and the language up once per tag (calloffs/templatetags/calloff_page.py,
with_tag_locale): their literals (``translated``) and dates (``_date``) come out as ``gettext`` and
``template_localtime`` + ``|date`` give them, tag after tag in other languages and zones."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.template import Context
from django.template.defaultfilters import date as django_date
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from calloffs.templatetags import calloff_page
from calloffs.templatetags.calloff_page import _date, translated, with_tag_locale

LITERALS = ["Status", "Verlauf", "Offen", "Dokumente", "Was jetzt geschieht – was Sie tun", "kein Eintrag im Katalog"]
AT = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@with_tag_locale
def tag(context):
    return [translated(literal) for literal in LITERALS], [
        _date(AT, fmt, context) for fmt in ("SHORT_DATETIME_FORMAT", "c")
    ]


def expected(context):
    local = template_localtime(AT, context.use_tz)
    return [gettext(literal) for literal in LITERALS], [django_date(local, "SHORT_DATETIME_FORMAT"), local.isoformat()]


def test_a_tag_shows_what_gettext_and_the_date_filter_show_in_every_language_and_zone():
    calloff_page._TRANSLATED.clear()
    for _round in range(2):
        for language in ("de", "en", None):
            for zone in ("Europe/Berlin", "UTC", "Asia/Tokyo"):
                for use_tz in (None, True, False):
                    context = Context(use_tz=use_tz)
                    with translation.override(language), timezone.override(ZoneInfo(zone)):
                        assert tag(context) == expected(context), (language, zone, use_tz)
    assert calloff_page._TRANSLATED  # kept
    assert translated("Offen") == gettext("Offen")  # outside a tag: gettext as it is


def test_a_changed_setting_forgets_the_kept_literals():
    with translation.override("de"):
        tag(Context())
    assert calloff_page._TRANSLATED
    with override_settings(LANGUAGE_CODE="en"):
        assert not calloff_page._TRANSLATED


def test_choice_texts_are_the_choice_labels_in_every_language():
    from calloffs.models import CallOff, CallOffEvent, CallOffState, EventKind
    from calloffs.templatetags.calloff_page import choice_label, choice_text

    @with_tag_locale
    def shown(context, instance, name):
        return choice_text(instance, name)

    rows = [(CallOff(state=state), "state") for state in CallOffState.values]
    rows += [(CallOffEvent(kind=kind), "kind") for kind in EventKind.values]
    rows += [(CallOff(state="not-a-state"), "state")]
    for _round in range(2):
        for language in ("de", "en", None):
            with translation.override(language):
                for instance, name in rows:
                    assert shown(Context(), instance, name) == choice_label(instance, name), (language, instance)
                    assert choice_text(instance, name) == choice_label(instance, name)  # outside a tag


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_counts_are_shown_as_render_value_shows_them():
    from calloffs.templatetags.calloff_page import count_shown
    from digisos.templatetags.kern_widgets import render_value

    values = [*range(-1100, 1100, 7), 999, -999, 1000, -1000, 1234567, True, False, 2.5, None, "12"]
    for language in ("de", "en"):
        with translation.override(language):
            for autoescape in (True, False):
                context = Context(autoescape=autoescape)
                for value in values:
                    assert count_shown(value, context) == render_value(value, context), (language, value)
