"""Need to know in the drill report: a provider sees only its own offer's row and times; the body and
the ministry see every offer in the order of precedence (page and PDF)."""

import re
import uuid

import pytest
from django.urls import reverse

from calloffs import services
from calloffs.models import CallOff, Priority
from incidents.models import Category
from tests.calloffs.documents_fixtures import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill(setup, alice, org_a):
    """A drill the first provider declined; the second holds the open offer."""
    calloff = services.calloff_file(
        organisation=org_a,
        actor=alice,
        client_token=uuid.uuid4(),
        category=Category.RANSOMWARE,
        situation="Übung: angenommener Befall der Fachverfahren.",
        priority=Priority.P2,
        services=[(setup.modules.remote, 4)],
        callback_phone="+49 171 1234567",
        drill=True,
    )
    services.offer_decline(
        calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], reason="Keine Kapazität in der Übung"
    )
    return CallOff.objects.get(pk=calloff.pk)


def texts(client, calloff) -> tuple[str, str]:
    page = client.get(reverse("calloffs:drill_report", args=[calloff.public_id]))
    pdf = client.get(reverse("calloffs:drill_report_pdf", args=[calloff.public_id]))
    assert page.status_code == 200 and pdf.status_code == 200
    return page.content.decode(), pdf_text(pdf.content)


def shows(text: str, name: str) -> bool:
    """``name`` as a word of its own (a short name like "P1" may occur inside a random CSP nonce)."""
    return re.search(rf"(?<![\w+/=-]){re.escape(name)}(?![\w+/=-])", text) is not None


def accept_second(setup, calloff):
    return services.offer_accept(
        calloff=calloff,
        provider=setup.providers[1],
        actor=setup.staff[1],
        lead_name="Jana Keller",
        lead_phone="+49 211 5550110",
    )


def test_the_provider_holding_the_offer_sees_only_its_own_row(client_for, setup, drill):
    first, second = setup.providers[:2]
    for text in texts(client_for(setup.staff[1]), drill):
        assert "ÜBUNG" in text and shows(text, second.short_name)
        assert not shows(text, first.short_name) and first.legal_name not in text
        assert "Abgelehnt" not in text  # the first provider's result


def test_the_accepting_provider_sees_its_times_but_not_who_declined(client_for, setup, drill):
    accept_second(setup, drill)
    first, second = setup.providers[:2]
    for text in texts(client_for(setup.staff[1]), drill):
        assert shows(text, second.short_name) and second.legal_name in text  # its own row and "accepted by"
        assert "Rückruf" in text  # its own call-back time against the SLA
        assert not shows(text, first.short_name) and "Abgelehnt" not in text


def test_a_provider_that_declined_no_longer_sees_the_report(client_for, setup, drill):
    accept_second(setup, drill)
    client = client_for(setup.staff[0])
    assert client.get(reverse("calloffs:drill_report", args=[drill.public_id])).status_code == 404
    assert client.get(reverse("calloffs:drill_report_pdf", args=[drill.public_id])).status_code == 404


@pytest.mark.parametrize("who", ["alice", "ministry"])
def test_the_body_and_the_ministry_see_every_offer(client_for, setup, drill, who, alice, ministry):
    accept_second(setup, drill)
    user = alice if who == "alice" else ministry
    first, second = setup.providers[:2]
    for text in texts(client_for(user), drill):
        assert shows(text, first.short_name) and "Abgelehnt" in text and shows(text, second.short_name)
