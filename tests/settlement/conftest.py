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
