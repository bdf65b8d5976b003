"""Plausible ranges for every value a person or a provider enters (dates, times, amounts, hours).

One rule set, used in three places so that it holds whatever the entry path:

* **forms and serializers** check it and answer in German, keeping the input
  (``PastDateTimeField``, ``PlannedDateTimeField``, ``PlausibleDateField``, ``ApiPastDateTimeField`` …,
  or the ``check_*`` functions in ``clean()`` / ``validate()``);
* **services** call the ``check_*`` functions before they write (a value may come from a path
  without a form: API, admin, management command, a test);
* **the database** refuses what slipped through anyway: ``datetime_range_check``, ``date_range_check``,
  ``number_range_check`` and ``order_check`` build the ``CheckConstraint`` objects for ``Meta.constraints``.

The rules:

* A date/time that records something that happened (detected, became aware, a note, a milestone,
  a report, a day worked) lies in [2000-01-01 00:00, now + 5 minutes] (``FUTURE_SLACK`` absorbs
  clocks that run a little fast). A planned moment (an ETA) lies in [now − 5 minutes, now + 1 year].
  A date of a contract or a mandate lies in [2000-01-01, 2099-12-31].
* An end is not before its start.
* Amounts, quantities, hours, minutes, percentages: ranges below (``MONEY``, ``QUANTITY`` …).

Database CHECKs cannot use ``now()`` (it is not immutable), so they bound dates to
[2000-01-01, 2100-01-01). For timestamps the lower bound is 1999-12-31 00:00 UTC, so that the
local 2000-01-01 00:00 of any time zone (Berlin's is 1999-12-31 23:00 UTC) passes the form *and*
the CHECK. Before these bounds a ``0001-01-01`` entered as local time was stored as 1 BC and every
page that printed it answered 500 ("year -1 is out of range").
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

UTC = dt.UTC

#: The earliest date anyone may enter (local calendar date).
EARLIEST_DATE = dt.date(2000, 1, 1)
#: The latest date of a contract, a mandate or an eligibility (inclusive).
LATEST_DATE = dt.date(2099, 12, 31)
#: How far into the future a reported moment may lie (clocks that run fast).
FUTURE_SLACK = dt.timedelta(minutes=5)
#: How far into the future a planned moment (an ETA) may lie.
PLANNING_HORIZON = dt.timedelta(days=366)

#: Bounds of the database CHECK constraints (no ``now()`` there).
DB_EARLIEST_DATE = dt.date(2000, 1, 1)
DB_LATEST_DATE = dt.date(2100, 1, 1)  # exclusive
DB_EARLIEST = dt.datetime(1999, 12, 31, tzinfo=UTC)
DB_LATEST = dt.datetime(2100, 1, 1, tzinfo=UTC)  # exclusive

CODE = "implausible"


@dataclass(frozen=True)
class NumberRange:
    """A closed range for a number a person enters, with the column's precision."""

    low: Decimal
    high: Decimal
    decimal_places: int = 2

    def check(self, value, *, label=None) -> None:
        check_number(value, self, label=label)


#: Money in euro: ceiling, estimated values, sums (column: 14 digits, 2 places).
MONEY = NumberRange(Decimal("0"), Decimal("999999999999.99"))
#: A contract price per unit of a service module (an hour, a day, a flat fee).
UNIT_PRICE = NumberRange(Decimal("0"), Decimal("1000000.00"))
#: An hourly rate of a role (proof of work is hours × rate).
HOURLY_RATE = NumberRange(Decimal("0"), Decimal("10000.00"))
#: A quantity of a service module (hours, days, units) in a call-off; 0 is "not called off".
QUANTITY = NumberRange(Decimal("0"), Decimal("10000"))
#: Hours of one person on one day for one call-off.
HOURS_PER_DAY = NumberRange(Decimal("0.01"), Decimal("24"))
#: A surcharge in percent (night, weekend): 500 % is far above any tariff, and below the column's 999.99.
PERCENT = NumberRange(Decimal("0"), Decimal("500"))
#: An SLA term in minutes (at most 30 days).
SLA_MINUTES = NumberRange(Decimal("1"), Decimal("43200"), decimal_places=0)
#: How many call-offs a provider takes on at once.
CAPACITY = NumberRange(Decimal("1"), Decimal("999"), decimal_places=0)
#: A rank in the order of precedence.
RANK = NumberRange(Decimal("1"), Decimal("999"), decimal_places=0)
#: A position in a list (service modules, contacts): smaller numbers first.
POSITION = NumberRange(Decimal("0"), Decimal("9999"), decimal_places=0)
#: Residents of a body (NRW has about 18 million; Cologne, the largest city, about 1.1 million).
POPULATION = NumberRange(Decimal("0"), Decimal("20000000"), decimal_places=0)


# --- messages ---------------------------------------------------------------------------------


def _fmt_dt(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _fmt_date(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _fmt_number(value: Decimal, places: int) -> str:
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _error(message, label=None, **params) -> ValidationError:
    text = str(message) % params if params else str(message)
    if label:
        text = f"{label}: {text}"
    return ValidationError(text, code=CODE)


# --- bounds ------------------------------------------------------------------------------------


def earliest_moment() -> dt.datetime:
    """2000-01-01 00:00 in the current time zone (what a person means by "the year 2000")."""
    return timezone.make_aware(dt.datetime.combine(EARLIEST_DATE, dt.time.min), timezone.get_current_timezone())


def latest_reported_moment(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + FUTURE_SLACK


# --- checks (raise django.core.exceptions.ValidationError, code "implausible") -----------------


def check_past_datetime(value: dt.datetime | None, *, label=None, now: dt.datetime | None = None) -> None:
    """A moment that happened: in [2000-01-01 00:00 local, now + 5 minutes]. ``None`` passes."""
    if value is None:
        return
    if not isinstance(value, dt.datetime):
        raise _error(_("Bitte ein gültiges Datum mit Uhrzeit eingeben."), label)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value < earliest_moment():
        earliest = _fmt_date(EARLIEST_DATE)
        raise _error(_("Der Zeitpunkt darf nicht vor dem %(earliest)s liegen."), label, earliest=earliest)
    latest = latest_reported_moment(now)
    if value > latest:
        raise _error(
            _("Der Zeitpunkt darf nicht in der Zukunft liegen (spätestens %(latest)s)."), label, latest=_fmt_dt(latest)
        )


def check_planned_datetime(value: dt.datetime | None, *, label=None, now: dt.datetime | None = None) -> None:
    """A planned moment (an ETA): in [now − 5 minutes, now + 1 year]. ``None`` passes."""
    if value is None:
        return
    if not isinstance(value, dt.datetime):
        raise _error(_("Bitte ein gültiges Datum mit Uhrzeit eingeben."), label)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    now = now or timezone.now()
    if value < now - FUTURE_SLACK:
        raise _error(_("Der geplante Zeitpunkt darf nicht in der Vergangenheit liegen."), label)
    if value > now + PLANNING_HORIZON:
        raise _error(
            _("Der geplante Zeitpunkt darf höchstens ein Jahr in der Zukunft liegen (spätestens %(latest)s)."),
            label,
            latest=_fmt_dt(now + PLANNING_HORIZON),
        )


def check_past_date(value: dt.date | None, *, label=None, today: dt.date | None = None) -> None:
    """A day on which something happened (a day worked): in [2000-01-01, today]. ``None`` passes."""
    if value is None:
        return
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _error(_("Bitte ein gültiges Datum eingeben."), label)
    if value < EARLIEST_DATE:
        raise _error(_("Das Datum darf nicht vor dem %(earliest)s liegen."), label, earliest=_fmt_date(EARLIEST_DATE))
    # A day is "today" somewhere before it is here: allow the slack of a fast clock.
    today = today or timezone.localdate(timezone.now() + FUTURE_SLACK)
    if value > today:
        raise _error(_("Das Datum darf nicht in der Zukunft liegen."), label)


def check_date(value: dt.date | None, *, label=None) -> None:
    """A date of a contract, mandate or eligibility: in [2000-01-01, 2099-12-31]. ``None`` passes."""
    if value is None:
        return
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _error(_("Bitte ein gültiges Datum eingeben."), label)
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise _error(
            _("Das Datum muss zwischen dem %(earliest)s und dem %(latest)s liegen."),
            label,
            earliest=_fmt_date(EARLIEST_DATE),
            latest=_fmt_date(LATEST_DATE),
        )


def check_order(start, end, *, label=None, start_label=None) -> None:
    """An end is not before its start (either may be ``None``: nothing to compare)."""
    if start is None or end is None:
        return
    if end < start:
        if start_label:
            raise _error(_("Darf nicht vor „%(start)s“ liegen."), label, start=start_label)
        raise _error(_("Das Ende darf nicht vor dem Beginn liegen."), label)


def check_number(value, bounds: NumberRange, *, label=None) -> None:
    """A finite number within ``bounds`` with at most its decimal places. ``None`` passes."""
    if value is None:
        return
    if isinstance(value, bool):
        raise _error(_("Bitte eine Zahl eingeben."), label)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _error(_("Bitte eine endliche Zahl eingeben."), label)
        value = Decimal(repr(value))
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _error(_("Bitte eine Zahl eingeben."), label) from None
    if not value.is_finite():
        raise _error(_("Bitte eine endliche Zahl eingeben."), label)
    if not bounds.low <= value <= bounds.high:
        places = bounds.decimal_places
        raise _error(
            _("Der Wert muss zwischen %(low)s und %(high)s liegen."),
            label,
            low=_fmt_number(bounds.low, places),
            high=_fmt_number(bounds.high, places),
        )
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > bounds.decimal_places:
        raise _error(_("Höchstens %(places)s Nachkommastellen."), label, places=bounds.decimal_places)


def check_field(field: str, check, value, **kwargs) -> None:
    """Run ``check`` and raise its error keyed by ``field`` (``ValidationError({field: [...]})``)."""
    try:
        check(value, **kwargs)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}, code=CODE) from None


# --- validators (for forms, serializers and model fields) -------------------------------------


def validate_past_datetime(value) -> None:
    check_past_datetime(value)


def validate_planned_datetime(value) -> None:
    check_planned_datetime(value)


def validate_past_date(value) -> None:
    check_past_date(value)


def validate_date(value) -> None:
    check_date(value)


class NumberRangeValidator:
    """A deconstructible validator for a ``NumberRange`` (usable on model fields)."""

    def __init__(self, low, high, decimal_places=2):
        self.bounds = NumberRange(Decimal(low), Decimal(high), decimal_places)

    def __call__(self, value) -> None:
        check_number(value, self.bounds)

    def deconstruct(self):
        b = self.bounds
        return ("digisos.plausible.NumberRangeValidator", (str(b.low), str(b.high), b.decimal_places), {})

    def __eq__(self, other):
        return isinstance(other, NumberRangeValidator) and other.bounds == self.bounds


def range_validator(bounds: NumberRange) -> NumberRangeValidator:
    return NumberRangeValidator(bounds.low, bounds.high, bounds.decimal_places)


# --- form fields (Django keeps the raw input of a bound form, so the person's entry stays) -----


DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class _SafeDateTimeField(forms.DateTimeField):
    """A datetime field whose parsing never raises anything but a ValidationError."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
        kwargs.setdefault("input_formats", DATETIME_FORMATS)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):  # a year at the calendar's edge, after the time-zone shift
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class PastDateTimeField(_SafeDateTimeField):
    """A moment that happened: in [2000-01-01 00:00, now + 5 minutes]."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("min", "2000-01-01T00:00")

    def validate(self, value):
        super().validate(value)
        check_past_datetime(value)


class PlannedDateTimeField(_SafeDateTimeField):
    """A planned moment (an ETA): in [now − 5 minutes, now + 1 year]."""

    def validate(self, value):
        super().validate(value)
        check_planned_datetime(value)


class _SafeDateField(forms.DateField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("min", EARLIEST_DATE.isoformat())

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class PastDateField(_SafeDateField):
    """A day on which something happened: in [2000-01-01, today]."""

    def validate(self, value):
        super().validate(value)
        check_past_date(value)


class PlausibleDateField(_SafeDateField):
    """A date of a contract, mandate or eligibility: in [2000-01-01, 2099-12-31]."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("max", LATEST_DATE.isoformat())

    def validate(self, value):
        super().validate(value)
        check_date(value)


def bound_decimal_field(bounds: NumberRange, **kwargs) -> forms.DecimalField:
    """A form DecimalField limited to ``bounds`` (its messages are Django's German ones)."""
    kwargs.setdefault("min_value", bounds.low)
    kwargs.setdefault("max_value", bounds.high)
    kwargs.setdefault("decimal_places", bounds.decimal_places)
    kwargs.setdefault("max_digits", len(str(int(bounds.high))) + bounds.decimal_places)
    return forms.DecimalField(**kwargs)


# --- database CHECK constraints ------------------------------------------------------------


def datetime_range_check(field: str, *, name: str, null: bool = True) -> models.CheckConstraint:
    """``field`` in [1999-12-31 00:00 UTC, 2100-01-01 00:00 UTC) (or NULL when ``null``)."""
    condition = models.Q(**{f"{field}__gte": DB_EARLIEST, f"{field}__lt": DB_LATEST})
    if null:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


def date_range_check(field: str, *, name: str, null: bool = True) -> models.CheckConstraint:
    """``field`` in [2000-01-01, 2100-01-01) (or NULL when ``null``)."""
    condition = models.Q(**{f"{field}__gte": DB_EARLIEST_DATE, f"{field}__lt": DB_LATEST_DATE})
    if null:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


def number_range_check(field: str, bounds: NumberRange, *, name: str, null: bool = True) -> models.CheckConstraint:
    """``field`` in [bounds.low, bounds.high] (or NULL when ``null``)."""
    condition = models.Q(**{f"{field}__gte": bounds.low, f"{field}__lte": bounds.high})
    if null:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


def order_check(start: str, end: str, *, name: str) -> models.CheckConstraint:
    """``end`` is not before ``start`` (rows where either is NULL pass)."""
    condition = (
        models.Q(**{f"{start}__isnull": True})
        | models.Q(**{f"{end}__isnull": True})
        | models.Q(**{f"{end}__gte": models.F(start)})
    )
    return models.CheckConstraint(condition=condition, name=name)


# --- API (Django REST framework) serializer fields -----------------------------------------


class _ApiSafeDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except (OverflowError, ValueError):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]")


class ApiPastDateTimeField(_ApiSafeDateTimeField):
    """A moment that happened, in the API: in [2000-01-01 00:00, now + 5 minutes]."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", []).append(validate_past_datetime)
        super().__init__(*args, **kwargs)


class ApiPlannedDateTimeField(_ApiSafeDateTimeField):
    """A planned moment (an ETA), in the API: in [now − 5 minutes, now + 1 year]."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", []).append(validate_planned_datetime)
        super().__init__(*args, **kwargs)


class ApiPastDateField(serializers.DateField):
    """A day on which something happened, in the API: in [2000-01-01, today]."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", []).append(validate_past_date)
        super().__init__(*args, **kwargs)


def api_decimal_field(bounds: NumberRange, **kwargs) -> serializers.DecimalField:
    """A DRF DecimalField limited to ``bounds`` (NaN and infinities are refused by DRF itself)."""
    kwargs.setdefault("min_value", bounds.low)
    kwargs.setdefault("max_value", bounds.high)
    kwargs.setdefault("decimal_places", bounds.decimal_places)
    kwargs.setdefault("max_digits", len(str(int(bounds.high))) + bounds.decimal_places)
    return serializers.DecimalField(**kwargs)
