"""Issue 17, the whole settlement loop in the browser: the provider submits its hours of a period →
the body disputes one entry (on a phone) → the provider corrects it → the body confirms → the ministry
approves → the provider downloads the XRechnung, which validates against the CII schema that
drafthorse ships and carries the ministry's Leitweg-ID and the call-off number → the ministry's
dashboard shows the amount as consumed (approved) beside the ceiling. axe on every page.
Screenshots in artifacts/screenshots/settlement-*."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from playwright.sync_api import expect

from calloffs import services as calloff_services
from calloffs.models import CallOff
from calloffs.money import format_eur
from settlement import services
from settlement.models import Statement
from settlement.selectors import approved_net
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, login, screenshot, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def test_statement_dispute_correction_confirmation_approval_xrechnung_and_ceiling(
    phone, desktop, live_server, drive, setup, alice, ministry
):
    import drafthorse

    contract = setup.contract
    contract.night_surcharge_percent = contract.weekend_surcharge_percent = 0
    contract.save(update_fields=["night_surcharge_percent", "weekend_surcharge_percent"])
    services.billing_terms_save(contract=contract, actor=ministry, ministry_leitweg_id="05-83")
    calloff = drive("in_progress")
    CallOff.objects.filter(pk=calloff.pk).update(submitted_at=timezone.now() - timedelta(days=10))
    calloff.refresh_from_db()
    today = timezone.localdate()
    for days_ago, hours, description in ((3, "8", "Forensische Sicherung der Server"), (2, "6", "Analyse der Logs")):
        calloff_services.time_entry_add(
            calloff=calloff,
            provider=setup.providers[0],
            actor=setup.staff[0],
            date=today - timedelta(days=days_ago),
            hours=hours,
            role=setup.roles.lead,
            description=description,
        )

    # 1. The provider submits its hours of the period.
    page = desktop
    login(page, live_server, setup.staff[0])
    page.goto(live_server.url + reverse("settlement:list"))
    assert_accessible(page, "statement list (provider)")
    page.get_by_role("link", name=f"Leistungsnachweis zu Abruf {calloff.number} einreichen").click()
    page.get_by_label("Zeitraum von").fill(str(today - timedelta(days=7)))
    page.get_by_label("Zeitraum bis").fill(str(today))
    assert_accessible(page, "statement submit form")
    page.get_by_role("button", name="Einreichen").click()
    expect(page.get_by_role("status")).to_contain_text("Der Leistungsnachweis ist eingereicht")
    statement = Statement.objects.get(calloff=calloff)
    assert statement.net_total == Decimal("3500.00")  # 14 h × 250 €
    statement_url = page.url
    assert_accessible(page, "statement (submitted, provider)")

    # 2. The body's caller disputes one entry, on a phone.
    login(phone, live_server, alice)
    phone.goto(statement_url)
    expect(phone.get_by_role("heading", level=1)).to_contain_text(statement.number)
    phone.get_by_label(f"{(today - timedelta(days=2)):%d.%m.%Y} – Lead Incident Handler – 6,00 h").fill(
        "Laut unserem Protokoll endete die Analyse nach 4 Stunden."
    )
    assert_accessible(phone, "statement dispute form (body, phone)")
    phone.get_by_role("button", name="Beanstanden").click()
    expect(phone.get_by_role("status")).to_contain_text("Die Beanstandung ist an den Dienstleister gegangen.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "settlement-disputed-body-phone")

    # 3. The provider corrects the disputed entry to 4 hours.
    page.goto(statement_url)
    page.get_by_label("Berichtigen").check()
    page.get_by_label("Berichtigte Stunden").fill("4")
    page.get_by_role("textbox", name="Antwort", exact=True).fill("Einverstanden, 4 Stunden.")
    assert_accessible(page, "statement answer form (provider)")
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.get_by_role("status")).to_contain_text("Ihre Antwort ist an die Stelle gegangen.")
    statement.refresh_from_db()
    assert statement.net_total == Decimal("3000.00")  # 12 h × 250 €

    # 4. The body confirms.
    phone.goto(statement_url)
    phone.get_by_role("button", name="Leistungsnachweis bestätigen").click()
    expect(phone.get_by_role("status")).to_contain_text("Der Leistungsnachweis ist bestätigt.")

    # 5. The ministry approves (its own browser; the provider stays logged in on the other).
    provider_page = page
    context = page.context.browser.new_context(viewport=DESKTOP, locale="de-DE")
    page = context.new_page()
    login(page, live_server, ministry)
    page.goto(statement_url)
    assert_accessible(page, "statement (confirmed, ministry)")
    page.get_by_role("button", name="Leistungsnachweis freigeben").click()
    expect(page.get_by_role("status")).to_contain_text("Der Leistungsnachweis ist freigegeben.")
    expect(page.get_by_role("heading", name="Rechnung (XRechnung)")).to_be_visible()
    assert_accessible(page, "statement (approved, ministry)")
    screenshots(page, "settlement-approved")

    # 6. The provider downloads the XRechnung: valid against the shipped schema, to the payer's Leitweg-ID.
    ministry_page, page = page, provider_page
    page.goto(statement_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"XRechnung {statement.number} herunterladen (XML)").click()
    xml = Path(download_info.value.path()).read_bytes()
    xsd = Path(drafthorse.__file__).parent / "schema" / "Factur-X_1.0.07_EN16931.xsd"
    root = etree.fromstring(xml)
    etree.XMLSchema(etree.parse(str(xsd))).assertValid(root)
    assert root.findtext(".//ram:BuyerReference", namespaces=NS) == "05-83"
    assert root.findtext(".//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", namespaces=NS) == calloff.number
    grand = root.findtext(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount", namespaces=NS)
    assert Decimal(grand) == Decimal("3570.00")
    page.reload()
    expect(page.locator('[data-invoice="ministry"]')).to_contain_text("vom Portal erzeugt, ausgestellt")
    screenshot(page, "settlement-invoice-issued-provider-desktop")

    # 7. The ceiling on the ministry's dashboard shows the amount as consumed (approved).
    assert approved_net(contract) == Decimal("3000.00")
    page = ministry_page
    page.goto(live_server.url + reverse("calloffs:contract_dashboard"))
    approved = page.locator('[data-stage="approved"]').first
    expect(approved).to_contain_text(format_eur(Decimal("3000.00")))
    expect(page.locator('[data-stage="invoiced"]').first).to_contain_text(format_eur(Decimal("3000.00")))
    expect(page.locator('[data-figure="consumed"]').first).to_contain_text(format_eur(Decimal("3000.00")))
    assert_accessible(page, "contract dashboard with the settlement stages")
    screenshots(page, "settlement-dashboard-ceiling")
    context.close()
