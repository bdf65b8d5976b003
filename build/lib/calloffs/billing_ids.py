"""A provider's billing identifiers: USt-IdNr., Steuernummer, IBAN and BIC (XRechnung BT-31/BT-32,
BT-84/BT-86).

* USt-IdNr. (VAT ID): "DE" and nine digits (the Bundeszentralamt für Steuern's format);
* Steuernummer (tax number): 10 to 13 digits as the tax office writes it, e.g. ``133/8150/8159``
  or the 13-digit ELSTER form, slashes and blanks allowed between the digits;
* IBAN: ISO 13616, two letters, two check digits, 11 to 30 letters/digits; valid if the number
  (first four characters moved to the end, letters replaced A = 10 … Z = 35) mod 97 is 1. A small
  function instead of a library: it is the same ISO 7064 MOD 97-10 check the Leitweg-ID uses
  (tenants.leitweg) and needs no bank register;
* BIC: ISO 9362, 8 or 11 characters.

Stored normalised (no blanks, capitals); the patterns are also the database CHECKs.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

VAT_ID_PATTERN = r"^DE[0-9]{9}$"
TAX_NUMBER_PATTERN = r"^[0-9][0-9/ ]{8,16}[0-9]$"
IBAN_PATTERN = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"
BIC_PATTERN = r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$"
VAT_ID_MAX, TAX_NUMBER_MAX, IBAN_MAX, BIC_MAX = 11, 18, 34, 11
TAX_NUMBER_DIGITS = (10, 13)


def normalise(value: str) -> str:
    """Blanks removed, capitals (VAT ID, IBAN, BIC as people paste them)."""
    return re.sub(r"\s+", "", value or "").upper()


def mask_iban(value: str) -> str:
    """An IBAN as a notification may show it: country and check digits and the last four characters,
    the rest starred, in groups of four ("DE89 **** **** **** **30 00"); "" stays "". Enough to tell
    two accounts apart, not enough to pay into one."""
    compact = normalise(value)
    if not compact:
        return ""
    if len(compact) <= 8:  # not an IBAN the model accepts; show nothing of it but its length
        return "*" * len(compact)
    masked = compact[:4] + "*" * (len(compact) - 8) + compact[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


def iban_is_valid(value: str) -> bool:
    if not re.match(IBAN_PATTERN, value or ""):
        return False
    moved = value[4:] + value[:4]
    return int("".join(str(int(char, 36)) for char in moved)) % 97 == 1


def validate_vat_id(value: str) -> None:
    if value and not re.match(VAT_ID_PATTERN, value):
        raise ValidationError(
            _("Eine deutsche USt-IdNr. besteht aus „DE“ und neun Ziffern, z. B. DE123456789."), code="vat_id_format"
        )


def validate_tax_number(value: str) -> None:
    if not value:
        return
    digits = sum(char.isdigit() for char in value)
    low, high = TAX_NUMBER_DIGITS
    if not re.match(TAX_NUMBER_PATTERN, value) or not low <= digits <= high:
        raise ValidationError(
            _("Eine Steuernummer hat 10 bis 13 Ziffern, ggf. mit Schrägstrichen, z. B. 133/8150/8159."),
            code="tax_number_format",
        )


def validate_iban(value: str) -> None:
    if not value:
        return
    if not re.match(IBAN_PATTERN, value):
        raise ValidationError(
            _("Eine IBAN beginnt mit dem Ländercode und zwei Prüfziffern, z. B. DE02 1203 0000 0000 2020 51."),
            code="iban_format",
        )
    if not iban_is_valid(value):
        raise ValidationError(
            _("Die Prüfziffern der IBAN stimmen nicht. Bitte prüfen Sie die IBAN."), code="iban_check"
        )


def validate_bic(value: str) -> None:
    if value and not re.match(BIC_PATTERN, value):
        raise ValidationError(_("Eine BIC hat 8 oder 11 Zeichen, z. B. BYLADEM1001."), code="bic_format")
