"""Fixtures of the call-off tests, offered to every test directory (tests/conftest.py lists this
module in ``pytest_plugins``): an active contract with SLA terms, modules and role rates;
four providers ranked 1–4 in version 1 (the fourth serves only Münster, Detmold and Arnsberg,
as in the demo), one staff account per provider; and helpers that file a call-off and drive it
into any state through the services (never by assigning ``state``)."""

import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest

from calloffs import services
from calloffs.models import CallOff, CallOffState, OfferState, Priority, Unit
from incidents.models import Category
from tenants.models import Regierungsbezirk
from tests.calloffs.factories import (
    FrameworkContractFactory,
    ProviderFactory,
    ProviderRankFactory,
    ProviderStaffFactory,
    RankingVersionFactory,
    RoleRateFactory,
    ServiceModuleFactory,
    SLATermFactory,
)

SLA = {Priority.P1: (15, 30, 60, 240), Priority.P2: (30, 60, 240, 1440), Priority.P3: (120, 480, 1440, 4320)}


@pytest.fixture
def contract(db):
    contract = FrameworkContractFactory()
    for priority, (accept, callback, remote, onsite) in SLA.items():
        SLATermFactory(
            contract=contract,
            priority=priority,
            accept_minutes=accept,
            callback_minutes=callback,
            remote_start_minutes=remote,
            onsite_minutes=onsite,
        )
    return contract


@pytest.fixture
def modules(contract):
    return SimpleNamespace(
        remote=ServiceModuleFactory(
            contract=contract, code="IR-REMOTE", name="Remote", price=Decimal("210.00"), position=1
        ),
        onsite=ServiceModuleFactory(
            contract=contract, code="IR-ONSITE", name="Vor Ort", price=Decimal("240.00"), position=2
        ),
        forensic=ServiceModuleFactory(
            contract=contract, code="FORENSIK", name="Forensik", price=Decimal("230.00"), position=3
        ),
        workshop=ServiceModuleFactory(
            contract=contract, code="LESSONS", name="Workshop", unit=Unit.FLAT, price=Decimal("3500.00"), position=4
        ),
    )


@pytest.fixture
def roles(contract):
    return SimpleNamespace(
        lead=RoleRateFactory(contract=contract, name="Lead Incident Handler", hourly_rate=Decimal("250.00")),
        handler=RoleRateFactory(contract=contract, name="Incident Handler", hourly_rate=Decimal("195.00")),
    )


@pytest.fixture
def providers(db):
    east = [Regierungsbezirk.MUENSTER, Regierungsbezirk.DETMOLD, Regierungsbezirk.ARNSBERG]
    return [
        ProviderFactory(short_name="P1", legal_name="P1 Cyberabwehr GmbH"),
        ProviderFactory(short_name="P2", legal_name="P2 Incident Response AG"),
        ProviderFactory(short_name="P3", legal_name="P3 Forensik GmbH"),
        ProviderFactory(short_name="P4", legal_name="P4 SecOps GmbH", regions=east),
    ]


@pytest.fixture
def ranking(contract, providers):
    version = RankingVersionFactory(contract=contract, number=1)
    for rank, provider in enumerate(providers, start=1):
        ProviderRankFactory(version=version, provider=provider, rank=rank)
    return version


@pytest.fixture
def staff(providers):
    """staff[i] acts for providers[i]."""
    return [
        ProviderStaffFactory(provider=p, user__email=f"staff{i + 1}@provider.example").user
        for i, p in enumerate(providers)
    ]


@pytest.fixture
def setup(contract, modules, roles, ranking, staff, providers):
    """Everything a call-off needs."""
    return SimpleNamespace(
        contract=contract, modules=modules, roles=roles, ranking=ranking, staff=staff, providers=providers
    )


@pytest.fixture
def file_calloff(setup, alice, org_a):
    """file_calloff(**overrides) → a filed call-off (offered to the first available provider)."""

    def file(**overrides) -> CallOff:
        kwargs = {
            "organisation": org_a,
            "actor": alice,
            "client_token": uuid.uuid4(),
            "category": Category.RANSOMWARE,
            "situation": "Alle Fileserver verschlüsselt, Erpresserschreiben auf den Druckern.",
            "detected_at": None,
            "affected": "Fileserver, Fachverfahren Meldewesen",
            "operations_halted": True,
            "services": [(setup.modules.remote, 40)],
            "callback_phone": "+49 171 1234567",
            "callback_email": "it-notfall@example.org",
        }
        kwargs.update(overrides)
        return services.calloff_file(**kwargs)

    return file


@pytest.fixture
def drive(setup, file_calloff, alice):
    """drive(state) → a call-off brought into ``state`` through the services.

    Provider P1 (rank 1) accepts whenever a provider is needed. "submitted" exists only inside
    the filing transaction; to test the guard from it, the filed call-off is reset by queryset
    (the one place in the tests that writes a state directly).
    """
    p1, s1 = setup.providers[0], setup.staff[0]

    def to(state: str) -> CallOff:
        calloff = file_calloff()
        if state == CallOffState.OFFERED:
            return calloff
        if state == CallOffState.SUBMITTED:
            calloff.offers.update(state=OfferState.WITHDRAWN)
            CallOff.objects.filter(pk=calloff.pk).update(state=CallOffState.SUBMITTED)
            return CallOff.objects.get(pk=calloff.pk)
        if state == CallOffState.CANCELLED:
            return services.calloff_cancel(calloff=calloff, actor=alice, reason="Fehlalarm")
        if state == CallOffState.UNASSIGNED:
            for provider, user in zip(setup.providers[:3], setup.staff[:3], strict=True):
                services.offer_decline(calloff=calloff, provider=provider, actor=user, reason="Keine Kapazität")
            calloff.refresh_from_db()
            assert calloff.state == CallOffState.UNASSIGNED
            return calloff
        calloff = services.offer_accept(
            calloff=calloff, provider=p1, actor=s1, lead_name="Jana Keller", lead_phone="+49 211 5550110"
        )
        if state == CallOffState.ACCEPTED:
            return calloff
        calloff = services.calloff_start(calloff=calloff, provider=p1, actor=s1)
        if state == CallOffState.IN_PROGRESS:
            return calloff
        calloff = services.calloff_complete(calloff=calloff, provider=p1, actor=s1, summary="Systeme bereinigt.")
        if state == CallOffState.COMPLETED:
            return calloff
        assert state == CallOffState.CLOSED
        return services.calloff_close(calloff=calloff, actor=alice)

    return to
