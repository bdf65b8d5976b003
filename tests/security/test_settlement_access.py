"""Every persona × statements and invoices of an approved statement whose provider uploaded its own
XRechnung: the statement page, the XRechnung (as issued: the uploaded one), the invoice PDF view, the
upload page (the provider's only), in the portal and the API. Whoever may not see the call-off gets a
404 (never a 403: no existence leak); another provider sees nothing; the body and the ministry read;
only the provider issues or uploads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from rest_framework.test import APIClient

from calloffs import services as calloff_services
from calloffs.services.api_keys import api_key_create
from settlement import services
from settlement.invoice import xrechnung
from settlement.models import Invoice, InvoiceSource

pytestmark = pytest.mark.django_db

NS = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
OK, NOT_FOUND, LOGIN = 200, 404, "login"
#: Portal: who sees the approved statement and its invoice (the call-off's readers, not provider 2).
PORTAL = {
    "anonymous": LOGIN,
    "caller": OK,
    "member": OK,
    "admin": OK,
    "outsider": NOT_FOUND,
    "provider1": OK,
    "provider2": NOT_FOUND,
    "ministry": OK,
}


@pytest.fixture
def world(drive, setup, alice, bob, charlie, body_admin, ministry):
    setup.contract.night_surcharge_percent = setup.contract.weekend_surcharge_percent = 0
    setup.contract.save(update_fields=["night_surcharge_percent", "weekend_surcharge_percent"])
    services.billing_terms_save(contract=setup.contract, actor=ministry, ministry_leitweg_id="05-83")
    calloff = drive("in_progress")
    calloff_services.time_entry_add(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        date=timezone.localdate(),
        hours="3",
        role=setup.roles.lead,
        description="Analyse",
    )
    statement = services.statement_submit(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        period_start=timezone.localdate() - timedelta(days=1),
        period_end=timezone.localdate(),
    )
    services.statement_confirm(statement=statement, actor=alice)
    statement = services.statement_approve(statement=statement, actor=ministry)
    root = etree.fromstring(xrechnung(statement))
    root.find(
        ".//{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}ExchangedDocument/ram:ID", NS
    ).text = "EIGENE-4711"
    uploaded = etree.tostring(root)
    services.invoice_upload(statement=statement, actor=setup.staff[0], data=uploaded)
    users = {
        "caller": alice,
        "member": bob,
        "admin": body_admin,
        "outsider": charlie,
        "provider1": setup.staff[0],
        "provider2": setup.staff[1],
        "ministry": ministry,
    }
    keys = {
        f"provider{i + 1}": api_key_create(provider=p, actor=ministry, name="Abr").raw
        for i, p in enumerate(setup.providers[:2])
    }
    return {"statement": statement, "uploaded": uploaded, "users": users, "keys": keys}


def portal_client(world, persona) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    return client


def outcome(response):
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("persona", list(PORTAL))
def test_the_portal_shows_statement_invoice_and_pdf_to_the_parties_only(world, persona):
    statement = world["statement"]
    client = portal_client(world, persona)
    expected = PORTAL[persona]
    for name in ("settlement:detail", "settlement:invoice", "settlement:invoice_pdf"):
        response = client.get(reverse(name, args=[statement.public_id]))
        assert outcome(response) == expected, (name, persona, response.status_code)
        if expected == OK and name == "settlement:invoice":
            assert response.content == world["uploaded"]  # the uploaded invoice, for every party
            assert response["X-Invoice-Source"] == "uploaded"
        if expected == OK and name == "settlement:invoice_pdf":
            assert response.content.startswith(b"%PDF")
    upload = client.get(reverse("settlement:invoice_upload", args=[statement.public_id]))
    only_provider = {"anonymous": LOGIN, "provider1": OK}.get(persona, NOT_FOUND)
    assert outcome(upload) == only_provider, (persona, upload.status_code)
    # nobody's read turns the uploaded invoice into another one
    assert Invoice.objects.get(statement=statement).source == InvoiceSource.UPLOADED


@pytest.mark.parametrize("persona", ["anonymous", "provider1", "provider2"])
def test_the_api_gives_statement_invoice_and_pdf_to_its_provider_only(world, persona):
    statement = world["statement"]
    client = APIClient()
    if persona != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world['keys'][persona]}")
    expected = {"anonymous": 401, "provider1": 200, "provider2": 404}[persona]
    base = f"/api/v1/statements/{statement.public_id}/"
    for tail in ("", "invoice/", "invoice.pdf"):
        assert client.get(base + tail).status_code == expected, (tail, persona)
    put = client.put(base + "invoice/", data=world["uploaded"], content_type="application/xml")
    assert put.status_code == {"anonymous": 401, "provider1": 200, "provider2": 404}[persona]
    if persona == "provider1":
        assert client.get(base + "invoice/").content == world["uploaded"]


@pytest.mark.parametrize("persona", ["caller", "admin", "ministry", "provider2"])
def test_only_the_statements_provider_uploads_and_only_the_parties_issue(world, persona):
    from calloffs.errors import NotPermitted

    statement = world["statement"]
    with pytest.raises(NotPermitted):
        services.invoice_upload(statement=statement, actor=world["users"][persona], data=world["uploaded"])
    Invoice.objects.filter(statement=statement).delete()
    if persona == "provider2":
        with pytest.raises(NotPermitted):
            services.invoice_issue(statement=statement, actor=world["users"][persona])
        assert not Invoice.objects.filter(statement=statement).exists()
    else:  # the payer side's first download issues the generated invoice (then it is final)
        issued = services.invoice_issue(statement=statement, actor=world["users"][persona])
        assert issued.source == InvoiceSource.GENERATED and issued.issued_by == world["users"][persona]
