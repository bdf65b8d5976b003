"""The ÜBUNG mark on every page of a drill, for the body and for the provider: the banner follows the
call-off's and the record's drill flag, never the title (which the body may edit)."""

import uuid

import pytest
from django.urls import reverse

from aftercare import services
from aftercare.models import Measure
from calloffs import services as calloff_services
from calloffs.models import Priority
from incidents import services as incident_services
from incidents.models import Category
from tests.aftercare.conftest import FINDING, LEAD

pytestmark = pytest.mark.django_db

BANNER = "ds-drill-banner"


@pytest.fixture
def drill(setup, alice, org_a, p1):
    """Body A's drill, accepted by P1, with a finding (and its measure) and an indicator; the body
    has edited the record's title, dropping "ÜBUNG: "."""
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
    calloff = calloff_services.offer_accept(calloff=calloff, provider=setup.providers[0], actor=p1, **LEAD)
    finding = services.finding_create(calloff=calloff, actor=p1, **FINDING)
    indicator = services.indicator_create(calloff=calloff, actor=p1, kind="ip", value="203.0.113.77", tlp="green")
    incident_services.incident_update(incident=calloff.incident, actor=alice, title="Verschlüsselte Fachverfahren")
    return calloff, finding, indicator, Measure.objects.filter(finding=finding).first()


def pages(drill, *, body: bool) -> list[str]:
    calloff, finding, indicator, measure = drill
    incident = calloff.incident.public_id
    common = [
        reverse("calloffs:detail", args=[calloff.public_id]),
        reverse("calloffs:drill_report", args=[calloff.public_id]),
        reverse("aftercare:incident", args=[incident]),
        reverse("aftercare:measures", args=[incident]),
        reverse("aftercare:measure", args=[measure.public_id]),
        reverse("aftercare:lessons_edit", args=[calloff.public_id]),
    ]
    if body:
        return [
            *common,
            reverse("calloffs:scope", args=[calloff.public_id]),
            reverse("incidents:detail", args=[incident]),
            reverse("incidents:edit", args=[incident]),
        ]
    return [
        *common,
        reverse("aftercare:finding_new", args=[calloff.public_id]),
        reverse("aftercare:finding_edit", args=[finding.public_id]),
        reverse("aftercare:indicator_new", args=[calloff.public_id]),
        reverse("aftercare:indicator_edit", args=[indicator.public_id]),
        reverse("aftercare:evidence_new", args=[finding.public_id]),
        reverse("aftercare:measure_new", args=[calloff.public_id]),
    ]


@pytest.mark.parametrize("who", ["alice", "p1"])
def test_every_page_of_a_drill_carries_the_mark(client_for, drill, who, alice, p1):
    client = client_for(alice if who == "alice" else p1)
    for url in pages(drill, body=who == "alice"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count(BANNER) == 1 and "ÜBUNG" in html, url  # one mark, not a banner per template


def test_a_real_call_offs_pages_carry_no_mark(client_for, engaged, alice):
    for url in (
        reverse("calloffs:detail", args=[engaged.public_id]),
        reverse("calloffs:scope", args=[engaged.public_id]),
        reverse("aftercare:incident", args=[engaged.incident.public_id]),
        reverse("incidents:detail", args=[engaged.incident.public_id]),
    ):
        response = client_for(alice).get(url)
        assert response.status_code == 200 and BANNER not in response.content.decode(), url
