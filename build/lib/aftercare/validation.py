"""Format rules of what a provider enters: CVSS base vectors (the ``cvss`` library computes the
score, so a score never disagrees with its vector) and indicator values per type (normalised, so
that the same indicator at two bodies is the same string and matching is an equality)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from .models import IndicatorKind, Severity

CVE_RE = re.compile(r"^CVE-\d{4}-\d{4,7}$")
HEX_LENGTH = {IndicatorKind.MD5: 32, IndicatorKind.SHA1: 40, IndicatorKind.SHA256: 64}
HEX_RE = re.compile(r"^[0-9a-f]+$")
# RFC 1035/1123 labels; at least two labels; the top-level label not all digits.
LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_VALUE = 2048
#: The base metrics of each version: threat/temporal, environmental and supplemental metrics change
#: the score a vector yields (cvss computes them in), and the field holds a BASE vector.
BASE_METRICS = {
    "CVSS:3.1/": {"AV", "AC", "PR", "UI", "S", "C", "I", "A"},
    "CVSS:4.0/": {"AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"},
}


@dataclass(frozen=True)
class Cvss:
    vector: str  # the normalised vector (cvss' clean_vector)
    score: Decimal  # base score, one decimal
    severity: str  # Severity value derived from the score


def severity_for_score(score: Decimal) -> str:
    """FIRST's qualitative rating (the same for 3.1 and 4.0); a score of 0.0 ("none") counts as low."""
    if score >= Decimal("9.0"):
        return Severity.CRITICAL
    if score >= Decimal("7.0"):
        return Severity.HIGH
    if score >= Decimal("4.0"):
        return Severity.MEDIUM
    return Severity.LOW


def parse_cvss(vector: str) -> Cvss:
    """A CVSS 3.1 or 4.0 base vector → normalised vector, base score and severity; ValidationError otherwise."""
    raw = (vector or "").strip()
    for prefix, base in BASE_METRICS.items():
        if raw.startswith(prefix):
            extra = [m.partition(":")[0] for m in raw[len(prefix) :].split("/") if m.partition(":")[0] not in base]
            if extra:
                raise ValidationError(
                    _(
                        "Bitte nur die Basismetriken angeben; %(metrics)s gehören nicht zum Basisvektor "
                        "(Umgebungs-, Bedrohungs- oder Zusatzmetriken ändern den Wert)."
                    ),
                    code="cvss_base",
                    params={"metrics": ", ".join(extra)},
                )
    try:
        if raw.startswith("CVSS:3.1/"):
            parsed = CVSS3(raw)
            score = Decimal(str(parsed.base_score))
        elif raw.startswith("CVSS:4.0/"):
            parsed = CVSS4(raw)
            score = Decimal(str(parsed.base_score))
        else:
            raise ValidationError(
                _(
                    "Bitte einen CVSS-Basisvektor der Version 3.1 oder 4.0 angeben "
                    "(beginnt mit „CVSS:3.1/“ oder „CVSS:4.0/“)."
                ),
                code="cvss",
            )
    except (CVSSError, ValueError, KeyError, IndexError) as exc:
        raise ValidationError(_("Der CVSS-Vektor ist ungültig: %(error)s"), code="cvss", params={"error": exc}) from exc
    score = score.quantize(Decimal("0.1"))
    return Cvss(vector=parsed.clean_vector(), score=score, severity=severity_for_score(score))


def check_cve(value: str) -> str:
    value = (value or "").strip().upper()
    if value and not CVE_RE.match(value):
        raise ValidationError(_("Bitte eine CVE-Kennung wie „CVE-2023-27997“ angeben."), code="cve")
    return value


def _domain(value: str) -> str:
    value = value.strip().rstrip(".").lower()
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(_("Das ist kein gültiger Domainname."), code="domain") from exc
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(LABEL_RE.match(label) for label in labels):
        raise ValidationError(_("Das ist kein gültiger Domainname (z. B. „update-server.example“)."), code="domain")
    if labels[-1].isdigit():
        raise ValidationError(_("Eine IP-Adresse bitte als Typ „IP-Adresse“ erfassen."), code="domain")
    return value


def _no_zone(address) -> None:
    """A zone id (``fe80::1%eth0``) names an interface of the machine that saw it: not an indicator."""
    scope = getattr(address, "scope_id", None)
    if scope is not None:
        raise ValidationError(
            _("Bitte die IPv6-Adresse ohne Zonen-Kennung („%(zone)s“) angeben, z. B. „fe80::1“."),
            code="ip",
            params={"zone": f"%{scope}"},
        )


def normalise_indicator(kind: str, value: str) -> str:
    """The canonical form of ``value`` as an indicator of ``kind``; ValidationError (German) if it is not one."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Bitte einen Wert angeben."), code="required")
    if len(raw) > MAX_VALUE or not raw.isprintable():
        raise ValidationError(
            _("Der Wert ist zu lang oder enthält Steuerzeichen (höchstens %(n)s Zeichen)."),
            code="value",
            params={"n": MAX_VALUE},
        )
    if kind == IndicatorKind.IP:
        try:
            address = ipaddress.ip_address(raw)
        except ValueError as exc:
            raise ValidationError(
                _("Das ist keine gültige IPv4- oder IPv6-Adresse (z. B. „203.0.113.7“)."), code="ip"
            ) from exc
        _no_zone(address)
        return address.compressed
    if kind == IndicatorKind.DOMAIN:
        return _domain(raw)
    if kind == IndicatorKind.URL:
        try:
            parts = urlsplit(raw)
            host = parts.hostname or ""
            port = parts.port  # ValueError beyond 65535
        except ValueError as exc:
            raise ValidationError(
                _("Das ist keine gültige URL (der Port muss zwischen 1 und 65535 liegen)."), code="url"
            ) from exc
        if port == 0:
            raise ValidationError(
                _("Das ist keine gültige URL (der Port muss zwischen 1 und 65535 liegen)."), code="url"
            )
        if parts.scheme.lower() not in ("http", "https", "ftp") or not host or any(c.isspace() for c in raw):
            raise ValidationError(
                _("Bitte eine vollständige URL mit http://, https:// oder ftp:// angeben."), code="url"
            )
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            _domain(host)
        else:
            _no_zone(address)
        # Scheme and host are case-insensitive; path and query are kept as they were seen.
        return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()
    if kind in HEX_LENGTH:
        digest = raw.lower()
        if len(digest) != HEX_LENGTH[kind] or not HEX_RE.match(digest):
            raise ValidationError(
                _("Ein %(kind)s-Hashwert besteht aus genau %(n)s Hexadezimalzeichen (0–9, a–f)."),
                code="hash",
                params={"kind": IndicatorKind(kind).label, "n": HEX_LENGTH[kind]},
            )
        return digest
    if kind == IndicatorKind.EMAIL:
        local, _at, domain = raw.rpartition("@")
        address = f"{local}@{_domain(domain) if domain else ''}" if local else raw
        try:
            EmailValidator()(address)
        except ValidationError as exc:
            raise ValidationError(_("Das ist keine gültige E-Mail-Adresse."), code="email") from exc
        return address.lower()
    raise ValidationError(_("Unbekannter Indikatortyp."), code="kind")
