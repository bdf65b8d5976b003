"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server."""

import os
import shutil
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import hotp_value

from tests.formal_german import du_forms, visible_text

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (fixtures, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        skip = pytest.mark.skip(reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # A loaded CI machine (and SQLite serialising the live server's writes) can take a few seconds for
    # a page: wait up to 15 s for what a page should show (Playwright's default is 5 s).
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=de-DE"],
            # The browser's own texts (date fields "tt.mm.jjjj", "Datei auswählen") in German, as a German
            # user sees them; needs Debian's chromium-l10n (.ci/run installs it), else they stay English.
            env={**os.environ, "LANG": "de_DE.UTF-8", "LANGUAGE": "de"},
        )
        yield browser
        browser.close()


# --- the "du"-scan: every page state a journey checks (assert_accessible, screenshots, login) -----------

#: Pages scanned in the running test: url → du-forms found. Reset per test.
SCANNED: dict[str, list[str]] = {}


def scan_for_du_forms(page) -> list[str]:
    """Scan the page as it is now for informal German and remember it for the end of the test. Called
    from the main flow (assert_accessible, screenshots, login), never from an event handler: Playwright's
    sync API must not be called back into while it waits for a navigation (that hung the situation page)."""
    hits = du_forms(visible_text(page.content()))
    SCANNED.setdefault(page.url, [])
    SCANNED[page.url] += hits
    return hits


@pytest.fixture(autouse=True)
def no_du_forms_on_any_page():
    """After every browser test: none of the pages it checked addressed its reader with "du"."""
    SCANNED.clear()
    yield
    findings = [f"{url}: …{hit}…" for url, hits in SCANNED.items() for hit in hits]
    assert not findings, "informal German (du) on pages of this journey:\n" + "\n".join(findings)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="de-DE")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP, locale="de-DE")
    page = context.new_page()
    yield page
    context.close()


def totp_code() -> str:
    """The current code; near the end of its 30-second window, the next one (the server accepts only the
    current window, and the code has to travel through the browser first)."""
    remaining = 30 - time.time() % 30
    if remaining < 5:
        time.sleep(remaining + 0.1)
    return f"{hotp_value(TOTP_SECRET, int(time.time()) // 30):06d}"


def login(page, live_server, user, password=PASSWORD):
    """Log in through the real forms: e-mail and password, then the TOTP code."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.get_by_label("Code").fill(totp_code())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    scan_for_du_forms(page)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- accessibility (axe-core) and screenshots at both sizes ----------------------------------------

#: The WCAG 2.0 and 2.1 rules of levels A and AA (what BITV 2.0 / EN 301 549 ask for).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe():
    from axe_playwright_python.sync_playwright import Axe

    global _AXE
    if _AXE is None:
        _AXE = Axe()
    return _AXE


_AXE = None


def axe_violations(page) -> list[dict]:
    """axe-core's violations of the WCAG 2.0/2.1 A and AA rules on the page as it is now."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return _axe().run(page, options=options).response["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    {target}: {node.get('failureSummary', '').splitlines()[-1].strip()}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


#: Ids used more than once. WCAG 2.1 4.1.1 (Parsing) still applies under BITV 2.0; axe 4.12 only
#: reports duplicates as "needs review", so they are checked here (a label or aria-describedby that
#: points at an id used twice names the wrong field).
DUPLICATE_IDS = """() => {
  const count = {};
  for (const el of document.querySelectorAll('[id]')) { count[el.id] = (count[el.id] || 0) + 1; }
  return Object.keys(count).filter(id => count[id] > 1);
}"""


def assert_accessible(page, name: str) -> None:
    """No axe violations of the WCAG 2.0/2.1 A and AA rules, no duplicate ids; the message lists rule,
    impact, targets."""
    scan_for_du_forms(page)
    violations = axe_violations(page)
    assert not violations, f"axe on {name} ({page.url}):\n{format_violations(violations)}"
    duplicates = page.evaluate(DUPLICATE_IDS)
    assert not duplicates, f"{name} ({page.url}): ids used more than once: {duplicates}"


def screenshots(page, name: str) -> None:
    """Full-page screenshots at phone and at desktop width (artifacts/screenshots/<name>-phone|desktop.png);
    the page keeps the viewport it had."""
    scan_for_du_forms(page)
    before = page.viewport_size
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        if page.viewport_size != size:
            page.set_viewport_size(size)
        screenshot(page, f"{name}-{label}")
    if before and page.viewport_size != before:
        page.set_viewport_size(before)


def open_menu(page) -> None:
    """On a phone the navigation and the language switch sit behind the "Menü"/"Menu" button; open it
    (on a wide screen the button is hidden and the menu always shown)."""
    toggle = page.locator(".ds-menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        expect_expanded = toggle.get_attribute("aria-expanded")
        assert expect_expanded == "true", expect_expanded
