"""The contract's terms are read once per version (calloffs.contract_terms): a change made through the
services, the admin or any save is used by the next filing or accept, never an older copy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from calloffs import contract_terms, services
from calloffs.contract.services import contract_update, provider_save, service_module_save, sla_term_save
from calloffs.errors import NoActiveContract
from calloffs.models import ContractStatus, Priority, SLATerm

pytestmark = pytest.mark.django_db


def test_a_new_ranking_is_used_by_the_next_filing(setup, ministry, file_calloff):
    assert file_calloff().offers.get().provider == setup.providers[0]  # the terms are kept now
    p1, p2, p3, p4 = setup.providers
    services.ranking_publish(
        contract=setup.contract, actor=ministry, entries=[(p2, 1), (p1, 2), (p3, 3), (p4, 4)], reason="Neu"
    )
    calloff = file_calloff()
    assert calloff.offers.get().provider == p2
    assert calloff.ranking_version.number == 2


def test_a_changed_sla_term_applies_to_the_next_offer(setup, ministry, file_calloff):
    first = file_calloff(priority=Priority.P2, operations_halted=False).offers.get()
    assert first.respond_by - first.offered_at == timedelta(minutes=30)
    term = SLATerm.objects.get(contract=setup.contract, priority=Priority.P2)
    term.accept_minutes = 45
    sla_term_save(sla_term=term, actor=ministry)
    offer = file_calloff(priority=Priority.P2, operations_halted=False).offers.get()
    assert offer.respond_by - offer.offered_at == timedelta(minutes=45)


def test_a_deactivated_provider_is_passed_over_at_once(setup, ministry, file_calloff):
    file_calloff()
    p1 = setup.providers[0]
    p1.active = False
    provider_save(provider=p1, actor=ministry)
    assert file_calloff().offers.get().provider == setup.providers[1]


def test_a_renamed_module_shows_on_the_next_form(setup, ministry, alice, client_for):
    client = client_for(alice)
    assert "Remote" in client.get(reverse("calloffs:create")).content.decode()
    module = setup.modules.remote
    module.name = "Fernunterstützung"
    service_module_save(module=module, actor=ministry)
    assert "Fernunterstützung" in client.get(reverse("calloffs:create")).content.decode()


def test_a_contract_no_longer_in_force_takes_no_filing(setup, ministry, file_calloff):
    file_calloff()
    contract_update(contract=setup.contract, actor=ministry, status=ContractStatus.TERMINATED)
    with pytest.raises(NoActiveContract):
        file_calloff(contract=None)


def test_another_process_changing_the_terms_is_seen(setup, file_calloff):
    """Only the version token is shared: a change elsewhere replaces it, and this process reads anew."""
    file_calloff()
    kept = contract_terms.terms()
    assert contract_terms.terms() is kept  # the same version: nothing read
    contract_terms.cache.set(contract_terms.VERSION_KEY, "elsewhere", timeout=None)
    assert contract_terms.terms() is not kept


def test_without_the_cache_the_database_is_read(setup, file_calloff, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(contract_terms.cache, "get", down)
    calloff = file_calloff()
    assert calloff.offers.get().provider == setup.providers[0]
    assert contract_terms.terms().in_force == (setup.contract,)
