"""A drill never produces a legal report: no NIS-2 final report draft for a drill's record (no link,
404 for the draft page and its text download, the service refuses)."""

import uuid

import pytest
from django.urls import reverse

from aftercare import report_services, services
from calloffs import services as calloff_services
from calloffs.errors import CallOffError
from calloffs.models import Priority
from incidents.models import Category
from tests.aftercare.conftest import FINDING, LEAD

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill(setup, alice, org_a, p1):
    """Body A's drill, accepted by P1, with a finding and an issued final report."""
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
    services.finding_create(calloff=calloff, actor=p1, **FINDING, root_cause=True)
    report_services.report_lessons_set(calloff=calloff, actor=p1, text="MFA an allen Fernzugängen erzwingen.")
    report_services.final_report_issue(calloff=calloff, actor=p1)
    return calloff


def test_no_nis2_draft_for_a_drill(client_for, drill, alice, body_admin):
    incident = drill.incident
    assert incident.is_drill
    for user in (alice, body_admin):  # the body's caller and administrator, who may draft a real one
        client = client_for(user)
        page = client.get(reverse("aftercare:incident", kwargs={"public_id": incident.public_id}))
        assert page.status_code == 200
        html = page.content.decode()
        assert "ÜBUNG" in html
        assert reverse("aftercare:nis2_draft", kwargs={"public_id": incident.public_id}) not in html
        assert "NIS-2-Abschlussbericht: Entwurf" not in html
        draft = reverse("aftercare:nis2_draft", args=[incident.public_id])
        download = reverse("aftercare:nis2_draft_download", args=[incident.public_id])
        assert client.get(draft).status_code == 404 and client.get(download).status_code == 404
        assert client.post(draft, {"text": "x" * 500}).status_code == 404
    assert not report_services.may_edit_nis2_draft(alice, incident)
    with pytest.raises(CallOffError):
        report_services.nis2_draft_save(incident=incident, actor=alice, text="Entwurf " * 100)
