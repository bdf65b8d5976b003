"""Since the second check, a measure is confirmed by the other party: the body's own work by the accepting
provider (a re-test), what the provider carried out as a billable service by a body admin. Every text
about the reconnection gate says so for both cases, in German and English: the measures page and its
gate panel, the ministry's major-incident page, the refusal to open the gate (portal and service), the
done step, the e-mails, the final report; none still says "vom Dienstleister bestätigt" for all."""

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from aftercare import services
from aftercare.errors import GateClosed
from aftercare.models import Measure, MeasureState, ReconnectionGate
from aftercare.remediation import services as remediation
from aftercare.remediation import wording
from notifications.models import Audience, Channel, Notification
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def two(engaged, p1, body_admin, alice):
    """Two measures required for reconnection: the body's own work (alice) and the provider's (billable)."""
    body_work = Measure.objects.get(finding=services.finding_create(calloff=engaged, actor=p1, **FINDING))
    provider_work = Measure.objects.get(
        finding=services.finding_create(calloff=engaged, actor=p1, **{**FINDING, "title": "Firewall-Regeln"})
    )
    for measure in (body_work, provider_work):
        remediation.measure_update(measure=measure, actor=p1, required_for_reconnection=True)
    remediation.measure_assign(measure=body_work, actor=body_admin, owner_kind="body", owner=alice)
    remediation.measure_assign(measure=provider_work, actor=body_admin, owner_kind="provider")
    return Measure.objects.get(pk=body_work.pk), Measure.objects.get(pk=provider_work.pk)


def list_url(incident):
    return reverse("aftercare:measures", kwargs={"public_id": incident.public_id})


def test_the_gate_panel_names_who_confirms_each(client_for, two, engaged, alice, body_admin, p1):
    body_work, provider_work = two
    for user in (alice, p1):
        page = text(client_for(user).get(list_url(engaged.incident)))
        assert "2 für den Wiederanschluss erforderliche Maßnahmen sind noch nicht geprüft und bestätigt." in page
        assert (
            "Davon bestätigt 1 der beauftragte Dienstleister (Arbeit der Stelle) und 1 die Administration der "
            "Stelle (Arbeit des Dienstleisters)." in page
        )
        assert f"{body_work.title} – Offen (bestätigt der beauftragte Dienstleister)" in page
        assert f"{provider_work.title} – Offen (bestätigt die Administration der Stelle)" in page
        assert "vom Dienstleister bestätigt" not in page
        assert "Maßnahmen der Stelle vom beauftragten Dienstleister, Maßnahmen des Dienstleisters von der " in page

    # The provider carries out its measure, the body's admin confirms it: only the body's work waits now,
    # for the provider's re-test.
    remediation.measure_done(measure=provider_work, actor=p1)
    remediation.measure_verify(measure=provider_work, actor=body_admin)
    page = text(client_for(alice).get(list_url(engaged.incident)))
    assert "1 für den Wiederanschluss erforderliche Maßnahme ist noch nicht geprüft und bestätigt." in page
    assert "Bestätigen muss sie der beauftragte Dienstleister nach einem erneuten Test." in page
    remediation.measure_done(measure=body_work, actor=alice)
    remediation.measure_verify(measure=body_work, actor=p1)
    page = text(client_for(p1).get(list_url(engaged.incident)))
    assert (
        "Alle für den Wiederanschluss erforderlichen Maßnahmen sind geprüft und bestätigt: 1 vom beauftragten "
        "Dienstleister (Arbeit der Stelle), 1 von der Administration der Stelle (Arbeit des Dienstleisters)." in page
    )


def test_only_the_providers_work_waits_for_the_body(client_for, two, engaged, body_admin, alice, p1):
    body_work, provider_work = two
    remediation.measure_done(measure=body_work, actor=alice)
    remediation.measure_verify(measure=body_work, actor=p1)
    page = text(client_for(alice).get(list_url(engaged.incident)))
    assert (
        "1 für den Wiederanschluss erforderliche Maßnahme ist noch nicht geprüft und bestätigt. Sie setzt der "
        "Dienstleister als kostenpflichtige Leistung um; bestätigen muss sie die Administration der Stelle." in page
    )
    # The refusal to open the gate says the same, in the portal (400, German) and from the service.
    response = client_for(body_admin).post(
        reverse("aftercare:gate_open", kwargs={"public_id": engaged.incident.public_id}), {}
    )
    assert response.status_code == 400
    assert "bestätigen muss sie die Administration der Stelle" in text(response)
    with pytest.raises(GateClosed) as refused:
        remediation.gate_open(incident=engaged.incident, actor=body_admin)
    assert refused.value.message == (
        "Der Wiederanschluss kann noch nicht freigegeben werden. 1 für den Wiederanschluss erforderliche "
        "Maßnahme ist noch nicht geprüft und bestätigt. Sie setzt der Dienstleister als kostenpflichtige "
        "Leistung um; bestätigen muss sie die Administration der Stelle."
    )
    assert refused.value.params == {"n": 1, "for_provider": 0, "for_body": 1}
    assert not ReconnectionGate.objects.exists()
    # Confirmed by the body's admin: the panel says who confirmed it.
    remediation.measure_done(measure=provider_work, actor=p1)
    remediation.measure_verify(measure=provider_work, actor=body_admin)
    Measure.objects.filter(pk=body_work.pk).update(required_for_reconnection=False)
    page = text(client_for(p1).get(list_url(engaged.incident)))
    assert (
        "Alle für den Wiederanschluss erforderlichen Maßnahmen sind von der Administration der Stelle geprüft und "
        "bestätigt (der Dienstleister hat sie als kostenpflichtige Leistung umgesetzt)." in page
    )


def test_the_measure_page_and_the_done_step_name_the_checker(client_for, two, alice, body_admin, p1):
    body_work, provider_work = two
    url = reverse("aftercare:measure", kwargs={"public_id": provider_work.public_id})
    page = text(client_for(p1).get(url))
    assert "Prüft und bestätigt die Administration der Stelle (der Dienstleister setzt die Maßnahme um)" in page
    assert "Die Administration der Stelle wird gebeten, die Umsetzung zu prüfen" in page  # the done form's hint
    response = client_for(p1).post(url, {"step": "done", "done-note": "Regeln umgestellt."}, follow=True)
    assert "die Administration der Stelle wird um Prüfung gebeten" in text(response)
    response = client_for(body_admin).post(url, {"step": "verify", "verify-result": "verified"}, follow=True)
    page = text(response)
    assert "Geprüft und bestätigt" in page and f"{body_admin.get_full_name()}, Stelle (Verwaltung)" in page
    # The provider learns the role, not the name.
    page = text(client_for(p1).get(url))
    assert "Stelle (Verwaltung)" in page and body_admin.get_full_name() not in page

    url = reverse("aftercare:measure", kwargs={"public_id": body_work.public_id})
    assert "Prüft und bestätigt der beauftragte Dienstleister (erneuter Test)" in text(client_for(alice).get(url))
    response = client_for(alice).post(url, {"step": "done"}, follow=True)
    assert "der beauftragte Dienstleister wird um Prüfung gebeten" in text(response)
    client_for(p1).post(url, {"step": "verify", "verify-result": "verified"})
    assert "beauftragter Dienstleister" in text(client_for(alice).get(url))


def test_the_mails_name_the_checker(two, alice, body_admin, p1, setup, engaged):
    body_work, provider_work = two
    # The reminders before the due date: the body's own measure will be checked by the provider, the
    # provider's by the body's admin (the provider receives an e-mail only about its own measure).
    assert body_work.remind_on == provider_work.remind_on
    remediation.measures_remind_due(now=timezone.make_aware(dt.datetime.combine(body_work.remind_on, dt.time(9))))
    reminders = Notification.objects.filter(event_type="measure.due", channel=Channel.EMAIL)
    (to_alice,) = reminders.filter(recipient=alice.email)
    assert "damit der beauftragte Dienstleister sie prüfen kann" in to_alice.body
    (to_provider,) = reminders.filter(recipient=setup.providers[0].email)
    assert provider_work.title in to_provider.body
    assert "Nach der Meldung als umgesetzt prüft und bestätigt sie die Administration der Stelle." in to_provider.body
    assert "damit der beauftragte Dienstleister" not in to_provider.body
    # Confirmed by the body: the e-mails say the body's administration confirmed it, not the provider.
    remediation.measure_done(measure=provider_work, actor=p1)
    remediation.measure_verify(measure=provider_work, actor=body_admin)
    answered = Notification.objects.filter(event_type="measure.verified", channel=Channel.EMAIL)
    assert {n.audience for n in answered} == {Audience.BODY, Audience.PROVIDER}
    for mail in answered:
        assert mail.body.startswith(f"Die Administration von {engaged.organisation.name} hat die Umsetzung")
        assert setup.providers[0].legal_name not in mail.body.split(".")[0]


def test_english(two, engaged, body_admin, alice, p1, client_for):
    with translation.override("en"):
        assert wording.waiting_text(for_provider=1, for_body=0) == (
            "1 measure required for reconnection has not been checked and confirmed yet. It must be confirmed by "
            "the engaged provider after a re-test."
        )
        assert wording.waiting_text(for_provider=0, for_body=2) == (
            "2 measures required for reconnection have not been checked and confirmed yet. The provider carries "
            "them out as a billable service; they must be confirmed by the body's administration."
        )
        assert "by the provider" not in wording.ready_text(by_provider=0, by_body=1)
        with pytest.raises(GateClosed) as refused:
            remediation.gate_open(incident=engaged.incident, actor=body_admin)
        assert refused.value.message.startswith("Reconnection cannot be approved yet. 2 measures required")


def test_no_text_says_the_provider_confirmed_every_measure():
    """The sources and the catalogues' German texts of the gate no longer say "vom Dienstleister bestätigt"."""
    sources = [*ROOT.joinpath("aftercare").rglob("*.py"), *ROOT.joinpath("templates").rglob("*.html")]
    sources += [ROOT / "docs" / "PROVIDER_API.md", *ROOT.joinpath("templates", "aftercare").rglob("*.txt")]
    offending = [
        str(path.relative_to(ROOT))
        for path in sources
        if "migrations" not in path.parts
        and re.search(r"(noch nicht|sind) vom Dienstleister bestätigt|der Dienstleister alle dafür", path.read_text())
    ]
    assert offending == []
    for language in ("de", "en"):
        catalogue = (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").read_text()
        assert "vom Dienstleister bestätigt." not in catalogue
        assert "confirmed by the provider." not in catalogue


def test_a_measure_verified_by_the_body_in_the_state(two, body_admin, p1):
    _body_work, provider_work = two
    remediation.measure_done(measure=provider_work, actor=p1)
    measure = remediation.measure_verify(measure=provider_work, actor=body_admin)
    assert (measure.state, measure.verified_by_body, measure.checked_by_body) == (MeasureState.VERIFIED, True, True)
