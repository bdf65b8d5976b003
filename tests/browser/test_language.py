"""Issue 8: everything the user reads is German (no English left on German pages), dates, times and
amounts in German notation; and the language switcher turns the pages English.

The words below are English UI words and English function words that have no business on a German
page. Product names and loanwords German uses as well (Incident Response, Hotline, Ransomware,
Remote, Passkey, Code, Status, optional) are not in the list; text marked lang="en" (the
"(Language)" next to "Sprache", for those who cannot read German) is left out of the check.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH = [
    "Sign In", "Sign in", "Sign Out", "Sign out", "Log in", "Log out", "Logout", "Password", "Forgot",
    "Remember me", "Submit", "Cancel", "Save", "Delete", "Remove", "Settings", "Email", "Required",
    "required", "Yes", "No", "None", "This field", "Search", "Back", "Next", "Previous", "Edit", "Close",
    "Home", "Account", "Language", "Overview", "Welcome", "Unknown", "Error", "Warning", "Success",
    "Please", "Choose", "Select", "Download", "Upload", "Page", "Call-off", "call-off", "Incidents",
    "Provider", "Contract", "Order", "Accepted", "Offered", "Unassigned", "Ceiling", "Rate", "Hourly",
    "Skip", "Show", "Hide", "Today", "Yesterday", "hours", "minutes",
    "the", "and", "you", "your", "with", "this", "that", "is", "are", "of", "to", "for", "from", "not",
]  # fmt: skip
ENGLISH_RE = re.compile(r"(?<![\w@./-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w@-])")
#: Dates and times the German way; these patterns must not occur.
NOT_GERMAN_DATE = [
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # ISO
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),  # US/UK
    re.compile(r"\b\d{1,2}:\d{2}\s?(AM|PM|a\.m\.|p\.m\.)", re.I),
    # (April, August, September and November are German months too.)
    re.compile(r"\b(January|February|March|May|June|July|October|December)\b"),
    re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"),
]
GERMAN_DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
#: Every amount in euro: 1.234,56 € (grouped thousands, decimal comma, the sign after the number).
AMOUNT = re.compile(r"(\d[\d.,]*)\s?€")
GERMAN_AMOUNT = re.compile(r"^\d{1,3}(\.\d{3})*,\d{2}$")

#: What the page says: visible text and the texts of attributes a screen reader reads, without the
#: parts marked as English on purpose.
READ_TEXT = """() => {
  let text = document.body.innerText;
  for (const el of document.querySelectorAll('[lang^="en"]')) {
    if (el !== document.documentElement && el.innerText) { text = text.split(el.innerText).join(' '); }
  }
  const attributes = [];
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], img[alt], option')) {
    if (el.closest('[lang^="en"]') && el.closest('[lang^="en"]') !== document.documentElement) { continue; }
    for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
      if (el.getAttribute(name)) { attributes.push(el.getAttribute(name)); }
    }
    if (el.tagName === 'OPTION') { attributes.push(el.textContent); }
  }
  return [document.title, text, ...attributes].join('\\n');
}"""

#: The labels of the interface itself (not the data shown in it): headings, labels, buttons, table
#: headers, navigation.
UI_TEXT = """() => Array.from(document.querySelectorAll(
  'title, h1, h2, h3, label, legend, button, dt, thead th, nav a, caption, summary, .kern-alert .kern-title'
)).map(el => el.innerText || el.textContent).join('\\n')"""
GERMAN = re.compile(
    r"\b(Abruf|Abrufe|Übersicht|Vorfall|Vorfälle|Bitte|Stelle|Stellen|Dienstleister|Angeboten|Angenommen|"
    r"Verlauf|Angaben|und|der|die|das|nicht|Sie|für|mit|Zum|Inhalt|Wechseln|Sprache|Konto|Abmelden)\b"
)


def german_problems(page) -> list[str]:
    text = page.evaluate(READ_TEXT)
    problems = []
    for line in text.splitlines():
        for match in ENGLISH_RE.finditer(line):
            problems.append(f"English word {match.group(0)!r} in: {line.strip()[:120]!r}")
        for pattern in NOT_GERMAN_DATE:
            if pattern.search(line):
                problems.append(f"date/time not in German notation in: {line.strip()[:120]!r}")
        for match in AMOUNT.finditer(line):
            if not GERMAN_AMOUNT.match(match.group(1)):
                problems.append(f"amount not in German notation: {match.group(0)!r} in {line.strip()[:120]!r}")
    return problems


def check_german(page, name, *, dates=False, amounts=False):
    assert page.evaluate("document.documentElement.lang") == "de", name
    problems = german_problems(page)
    assert not problems, f"{name} ({page.url}):\n" + "\n".join(problems)
    text = page.evaluate(READ_TEXT)
    if dates:
        assert GERMAN_DATE.search(text), f"{name}: no date in German notation (27.11.2026) found"
    if amounts:
        assert AMOUNT.search(text), f"{name}: no amount found"


def test_the_check_finds_english_and_foreign_notation(phone):
    phone.set_content(
        '<html lang="de"><body><p>Sign In</p><p>Stand 2026-11-27, 11/27/2026 5:00 PM</p>'
        "<p>Wert 8400,00 € und 1,234.56 €</p><p>Please choose</p>"
        '<p lang="en">(Language)</p><p>E-Mail-Adresse, Notfallportal Incident Response NRW, 1.234,56 €</p>'
        "</body></html>"
    )
    problems = "\n".join(german_problems(phone))
    for expected in ("'Sign In'", "'Please'", "2026-11-27", "11/27/2026", "8400,00 €", "1,234.56 €"):
        assert expected in problems
    assert "Language" not in problems and "E-Mail" not in problems and "1.234,56" not in problems


def test_german_pages_and_the_switch_to_english(browser, live_server, setup, drive, alice, ministry):
    accepted = drive("accepted")
    stuck = drive("unassigned")

    # The caller's pages.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE", is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        check_german(page, "login")
        page.goto(f"{live_server.url}/barrierefreiheit/")
        check_german(page, "accessibility statement")
        login(page, live_server, alice)
        check_german(page, "home")
        page.goto(f"{live_server.url}/abrufe/neu/")
        check_german(page, "filing form")
        page.get_by_role("button", name="Abruf jetzt verbindlich stellen").click()
        expect(page.locator(".ds-error-summary")).to_be_visible()
        check_german(page, "filing form with errors")
        page.goto(f"{live_server.url}/abrufe/{accepted.public_id}/")
        check_german(page, "call-off page", dates=True, amounts=True)
        page.goto(f"{live_server.url}/abrufe/")
        check_german(page, "call-off list", dates=True)
        page.goto(f"{live_server.url}/vorfaelle/{accepted.incident.public_id}/")
        check_german(page, "incident page", dates=True)
        page.goto(f"{live_server.url}/vorfaelle/")
        check_german(page, "incident list")

        # English, through the switcher on the page; it stays English from page to page.
        page.goto(f"{live_server.url}/abrufe/{accepted.public_id}/")
        open_menu(page)
        page.get_by_label("Sprache").select_option("en")
        page.get_by_role("button", name="Wechseln").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Call-off {accepted.number}")
        expect(page.get_by_role("link", name="Skip to content")).to_be_attached()
        assert_accessible(page, "call-off page in English")
        leftovers = []
        for path in ("/", f"/abrufe/{accepted.public_id}/", "/abrufe/neu/", "/abrufe/", "/barrierefreiheit/"):
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("document.documentElement.lang") == "en", path
            for line in page.evaluate(UI_TEXT).splitlines():
                if GERMAN.search(line):
                    leftovers.append(f"{path}: {line.strip()[:100]!r}")
        assert not leftovers, "German left on English pages:\n" + "\n".join(leftovers)
        # And back.
        open_menu(page)
        page.get_by_label("Language").select_option("de")
        page.get_by_role("button", name="Switch").click()
        expect(page.locator("html")).to_have_attribute("lang", "de")
    finally:
        context.close()

    # The ministry's pages.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    try:
        login(page, live_server, ministry)
        check_german(page, "home (ministry)")
        page.goto(f"{live_server.url}/abrufe/")
        check_german(page, "call-off list (ministry)", dates=True)
        page.goto(f"{live_server.url}/abrufe/{stuck.public_id}/")
        check_german(page, "call-off page (ministry, manual assignment)", dates=True, amounts=True)
        page.goto(f"{live_server.url}/abrufe/vertrag/")
        check_german(page, "contract dashboard", amounts=True)
        page.goto(f"{live_server.url}/abrufe/vertrag/{setup.contract.public_id}/")
        check_german(page, "contract page", dates=True, amounts=True)
        page.goto(f"{live_server.url}/abrufe/vertrag/{setup.contract.public_id}/rangfolge/")
        check_german(page, "ranking page", dates=True)
        page.goto(f"{live_server.url}/abrufe/lagebild/")
        check_german(page, "situation picture")
    finally:
        context.close()
