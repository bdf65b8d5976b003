"""Reads of the contract administration pages (ministry only). Each returns what one page needs
in a fixed number of queries, however many providers, modules or versions there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from tenants.models import AuditEntry

from .. import billing_ids
from ..models import (
    BANK_CHANGED_ACTION,
    BANK_FIELDS,
    CallOff,
    FrameworkContract,
    MinistryAlert,
    Priority,
    Provider,
    ProviderMembership,
    ProviderRank,
    RankingVersion,
    ServiceModule,
    SLATerm,
)
from ..permissions import is_ministry
from ..selectors import (
    CeilingStatus,
    ProviderLoad,
    ceiling_stages,
    contract_ceiling_status,
    percent_of,
    provider_load,
    ranking_entries,
)


def _require_ministry(user) -> None:
    if not is_ministry(user):
        raise Http404


def contract_list(*, user) -> QuerySet[FrameworkContract]:
    _require_ministry(user)
    return FrameworkContract.objects.order_by("-start_date", "reference")


def contract_for_ministry(*, user, public_id) -> FrameworkContract:
    _require_ministry(user)
    return get_object_or_404(FrameworkContract, public_id=public_id)


def provider_for_ministry(*, user, public_id) -> Provider:
    _require_ministry(user)
    return get_object_or_404(Provider, public_id=public_id)


def alert_for_ministry(*, user, public_id) -> MinistryAlert:
    _require_ministry(user)
    return get_object_or_404(MinistryAlert, public_id=public_id)


# --- Ceiling --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CeilingView:
    """The ceiling status plus what a progress bar needs (a value capped at 100)."""

    status: CeilingStatus
    #: (key, label, amount, percent of the ceiling) after "committed": confirmed, approved, invoiced (settlement).
    stages: tuple = ()

    @property
    def bar_committed(self) -> Decimal:
        return min(max(self.status.percent, Decimal("0")), Decimal("100"))

    @property
    def bar_consumed(self) -> Decimal:
        return min(max(self.status.percent_consumed, Decimal("0")), Decimal("100"))

    @property
    def overrun(self) -> Decimal:
        """How far the commitments exceed the ceiling (0 if they don't)."""
        return max(-self.status.remaining, Decimal("0"))


def contract_ceiling(contract: FrameworkContract) -> CeilingView:
    status = contract_ceiling_status(contract)
    stages = tuple(
        (key, label, amount, percent_of(amount, status.ceiling)) for key, label, amount in ceiling_stages(contract)
    )
    return CeilingView(status=status, stages=stages)


def contract_flagged_calloffs(contract: FrameworkContract) -> QuerySet[CallOff]:
    """Call-offs filed beyond what was left of the ceiling (flagged at filing)."""
    return (
        CallOff.objects.filter(contract=contract, exceeds_ceiling=True)
        .select_related("organisation", "provider")
        .order_by("-submitted_at", "-id")
    )


# --- Terms ----------------------------------------------------------------------------------


def contract_modules(contract: FrameworkContract) -> QuerySet[ServiceModule]:
    return contract.service_modules.order_by("position", "code")


def contract_roles(contract: FrameworkContract):
    return contract.role_rates.order_by("name")


@dataclass(frozen=True)
class SLARow:
    priority: str
    label: str
    term: SLATerm | None


def contract_sla_rows(contract: FrameworkContract) -> list[SLARow]:
    """One row per priority, P1 to P3, whether or not a term is set (a gap is shown as such)."""
    terms = {t.priority: t for t in contract.sla_terms.all()}
    return [SLARow(priority=value, label=label, term=terms.get(value)) for value, label in Priority.choices]


def contract_entitled_preview(contract: FrameworkContract, *, limit: int = 25) -> tuple[int, list]:
    bodies = contract.entitled_bodies.order_by("name")
    return bodies.count(), list(bodies[:limit])


# --- Ranking --------------------------------------------------------------------------------


@dataclass
class RankingList:
    """One list of a ranking version: its scope and its entries in order."""

    service_module: ServiceModule | None
    regierungsbezirk: str
    entries: list[ProviderRank] = field(default_factory=list)

    @property
    def is_general(self) -> bool:
        return self.service_module is None and not self.regierungsbezirk


def ranking_lists(version: RankingVersion | None) -> list[RankingList]:
    """The lists of a version, the general one first, then per module (in module order) and region."""
    if version is None:
        return []
    lists: dict[tuple, RankingList] = {}
    for entry in ranking_entries(version):
        key = (entry.service_module_id, entry.regierungsbezirk)
        if key not in lists:
            lists[key] = RankingList(service_module=entry.service_module, regierungsbezirk=entry.regierungsbezirk)
        lists[key].entries.append(entry)

    def order(item: RankingList):
        module = item.service_module
        return (
            module is not None,
            module.position if module else 0,
            module.code if module else "",
            item.regierungsbezirk,
        )

    result = sorted(lists.values(), key=order)
    for item in result:
        item.entries.sort(key=lambda e: (e.rank, e.pk))
    return result


def ranking_versions(contract: FrameworkContract) -> QuerySet[RankingVersion]:
    """Every published version, newest first, with how many entries and call-offs each has."""
    return (
        RankingVersion.objects.filter(contract=contract)
        .select_related("created_by")
        .annotate(entry_count=Count("ranks", distinct=True), calloff_count=Count("calloffs", distinct=True))
        .order_by("-number")
    )


def ranking_version_for(*, contract: FrameworkContract, number: int) -> RankingVersion:
    if not 0 < number < 2**31:  # beyond any version number, and beyond what the database compares
        raise Http404
    return get_object_or_404(RankingVersion.objects.select_related("created_by"), contract=contract, number=number)


# --- Providers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderRow:
    load: ProviderLoad
    staff_count: int

    @property
    def provider(self) -> Provider:
        return self.load.provider


def provider_rows(*, user) -> list[ProviderRow]:
    """Every provider with its load against capacity and its number of staff accounts: two queries."""
    _require_ministry(user)
    counts = dict(
        ProviderMembership.objects.values_list("provider_id").annotate(n=Count("id")).values_list("provider_id", "n")
    )
    return [ProviderRow(load=load, staff_count=counts.get(load.provider.pk, 0)) for load in provider_load()]


def provider_load_of(provider: Provider) -> ProviderLoad:
    for load in provider_load():
        if load.provider.pk == provider.pk:
            return load
    return ProviderLoad(provider=provider, engaged=0, open_offers=0)  # pragma: no cover - provider just deleted


def provider_staff(provider: Provider) -> QuerySet[ProviderMembership]:
    return provider.memberships.select_related("user").order_by("user__email")


@dataclass(frozen=True)
class BillingChange:
    at: object
    actor: str
    bank_account_changed: bool
    fields: list[tuple[str, str, str]]  # (label, old, new)


def provider_billing_changes(provider: Provider, limit: int = 10) -> list[BillingChange]:
    """The provider's own changes of its billing data, newest first (tenants' audit log)."""
    entries = AuditEntry.objects.filter(
        action="provider.billing_data_updated", details__provider_id=str(provider.public_id)
    ).order_by("-sequence")[:limit]

    def label(name: str) -> str:
        try:
            return str(Provider._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return name

    return [
        BillingChange(
            at=entry.at,
            actor=entry.actor_label,
            bank_account_changed=bool(entry.details.get("bank_account_changed")),
            fields=[(label(name), old, new) for name, (old, new) in entry.details.get("changes", {}).items()],
        )
        for entry in entries
    ]


@dataclass(frozen=True)
class BankChange:
    """One change of a provider's bank details (IBAN, BIC, account holder = legal name), as the
    notifications and the payer's warning show it: IBANs masked."""

    at: object
    actor: str
    by_ministry: bool
    fields: list[tuple[str, str, str]]  # (label, old, new), only what changed
    named: list[tuple[str, str, str]] = field(default_factory=list, compare=False)  # (name, old, new)

    @property
    def new_iban(self) -> str:
        return next((new for name, _old, new in self.named if name == "iban"), "")


def provider_bank_changes(provider: Provider, *, since=None, limit: int = 20) -> list[BankChange]:
    """The changes of the provider's bank details, by itself or by the ministry, newest first, from
    ``since`` on (tenants' audit log, one query)."""
    entries = AuditEntry.objects.filter(
        Q(action="provider.billing_data_updated", details__bank_account_changed=True) | Q(action=BANK_CHANGED_ACTION),
        details__provider_id=str(provider.public_id),
    )
    if since is not None:
        entries = entries.filter(at__gte=since)
    changes = []
    for entry in entries.order_by("-sequence")[:limit]:
        named = []
        for name in BANK_FIELDS:
            old, new = (entry.details.get("changes") or {}).get(name, (None, None))
            if old == new:
                continue
            if name == "iban":
                old, new = billing_ids.mask_iban(old or ""), billing_ids.mask_iban(new or "")
            named.append((name, old or "–", new or "–"))
        changes.append(
            BankChange(
                at=entry.at,
                actor=entry.actor_label,
                by_ministry=entry.action == BANK_CHANGED_ACTION,
                fields=[(str(Provider._meta.get_field(name).verbose_name), old, new) for name, old, new in named],
                named=named,
            )
        )
    return changes


def provider_contacts(provider: Provider):
    return provider.contacts.order_by("position", "id")


def provider_current_ranks(provider: Provider) -> list[ProviderRank]:
    """Where this provider stands in the current version of every contract's ranking."""
    latest = {}
    for version in RankingVersion.objects.order_by("contract_id", "number"):
        latest[version.contract_id] = version.pk
    return list(
        ProviderRank.objects.filter(provider=provider, version_id__in=latest.values())
        .select_related("version", "version__contract", "service_module")
        .order_by("version__contract__reference", "service_module__position", "regierungsbezirk", "rank")
    )
