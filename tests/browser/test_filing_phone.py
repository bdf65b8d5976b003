"""Issue 3: a caller files the emergency call-off in a real browser on a phone-sized viewport."""

import re

import pytest

from calloffs.models import CallOff, CallOffState
from tests.browser.conftest import login, screenshot

CALLOFF_PAGE = re.compile(r"/abrufe/[0-9a-f-]{36}/$")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_caller_files_on_a_phone(phone, live_server, setup, alice, org_a):
    page = phone
    login(page, live_server, alice)
    page.goto(f"{live_server.url}/abrufe/neu/")
    # The hotlines are there for when the portal fails.
    assert setup.providers[0].hotline in page.content()
    page.get_by_label("Ransomware / Verschlüsselung").check()
    page.get_by_label("Ja – der Betrieb steht (Priorität P1)").check()
    page.get_by_label("Kurze Lagebeschreibung").fill("Erpresserschreiben, Fileserver verschlüsselt.")
    page.get_by_label("Remote").fill("12")
    page.get_by_label("Rückrufnummer (außerhalb der eigenen Telefonanlage)").fill("+49 171 5550123")
    screenshot(page, "filing-form-phone")
    page.get_by_role("button", name="Abruf jetzt verbindlich stellen").click()
    page.wait_for_url(CALLOFF_PAGE)
    calloff = CallOff.objects.get()
    assert calloff.organisation == org_a and calloff.priority == "P1"
    assert calloff.state == CallOffState.OFFERED
    assert calloff.number in page.content()
    screenshot(page, "calloff-page-phone")
    # Nothing is wider than the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_double_click_files_once(phone, live_server, setup, alice):
    page = phone
    login(page, live_server, alice)
    page.goto(f"{live_server.url}/abrufe/neu/")
    page.get_by_label("Andere Schadsoftware").check()
    page.get_by_label("Ja – der Betrieb steht (Priorität P1)").check()
    page.get_by_label("Kurze Lagebeschreibung").fill("Doppelklick-Test")
    page.get_by_label("Remote").fill("4")
    page.get_by_label("Rückrufnummer (außerhalb der eigenen Telefonanlage)").fill("+49 171 5550123")
    page.get_by_role("button", name="Abruf jetzt verbindlich stellen").dblclick()
    page.wait_for_url(CALLOFF_PAGE)
    assert CallOff.objects.count() == 1
