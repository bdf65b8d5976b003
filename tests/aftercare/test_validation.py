"""Format rules: indicator values per type (normalised) and CVSS base vectors (score from the library)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from aftercare.models import IndicatorKind as K
from aftercare.validation import check_cve, normalise_indicator, parse_cvss


@pytest.mark.parametrize(
    "kind,raw,normal",
    [
        (K.IP, " 203.0.113.7 ", "203.0.113.7"),
        (K.IP, "2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        (K.DOMAIN, "Update-Server.Example.", "update-server.example"),
        (K.DOMAIN, "bücher.example", "xn--bcher-kva.example"),
        (K.URL, "HTTPS://Evil.Example/Payload?a=B", "https://evil.example/Payload?a=B"),
        (K.MD5, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
        (K.SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (
            K.SHA256,
            "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ),
        (K.EMAIL, "Rechnung@Lieferant-Example.DE", "rechnung@lieferant-example.de"),
    ],
)
def test_it_normalises_valid_values(kind, raw, normal):
    assert normalise_indicator(kind, raw) == normal


@pytest.mark.parametrize(
    "kind,raw",
    [
        (K.IP, "203.0.113.256"),
        (K.IP, "evil.example"),
        (K.DOMAIN, "localhost"),
        (K.DOMAIN, "203.0.113.7"),
        (K.DOMAIN, "-bad-.example"),
        (K.DOMAIN, "a b.example"),
        (K.URL, "evil.example/payload"),
        (K.URL, "javascript:alert(1)"),
        (K.URL, "https://"),
        (K.URL, "https://evil.example:99999/x"),
        (K.URL, "https://evil.example:0/x"),
        (K.URL, "http://[fe80::1%25eth0]/x"),
        (K.IP, "fe80::1%eth0"),
        (K.MD5, "d41d8cd98f00b204e9800998ecf8427"),
        (K.SHA1, "zz39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (K.SHA256, "9f86d081"),
        (K.EMAIL, "kein-absender"),
        (K.EMAIL, "a@b"),
        (K.SHA256, ""),
        (K.DOMAIN, "x" * 3000),
        (K.DOMAIN, "evil\x00.example"),
        ("nonsense", "x"),
    ],
)
def test_it_refuses_invalid_values(kind, raw):
    with pytest.raises(ValidationError):
        normalise_indicator(kind, raw)


def test_cvss_31_score_and_severity_come_from_the_vector():
    cvss = parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    assert (cvss.score, cvss.severity) == (Decimal("9.8"), "critical")
    assert parse_cvss("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N").severity == "low"


def test_cvss_40_is_accepted():
    cvss = parse_cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
    assert (cvss.score, cvss.severity) == (Decimal("9.3"), "critical")


@pytest.mark.parametrize(
    "vector",
    [
        "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",  # no prefix
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",  # 3.0 is not asked for
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N",  # incomplete base
        "CVSS:4.0/AV:N",
        "CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C",
        "",
    ],
)
def test_invalid_cvss_vectors_are_refused(vector):
    with pytest.raises(ValidationError):
        parse_cvss(vector)


def test_port_and_zone_messages():
    with pytest.raises(ValidationError) as info:
        normalise_indicator(K.IP, "fe80::1%eth0")
    assert info.value.messages == ["Bitte die IPv6-Adresse ohne Zonen-Kennung („%eth0“) angeben, z. B. „fe80::1“."]
    with pytest.raises(ValidationError) as info:
        normalise_indicator(K.URL, "https://evil.example:99999/x")
    assert "Port muss zwischen 1 und 65535" in info.value.messages[0]


@pytest.mark.parametrize(
    "vector",
    [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:H/MAV:P",  # environmental
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U",  # temporal
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSI:S/S:X",  # environmental, supplemental
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",  # threat
    ],
)
def test_only_base_vectors_are_accepted(vector):
    with pytest.raises(ValidationError) as info:
        parse_cvss(vector)
    assert info.value.code == "cvss_base" and "Basismetriken" in info.value.messages[0]


def test_cve_ids():
    assert check_cve(" cve-2023-27997 ") == "CVE-2023-27997"
    assert check_cve("") == ""
    for bad in ("CVE-23-1", "2023-27997", "CVE-2023-27997x"):
        with pytest.raises(ValidationError):
            check_cve(bad)
