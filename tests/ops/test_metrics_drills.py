"""/metrics counts drills (they run the real path: the same sweep, the same SLA timers) apart from
the real call-offs and incidents, under the label drill="true"; a drill never counts as an overdue
reporting obligation."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from calloffs import services
from calloffs.models import CallOff, Priority
from incidents.models import Category
from tests.ops.test_ops_endpoints import metric

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill(setup, alice, org_a):
    return services.calloff_file(
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


def test_drills_are_counted_apart(client, setup, file_calloff, drill):
    real = file_calloff()
    CallOff.objects.filter(pk__in=[real.pk, drill.pk]).update(submitted_at=timezone.now())
    drill.offers.update(respond_by=timezone.now() - timedelta(minutes=5))  # the drill's offer is overdue
    text = client.get("/metrics").content.decode()

    assert metric(text, "digisos_calloffs", state="offered", drill="false") == 1
    assert metric(text, "digisos_calloffs", state="offered", drill="true") == 1
    assert metric(text, "digisos_incidents", status=real.incident.status, drill="false") == 1
    assert metric(text, "digisos_incidents", status=drill.incident.status, drill="true") == 1
    assert metric(text, "digisos_offers_overdue", drill="true") == 1
    assert metric(text, "digisos_offers_overdue", drill="false") == 0
    assert metric(text, "digisos_offer_overdue_max_seconds") >= 299


def test_overdue_milestones_of_a_drill_carry_the_label(client, setup, drill):
    accepted = services.offer_accept(
        calloff=drill,
        provider=setup.providers[0],
        actor=setup.staff[0],
        lead_name="Jana Keller",
        lead_phone="+49 211 5550110",
    )
    CallOff.objects.filter(pk=accepted.pk).update(callback_due_at=timezone.now() - timedelta(minutes=1))
    text = client.get("/metrics").content.decode()
    assert metric(text, "digisos_sla_milestones_overdue", milestone="callback", drill="true") == 1
    assert metric(text, "digisos_sla_milestones_overdue", milestone="callback", drill="false") == 0
    assert metric(text, "digisos_sla_milestones_overdue", milestone="onsite", drill="true") == 0


def test_a_drill_never_counts_as_an_overdue_reporting_obligation(client, setup, drill):
    from incidents.models import ObligationKind, ReportingObligation

    # Not created for a drill at all; one written by hand (data from before) is still not counted.
    assert not ReportingObligation.objects.filter(incident=drill.incident).exists()
    ReportingObligation.objects.create(
        incident=drill.incident,
        kind=ObligationKind.values[0],
        due_at=timezone.now() - timedelta(minutes=1),
        remind_at=timezone.now() - timedelta(hours=2),
    )
    text = client.get("/metrics").content.decode()
    assert metric(text, "digisos_reporting_obligations_overdue", kind=ObligationKind.values[0]) == 0
