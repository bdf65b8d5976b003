"""The filing form's HTML, byte for byte: how it is rendered may change (issue 19: the widget
templates), what it renders may not. Three snapshots: a caller's empty form (radios, text fields,
hidden body), ministry staff's (the body as a select with its options) and a caller's form sent back
with errors (aria-invalid, error texts, the values entered).

Values that differ from run to run (CSRF token, the body's and modules' ids, the client token) are
replaced by placeholders; the time is fixed. To write the snapshots anew after a deliberate change
of the form: ``UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/calloffs/test_filing_form_snapshot.py``
and review the diff.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from calloffs.forms import CallOffFilingForm
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SNAPSHOTS = Path(__file__).parent / "snapshots"
TOKEN = "00000000-0000-4000-8000-000000000000"
NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def the_form(response, *, setup, organisations) -> str:
    html = response.content.decode()
    match = re.search(r'<form class="ds-form" method="post" novalidate id="calloff-form">.*?</form>', html, re.S)
    assert match, "the filing form is on the page"
    form = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="CSRF"', match[0])
    for org in organisations:
        form = form.replace(str(org.public_id), f"ORG-{org.name}")
    for module in vars(setup.modules).values():
        form = re.sub(rf"module_{module.pk}(?!\d)", f"module_{module.code}", form)
    return form


def check(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.html"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if os.environ.get("UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"snapshot {path.name} was missing and has been written; run again")
    assert text == path.read_text(encoding="utf-8"), f"the rendered form differs from {path}"


@pytest.fixture(autouse=True)
def _fixed(monkeypatch):
    monkeypatch.setattr(CallOffFilingForm, "new_token", staticmethod(lambda: TOKEN))
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_callers_form(setup, alice, org_a, client_for):
    response = client_for(alice).get(reverse("calloffs:create"))
    assert response.status_code == 200
    check("calloff_form_caller", the_form(response, setup=setup, organisations=[org_a]))


def test_the_ministrys_form_with_the_bodies_to_choose_from(setup, ministry, org_a, org_b, client_for):
    bodies = [org_a, org_b, OrganisationFactory(name="Kreis <Olpe> & Co")]
    response = client_for(ministry).get(reverse("calloffs:create"))
    assert response.status_code == 200
    check("calloff_form_ministry", the_form(response, setup=setup, organisations=bodies))


def test_a_callers_form_sent_back_with_errors(setup, alice, org_a, client_for):
    data = {
        "client_token": TOKEN,
        "organisation": str(org_a.public_id),
        "operations_halted": "no",
        "priority": "P3",
        "aware": "today",
        "situation": 'Drucker drucken "Lösegeld" <aus>',
        f"module_{setup.modules.remote.pk}": "-3",
        f"module_{setup.modules.onsite.pk}": "2,5",
        "callback_phone": "kaputt",
        "callback_email": "keine-adresse",
    }
    response = client_for(alice).post(reverse("calloffs:create"), data)
    assert response.status_code == 400
    check("calloff_form_caller_errors", the_form(response, setup=setup, organisations=[org_a]))
