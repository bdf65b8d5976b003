"""Issue 13, measured: a caller on a 390×844 phone files from the logged-in home page on the FIRST submit,
typing or choosing at most 4 things beyond the form's defaults."""

import re

import pytest

from calloffs.models import CallOff, CallOffState
from tests.browser.conftest import assert_accessible, login, screenshot

CALLOFF_PAGE = re.compile(r"/abrufe/[0-9a-f-]{36}/$")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: What the caller types or chooses: what happened, whether operations are halted, the situation in a
#: sentence, a call-back number (the body has no emergency contact on file to prefill it). The service
#: (1 × the acute-response module), "Seit wann?" and everything else stay as the form sets them.
THINGS_TYPED_OR_CHOSEN = 4


def test_a_caller_files_on_the_first_submit_from_the_home_page(phone, live_server, setup, alice, org_a):
    page = phone
    login(page, live_server, alice)
    page.get_by_role("link", name=re.compile("Notfall-Abruf")).first.click()
    page.wait_for_url(re.compile(r"/abrufe/neu/"))
    # The form starts on the first screen: the hotline box is folded on a phone.
    hotlines = page.locator("details#hotlines")
    assert hotlines.evaluate("el => el.open") is False
    assert page.get_by_text("Was ist passiert?").bounding_box()["y"] < 844
    # Nothing is chosen for the caller, the acute-response module is preset to 1 and says so.
    assert page.locator("input[name=category]:checked").count() == 0
    assert page.locator("input[name=priority]:checked").count() == 0
    assert page.get_by_label("Remote").input_value() == "1"
    assert page.get_by_text("Vorbelegt: 1 ×").is_visible()
    # "Seit wann?": each answer shows its own time field, and the clocks follow the time entered.
    assert page.get_by_label("Uhrzeit heute").is_hidden()
    page.get_by_label("Früher am heutigen Tag").check()
    assert page.get_by_label("Uhrzeit heute").is_visible()
    page.get_by_label("Uhrzeit heute").fill("00:05")
    first_clock = page.locator("[data-clock-seconds] time").first
    assert first_clock.inner_text().endswith("00:05")  # CERT NRW: 24 h after 00:05 today
    screenshot(page, "filing-form-phone-awareness")
    page.goto(page.url)  # a fresh, unanswered form: the caller leaves "Seit wann?" open (assumed)
    screenshot(page, "filing-form-phone-empty")
    assert_accessible(page, "filing-form-phone")

    actions = [
        lambda: page.get_by_label("Ransomware / Verschlüsselung").check(),
        lambda: page.get_by_label("Ja – der Betrieb steht (Priorität P1)").check(),
        lambda: page.get_by_label("Kurze Lagebeschreibung").fill("Erpresserschreiben, Fileserver verschlüsselt."),
        lambda: page.get_by_label("Rückrufnummer (außerhalb der eigenen Telefonanlage)").fill("+49 171 5550123"),
    ]
    assert len(actions) == THINGS_TYPED_OR_CHOSEN <= 4
    for action in actions:
        action()
    page.get_by_role("button", name="Abruf jetzt verbindlich stellen").click()
    page.wait_for_url(CALLOFF_PAGE)  # the first submit files: no error page in between

    calloff = CallOff.objects.get()
    assert calloff.organisation == org_a and calloff.priority == "P1"
    assert calloff.state == CallOffState.OFFERED
    assert [(s.service_module_id, s.estimated_quantity) for s in calloff.services.all()] == [
        (setup.modules.remote.pk, 1)
    ]


def test_the_error_summary_links_move_to_the_fields(phone, live_server, setup, alice):
    page = phone
    login(page, live_server, alice)
    page.goto(f"{live_server.url}/abrufe/neu/")
    page.get_by_label("Remote").fill("")
    page.get_by_role("button", name="Abruf jetzt verbindlich stellen").click()
    summary = page.locator(".ds-error-summary")
    summary.wait_for()
    links = summary.get_by_role("link")
    assert links.count() >= 4
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href")
        assert page.locator(target).count() == 1, target
    summary.get_by_role("link", name=re.compile("mindestens eine Leistung")).click()
    assert page.evaluate("document.activeElement.name") == f"module_{setup.modules.remote.pk}"
    screenshot(page, "filing-form-phone-errors")
    assert_accessible(page, "filing-form-phone-errors")
