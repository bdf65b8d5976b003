"""Fixtures of the settlement tests: a call-off in progress at P1 with hours on earlier days."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from calloffs import services
from calloffs.models import CallOff, CallOffState
from notifications.models import WebhookEndpoint
from settlement import services as settlement_services


@pytest.fixture
def work(drive, setup):
    """work(days_back=10) → SimpleNamespace(calloff, provider, staff, add(day_offset, hours, role, person))."""

    def make(days_back: int = 10, state: str = CallOffState.IN_PROGRESS):
        # No surcharges unless a test sets them: the amounts must not depend on the weekday the tests run.
        setup.contract.night_surcharge_percent = setup.contract.weekend_surcharge_percent = 0
        setup.contract.save(update_fields=["night_surcharge_percent", "weekend_surcharge_percent"])
        calloff = drive(state)
        # The call-off was filed ``days_back`` days ago (a timestamp, not the state), so that hours
        # can be recorded on earlier days.
        CallOff.objects.filter(pk=calloff.pk).update(submitted_at=timezone.now() - timedelta(days=days_back))
        calloff.refresh_from_db()
        provider, staff = setup.providers[0], setup.staff[0]

        def add(
            days_ago: int = 0, hours="8", role=None, person="", description="Analyse der Firewall-Logs", module=None
        ):
            return services.time_entry_add(
                calloff=calloff,
                provider=provider,
                actor=staff,
                date=timezone.localdate() - timedelta(days=days_ago),
                hours=hours,
                role=role or setup.roles.lead,
                description=description,
                person=person,
                service_module=module,
            )

        return SimpleNamespace(calloff=calloff, provider=provider, staff=staff, add=add)

    return make


@pytest.fixture
def p1_endpoint(setup):
    return WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/digisos")


@pytest.fixture
def keys(setup, ministry):
    """keys[i]: the raw API key of providers[i]."""
    from calloffs.services.api_keys import api_key_create

    return [api_key_create(provider=p, actor=ministry, name="Abrechnung").raw for p in setup.providers]


@pytest.fixture
def api(keys):
    """api(i) → an APIClient with provider i's key; api(None) → without a key."""
    from rest_framework.test import APIClient

    def make(who=0):
        client = APIClient()
        if who is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {keys[who]}")
        return client

    return make


MINISTRY_LEITWEG = "05-83"


@pytest.fixture
def ministry_leitweg(setup, ministry):
    """The ministry's Leitweg-ID in the contract's billing terms: approval requires the payer's."""
    return settlement_services.billing_terms_save(
        contract=setup.contract, actor=ministry, ministry_leitweg_id=MINISTRY_LEITWEG
    )


@pytest.fixture
def approved(work, setup, alice, ministry):
    contract = setup.contract
    settlement_services.billing_terms_save(contract=contract, actor=ministry, ministry_leitweg_id=MINISTRY_LEITWEG)
    w = work()
    contract.night_surcharge_percent = Decimal("25")
    contract.weekend_surcharge_percent = Decimal("0")
    contract.save(update_fields=["night_surcharge_percent", "weekend_surcharge_percent"])
    entry = w.add(3, hours="7.5")
    w.add(2, hours="3.33", role=setup.roles.handler)
    statement = settlement_services.statement_submit(
        calloff=w.calloff,
        provider=w.provider,
        actor=w.staff,
        period_start=timezone.localdate() - timedelta(days=5),
        period_end=timezone.localdate(),
        night_hours={entry.public_id: "1.5"},
    )
    statement = settlement_services.statement_confirm(statement=statement, actor=alice)
    w.statement = settlement_services.statement_approve(statement=statement, actor=ministry)
    return w
