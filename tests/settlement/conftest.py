"""Fixtures of the settlement tests: a call-off in progress at P1 with hours on earlier days."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from calloffs import services
from calloffs.models import CallOff, CallOffState
from notifications.models import WebhookEndpoint


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

        def add(days_ago: int = 0, hours="8", role=None, person="", description="Analyse der Firewall-Logs"):
            return services.time_entry_add(
                calloff=calloff,
                provider=provider,
                actor=staff,
                date=timezone.localdate() - timedelta(days=days_ago),
                hours=hours,
                role=role or setup.roles.lead,
                description=description,
                person=person,
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
