"""The ministry's view of a major incident's reconnection gates: one row per affected body with the
gate's state, the required measures still open and who opened the gate when; linked from the major
incident page; everyone else gets 404 (tests/security/test_access_matrix.py for every persona)."""

import html
import re

import pytest
from django.urls import reverse

from aftercare import services
from aftercare.models import Measure
from aftercare.remediation import services as remediation
from incidents import services as incident_services
from incidents.models import Category
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db


def _row(page: str, body: str) -> str:
    rows = [row for row in page.split("<tr>") if f">{body}</a></th>" in row]
    assert len(rows) == 1, body
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows[0].split("</tr>")[0]))


def test_one_row_per_body_with_its_gate(
    client_for, ministry, body_admin, alice, charlie, p1, engaged, engaged_b, org_a, org_b
):
    major = incident_services.major_incident_declare(actor=ministry, title="Ausfall des IT-Dienstleisters")
    incident_services.major_incident_link(
        major=major, actor=ministry, organisations=[org_a, org_b], category=Category.OTHER
    )
    assert set(major.incidents.values_list("pk", flat=True)) == {engaged.incident_id, engaged_b.incident_id}
    # Each body has one measure required for reconnection; body A's is verified and its admin opens the gate.
    for calloff in (engaged, engaged_b):
        finding = services.finding_create(calloff=calloff, actor=p1, **FINDING)
        remediation.measure_update(
            measure=Measure.objects.get(finding=finding), actor=p1, required_for_reconnection=True
        )
    measure = Measure.objects.get(calloff=engaged)
    remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="body", owner=alice)
    remediation.measure_done(measure=measure, actor=alice)
    remediation.measure_verify(measure=measure, actor=p1)
    gate = remediation.gate_open(incident=engaged.incident, actor=body_admin)

    url = reverse("aftercare:major_gates", kwargs={"public_id": major.public_id})
    page = html.unescape(client_for(ministry).get(url).content.decode())
    assert "1 von 2 Stellen freigegeben, 1 gesperrt." in page
    row_a, row_b = _row(page, org_a.name), _row(page, org_b.name)
    assert "freigegeben" in row_a and "0 von 1" in row_a and gate.opened_by_name in row_a
    assert "gesperrt" in row_b and "1 von 1" in row_b and gate.opened_by_name not in row_b
    # The major incident page links here with the count.
    detail = html.unescape(
        client_for(ministry)
        .get(reverse("incidents:major_detail", kwargs={"public_id": major.public_id}))
        .content.decode()
    )
    assert url in detail and "1 von 2 Stellen freigegeben" in detail
    # Only the ministry: the bodies' own people and the provider get 404.
    for user in (body_admin, alice, charlie, p1):
        assert client_for(user).get(url).status_code == 404
