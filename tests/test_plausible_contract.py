"""Issue 14 (High, "same for amounts, quantities and hours"): what the ministry and the bodies enter
besides dates and times has a plausible range too (digisos.plausible): contract amounts, prices,
rates, surcharges, SLA minutes (in order), provider capacity, positions and ranks, quantities at
filing and on a change of scope, eligibility and mandate dates. Each is checked in the form (German
message, input kept), in the service (a path without a form), and by a CHECK constraint.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from calloffs import services
from calloffs.contract import services as contract_services
from calloffs.errors import InvalidInput
from calloffs.models import (
    CallOff,
    CallOffService,
    FrameworkContract,
    Provider,
    ProviderContact,
    ProviderRank,
    RoleRate,
    ServiceModule,
    SLATerm,
)
from incidents.models import Category
from tenants import services as tenant_services
from tenants.models import EmergencyContact, Mandate, Organisation

pytestmark = pytest.mark.django_db

BETWEEN_DATES = "Das Datum muss zwischen dem 01.01.2000 und dem 31.12.2099 liegen."


def text(response) -> str:
    return html.unescape(response.content.decode())


def contract_data(**overrides):
    data = {
        "reference": "MHKBD-IR-2027-009",
        "title": "Digi-SOS II",
        "contracting_authority": "MHKBD NRW",
        "status": "draft",
        "start_date": "2027-06-01",
        "end_date": "2031-05-31",
        "extension_options": "",
        "estimated_value": "24.000.000,00",
        "ceiling": "30.000.000,00",
        "night_surcharge_percent": "50",
        "weekend_surcharge_percent": "50",
    }
    data.update(overrides)
    return data


SLA_OK = {"accept_minutes": "15", "callback_minutes": "30", "remote_start_minutes": "60", "onsite_minutes": "240"}


# --- Forms: a German message, the input kept, nothing stored ------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_date": "1999-12-31"}, BETWEEN_DATES),
        ({"start_date": "0001-01-01"}, BETWEEN_DATES),
        ({"end_date": "2100-01-01"}, BETWEEN_DATES),
        ({"ceiling": "1.000.000.000.000,00"}, "Der Wert muss zwischen 0,00 und 999.999.999.999,99 liegen."),
        ({"estimated_value": "1e13"}, "Der Wert muss zwischen 0,00 und 999.999.999.999,99 liegen."),
        ({"night_surcharge_percent": "501"}, "Der Wert muss zwischen 0,00 und 500,00 liegen."),
        ({"weekend_surcharge_percent": "999,99"}, "Der Wert muss zwischen 0,00 und 500,00 liegen."),
    ],
)
def test_contract_form_refuses_implausible_values(client_for, ministry, overrides, message):
    """Failed before: the form let dates before 2000 and after 2099 through to the service, took a
    surcharge of 999.99 %, and explained a ceiling of 10^12 as '14 digits'."""
    response = client_for(ministry).post(reverse("calloffs:contract_create"), contract_data(**overrides))
    content = text(response)
    assert response.status_code == 400
    assert message in content
    assert "verletzt" not in content and "violated" not in content
    value = next(iter(overrides.values()))
    assert f'value="{value}"' in content  # the input is kept
    assert not FrameworkContract.objects.exists()


def test_prices_and_rates_have_an_upper_bound(client_for, ministry, setup):
    client = client_for(ministry)
    url = reverse("calloffs:contract_module_create", args=[setup.contract.public_id])
    data = {"code": "NEU", "name": "Neu", "description": "", "unit": "hour", "price": "1.000.000,01", "position": "1"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Der Wert muss zwischen 0,00 und 1.000.000,00 liegen." in text(response)
    assert 'value="1.000.000,01"' in text(response)
    assert not ServiceModule.objects.filter(code="NEU").exists()

    url = reverse("calloffs:contract_role_create", args=[setup.contract.public_id])
    response = client.post(url, {"name": "Forensik", "hourly_rate": "10.000,01"})
    assert response.status_code == 400
    assert "Der Wert muss zwischen 0,00 und 10.000,00 liegen." in text(response)
    assert not RoleRate.objects.filter(name="Forensik").exists()
    assert client.post(url, {"name": "Forensik", "hourly_rate": "10.000,00"}).status_code == 302


@pytest.mark.parametrize(
    ("overrides", "field_label", "message"),
    [
        ({"accept_minutes": "43201"}, "Annahme", "kleiner oder gleich 43200"),
        ({"onsite_minutes": "600000"}, "Vor Ort", "kleiner oder gleich 43200"),
        (
            {"callback_minutes": "120", "remote_start_minutes": "60"},
            "Remote",
            "Darf nicht kürzer sein als „Erster Rückruf binnen (Min.)“ (120 Min.).",
        ),
        (
            {"remote_start_minutes": "300", "onsite_minutes": "240"},
            "Vor Ort",
            "Darf nicht kürzer sein als „Beginn der Remote-Unterstützung binnen (Min.)“ (300 Min.).",
        ),
    ],
)
def test_sla_minutes_are_bounded_and_in_order(client_for, ministry, setup, overrides, field_label, message):
    """Failed before: a year of minutes was accepted, and an on-site deadline before the remote start."""
    url = reverse("calloffs:contract_sla_edit", args=[setup.contract.public_id, "P1"])
    response = client_for(ministry).post(url, {**SLA_OK, **overrides})
    content = text(response)
    assert response.status_code == 400
    assert message in content and field_label in content
    assert "verletzt" not in content and "violated" not in content  # no constraint's technical name
    for value in overrides.values():
        assert f'value="{value}"' in content
    term = SLATerm.objects.get(contract=setup.contract, priority="P1")
    assert (term.callback_minutes, term.remote_start_minutes, term.onsite_minutes) == (30, 60, 240)


def test_eligibility_dates_are_plausible_and_ordered(client_for, ministry, org_b):
    url = reverse("tenants:organisation_detail", args=[org_b.public_id])
    client = client_for(ministry)
    before = (org_b.eligible_from, org_b.eligible_until)
    for data, message in (
        ({"eligible_from": "1999-12-31", "eligible_until": ""}, BETWEEN_DATES),
        ({"eligible_from": "2026-01-01", "eligible_until": "2100-01-01"}, BETWEEN_DATES),
        (
            {"eligible_from": "2026-01-01", "eligible_until": "2025-12-31"},
            "Das Ende der Abrufberechtigung liegt vor ihrem Beginn.",
        ),
    ):
        response = client.post(url, {"action": "eligibility", **data})
        assert message in text(response), data
        assert f'value="{data["eligible_until"] or data["eligible_from"]}"' in text(response)
        org_b.refresh_from_db()
        assert (org_b.eligible_from, org_b.eligible_until) == before


# --- Services: the same rules without a form -------------------------------------------------


def test_services_refuse_what_the_forms_refuse(setup, ministry, org_a, org_b):
    contract = setup.contract
    with pytest.raises(ValidationError) as exc:
        contract_services.contract_update(contract=contract, actor=ministry, ceiling=Decimal("1e12"))
    assert "ceiling" in exc.value.message_dict
    with pytest.raises(ValidationError):
        contract_services.contract_update(contract=contract, actor=ministry, start_date=dt.date(1999, 12, 31))
    term = SLATerm.objects.get(contract=contract, priority="P2")
    term.onsite_minutes = term.remote_start_minutes - 1
    with pytest.raises(ValidationError) as exc:
        contract_services.sla_term_save(sla_term=term, actor=ministry)
    assert "onsite_minutes" in exc.value.message_dict
    provider = setup.providers[0]
    provider.capacity = 1000
    with pytest.raises(ValidationError):
        contract_services.provider_save(provider=provider, actor=ministry)
    with pytest.raises(ValidationError):
        tenant_services.organisation_set_eligibility(
            organisation=org_b, actor=ministry, eligible_from=dt.date(1999, 12, 31), eligible_until=None
        )
    mandate = Mandate(principal=org_a, member=org_b, valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError) as exc:
        tenant_services.mandate_save(mandate=mandate, actor=ministry)
    assert "Darf nicht vor „Gültig ab“ liegen." in exc.value.message_dict["valid_until"]
    mandate = Mandate(principal=org_a, member=org_b, valid_from=dt.date(1999, 1, 1))
    with pytest.raises(ValidationError) as exc:
        tenant_services.mandate_save(mandate=mandate, actor=ministry)
    assert BETWEEN_DATES in exc.value.message_dict["valid_from"]
    assert not Mandate.objects.exists()


def _file(setup, alice, org_a, services_):
    return services.calloff_file(
        organisation=org_a,
        actor=alice,
        client_token=uuid.uuid4(),
        category=Category.RANSOMWARE,
        situation="Server verschlüsselt.",
        detected_at=None,
        affected="",
        operations_halted=True,
        priority="P1",
        place_of_performance="Rathaus",
        callback_phone="+49 171 2223334",
        services=services_,
    )


@pytest.mark.parametrize(
    "quantities",
    [["10000.01"], ["1e30"], ["NaN"], ["Infinity"], [True], ["6000", "6000"]],  # the last: twice, summed
)
def test_filing_refuses_implausible_quantities(setup, alice, org_a, quantities):
    """Failed before: 10000.01 and a module named twice (6000 + 6000) passed the service; NaN raised
    decimal.InvalidOperation instead of a German refusal."""
    module = setup.modules.remote
    with pytest.raises(InvalidInput) as exc:
        _file(setup, alice, org_a, [(module, q) for q in quantities])
    assert exc.value.field == "services"
    assert not CallOff.objects.exists()


def test_a_change_of_scope_refuses_implausible_quantities(setup, alice, org_a):
    calloff = _file(setup, alice, org_a, [(setup.modules.remote, "8")])
    offer = calloff.offers.get(state="open")
    index = setup.providers.index(offer.provider)
    calloff = services.offer_accept(
        calloff=calloff, provider=offer.provider, actor=setup.staff[index], lead_name="Jana", lead_phone="+49 211 1"
    )
    with pytest.raises(InvalidInput) as exc:
        services.calloff_change_scope(
            calloff=calloff, actor=alice, services=[(setup.modules.remote, "20000")], reason="Mehr Aufwand"
        )
    assert "Der Wert muss zwischen 0,00 und 10.000,00 liegen." in exc.value.message
    assert CallOffService.objects.get(calloff=calloff).estimated_quantity == Decimal("8.00")


# --- The database refuses what slipped through ------------------------------------------------


def _rows(setup, alice, org_a, org_b):
    calloff = _file(setup, alice, org_a, [(setup.modules.remote, "8")])
    contact = ProviderContact.objects.create(provider=setup.providers[0], name="Kontakt")
    emergency = EmergencyContact.objects.create(organisation=org_a, name="Notfall", mobile="+49 171 1")
    mandate = Mandate.objects.create(principal=org_a, member=org_b)
    return {
        "contract": FrameworkContract.objects.filter(pk=setup.contract.pk),
        "module": ServiceModule.objects.filter(pk=setup.modules.remote.pk),
        "role": RoleRate.objects.filter(pk=setup.roles.lead.pk),
        "sla": SLATerm.objects.filter(contract=setup.contract, priority="P1"),
        "provider": Provider.objects.filter(pk=setup.providers[0].pk),
        "contact": ProviderContact.objects.filter(pk=contact.pk),
        "rank": ProviderRank.objects.filter(pk=ProviderRank.objects.first().pk),
        "calloff": CallOff.objects.filter(pk=calloff.pk),
        "line": CallOffService.objects.filter(calloff=calloff),
        "organisation": Organisation.objects.filter(pk=org_a.pk),
        "emergency": EmergencyContact.objects.filter(pk=emergency.pk),
        "mandate": Mandate.objects.filter(pk=mandate.pk),
    }


BAD_ROWS = [
    # (the upper bound of money is the column's own on PostgreSQL: 10^12 is a DataError there)
    ("contract", {"estimated_value": Decimal("-1")}),
    ("contract", {"night_surcharge_percent": Decimal("501")}),
    ("contract", {"weekend_surcharge_percent": Decimal("-1")}),
    ("module", {"price": Decimal("1000000.01")}),
    ("module", {"position": 10000}),
    ("role", {"hourly_rate": Decimal("10000.01")}),
    ("sla", {"accept_minutes": 43201}),
    ("sla", {"callback_minutes": 0}),
    ("sla", {"callback_minutes": 90, "remote_start_minutes": 60}),
    ("sla", {"onsite_minutes": 59}),
    ("provider", {"capacity": 1000}),
    ("provider", {"capacity": 0}),
    ("contact", {"position": 10000}),
    ("rank", {"rank": 1000}),
    ("calloff", {"estimated_value": Decimal("-0.01")}),
    ("line", {"estimated_quantity": Decimal("10000.01")}),
    ("line", {"unit_price": Decimal("1000000.01")}),
    ("organisation", {"eligible_from": dt.date(1999, 12, 31)}),
    ("organisation", {"eligible_until": dt.date(2100, 1, 1)}),
    ("organisation", {"population": 20_000_001}),
    ("emergency", {"position": 10000}),
    ("mandate", {"valid_from": dt.date(1999, 12, 31)}),
    ("mandate", {"valid_from": dt.date(2026, 6, 1), "valid_until": dt.date(2026, 5, 31)}),
]


def test_the_database_refuses_implausible_rows(setup, alice, org_a, org_b):
    """Each CHECK constraint, by a write that bypasses the forms and services (queryset.update)."""
    rows = _rows(setup, alice, org_a, org_b)
    accepted = []
    for kind, values in BAD_ROWS:
        try:
            with transaction.atomic():
                rows[kind].update(**values)
        except IntegrityError:
            continue
        accepted.append((kind, values))
    assert not accepted
    for kind, values in BAD_ROWS:  # and nothing of it was stored
        row = rows[kind].values(*values).first()
        assert row != values, (kind, values)


def test_every_entered_number_and_date_has_a_check_constraint():
    """The grep of the brief, as a test: every number and date field of the models a person or provider
    fills in is named in a CHECK constraint of its model (system stamps and counters are listed apart)."""
    from django.apps import apps
    from django.db import models

    kinds = (models.DecimalField, models.IntegerField, models.DateField)  # DateTimeField is a DateField
    system = {  # set by the software, never typed in
        "tenants.User": {"last_login", "date_joined"},
        "tenants.Invitation": {"expires_at", "accepted_at", "revoked_at"},
        "tenants.AuditEntry": {"sequence", "at"},
        "tenants.AuditChainHead": {"last_sequence"},
        "incidents.IncidentAttachment": {"size", "uploaded_at"},
        "incidents.MajorIncident": {"declared_at", "closed_at"},
        "incidents.ReportingObligation": {"due_at", "remind_at", "reminded_at", "overdue_notified_at", "waived_at"},
        "calloffs.CallOff": {
            "submitted_at",
            "accepted_at",
            "started_at",
            "completed_at",
            "closed_at",
            "cancelled_at",
            "callback_due_at",
            "remote_start_due_at",
            "onsite_due_at",
        },
        "calloffs.CallOffService": {"position"},
        "calloffs.Offer": {"rank", "sequence", "offered_at", "respond_by", "responded_at"},
        "calloffs.CallOffEvent": {"at"},
        "calloffs.CallOffNumberSequence": {"year", "last_value"},
        "calloffs.RankingVersion": {"number"},
        "calloffs.TimeEntry": {"confirmed_at"},
        "calloffs.MinistryAlert": {"created_at", "acknowledged_at"},
        "calloffs.ProviderApiKey": {"created_at", "last_used_at", "expires_at", "revoked_at"},
        "calloffs.IdempotencyRecord": {"response_status", "created_at", "expires_at"},
        "calloffs.CallOffAttachment": {"size", "created_at"},
        "calloffs.CallOffDocument": {"size", "attempts", "created_at", "started_at", "rendered_at"},
        "calloffs.SLABreach": {"due_at", "detected_at", "reported_at"},
    }
    missing = []
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in ("tenants", "incidents", "calloffs"):
            continue  # notifications: the outbox's own stamps and counters
        checked = " ".join(str(getattr(c, "condition", "")) for c in model._meta.constraints)
        for field in model._meta.concrete_fields:
            if not isinstance(field, kinds) or isinstance(field, models.AutoField):
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                continue
            named = re.search(rf"'{field.attname}(__\w+)?'|F\({field.attname}\)", checked)
            if field.name in system.get(label, ()) or named:
                continue
            missing.append(f"{label}.{field.name}")
    assert not missing
