"""The one money formatter: amounts in euros in German notation, whatever the active language
(contracts, orders and invoices of the Land are German documents): 1234567.5 → '1.234.567,50 €',
grouped in threes, two decimals, a non-breaking space before the sign. Pages use it through the
``eur`` filter ({% load money %}), PDFs through ``de_eur`` ({% load calloff_documents %}), code directly.

Quantities the same way, with their unit in words: ``format_quantity`` ('8 Stunden', '1 Stunde', never
'8,00 Stunden'), through the ``quantity`` and ``hours`` filters of both tag libraries."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import ngettext

NBSP = "\u00a0"


def format_eur(value) -> str:
    """1234567.5 → '1.234.567,50 €'; None, '' or anything that is not a finite number → '–'."""
    if value is None or value == "":
        return "–"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return "–"
    if not number.is_finite():
        return "–"
    text = f"{number:,.2f}".replace(",", "\0").replace(".", ",").replace("\0", ".")
    return f"{text}{NBSP}€"


def format_number(value) -> str:
    """8.00 → '8', 1.50 → '1,5', 1234.5 → '1.234,5': as many decimals as the value needs, German
    notation (as the money). None or not a finite number → '–'."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return "–"
    if not number.is_finite():
        return "–"
    number = number.normalize()
    exponent = number.as_tuple().exponent
    places = max(-exponent, 0) if isinstance(exponent, int) else 0
    text = f"{number:,.{places}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_quantity(value, unit: str) -> str:
    """A quantity with its unit in words: (8, 'hour') → '8 Stunden', (1, 'hour') → '1 Stunde',
    (1.5, 'day') → '1,5 Personentage', (1, 'flat') → '1 Pauschale'; never '8,00 Stunde'."""
    text = format_number(value)
    if text == "–":
        return text
    count = 1 if Decimal(str(value)) == 1 else 2  # anything but exactly one takes the plural
    if unit == "hour":
        return ngettext("%(n)s Stunde", "%(n)s Stunden", count) % {"n": text}
    if unit == "day":
        return ngettext("%(n)s Personentag", "%(n)s Personentage", count) % {"n": text}
    if unit == "flat":
        return ngettext("%(n)s Pauschale", "%(n)s Pauschalen", count) % {"n": text}
    return f"{text} {unit}"


def format_hours(value) -> str:
    """Hours worked: 8.00 → '8 Stunden', 0.5 → '0,5 Stunden', 1 → '1 Stunde'."""
    return format_quantity(value, "hour")
