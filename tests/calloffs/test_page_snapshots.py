"""Whole pages, byte for byte: the filing form's page and the call-off page as each party sees it.

How these pages are rendered may change (issue 19: CPU per request), what they render may not. The
snapshots were written before the rendering was made faster. Values that differ from run to run are
replaced by placeholders: CSRF tokens, UUIDs (numbered in order of appearance), database ids; the
time is fixed and the factories' sequences start at 0. To write them anew after a deliberate change
of a page: ``UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/calloffs/test_page_snapshots.py`` and review
the diff.
"""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime

import factory
import pytest
import time_machine
from django.urls import reverse

from calloffs.forms import CallOffFilingForm
from calloffs.models import CallOff, ProviderContact
from tests import factories as common_factories
from tests.calloffs import factories as calloff_factories
from tests.calloffs.test_filing_form_snapshot import TOKEN, check

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LEAD = {"lead_name": "Petra Lead", "lead_phone": "+49 211 555 0199"}


def normalised(response, *, modules=(), providers=()) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="CSRF"', html)
    html = re.sub(r'(name="csrf-token" content=")[^"]+"', r'\1CSRF"', html)
    html = html.replace(TOKEN, "CLIENT-TOKEN")
    seen: dict[str, str] = {}
    html = UUID.sub(lambda m: seen.setdefault(m[0], f"UUID-{len(seen) + 1}"), html)
    for label, pk in modules:
        html = re.sub(rf"module_{pk}(?!\d)", f"module_{label}", html)
    for label, pk in providers:  # the ministry's assignment form
        html = html.replace(f'name="provider" value="{pk}"', f'name="provider" value="{label}"')
    return html


@pytest.fixture(autouse=True)
def _fixed(monkeypatch):
    for module in (common_factories, calloff_factories):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, factory.django.DjangoModelFactory) and cls is not factory.django.DjangoModelFactory:
                cls.reset_sequence(0, force=True)
    monkeypatch.setattr(CallOffFilingForm, "new_token", staticmethod(lambda: TOKEN))
    with time_machine.travel(NOW, tick=False):
        yield


def module_pks(setup):
    return [(m.code, m.pk) for m in vars(setup.modules).values()]


def provider_pks(setup):
    return [(p.short_name, p.pk) for p in setup.providers]


def test_the_filing_forms_page(setup, alice, org_a, client_for):
    response = client_for(alice).get(reverse("calloffs:create"))
    assert response.status_code == 200
    check("page_calloff_form_caller", normalised(response, modules=module_pks(setup)))


def page(client, calloff):
    response = client.get(reverse("calloffs:detail", args=[calloff.public_id]))
    assert response.status_code == 200
    return response


def test_the_calloff_page_offered(client_for, setup, file_calloff, alice, ministry):
    calloff = file_calloff()
    pks = {"modules": module_pks(setup), "providers": provider_pks(setup)}
    check("page_calloff_offered_body", normalised(page(client_for(alice), calloff), **pks))
    check("page_calloff_offered_provider", normalised(page(client_for(setup.staff[0]), calloff), **pks))
    check("page_calloff_offered_ministry", normalised(page(client_for(ministry), calloff), **pks))


def test_the_calloff_page_accepted(client_for, setup, file_calloff, alice, ministry):
    ProviderContact.objects.create(
        provider=setup.providers[0], name="Max Forensik", role="Bereitschaft", phone="+49 171 7654321"
    )
    calloff = file_calloff()
    accepted = client_for(setup.staff[0]).post(reverse("calloffs:action", args=[calloff.public_id, "accept"]), LEAD)
    assert accepted.status_code == 302
    calloff = CallOff.objects.get(pk=calloff.pk)
    pks = {"modules": module_pks(setup), "providers": provider_pks(setup)}
    check("page_calloff_accepted_body", normalised(page(client_for(alice), calloff), **pks))
    check("page_calloff_accepted_provider", normalised(page(client_for(setup.staff[0]), calloff), **pks))
    check("page_calloff_accepted_ministry", normalised(page(client_for(ministry), calloff), **pks))


def english(client):
    """The client with English chosen (the language switch's cookie)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_filing_forms_page_in_english_and_for_the_ministry(setup, alice, ministry, client_for):
    response = english(client_for(alice)).get(reverse("calloffs:create"))
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    check("page_calloff_form_caller_en", normalised(response, modules=module_pks(setup)))
    response = client_for(ministry).get(reverse("calloffs:create"))
    assert response.status_code == 200
    check("page_calloff_form_ministry", normalised(response, modules=module_pks(setup)))


def test_the_calloff_page_with_documents_in_both_languages(client_for, setup, file_calloff, alice, ministry):
    """Accepted, with a reason in the timeline (a decline), the order documents in each state, two
    ticked checklist steps and the provider's contacts: German and English, for the body, the provider and the
    ministry."""
    from calloffs.models import CallOffDocument, DocumentKind, DocumentState

    ProviderContact.objects.create(provider=setup.providers[1], name="Eva <Nacht>", phone="+49 171 1111111")
    calloff = file_calloff()
    declined = client_for(setup.staff[0]).post(
        reverse("calloffs:action", args=[calloff.public_id, "decline"]), {"reason": "Kein Personal frei & <heute>"}
    )
    assert declined.status_code == 302
    accepted = client_for(setup.staff[1]).post(reverse("calloffs:action", args=[calloff.public_id, "accept"]), LEAD)
    assert accepted.status_code == 302
    for step in ("log", "isolate"):  # two steps of the first-hour checklist ticked, by the body
        ticked = client_for(alice).post(
            reverse("calloffs:action", args=[calloff.public_id, "checklist"]), {"step": step, "done": "1"}
        )
        assert ticked.status_code == 302
    calloff = CallOff.objects.get(pk=calloff.pk)
    CallOffDocument.objects.filter(calloff=calloff).delete()
    codes = []
    for version, state in enumerate((DocumentState.READY, DocumentState.FAILED, DocumentState.PENDING), 1):
        document = CallOffDocument.objects.create(
            calloff=calloff,
            kind=DocumentKind.ORDER,
            version=version,
            state=state,
            reason="Änderung" if version > 1 else "",
            rendered_at=NOW if state == DocumentState.READY else None,
            **({"file": f"documents/order-{version}.pdf", "sha256": "a" * 64} if state == DocumentState.READY else {}),
        )
        codes.append(document.verify_code)
    pks = {"modules": module_pks(setup), "providers": provider_pks(setup)}
    for language in ("de", "en"):
        for who, user in (("body", alice), ("provider", setup.staff[1]), ("ministry", ministry)):
            client = client_for(user)
            if language == "en":
                english(client)
            html = normalised(page(client, calloff), **pks)
            for n, code in enumerate(codes, 1):
                html = html.replace(code, f"VERIFY-{n}")
            check(f"page_calloff_documents_{who}_{language}", html)
