"""The one money formatter: amounts in euros in German notation, whatever the active language
(contracts, orders and invoices of the Land are German documents): 1234567.5 → '1.234.567,50 €',
grouped in threes, two decimals, a non-breaking space before the sign. Pages use it through the
``eur`` filter ({% load money %}), PDFs through ``de_eur`` ({% load calloff_documents %}), code directly."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

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
