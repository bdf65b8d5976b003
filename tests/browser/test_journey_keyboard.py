"""Issue 8, journey 4: the emergency filing with the keyboard alone, from the login on.

No clicks and no fill(): only Tab, Shift+Tab, the arrow keys, Space, Enter and typed characters.
Each control is reached through the tab order, and shows where the focus is.
"""

import re

import pytest
from playwright.sync_api import expect

from calloffs.models import CallOff, CallOffState
from tests.browser.conftest import DESKTOP, assert_accessible, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALLOFF_PAGE = re.compile(r"/abrufe/[0-9a-f-]{36}/(#.*)?$")

#: What the focused element looks like: an outline or a box shadow that is really there.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {tag: el.tagName, id: el.id, text: (el.innerText || el.value || "").trim().slice(0, 60),
          visible: outline || shadow};
}"""


def _tab_until(page, reached, what, *, limit=60, backwards=False):
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if reached():
            focus = page.evaluate(FOCUS_STYLE)
            assert focus["visible"], f"no visible focus on {focus}"
            return
        seen.append(
            page.evaluate(
                "(el => el.id || el.tagName + ':' + (el.innerText || '').trim().slice(0, 20))(document.activeElement)"
            )
        )
    raise AssertionError(f"{what} not reached with {limit} presses of Tab; the focus went through {seen}")


def tab_to(page, locator, *, backwards=False):
    """Press Tab (or Shift+Tab) until the locator's element has the focus; fail if it is not in the tab order."""
    target = locator.element_handle()
    _tab_until(page, lambda: target.evaluate("el => el === document.activeElement"), locator, backwards=backwards)


def choose(page, radio, *, backwards=False):
    """Tab into the radio group, then move with the arrow keys until this radio is chosen."""
    name = radio.get_attribute("name")
    in_group = f"document.activeElement.type === 'radio' && document.activeElement.name === {name!r}"
    _tab_until(page, lambda: page.evaluate(in_group), f"radio group {name}", backwards=backwards)
    target = radio.element_handle()
    for key in ["ArrowDown"] * 8 + ["ArrowUp"] * 16:
        if target.evaluate("el => el.checked && el === document.activeElement"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{radio} not chosen with the arrow keys")


def test_journey_4_filing_with_the_keyboard_alone(browser, live_server, setup, alice):
    context = browser.new_context(viewport=DESKTOP, locale="de-DE")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")

        # The first Tab lands on the skip link, which leads to the main content.
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("Zum Inhalt springen")
        assert page.evaluate(FOCUS_STYLE)["visible"]

        tab_to(page, page.get_by_label("E-Mail-Adresse"))
        page.keyboard.type(alice.email)
        tab_to(page, page.get_by_label("Passwort"))
        page.keyboard.type("correct horse battery staple")
        page.keyboard.press("Enter")
        code = page.get_by_label("Code")
        expect(code).to_be_visible()
        tab_to(page, code)
        page.keyboard.type(totp_code())
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}/")

        tab_to(page, page.get_by_role("link", name=re.compile("Notfall-Abruf starten")))
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}/abrufe/neu/")

        # Sent with Enter before anything is entered: the focus goes to the error summary, and its
        # links take the focus to the field.
        submit = page.get_by_role("button", name="Abruf jetzt verbindlich stellen")
        tab_to(page, submit)
        page.keyboard.press("Enter")
        summary = page.locator(".ds-error-summary")
        expect(summary).to_be_focused()
        assert_accessible(page, "filing form with errors (keyboard)")
        tab_to(page, summary.get_by_role("link", name=re.compile("^Kurze Lagebeschreibung")))
        page.keyboard.press("Enter")
        expect(page.get_by_label("Kurze Lagebeschreibung")).to_be_focused()
        page.keyboard.type("Verschlüsselte Laufwerke, Erpresserschreiben. Telefonanlage ausgefallen.")

        # Radio groups: Tab into the group, the arrow keys choose. Back up to the category first.
        choose(page, page.get_by_label("Andere Schadsoftware"), backwards=True)
        expect(page.get_by_label("Andere Schadsoftware")).to_be_checked()
        choose(page, page.get_by_label("Ransomware / Verschlüsselung"), backwards=True)
        expect(page.get_by_label("Ransomware / Verschlüsselung")).to_be_checked()
        halted = page.get_by_label("Ja – der Betrieb steht (Priorität P1)")
        choose(page, halted)
        expect(halted).to_be_checked()
        # P1 makes the question about the degree of impairment moot: it is hidden, and out of the tab order.
        expect(page.get_by_role("group", name="Falls nicht eingestellt: wie stark beeinträchtigt?")).to_be_hidden()

        tab_to(page, page.get_by_label("Remote"))
        page.keyboard.type("16")
        phone_field = page.get_by_label("Rückrufnummer (außerhalb der eigenen Telefonanlage)")
        tab_to(page, phone_field)
        page.keyboard.press("Control+A")
        page.keyboard.type("+49 171 5550123")
        tab_to(page, submit)
        page.keyboard.press("Enter")
        page.wait_for_url(CALLOFF_PAGE)

        calloff = CallOff.objects.get()
        assert calloff.state == CallOffState.OFFERED and calloff.priority == "P1"
        assert calloff.category == "ransomware"
        assert calloff.situation.startswith("Verschlüsselte Laufwerke")
        assert calloff.callback_phone == "+49 171 5550123"
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Abruf {calloff.number}")

        # The call-off page itself is usable from the keyboard: the skip link moves past the header.
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("Zum Inhalt springen")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        first_in_main = page.evaluate("document.activeElement.closest('main') !== null")
        assert first_in_main, "the skip link does not lead into <main>"
    finally:
        context.close()
