"""Closing an opened reconnection gate again: a body admin or the ministry, with a reason of 10–2000
characters (form, service and CHECK), audited; opening it again needs the required measures verified
again; the gate pages show who opened and closed it when; the provider cannot, outsiders get 404."""

import html

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from aftercare import services
from aftercare.errors import GateClosed, InvalidInput, MeasureStateConflict, NotPermitted
from aftercare.models import Measure, ReconnectionGate
from aftercare.remediation import services as remediation
from incidents import services as incident_services
from incidents.models import Category
from tenants.models import AuditEntry
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db

REASON = "Erneuter Zugriff über ein nicht erfasstes Konto entdeckt."


@pytest.fixture
def opened(engaged, p1, body_admin, alice):
    """Body A's incident with one required measure, verified, and the gate opened by the body admin."""
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    measure = Measure.objects.get(finding=finding)
    remediation.measure_update(measure=measure, actor=p1, required_for_reconnection=True)
    remediation.measure_done(measure=measure, actor=body_admin)
    remediation.measure_verify(measure=measure, actor=p1)
    remediation.gate_open(incident=engaged.incident, actor=body_admin)
    return engaged.incident


def urls(incident):
    return {
        "list": reverse("aftercare:measures", kwargs={"public_id": incident.public_id}),
        "open": reverse("aftercare:gate_open", kwargs={"public_id": incident.public_id}),
        "close": reverse("aftercare:gate_close", kwargs={"public_id": incident.public_id}),
    }


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_close_and_open_again(opened, body_admin, ministry, alice, bob, p1):
    for actor in (alice, bob, p1):  # a caller, a read-only member, the engaged provider
        with pytest.raises(NotPermitted):
            remediation.gate_close(incident=opened, actor=actor, reason=REASON)
    with pytest.raises(InvalidInput) as exc:
        remediation.gate_close(incident=opened, actor=body_admin, reason="zu kurz")
    assert exc.value.field == "reason"
    with pytest.raises(InvalidInput):
        remediation.gate_close(incident=opened, actor=body_admin, reason="x" * 2001)
    gate = remediation.gate_close(incident=opened, actor=ministry, reason=REASON)
    assert (gate.closed_by, gate.closed_as_ministry, gate.close_reason) == (ministry, True, REASON)
    entry = AuditEntry.objects.get(action="incident.reconnection_closed")
    assert entry.target == str(opened.public_id) and entry.details["reason"] == REASON
    with pytest.raises(MeasureStateConflict):  # closed already
        remediation.gate_close(incident=opened, actor=body_admin, reason=REASON)
    # Opening again needs the required measures verified: it is, so the admin opens a second period.
    again = remediation.gate_open(incident=opened, actor=body_admin, note="Konto gesperrt, erneut geprüft.")
    assert again.pk != gate.pk and again.is_open
    assert ReconnectionGate.objects.filter(incident=opened).count() == 2
    remediation.gate_close(incident=opened, actor=body_admin, reason=REASON)


def test_reopening_needs_the_required_measures_verified_again(opened, engaged, p1, body_admin):
    remediation.gate_close(incident=opened, actor=body_admin, reason=REASON)
    remediation.measure_create(
        calloff=engaged,
        actor=p1,
        finding=Measure.objects.get(incident=opened).finding,
        title="Alle Dienstkonten prüfen",
        required_for_reconnection=True,
    )
    with pytest.raises(GateClosed):
        remediation.gate_open(incident=opened, actor=body_admin)


def test_the_portal_closes_with_a_reason_and_shows_the_history(client_for, opened, body_admin, ministry, bob, p1):
    u = urls(opened)
    admin = client_for(body_admin)
    assert "Wiederanschluss wieder sperren" in text(admin.get(u["list"]))
    assert "Wiederanschluss wieder sperren" not in text(client_for(p1).get(u["list"]))
    assert "Wiederanschluss wieder sperren" not in text(client_for(bob).get(u["list"]))
    response = admin.post(u["close"], {"reason": "zu kurz"})
    assert response.status_code == 400 and "zu kurz" in text(response)  # German error, input kept
    assert ReconnectionGate.objects.get().is_open
    response = admin.post(u["close"], {"reason": REASON})
    assert response.status_code == 302
    page = text(admin.get(u["list"]))
    assert "Wiederanschluss möglich, noch nicht freigegeben" in page and "Verlauf der Freigaben" in page
    name = body_admin.get_full_name()
    assert REASON in page and name in page
    # The ministry opens it again; the body sees both periods with names, the provider only the roles.
    assert client_for(ministry).post(u["open"], {}).status_code == 302
    page = text(client_for(bob).get(u["list"]))
    assert "Wiederanschluss freigegeben" in page and page.count(name) >= 2 and "noch freigegeben" in page
    provider_page = text(client_for(p1).get(u["list"]))
    assert REASON in provider_page and name not in provider_page and "Stelle (Verwaltung)" in provider_page
    assert ministry.get_full_name() not in provider_page and "Ministerium" in provider_page


def test_who_may_close_in_the_portal(client_for, opened, alice, bob, p1, p2, charlie):
    url = urls(opened)["close"]
    for user, expected in ((alice, 403), (bob, 403), (p1, 403), (charlie, 404), (p2, 404)):
        assert client_for(user).post(url, {"reason": REASON}).status_code == expected, user
    assert ReconnectionGate.objects.get().is_open
    assert client_for(alice).get(url).status_code == 405


def test_the_ministry_sees_the_history_of_a_major_incidents_gates(client_for, opened, ministry, body_admin, org_a):
    major = incident_services.major_incident_declare(actor=ministry, title="Ausfall des IT-Dienstleisters")
    incident_services.major_incident_link(major=major, actor=ministry, organisations=[org_a], category=Category.OTHER)
    remediation.gate_close(incident=opened, actor=body_admin, reason=REASON)
    page = text(client_for(ministry).get(reverse("aftercare:major_gates", kwargs={"public_id": major.public_id})))
    assert REASON in page and "wieder gesperrt" in page and "0 von 1 Stelle freigegeben" in page


@pytest.mark.parametrize(
    "change",
    [
        {"closed_at": "NOW"},  # closed without who and why
        {"closed_at": "NOW", "closed_by_name": "Anna Admin", "close_reason": "kurz"},
        {"closed_at": "BEFORE", "closed_by_name": "Anna Admin", "close_reason": REASON},
        {"close_reason": REASON},  # a reason on an open gate
    ],
)
def test_the_database_wants_when_who_and_why(opened, change):
    gate = ReconnectionGate.objects.get()
    times = {"NOW": timezone.now(), "BEFORE": gate.opened_at - timezone.timedelta(hours=1)}
    change = {k: times.get(v, v) if k == "closed_at" else v for k, v in change.items()}
    with pytest.raises(IntegrityError), transaction.atomic():
        ReconnectionGate.objects.filter(pk=gate.pk).update(**change)


def test_the_database_allows_one_open_period(opened, body_admin):
    gate = ReconnectionGate.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReconnectionGate.objects.create(
            incident=opened, organisation_id=opened.organisation_id, opened_by_name="Zweite", opened_by=body_admin
        )
    assert ReconnectionGate.objects.filter(incident=opened).count() == 1 and gate.is_open
