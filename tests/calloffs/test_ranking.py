"""Publishing the order of precedence: validation, versions, immutability, DB constraints."""

import pytest
from django.db import IntegrityError, transaction

from calloffs import selectors, services
from calloffs.errors import ImmutableRecord, InvalidInput, NotPermitted
from calloffs.models import ContractStatus, ProviderRank, RankingVersion
from tenants.models import AuditEntry, Regierungsbezirk
from tests.calloffs.factories import FrameworkContractFactory, RankingVersionFactory, ServiceModuleFactory

pytestmark = pytest.mark.django_db


def publish(setup, actor, entries, reason="Anpassung"):
    return services.ranking_publish(contract=setup.contract, actor=actor, entries=entries, reason=reason)


def test_publishing_creates_the_next_version(setup, ministry):
    p1, p2, p3, p4 = setup.providers
    version = publish(setup, ministry, [(p2, 1), (p1, 2), (p3, 5), (p4, 1, setup.modules.forensic)])

    assert version.number == 2 and version.created_by == ministry and version.reason == "Anpassung"
    assert selectors.ranking_current(setup.contract) == version
    ranks = [(r.provider, r.rank, r.service_module) for r in selectors.ranking_entries(version)]
    assert (p2, 1, None) in ranks and (p3, 5, None) in ranks and (p4, 1, setup.modules.forensic) in ranks
    # The old version is untouched.
    assert [r.provider for r in setup.ranking.ranks.order_by("rank")] == setup.providers
    entry = AuditEntry.objects.get(action="ranking.published")
    assert entry.actor == ministry and entry.details["reason"] == "Anpassung"


def test_a_duplicate_rank_is_refused(setup, ministry):
    p1, p2, *_ = setup.providers
    with pytest.raises(InvalidInput, match="Rang 2 ist doppelt vergeben"):
        publish(setup, ministry, [(p1, 1), (p2, 2), (setup.providers[2], 2)])
    assert RankingVersion.objects.count() == 1


def test_a_duplicate_provider_is_refused(setup, ministry):
    p1, p2, *_ = setup.providers
    with pytest.raises(InvalidInput, match="mehrfach"):
        publish(setup, ministry, [(p1, 1), (p2, 2), (p1, 3)])


def test_the_same_rank_in_different_lists_is_fine(setup, ministry):
    p1, p2, *_ = setup.providers
    version = publish(
        setup,
        ministry,
        [
            (p1, 1),
            (p2, 2),
            (p2, 1, setup.modules.forensic),
            (p1, 2, setup.modules.forensic),
            (p2, 1, None, Regierungsbezirk.KOELN),
            (p2, 1, setup.modules.forensic, Regierungsbezirk.KOELN),
        ],
    )
    assert version.ranks.count() == 6


@pytest.mark.parametrize(
    ("entries", "match"),
    [
        ([], "mindestens einen Eintrag"),
        ("rank0", "ganze Zahl ab 1"),
        ("bad_region", "Unbekannter Regierungsbezirk"),
        ("foreign_module", "gehört nicht zu diesem Rahmenvertrag"),
    ],
)
def test_invalid_entries_are_refused(setup, ministry, entries, match):
    p1 = setup.providers[0]
    if entries == "rank0":
        entries = [(p1, 0)]
    elif entries == "bad_region":
        entries = [(p1, 1, None, "Bonn")]
    elif entries == "foreign_module":
        other = ServiceModuleFactory(contract=FrameworkContractFactory(status=ContractStatus.DRAFT))
        entries = [(p1, 1, other)]
    with pytest.raises(InvalidInput, match=match):
        publish(setup, ministry, entries)


def test_only_the_ministry_publishes_and_with_a_reason(setup, alice, ministry):
    with pytest.raises(NotPermitted):
        publish(setup, alice, [(setup.providers[0], 1)])
    with pytest.raises(NotPermitted):
        publish(setup, setup.staff[0], [(setup.providers[0], 1)])
    with pytest.raises(InvalidInput):
        publish(setup, ministry, [(setup.providers[0], 1)], reason="")
    assert RankingVersion.objects.count() == 1


def test_a_published_version_cannot_be_changed(setup):
    version = setup.ranking
    version.reason = "manipuliert"
    with pytest.raises(ImmutableRecord):
        version.save()
    rank = version.ranks.first()
    rank.rank = 9
    with pytest.raises(ImmutableRecord):
        rank.save()


@pytest.mark.parametrize("module", [False, True])
def test_the_database_refuses_duplicate_ranks_even_without_a_module(setup, module):
    """The conditional unique constraints hold for NULL modules on SQLite and PostgreSQL."""
    module = setup.modules.remote if module else None
    p1, p2, *_ = setup.providers
    version = RankingVersionFactory(contract=setup.contract, number=9)
    ProviderRank.objects.create(version=version, provider=p1, rank=7, service_module=module)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderRank.objects.create(version=version, provider=p2, rank=7, service_module=module)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderRank.objects.create(version=version, provider=p1, rank=8, service_module=module)
    # Another region is another list.
    ProviderRank.objects.create(
        version=version, provider=p2, rank=7, service_module=module, regierungsbezirk=Regierungsbezirk.KOELN
    )


def test_ranking_for_calloff_prefers_the_most_specific_list(setup, ministry):
    p1, p2, p3, p4 = setup.providers
    forensic = setup.modules.forensic
    version = publish(
        setup,
        ministry,
        [
            (p1, 1),
            (p2, 1, None, Regierungsbezirk.KOELN),
            (p3, 1, forensic),
            (p4, 1, forensic, Regierungsbezirk.KOELN),
        ],
    )

    def first(module, region):
        ranks = selectors.ranking_for_calloff(
            version=version, service_module_id=module.pk if module else None, regierungsbezirk=region
        )
        return ranks[0].provider

    assert first(forensic, Regierungsbezirk.KOELN) == p4
    assert first(forensic, Regierungsbezirk.DETMOLD) == p3
    assert first(setup.modules.remote, Regierungsbezirk.KOELN) == p2
    assert first(setup.modules.remote, Regierungsbezirk.DETMOLD) == p1
    assert first(None, "") == p1
    assert selectors.ranking_for_calloff(version=None, service_module_id=None, regierungsbezirk="") == []
