"""A drill's indicators are made up: the ministry's NRW-wide export (STIX and MISP) never holds them,
while the drill's own incident export still does for its parties; outsiders get 404."""

import uuid

import pytest
from django.urls import reverse

from aftercare import services
from calloffs import services as calloff_services
from calloffs.models import Priority
from incidents.models import Category
from tests.aftercare.conftest import LEAD, SHA256

pytestmark = pytest.mark.django_db

MADE_UP = "203.0.113.77"


@pytest.fixture
def drill_indicator(setup, alice, org_a, p1):
    drill = calloff_services.calloff_file(
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
    drill = calloff_services.offer_accept(calloff=drill, provider=setup.providers[0], actor=p1, **LEAD)
    services.indicator_create(calloff=drill, actor=p1, kind="ip", value=MADE_UP, tlp="green")
    return drill


def _get(client, name, **kwargs):
    return client.get(reverse(f"aftercare:{name}", kwargs=kwargs))


def test_the_nrw_export_holds_no_drill_indicator(client_for, ministry, engaged, p1, drill_indicator):
    services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="green")
    for fmt in ("stix", "misp"):
        response = _get(client_for(ministry), "nrw_export", fmt=fmt)
        assert response.status_code == 200
        text = response.content.decode()
        assert SHA256 in text and MADE_UP not in text
    own = _get(client_for(ministry), "incident_export", public_id=drill_indicator.incident.public_id, fmt="stix")
    assert own.status_code == 200 and MADE_UP in own.content.decode()  # the drill's own record keeps them


def test_outsiders_get_no_drill_export(client_for, charlie, alice, drill_indicator):
    assert _get(client_for(alice), "nrw_export", fmt="stix").status_code == 404
    response = _get(client_for(charlie), "incident_export", public_id=drill_indicator.incident.public_id, fmt="stix")
    assert response.status_code == 404
