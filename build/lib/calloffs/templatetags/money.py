"""Money (always German notation, calloffs.money) and percentages in the notation of the active language.

Use: {% load money %} {{ contract.ceiling|eur }} · {{ status.percent|percent }}
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from ..money import format_eur, format_hours, format_quantity

register = template.Library()

NBSP = "\u00a0"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


@register.filter
def eur(value) -> str:
    """1234567.5 → '1.234.567,50 €' (calloffs.money.format_eur: German notation in every language)."""
    return format_eur(value)


@register.filter
def percent(value) -> str:
    """45.25 → '45,3 %'."""
    number = _decimal(value)
    if number is None:
        return "–"
    return f"{number_format(number, decimal_pos=1, use_l10n=True, force_grouping=True)}{NBSP}%"


@register.filter
def plain_number(value) -> str:
    """A number with a dot as decimal separator, for HTML attributes (``<progress value>``)."""
    number = _decimal(value)
    return "0" if number is None else format(number, "f")


@register.filter
def quantity(value, unit) -> str:
    """{{ line.estimated_quantity|quantity:line.service_module.unit }} → '8 Stunden' / '1 Stunde'."""
    return format_quantity(value, unit)


@register.filter
def hours(value) -> str:
    """{{ entry.hours|hours }} → '7,5 Stunden'."""
    return format_hours(value)
