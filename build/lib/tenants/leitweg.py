"""The Leitweg-ID: the routing address of a public client for e-invoices (XRechnung BT-10).

KoSIT, "Formatspezifikation Leitweg-ID" (v2.0): a coarse address (Grobadressierung, 2–12
digits: the Land's number, NRW is 05, optionally Regierungsbezirk, Kreis and municipality as in
the official key), an optional fine address (Feinadressierung, up to 30 capital letters and
digits) and two check digits (Prüfziffer), the parts joined by hyphens, e.g. ``04011000-1234512345-06``.

The check digits are ISO/IEC 7064 MOD 97-10 as for an IBAN: coarse and fine address without
hyphens, letters replaced by their number (A = 10 … Z = 35), "00" appended; the check digits are
98 − (that number mod 97). A Leitweg-ID is valid if the whole (letters replaced) mod 97 is 1.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: The format (also the database CHECK): coarse 2–12 digits, optional fine 1–30 [0-9A-Z], check 2 digits.
LEITWEG_PATTERN = r"^[0-9]{2,12}(-[0-9A-Z]{1,30})?-[0-9]{2}$"
_FORMAT = re.compile(LEITWEG_PATTERN)
MAX_LENGTH = 46  # 12 + 1 + 30 + 1 + 2


def _numeric(text: str) -> int:
    """Digits stay, letters become their number (A = 10 … Z = 35)."""
    return int("".join(str(int(char, 36)) for char in text))


def check_digits(address: str) -> str:
    """The two check digits of a coarse (and fine) address such as ``04011000-1234512345``."""
    plain = address.replace("-", "").upper()
    return f"{98 - _numeric(plain + '00') % 97:02d}"


def normalise(value: str) -> str:
    """What people paste: surrounding and inner blanks removed, letters in capitals."""
    return re.sub(r"\s+", "", value or "").upper()


def is_valid(value: str) -> bool:
    if not _FORMAT.match(value or ""):
        return False
    return _numeric(value.replace("-", "")) % 97 == 1


def validate_leitweg_id(value: str) -> None:
    """Django validator: format, then the check digits, with a German message for each."""
    if not value:
        return
    if not _FORMAT.match(value):
        raise ValidationError(
            _(
                "Eine Leitweg-ID besteht aus 2 bis 12 Ziffern, optional einem Bindestrich und bis zu 30 "
                "Großbuchstaben oder Ziffern, und zwei Prüfziffern nach einem Bindestrich, z. B. 05315000-ABC123-85."
            ),
            code="leitweg_format",
        )
    if not is_valid(value):
        raise ValidationError(
            _("Die Prüfziffer der Leitweg-ID stimmt nicht. Bitte die Leitweg-ID noch einmal prüfen."),
            code="leitweg_check_digits",
        )
