"""digisos.fast_date.date_filter gives what Django's ``date`` filter gives: every named format and some
format strings of our own (escaped letters, every format character), German and English, aware datetimes
around the DST changes in Berlin and in UTC, naive datetimes, and what is not a datetime."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template.defaultfilters import date as django_date
from django.utils import timezone, translation

from digisos.fast_date import date_filter

BERLIN = ZoneInfo("Europe/Berlin")
FORMATS = [
    None,
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "TIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
    "c",
    "r",
    "U",
    "d.m.Y H:i",
    "j. F Y, G:i \\U\\h\\r",
    "\\a\\t H:i",
    "aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ",
    "\\\\d \\d",
    "",
]
VALUES = [
    datetime(2026, 12, 5, 23, 30, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # just before the spring change in Berlin
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the hour that comes twice in Berlin
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    datetime(2027, 1, 1, 0, 0, 0, 123456, tzinfo=UTC),
    datetime(2026, 10, 25, 2, 30),  # naive, ambiguous in Berlin
    datetime(2026, 3, 29, 2, 30),  # naive, does not exist in Berlin
    datetime(2026, 7, 1, 12, 0),
]


def local_values():
    for value in VALUES:
        yield value
        if timezone.is_aware(value):
            yield value.astimezone(BERLIN)  # as the template engine hands it to the filter (template_localtime)


@pytest.mark.parametrize("language", ["de", "en"])
def test_it_formats_as_the_date_filter(language):
    with translation.override(language):
        for value, fmt in itertools.product(local_values(), FORMATS):
            assert date_filter(value, fmt) == django_date(value, fmt), (value, fmt)


def test_the_pieces_of_a_format_string_are_kept_once():
    with translation.override("de"):
        first = date_filter(VALUES[0], "SHORT_DATETIME_FORMAT")
        assert date_filter(VALUES[0] + timedelta(minutes=1), "SHORT_DATETIME_FORMAT") != first
        assert date_filter(VALUES[0], "SHORT_DATETIME_FORMAT") == first


@pytest.mark.parametrize("value", [None, "", date(2026, 12, 5), time(12, 30), "2026-12-05", 17])
def test_what_is_not_a_datetime_goes_to_django(value):
    for fmt in ("SHORT_DATETIME_FORMAT", "DATE_FORMAT", "d.m.Y"):
        try:
            expected = django_date(value, fmt)
        except TypeError as exc:  # a date with a time format: the filter raises, so does this
            with pytest.raises(TypeError, match=str(exc)[:30]):
                date_filter(value, fmt)
        else:
            assert date_filter(value, fmt) == expected


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("zone", ["Europe/Berlin", "UTC"])
def test_the_template_filter_shows_what_the_date_filter_shows(language, zone):
    """``|fast_date:fmt`` (calloffs/templatetags/calloff_page.py) in a template beside ``|date:fmt``: the value
    in local time as the engine hands it (expects_localtime), nothing for None and "", the rest to Django."""
    from django.template import Context, Template

    old = Template('{{ value|date:fmt }}|{{ value|date }}|{{ value|date:fmt|default:"–" }}')
    new = Template(
        '{% load calloff_page %}{{ value|fast_date:fmt }}|{{ value|fast_date }}|{{ value|fast_date:fmt|default:"–" }}'
    )
    others = [None, "", date(2026, 12, 5), time(23, 30), "2026-12-05", 0, [1]]

    def shown(template, context):
        try:
            return template.render(Context(context))
        except Exception as exc:  # noqa: BLE001 - Django's filter raises for a time format of a date: so must ours
            return type(exc)

    with translation.override(language), timezone.override(ZoneInfo(zone)):
        for value, fmt in itertools.product([*VALUES, *others], FORMATS):
            context = {"value": value, "fmt": fmt}
            assert shown(new, context) == shown(old, context), (value, fmt)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("zone", ["Europe/Berlin", "UTC", "America/New_York"])
@pytest.mark.parametrize("use_tz", [None, True, False])
def test_local_dates_are_template_localtime_and_the_date_filter(language, zone, use_tz):
    """LocalDates (one tag's dates: zone and formats looked up once) gives what template_localtime and
    date_filter give, for every value and format, one instance asked again and again."""
    from django.template.defaultfilters import date as django_date_filter
    from django.utils.timezone import template_localtime

    from digisos.fast_date import LocalDates

    others = [None, "", date(2026, 12, 5), "2026-12-05"]
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        dates = LocalDates(use_tz)
        for value, fmt in itertools.product([*VALUES, *others], FORMATS):
            local = template_localtime(value, use_tz)
            assert dates.local(value) == local
            assert type(dates.local(value)) is type(local)
            if isinstance(local, datetime):
                assert dates.local(value).tzinfo == local.tzinfo
            try:
                expected = django_date_filter(local, fmt)
            except TypeError:  # a time format of a date: Django's filter raises, and so must this
                with pytest.raises(TypeError):
                    dates.format(local, fmt)
                continue
            assert dates.format(local, fmt) == expected, (value, fmt)
