"""Providers' API: findings, indicators, measures and evidence of a drill say "drill": true (and of a
real call-off false), from the call-off the view loaded."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calloffs import services as calloff_services
from calloffs.models import Priority
from incidents.models import Category
from tests.aftercare.conftest import FINDING, LEAD

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill(setup, alice, org_a, p1):
    calloff = calloff_services.calloff_file(
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
    return calloff_services.offer_accept(calloff=calloff, provider=setup.providers[0], actor=p1, **LEAD)


def base(calloff, what):
    return f"/api/v1/calloffs/{calloff.public_id}/{what}/"


@pytest.mark.parametrize("is_drill", [True, False])
def test_aftercare_rows_carry_the_drill_flag(api, drill, engaged, is_drill):
    calloff = drill if is_drill else engaged
    client = api(0)
    finding = client.post(base(calloff, "findings"), FINDING, format="json")
    assert finding.status_code == 201, finding.content
    assert finding.json()["drill"] is is_drill
    indicator = client.post(base(calloff, "indicators"), {"kind": "ip", "value": "203.0.113.7"}, format="json")
    assert indicator.status_code == 201, indicator.content
    assert indicator.json()["drill"] is is_drill
    for what in ("findings", "indicators", "measures"):
        rows = client.get(base(calloff, what)).json()["results"]
        assert rows and all(row["drill"] is is_drill for row in rows), what
    evidence_url = base(calloff, "findings") + finding.json()["id"] + "/evidence/"
    upload = SimpleUploadedFile("vpn.log", b"2026-11-30 08:00 login ok\n", content_type="text/plain")
    added = client.post(evidence_url, {"file": upload, "description": "VPN-Log"}, format="multipart")
    assert added.status_code == 201, added.content
    assert added.json()["drill"] is is_drill
    assert [row["drill"] for row in client.get(evidence_url).json()] == [is_drill]
