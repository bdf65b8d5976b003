"""The shared range rules of digisos.plausible: dates, times, amounts, hours."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework import serializers

from digisos import plausible


def test_a_moment_in_the_year_one_is_refused_in_german():
    with pytest.raises(ValidationError) as err:
        plausible.check_past_datetime(dt.datetime(1, 1, 1, tzinfo=dt.UTC))
    assert "nicht vor dem 01.01.2000" in err.value.messages[0]
    assert err.value.code == plausible.CODE


def test_the_ends_of_the_range_for_a_past_moment():
    now = timezone.now()
    plausible.check_past_datetime(plausible.earliest_moment(), now=now)
    plausible.check_past_datetime(now + plausible.FUTURE_SLACK, now=now)
    with pytest.raises(ValidationError):
        plausible.check_past_datetime(plausible.earliest_moment() - dt.timedelta(seconds=1), now=now)
    with pytest.raises(ValidationError, match="Zukunft"):
        plausible.check_past_datetime(now + plausible.FUTURE_SLACK + dt.timedelta(seconds=1), now=now)


def test_local_midnight_of_2000_is_above_the_database_bound():
    assert plausible.earliest_moment() >= plausible.DB_EARLIEST
    assert timezone.now() + plausible.PLANNING_HORIZON < plausible.DB_LATEST


def test_a_planned_moment_lies_between_now_and_a_year_ahead():
    now = timezone.now()
    plausible.check_planned_datetime(now + dt.timedelta(hours=2), now=now)
    with pytest.raises(ValidationError, match="Vergangenheit"):
        plausible.check_planned_datetime(now - dt.timedelta(hours=1), now=now)
    with pytest.raises(ValidationError, match="ein Jahr"):
        plausible.check_planned_datetime(now + dt.timedelta(days=400), now=now)


def test_dates():
    plausible.check_date(dt.date(2000, 1, 1))
    plausible.check_date(dt.date(2099, 12, 31))
    for bad in (dt.date(1, 1, 1), dt.date(1999, 12, 31), dt.date(2100, 1, 1), dt.date(9999, 12, 31)):
        with pytest.raises(ValidationError):
            plausible.check_date(bad)
    with pytest.raises(ValidationError, match="Zukunft"):
        plausible.check_past_date(timezone.localdate() + dt.timedelta(days=2))
    plausible.check_past_date(timezone.localdate())


def test_an_end_before_its_start_is_refused():
    start = timezone.now()
    plausible.check_order(start, start)
    plausible.check_order(None, start)
    with pytest.raises(ValidationError, match="nicht vor dem Beginn"):
        plausible.check_order(start, start - dt.timedelta(minutes=1))


@pytest.mark.parametrize(
    "value",
    [
        Decimal("-1"),
        Decimal("24.01"),
        Decimal("0"),
        Decimal("NaN"),
        Decimal("Infinity"),
        float("inf"),
        "1e999999",
        float("nan"),
        True,
        "zwölf",
        Decimal("1.001"),
    ],
)
def test_hours_out_of_range_or_not_finite_are_refused(value):
    with pytest.raises(ValidationError):
        plausible.check_number(value, plausible.HOURS_PER_DAY)


def test_hours_in_range_pass():
    for value in (Decimal("0.01"), Decimal("8"), Decimal("24.00"), 7.5, 3):
        plausible.check_number(value, plausible.HOURS_PER_DAY)


class _Form(forms.Form):
    at = plausible.PastDateTimeField(required=False)
    eta = plausible.PlannedDateTimeField(required=False)
    day = plausible.PlausibleDateField(required=False)


@pytest.mark.parametrize("field", ["at", "eta"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T23:59"])
def test_a_form_refuses_the_edges_of_the_calendar_and_keeps_the_input(field, value):
    form = _Form(data={field: value})
    assert not form.is_valid()
    assert field in form.errors
    assert form[field].value() == value  # shown again as entered
    assert f'value="{value}"' in str(form[field])


def test_a_form_refuses_a_far_date():
    form = _Form(data={"day": "0001-01-01"})
    assert not form.is_valid()
    assert "zwischen dem 01.01.2000 und dem 31.12.2099" in form.errors["day"][0]


class _Serializer(serializers.Serializer):
    at = plausible.ApiPastDateTimeField(required=False)
    eta = plausible.ApiPlannedDateTimeField(required=False)
    day = plausible.ApiPastDateField(required=False)
    hours = plausible.api_decimal_field(plausible.HOURS_PER_DAY, required=False)


@pytest.mark.parametrize(
    "data",
    [
        {"at": "0001-01-01T00:00:00Z"},
        {"at": "0001-01-01T00:00:00+05:00"},
        {"at": "9999-12-31T23:59:59-05:00"},
        {"eta": "2000-01-01T00:00:00Z"},
        {"day": "0001-01-01"},
        {"hours": "1e999999"},
        {"hours": "NaN"},
        {"hours": float("inf")},
        {"hours": "-3"},
        {"hours": "25"},
    ],
)
def test_a_serializer_refuses_implausible_values(data):
    ser = _Serializer(data=data)
    assert not ser.is_valid()
    assert set(ser.errors) == set(data)


def test_constraints_are_built_for_the_database_bounds():
    check = plausible.datetime_range_check("at", name="x_at_plausible", null=False)
    bounds = dict(check.condition.children)
    assert bounds == {"at__gte": plausible.DB_EARLIEST, "at__lt": plausible.DB_LATEST}
    assert plausible.order_check("start", "end", name="x_order").name == "x_order"
    assert plausible.NumberRangeValidator("0", "24").deconstruct()[1] == ("0", "24", 2)
