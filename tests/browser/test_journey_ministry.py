"""Issue 8, journey 3: ministry staff change the order of precedence and an hourly rate, see a new
call-off in the list and on the situation picture, and assign an unassigned call-off by hand with a
reason (a deviation from the order of precedence, recorded with that reason)."""

import re

import pytest
from playwright.sync_api import expect

from calloffs.models import CallOffState, EventKind, OfferState, RoleRate
from tests.browser.conftest import assert_accessible, login, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_journey_3_ministry_ranking_rate_list_situation_manual_assignment(
    desktop, live_server, setup, drive, file_calloff, ministry
):
    page = desktop
    stuck = drive("unassigned")  # P1–P3 declined, P4 does not serve this region
    login(page, live_server, ministry)
    assert_accessible(page, "home (ministry)")

    # The contract, through the navigation.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Rahmenvertrag").click()
    assert_accessible(page, "contract dashboard")
    page.get_by_role("link", name=setup.contract.reference).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(setup.contract.reference)
    assert_accessible(page, "contract page")
    screenshots(page, "contract")

    # A new version of the order of precedence: P2 first, P1 second.
    page.get_by_role("link", name="Rangfolge ändern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Version der Rangfolge")
    assert_accessible(page, "ranking form")
    general = page.locator("fieldset").filter(has_text="Allgemeine Rangfolge")
    general.get_by_label("P1").fill("2")
    general.get_by_label("P2").fill("1")
    page.get_by_role("button", name="Neue Version veröffentlichen").click()
    # Without the mandatory reason: an error state, nothing published.
    expect(page.locator(".ds-error-summary")).to_contain_text("Bitte den Anlass der Änderung angeben.")
    assert setup.contract.ranking_versions.count() == 1
    assert_accessible(page, "ranking form with errors")
    screenshots(page, "ranking-form-errors")
    page.get_by_label("Anlass der Änderung").fill("Vertragsänderung Nr. 2: P2 übernimmt den ersten Rang.")
    page.get_by_role("button", name="Neue Version veröffentlichen").click()
    expect(page.get_by_text("Version 2 der Rangfolge ist veröffentlicht.")).to_be_visible()
    assert_accessible(page, "ranking page")
    assert setup.contract.ranking_versions.count() == 2

    # An hourly rate, entered the German way.
    page.get_by_role("link", name=setup.contract.reference).first.click()
    page.get_by_role("link", name="Bearbeiten (Lead Incident Handler)").click()
    assert_accessible(page, "rate form")
    rate = page.get_by_label("Stundensatz")
    rate.fill("")
    page.get_by_role("button", name=re.compile("Speichern")).click()
    expect(page.locator(".ds-error-summary")).to_be_visible()
    assert_accessible(page, "rate form with errors")
    page.get_by_label("Stundensatz").fill("262,50")
    page.get_by_role("button", name=re.compile("Speichern")).click()
    expect(page.get_by_text("Der Stundensatz wurde gespeichert.")).to_be_visible()
    assert str(RoleRate.objects.get(pk=setup.roles.lead.pk).hourly_rate) == "262.50"
    expect(page.get_by_role("row", name=re.compile("Lead Incident Handler"))).to_contain_text("262,50\u00a0€")

    # Meanwhile a body files; the call-off goes to P2, first under the new version.
    fresh = file_calloff(situation="Webserver defaced, Verdacht auf Datenabfluss.")
    assert fresh.offers.get(state=OfferState.OPEN).provider == setup.providers[1]

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Abrufe").click()
    row = page.get_by_role("row", name=re.compile(fresh.number))
    expect(row).to_contain_text("Dienstleister angefragt")
    expect(page.get_by_role("row", name=re.compile(stuck.number))).to_contain_text("Nicht vergeben")
    assert_accessible(page, "call-off list (ministry)")
    screenshots(page, "calloff-list")
    row.get_by_role("link", name=fresh.number).click()
    expect(page.get_by_text(re.compile(r"Angefragt bei P2 –"))).to_be_visible()
    assert_accessible(page, "call-off page (ministry)")

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Lagebild").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lagebild NRW")
    expect(page.get_by_text("2 offene Abrufe")).to_be_visible()
    matrix = page.get_by_role("table", name="Abrufe nach Status und Priorität")
    asked = matrix.get_by_role("row", name=re.compile("^Dienstleister angefragt"))
    expect(asked).to_have_text(re.compile(r"Dienstleister angefragt\s*1\s*0\s*0"))
    expect(page.get_by_text("P2: 0 von 3 Einsätzen, 1 offene Angebote")).to_be_visible()
    assert_accessible(page, "situation picture")
    screenshots(page, "situation")

    # The stuck call-off: assigned by hand, first without a reason (error), then with one.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Abrufe").click()
    page.get_by_role("row", name=re.compile(stuck.number)).get_by_role("link", name=stuck.number).click()
    expect(page.locator("#status-heading")).to_contain_text("Nicht vergeben")
    assign = page.locator("section").filter(has=page.get_by_role("heading", name="Dienstleister manuell beauftragen"))
    # Each provider with its rank, its load against capacity and its regions; the page says it is binding.
    expect(assign.get_by_label(re.compile("^P3 Forensik GmbH – Rang 3 · 0 von 3 Einsätzen belegt"))).to_be_visible()
    expect(assign.get_by_label(re.compile(r"^P4 SecOps GmbH – Rang 4 .*\(nicht Köln\)"))).to_be_visible()
    expect(assign.get_by_text("Die Beauftragung ist verbindlich:")).to_be_visible()
    assign.get_by_label(re.compile("^P3 Forensik GmbH")).check()
    assign.get_by_role("button", name="Verbindlich beauftragen").click()
    expect(page.locator(".ds-error-summary")).to_contain_text("Begründung der Abweichung von der Rangfolge")
    assert_accessible(page, "manual assignment with errors")
    screenshots(page, "calloff-assign-errors")
    assign = page.locator("section").filter(has=page.get_by_role("heading", name="Dienstleister manuell beauftragen"))
    assign.get_by_label(re.compile("^P3 Forensik GmbH")).check()
    assign.get_by_label("Begründung der Abweichung von der Rangfolge").fill(
        "P3 hat telefonisch zugesagt, sofort ein Team zu schicken."
    )
    assign.get_by_role("button", name="Verbindlich beauftragen").click()
    success = "Der Dienstleister ist verbindlich beauftragt und benachrichtigt; die Abweichung ist dokumentiert."
    expect(page.get_by_text(success)).to_be_visible()
    expect(page.locator("#status-heading")).to_contain_text("Angenommen")
    expect(page.get_by_text("P3 hat telefonisch zugesagt, sofort ein Team zu schicken.")).to_be_visible()
    assert_accessible(page, "call-off page after manual assignment")
    stuck.refresh_from_db()
    assert stuck.state == CallOffState.ACCEPTED and stuck.provider == setup.providers[2]
    event = stuck.events.get(kind=EventKind.ASSIGNED_MANUALLY)
    assert event.reason == "P3 hat telefonisch zugesagt, sofort ein Team zu schicken."
    assert event.actor == ministry
