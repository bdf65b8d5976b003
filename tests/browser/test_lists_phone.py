"""Issue 13: the lists on a phone (rows become cards, nothing cut off), the header takes at most a fifth of
the first screen (navigation and language switch behind a "Menü" button that works with the keyboard),
and on a desktop the search keeps its filters in the URL and downloads what it shows as CSV."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_accessible, login, screenshot, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lists_on_a_phone(phone, live_server, file_calloff, alice):
    calloff = file_calloff()
    page = phone
    login(page, live_server, alice)
    page.goto(f"{live_server.url}/abrufe/")

    # The header: at most a fifth of the first screen; the menu is folded.
    header = page.locator("header.ds-header").bounding_box()
    assert header["height"] <= PHONE["height"] / 5, header
    toggle = page.get_by_role("button", name="Menü")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_hidden()
    assert_accessible(page, "call-off list on a phone, menu closed")

    # The list: a card per call-off, nothing wider than the phone, the column names beside the values.
    cell = page.locator("td[data-label='Status']").first
    expect(cell).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.ds-table--cards tr')).display") == "block"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = page.locator(".ds-table--cards tbody tr").first.bounding_box()
    assert row["x"] >= 0 and row["x"] + row["width"] <= PHONE["width"]
    expect(page.get_by_text(calloff.number)).to_be_visible()
    screenshot(page, "calloff-list-phone")

    # The menu by keyboard: Enter opens it, Escape closes it and gives the focus back to the button.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_visible()
    expect(page.get_by_label("Sprache")).to_be_visible()
    assert_accessible(page, "call-off list on a phone, menu open")
    screenshot(page, "menu-open-phone")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()

    for path, name in (("/vorfaelle/", "incident-list"), ("/stellen/", "body-list")):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        assert page.locator("header.ds-header").bounding_box()["height"] <= PHONE["height"] / 5, path
        assert_accessible(page, f"{name} on a phone")
        screenshot(page, f"{name}-phone")


def test_search_and_csv_on_a_desktop(desktop, live_server, file_calloff, ministry, org_a, charlie, org_b):
    own = file_calloff()
    other = file_calloff(organisation=org_b, actor=charlie)
    page = desktop
    login(page, live_server, ministry)
    page.goto(f"{live_server.url}/abrufe/")
    expect(page.get_by_role("button", name="Menü")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_visible()
    page.get_by_label("Suche (Abrufnummer, Stelle oder AGS)").fill(org_a.ags)
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_url(f"**/abrufe/?q={org_a.ags}*")
    expect(page.get_by_role("link", name=own.number)).to_be_visible()
    expect(page.get_by_role("link", name=other.number)).to_have_count(0)
    assert_accessible(page, "call-off list searched")
    screenshots(page, "calloff-list-search")
    with page.expect_download() as info:
        page.get_by_role("link", name="Diesen Treffer als CSV-Datei herunterladen").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [r[0] for r in rows[1:]] == [own.number]
