"""Portal pages of measures and the gate, for every persona: the body's members and the ministry read,
a body admin assigns and accepts risks, the owner works on the measure, the engaged provider verifies;
another body and another provider get 404; readers get 403 on the steps; errors are German, input kept."""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftercare import services
from aftercare.models import Measure, MeasureState, ReconnectionGate
from aftercare.remediation import services as remediation
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(engaged, p1):
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    measure = Measure.objects.get(finding=finding)
    return remediation.measure_update(measure=measure, actor=p1, required_for_reconnection=True)


def text(response) -> str:
    return html.unescape(response.content.decode())


def urls(measure, engaged):
    return {
        "list": reverse("aftercare:measures", kwargs={"public_id": engaged.incident.public_id}),
        "measure": reverse("aftercare:measure", kwargs={"public_id": measure.public_id}),
        "new": reverse("aftercare:measure_new", kwargs={"calloff_id": engaged.public_id}),
    }


#: persona → (list, measure page, provider's new-measure form)
MATRIX = {
    "alice": (200, 200, 403),
    "bob": (200, 200, 403),
    "admin": (200, 200, 403),
    "ministry": (200, 200, 403),
    "p1": (200, 200, 200),
    "charlie": (404, 404, 404),
    "p2": (404, 404, 404),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_who_sees_what(client_for, personas, persona, measure, engaged):
    client = client_for(personas[persona])
    got = tuple(client.get(url).status_code for url in urls(measure, engaged).values())
    assert got == MATRIX[persona]
    if got[0] == 200:
        page = text(client.get(urls(measure, engaged)["list"]))
        assert "Wiederanschluss gesperrt" in page and measure.title in page


def test_the_body_assigns_and_works_the_provider_verifies(client_for, body_admin, bob, p1, measure, engaged):
    url = urls(measure, engaged)["measure"]
    admin = client_for(body_admin)
    page = text(admin.get(url))
    assert "Zuständigkeit festlegen" in page and "Umsetzung prüfen" not in page
    response = admin.post(url, {"step": "assign", "assign-owner": str(bob.pk)})
    assert response.status_code == 302 and Measure.objects.get(pk=measure.pk).owner == bob
    owner = client_for(bob)  # a read-only member, but the owner of this measure
    assert owner.post(url, {"step": "start"}).status_code == 302
    assert owner.post(url, {"step": "done", "done-note": "MFA aktiv."}).status_code == 302
    assert Measure.objects.get(pk=measure.pk).state == MeasureState.DONE
    provider = client_for(p1)
    page = text(provider.get(url))
    assert "Umsetzung prüfen" in page and "bob@example.org" not in page  # the provider needs no names
    response = provider.post(url, {"step": "verify", "verify-result": "sent_back", "verify-note": "kurz"})
    assert response.status_code == 400 and "Bitte begründen Sie die Rückgabe" in text(response)
    assert "kurz" in text(response)  # the input is kept
    response = provider.post(url, {"step": "verify", "verify-result": "verified", "verify-note": "Retest ok."})
    assert response.status_code == 302 and Measure.objects.get(pk=measure.pk).state == MeasureState.VERIFIED
    # The gate can open now; the body admin opens it, recorded with who and when.
    list_url = urls(measure, engaged)["list"]
    assert "Wiederanschluss freigeben" in text(admin.get(list_url))
    gate_url = reverse("aftercare:gate_open", kwargs={"public_id": engaged.incident.public_id})
    assert client_for(bob).post(gate_url, {}).status_code == 403
    assert client_for(p1).post(gate_url, {}).status_code == 403
    response = admin.post(gate_url, {"note": "Netzanbindung wiederhergestellt."})
    assert response.status_code == 302 and ReconnectionGate.objects.get().opened_by == body_admin
    provider_page = text(client_for(p1).get(list_url))
    assert "Wiederanschluss freigegeben" in provider_page
    # the provider learns the role that opened the gate, not the name of the body's person
    name = ReconnectionGate.objects.get().opened_by_name
    assert name == body_admin.get_full_name()
    assert "Freigegeben von der Stelle (Verwaltung)" in provider_page and name not in provider_page
    assert f"Freigegeben von {name}" in text(client_for(bob).get(list_url))


def test_steps_are_refused_to_those_who_may_not_take_them(
    client_for, alice, bob, ministry, p1, p2, charlie, measure, engaged
):
    url = urls(measure, engaged)["measure"]
    for user, expected in ((alice, 403), (bob, 403), (ministry, 403), (p1, 403), (charlie, 404), (p2, 404)):
        response = client_for(user).post(url, {"step": "risk", "risk-reason": "Wir tragen das Risiko bewusst."})
        assert response.status_code == expected, user
    assert client_for(p1).post(url, {"step": "verify", "verify-result": "verified"}).status_code == 403  # open
    assert Measure.objects.get(pk=measure.pk).state == MeasureState.OPEN


def test_accepting_a_risk_keeps_the_input_on_error(client_for, body_admin, measure, engaged):
    url = urls(measure, engaged)["measure"]
    admin = client_for(body_admin)
    response = admin.post(url, {"step": "risk", "risk-reason": "zu kurz"})
    assert response.status_code == 400 and "zu kurz" in text(response)
    response = admin.post(url, {"step": "risk", "risk-reason": "Das VPN wird zum Monatsende abgeschaltet."})
    assert response.status_code == 302 and Measure.objects.get(pk=measure.pk).state == MeasureState.ACCEPTED_RISK
    gate_url = reverse("aftercare:gate_open", kwargs={"public_id": engaged.incident.public_id})
    response = admin.post(gate_url, {})
    # An accepted risk is not a verification: the body's own work waits for the provider's check.
    assert response.status_code == 400 and "noch nicht geprüft und bestätigt" in text(response)
    assert "Bestätigen muss sie der beauftragte Dienstleister nach einem erneuten Test." in text(response)
    assert not ReconnectionGate.objects.exists()


def test_the_provider_takes_the_reconnection_mark_off(client_for, p1, alice, measure, engaged):
    url = urls(measure, engaged)["measure"]
    assert client_for(alice).post(url, {"step": "required"}).status_code == 403
    assert client_for(p1).post(url, {"step": "required"}).status_code == 302  # unchecked box: off
    assert not Measure.objects.get(pk=measure.pk).required_for_reconnection
    assert "Keine Maßnahme ist als Voraussetzung" in text(client_for(alice).get(urls(measure, engaged)["list"]))


def test_the_provider_adds_a_measure(client_for, p1, measure, engaged):
    url = urls(measure, engaged)["new"]
    client = client_for(p1)
    response = client.post(url, {"finding": str(measure.finding.public_id), "title": ""})
    assert response.status_code == 400
    response = client.post(url, {"finding": str(measure.finding.public_id), "title": "Alte Konten löschen"})
    assert response.status_code == 302 and Measure.objects.filter(title="Alte Konten löschen").exists()


def test_the_incident_page_links_to_the_measures(client_for, alice, measure, engaged):
    page = text(client_for(alice).get(reverse("incidents:detail", kwargs={"public_id": engaged.incident.public_id})))
    assert "Nachbereitung: Maßnahmen und Wiederanschluss" in page and "Wiederanschluss gesperrt" in page


def overdue(measure):
    """Put the measure's due date into the past (as time passing would)."""
    past = timezone.localdate() - dt.timedelta(days=2)
    Measure.objects.filter(pk=measure.pk).update(due_date=past, remind_on=past)


def test_overdue_measures_are_loud_on_the_bodys_home_page(client_for, alice, bob, charlie, ministry, p1, measure):
    assert "überfällig" not in text(client_for(alice).get("/"))
    overdue(measure)
    for user in (alice, bob):
        page = text(client_for(user).get("/"))
        assert "1 Maßnahme nach einem Sicherheitsvorfall ist überfällig" in page and measure.title in page
    for user in (charlie, ministry, p1):
        assert measure.title not in text(client_for(user).get("/"))


def test_measures_to_verify_on_the_providers_home_page(client_for, body_admin, p1, p2, measure):
    remediation.measure_done(measure=measure, actor=body_admin)
    assert "wartet auf Ihre Prüfung" in text(client_for(p1).get("/"))
    assert measure.title not in text(client_for(p2).get("/"))


def test_the_home_page_costs_the_same_queries_with_more_overdue_measures(
    client_for, alice, engaged, p1, measure, django_assert_num_queries
):
    overdue(measure)
    client = client_for(alice)
    client.get("/")
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    for _ in range(5):
        finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)
        overdue(Measure.objects.get(finding=finding))
    with django_assert_num_queries(len(small.captured_queries)):
        assert "6 Maßnahmen nach Sicherheitsvorfällen sind überfällig" in text(client.get("/"))


def test_the_ministry_sets_the_contracts_terms(client_for, ministry, body_admin, setup, measure, engaged):
    url = reverse("aftercare:contract_terms", kwargs={"public_id": setup.contract.public_id})
    assert client_for(body_admin).get(url).status_code == 404
    client = client_for(ministry)
    assert url in text(client.get(urls(measure, engaged)["list"]))
    data = {
        "critical_days": "3",
        "high_days": "14",
        "medium_days": "60",
        "low_days": "120",
        "remind_before_days": "1",
        "overdue_every_days": "5",
        "escalate_after_days": "10",
    }
    response = client.post(url, {**data, "critical_days": "40"})
    assert response.status_code == 400 and "Die Fristen müssen mit sinkendem Schweregrad" in text(response)
    response = client.post(url, {**data, "low_days": "731"})
    assert response.status_code == 400 and 'value="731"' in text(response)
    response = client.post(url, {**data, "overdue_every_days": "0"})
    assert response.status_code == 400 and 'value="0"' in text(response)
    assert client.post(url, data).status_code == 302
    from aftercare.models import RemediationTerms

    terms = RemediationTerms.objects.get(contract=setup.contract)
    assert (terms.critical_days, terms.high_days, terms.remind_before_days) == (3, 14, 1)
    assert (terms.overdue_every_days, terms.escalate_after_days) == (5, 10)
