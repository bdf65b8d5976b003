"""Quantities in plain German with their unit in words: '8 Stunden', '1 Stunde', never '8,00 Stunden'."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from calloffs.money import format_hours, format_number, format_quantity


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("8.00"), "hour", "8 Stunden"),
        (Decimal("1.00"), "hour", "1 Stunde"),
        (Decimal("1.50"), "hour", "1,5 Stunden"),
        (Decimal("0.25"), "hour", "0,25 Stunden"),
        (Decimal("1234.50"), "hour", "1.234,5 Stunden"),
        (Decimal("1"), "day", "1 Personentag"),
        (Decimal("2.5"), "day", "2,5 Personentage"),
        (Decimal("1"), "flat", "1 Pauschale"),
        (Decimal("3"), "flat", "3 Pauschalen"),
        (None, "hour", "–"),
        ("kaputt", "hour", "–"),
    ],
)
def test_quantities_read_as_words(value, unit, expected):
    with translation.override("de"):
        assert format_quantity(value, unit) == expected


def test_hours_and_numbers():
    with translation.override("de"):
        assert format_hours(Decimal("7.50")) == "7,5 Stunden"
    assert format_number(Decimal("40.00")) == "40"
    assert format_number(Decimal("Infinity")) == "–"
    with translation.override("en"):
        assert format_quantity(Decimal("8.00"), "hour") == "8 hours"
        assert format_quantity(Decimal("1"), "day") == "1 person-day"


@pytest.mark.django_db
def test_the_call_off_page_shows_quantities_in_words(client_for, file_calloff, alice, setup):
    calloff = file_calloff(services=[(setup.modules.remote, 40)])
    content = client_for(alice).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    assert "40 Stunden" in content
    assert "40,00" not in content and "40.00" not in content
