"""Issue 13, after filing: the call-off page on a phone (390×844) and a desktop — what happens now,
the first-hour checklist ticked by the body, cancel behind a button, the provider's decline in a step
of its own, who accepted with tappable numbers — and the incident's correction of an assumed time.
axe on every state, screenshots in artifacts/screenshots (calloff-before-acceptance-*,
calloff-after-acceptance-*, calloff-offer-provider-*, incident-correction-*). Every page these journeys
checks (axe, screenshot, login) is also scanned for "du" (tests/browser/conftest.py)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from calloffs import services
from calloffs.models import CallOffState, ProviderContact
from incidents.models import ChecklistTick, TimelineEntry
from tests.browser.conftest import SCANNED, assert_accessible, login, scan_for_du_forms, screenshots
from tests.browser.test_home_and_situation import assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_du_scan_finds_du_forms_on_a_page(desktop, live_server):
    """The scan every journey runs at each checked page (assert_accessible, screenshots, login): a page
    that says "Du hast" is found (then forgiven, it is this test's own probe)."""
    url = f"{live_server.url}/du-probe/"
    desktop.route(url, lambda route: route.fulfill(body="<p>Du hast dein Passwort.</p>", content_type="text/html"))
    desktop.goto(url)
    assert scan_for_du_forms(desktop) and "Du hast" in SCANNED[url][0]
    SCANNED.clear()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_body_follows_its_call_off_ticks_the_checklist_and_sees_who_accepted(
    size, request, live_server, setup, file_calloff, alice
):
    page = request.getfixturevalue(size)
    ProviderContact.objects.create(
        provider=setup.providers[0], name="Max Forensik", role="Bereitschaft", phone="+49 171 7654321"
    )
    calloff = file_calloff()
    login(page, live_server, alice)
    page.goto(f"{live_server.url}/abrufe/{calloff.public_id}/")

    # What happens now, while P1 is asked.
    expect(page.get_by_text(re.compile(r"Angefragt bei P1 – Antwort bis \d\d:\d\d Uhr\."))).to_be_visible()
    next_steps = page.locator("#next-steps")
    expect(next_steps).to_contain_text("Halten Sie die Rückrufnummer +49 171 1234567 frei")
    # Cancel sits behind a button: no open text box until it is pressed.
    cancel_reason = page.locator("#cancel_reason")
    expect(cancel_reason).to_be_hidden()
    checklist = page.locator("#checkliste")
    expect(checklist).to_contain_text("0 von 9 Schritten erledigt.")
    assert_accessible(page, f"call-off page before acceptance ({size})")
    assert_fits(page, f"call-off page before acceptance ({size})")
    if size == "phone":
        screenshots(page, "calloff-before-acceptance")

    # Tick one step, then take it back: each a timeline entry; the page comes back to the step.
    step = checklist.locator("#step-isolate")
    step.get_by_role("button", name="Als erledigt abhaken").click()
    expect(page.get_by_text("Die Checkliste ist aktualisiert.")).to_be_visible()
    expect(page.locator("#checkliste")).to_contain_text("1 von 9 Schritten erledigt.")
    expect(page.locator("#step-isolate")).to_contain_text("Erledigt –")
    assert page.url.endswith("#step-isolate")
    assert_accessible(page, f"call-off page with a ticked step ({size})")
    page.locator("#step-isolate").get_by_role("button", name="Haken entfernen").click()
    expect(page.locator("#step-isolate")).to_contain_text("Offen")
    assert not ChecklistTick.objects.get(incident=calloff.incident, step="isolate").done
    assert TimelineEntry.objects.filter(incident=calloff.incident, text__startswith="Checkliste").count() == 2

    # The cancel step opens on request and explains itself (not sent: the call-off goes on).
    page.get_by_text("Abruf stornieren …").click()
    expect(cancel_reason).to_be_visible()
    expect(page.get_by_text("Sie lässt sich nicht rückgängig machen.")).to_be_visible()
    assert_accessible(page, f"call-off page with the cancel step open ({size})")

    # P1 accepts (its ticketing system; the provider's own page is the next test).
    services.offer_accept(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        lead_name="Petra Lead",
        lead_phone="+49 211 555 0199",
    )
    page.reload()
    card = page.locator("#accepted-provider")
    expect(card).to_contain_text("Angenommen von P1 Cyberabwehr GmbH")
    expect(card.get_by_role("link", name="+49 211 555 0199")).to_have_attribute("href", "tel:+492115550199")
    expect(card.get_by_role("link", name="+49 171 7654321")).to_have_attribute("href", "tel:+491717654321")
    expect(card).to_contain_text("Max Forensik (Bereitschaft)")
    expect(page.locator("#next-steps")).to_contain_text("P1 ruft Sie bis")
    assert_accessible(page, f"call-off page after acceptance ({size})")
    assert_fits(page, f"call-off page after acceptance ({size})")
    if size == "phone":
        screenshots(page, "calloff-after-acceptance")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_provider_declines_in_a_step_of_its_own(size, request, live_server, setup, file_calloff):
    page = request.getfixturevalue(size)
    calloff = file_calloff()
    login(page, live_server, setup.staff[0])
    page.goto(f"{live_server.url}/abrufe/{calloff.public_id}/")
    offer = page.locator("section").filter(has=page.get_by_role("heading", name="Angebot an Sie"))
    expect(offer.get_by_role("button", name="Annehmen")).to_be_visible()
    expect(page.locator("#next-steps")).to_contain_text("Nehmen Sie den Abruf bis")
    expect(page.locator("#decline_reason")).to_be_hidden()  # the reason is asked only in the decline step
    expect(page.get_by_text("Checkliste für die erste Stunde")).to_have_count(0)  # the body's, not the provider's
    assert_accessible(page, f"offer to the provider ({size})")
    assert_fits(page, f"offer to the provider ({size})")
    if size == "phone":
        screenshots(page, "calloff-offer-provider")
    page.get_by_text("Angebot ablehnen …").click()
    expect(page.locator("#decline_reason")).to_be_visible()
    page.get_by_role("button", name="Ablehnung senden").click()  # without a reason: asked again, still open
    expect(page.locator(".ds-error-summary")).to_be_visible()
    expect(page.locator("#decline_reason")).to_be_visible()
    assert_accessible(page, f"decline step with an error ({size})")
    page.locator("#decline_reason").fill("Kein Team frei")
    page.get_by_role("button", name="Ablehnung senden").click()
    expect(page.get_by_text("Sie haben das Angebot abgelehnt")).to_be_visible()
    calloff.refresh_from_db()
    assert calloff.state == CallOffState.OFFERED and calloff.offers.get(state="open").provider == setup.providers[1]


def test_the_body_corrects_an_assumed_awareness_time(phone, live_server, file_calloff, alice):
    calloff = file_calloff()
    incident = calloff.incident
    assert incident.became_aware_assumed
    login(phone, live_server, alice)
    phone.goto(f"{live_server.url}/vorfaelle/{incident.public_id}/")
    expect(phone.get_by_text("angenommen", exact=True)).to_be_visible()
    phone.get_by_text("Zeitpunkt berichtigen").click()
    earlier = (incident.became_aware_at.astimezone() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    phone.locator("input[name=became_aware_at]").fill(earlier)
    assert_accessible(phone, "incident correction open")
    screenshots(phone, "incident-correction")
    phone.get_by_role("button", name="Zeitpunkt speichern").click()
    expect(phone.get_by_text("angenommen", exact=True)).to_have_count(0)
    incident.refresh_from_db()
    assert not incident.became_aware_assumed
