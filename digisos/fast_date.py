"""``{{ value|date:fmt }}`` of a datetime with the format string taken apart once, not on every call (issue 19).

Django's ``DateFormat.format`` splits the format string with a regular expression and unescapes each
literal piece with another, on every call; both expressions are lazy objects (``_lazy_re_compile``),
and every method looked up through one costs a failed attribute lookup first. That was three quarters
of a date's CPU on the call-off page (about 30 µs of 40, five dates a page). ``date_filter`` does what
``django.template.defaultfilters.date`` does — the same format named by ``fmt`` for the active language
(``get_format``), the same ``DateFormat`` and its methods for each format character — with the pieces
of each format string kept (a handful of format strings per process). Anything that is not a datetime
goes to Django's filter. tests/test_fast_date.py compares both for formats × languages × time zones.

``LocalDates`` does the same for the dates of one template tag written in Python (the call-off page's live
part, timeline and checklist), with the time zone and the formats looked up once per tag.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.template.defaultfilters import date as django_date_filter
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
from django.utils.timezone import get_current_timezone, is_naive

#: Format string → its pieces: (True, format character) or (False, literal text, unescaped).
_PIECES: dict[str, tuple[tuple[bool, str], ...]] = {}


def _pieces(formatstr: str) -> tuple[tuple[bool, str], ...]:
    pieces = _PIECES.get(formatstr)
    if pieces is None:
        found = []
        for i, piece in enumerate(re_formatchars.split(formatstr)):  # as Formatter.format
            if i % 2:
                found.append((True, piece))
            elif piece:
                found.append((False, re_escaped.sub(r"\1", piece)))
        if len(_PIECES) > 256:  # format strings come from settings and templates: a handful
            _PIECES.clear()
        pieces = _PIECES[formatstr] = tuple(found)
    return pieces


def _formatted(value: datetime, formatstr: str, fmt: str | None) -> str:
    formatter = DateFormat(value)
    try:
        return "".join(str(getattr(formatter, piece)()) if is_char else piece for is_char, piece in _pieces(formatstr))
    except AttributeError:  # the filter's own fallback (a value without what a format character asks)
        return django_date_filter(value, fmt)


def date_filter(value, fmt: str | None = None) -> str:
    """``django.template.defaultfilters.date(value, fmt)``; ``value`` already in local time (the filter
    expects it so: ``expects_localtime``)."""
    if value.__class__ is not datetime:
        return django_date_filter(value, fmt)
    return _formatted(value, str(get_format(fmt or "DATE_FORMAT")), fmt)  # formats.date_format


class LocalDates:
    """``template_localtime`` and ``date_filter`` for the several dates of one template tag's rendering, with
    the active time zone and each named format (per the active language) looked up once, not for each date:
    each lookup reads a context-local value (asgiref Local), the larger part of a date's cost once the format
    string is kept. Only for the span of one tag's own Python rendering, in which neither the time zone nor the
    language can change (nothing in it renders a template); made anew for each (issue 19)."""

    def __init__(self, use_tz: bool | None):
        self.use_tz = use_tz
        self._convert = settings.USE_TZ if use_tz is None else use_tz
        self._zone = None
        self._formats: dict[str | None, str] = {}

    def local(self, value):
        """``template_localtime(value, use_tz)``."""
        if (
            self._convert
            and isinstance(value, datetime)
            and not is_naive(value)
            and getattr(value, "convert_to_local_time", True)
        ):
            zone = self._zone
            if zone is None:
                zone = self._zone = get_current_timezone()
            return value.astimezone(zone)  # localtime(value)
        return value

    def format(self, value, fmt: str | None = None) -> str:
        """``date_filter(value, fmt)``."""
        if value.__class__ is not datetime:
            return django_date_filter(value, fmt)
        formatstr = self._formats.get(fmt)
        if formatstr is None:
            formatstr = self._formats[fmt] = str(get_format(fmt or "DATE_FORMAT"))
        return _formatted(value, formatstr, fmt)
