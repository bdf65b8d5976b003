"""Fixtures of the aftercare tests: a call-off of body A accepted by P1 (the engaged provider,
staff[0]), one of body B accepted by P1 too (for matching across bodies), and the API key fixtures."""

import pytest

from calloffs import services as calloff_services
from tests.api.conftest import api, keys  # noqa: F401  (fixtures)

LEAD = {"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"}


@pytest.fixture
def engaged(drive):
    """Body A's call-off, accepted by P1."""
    return drive("accepted")


@pytest.fixture
def engaged_b(file_calloff, setup, org_b, charlie):
    """Body B's call-off (filed by charlie), accepted by P1."""
    calloff = file_calloff(organisation=org_b, actor=charlie)
    return calloff_services.offer_accept(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], **LEAD)


@pytest.fixture
def personas(alice, bob, body_admin, charlie, ministry, p1, p2):
    """Every persona of the aftercare pages by name."""
    return {
        "alice": alice,
        "bob": bob,
        "admin": body_admin,
        "charlie": charlie,
        "ministry": ministry,
        "p1": p1,
        "p2": p2,
    }


@pytest.fixture
def p1(setup):
    return setup.staff[0]


@pytest.fixture
def p2(setup):
    return setup.staff[1]


FINDING = {
    "title": "VPN-Zugang ohne Mehrfaktor-Anmeldung",
    "description": "Der Angreifer meldete sich mit erbeuteten Zugangsdaten am VPN an.",
    "category": "remote_access",
    "severity": "critical",
    "recommendation": "MFA für alle Fernzugänge erzwingen.",
}
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.fixture
def engaged_b_p2(file_calloff, setup, org_b, charlie):
    """Body B's call-off (filed by charlie): P1 declines, P2 accepts (another provider than body A's)."""
    calloff = file_calloff(organisation=org_b, actor=charlie)
    calloff_services.offer_decline(
        calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], reason="Keine Kapazität"
    )
    calloff.refresh_from_db()
    return calloff_services.offer_accept(calloff=calloff, provider=setup.providers[1], actor=setup.staff[1], **LEAD)
