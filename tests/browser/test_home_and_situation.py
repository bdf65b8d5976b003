"""Issue 13: the provider's and the ministry's home pages and the situation picture, on a phone
(390×844) and a desktop, with axe and screenshots (artifacts/screenshots/home-*, situation-picture-*)."""

import re
import time

import pytest
from playwright.sync_api import expect

from tenants.models import Role
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, login, open_menu, screenshots
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Elements that reach beyond the viewport (the page would scroll sideways on a phone); a table inside its own
#: scroll region (.ds-table-scroll) scrolls there, not the page.
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(el => !el.closest('.ds-table-scroll'))
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(el => el.tagName.toLowerCase() + '.' + (el.getAttribute('class') || '').split(' ').join('.')).slice(0, 8)"""


def assert_fits(page, name):
    assert page.evaluate(TOO_WIDE) == [], f"{name}: wider than the screen"
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), name


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_provider_home_counts_down_its_offers_and_lists_its_work(
    size, phone, desktop, live_server, drive, file_calloff, setup
):
    page = phone if size == "phone" else desktop
    running = drive("accepted")
    offered = file_calloff(situation="Verdacht auf Datenabfluss über den Webserver.")
    assert offered.offers.get(state="open").provider == setup.providers[0]
    login(page, live_server, setup.staff[0])

    offers = page.locator("section").filter(has=page.get_by_role("heading", name="Offene Angebote an P1"))
    expect(offers.get_by_role("link", name=re.compile(offered.number))).to_be_visible()
    clock = offers.locator(".ds-countdown").first
    expect(clock).to_have_text(re.compile(r"^\(noch \d+:\d\d (min|h)\)$"))  # the script took over
    before = clock.inner_text()
    time.sleep(1.5)
    assert clock.inner_text() != before, "the countdown runs"
    running_section = page.locator("section").filter(has=page.get_by_role("heading", name="Laufende Abrufe"))
    expect(running_section.get_by_role("link", name=running.number)).to_be_visible()
    deadlines = page.locator("section").filter(has=page.get_by_role("heading", name="Ihre Fristen"))
    expect(deadlines.get_by_text("Erster Rückruf")).to_be_visible()
    expect(page.get_by_text("keiner Stelle zugeordnet")).to_have_count(0)
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav.get_by_role("link", name="Stellen", exact=True)).to_have_count(0)
    assert_fits(page, f"provider home ({size})")
    assert_accessible(page, f"provider home ({size})")
    if size == "phone":
        screenshots(page, "home-provider")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_ministry_home_shows_what_needs_the_ministry(size, phone, desktop, live_server, drive, ministry):
    page = phone if size == "phone" else desktop
    stuck = drive("unassigned")
    login(page, live_server, ministry)
    unassigned = page.locator("section").filter(has=page.get_by_role("heading", name="Abrufe ohne Dienstleister"))
    expect(unassigned.get_by_role("link", name=stuck.number)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("offene Meldung"))).to_be_visible()
    expect(page.get_by_role("heading", name="Angebote kurz vor Ablauf")).to_be_visible()
    expect(page.get_by_role("heading", name="SLA-Verstöße der letzten 24 Stunden")).to_be_visible()
    expect(page.get_by_text("Sie sind keiner einzelnen Stelle zugeordnet")).to_have_count(0)
    assert_fits(page, f"ministry home ({size})")
    assert_accessible(page, f"ministry home ({size})")
    if size == "phone":
        screenshots(page, "home-ministry")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_situation_picture_names_districts_on_focus_and_explains_itself(
    size, phone, desktop, live_server, file_calloff, setup, ministry
):
    page = phone if size == "phone" else desktop
    koeln = OrganisationFactory(ags="05315000", name="Stadt Köln")
    olpe = OrganisationFactory(ags="05966004", name="Olpe", regierungsbezirk="Arnsberg")
    for body in (koeln, olpe):
        caller = MembershipFactory(role=Role.CALLER, organisation=body).user
        file_calloff(organisation=body, actor=caller)
    login(page, live_server, ministry)
    open_menu(page)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Lagebild").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lagebild NRW")
    expect(page.get_by_text(re.compile(r"^Stand: \d\d:\d\d Uhr"))).to_be_visible()

    area = page.locator('.ds-map [data-name^="Köln"]')
    area.focus()
    expect(page.locator("#map-focus")).to_have_text("Köln – Stellen mit offenem Vorfall: 1")
    page.locator('.ds-map [data-name^="Kreis Olpe"]').hover()
    expect(page.locator("#map-focus")).to_have_text("Kreis Olpe – Stellen mit offenem Vorfall: 1")
    table = page.get_by_role("table", name="Betroffene Kreise und kreisfreie Städte")
    expect(table.get_by_role("row", name=re.compile("^Köln"))).to_contain_text("1")
    expect(page.get_by_role("heading", name="Legende")).to_be_visible()
    expect(page.get_by_role("heading", name="Offene Abrufe nach Regierungsbezirk")).to_be_visible()
    expect(page.get_by_text(re.compile("Gestrichelter senkrechter Strich"))).to_be_visible()
    expect(page.get_by_role("link", name="BKG")).to_be_visible()

    page.get_by_role("link", name="Aktualisieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lagebild NRW")
    assert page.viewport_size == (PHONE if size == "phone" else DESKTOP)
    assert_fits(page, f"situation picture ({size})")
    assert_accessible(page, f"situation picture ({size})")
    if size == "desktop":
        screenshots(page, "situation-picture")
