"""The framework contract as the hot paths read it: the contracts in force, their service modules,
role rates, SLA terms and current order of precedence, the active providers and their contacts'
phone numbers (issue 19).

The filing form, the filing, the accept and the API's call-off detail each read these rows, several
times per request, though they change a few times a year. ``terms()`` reads them once per *version*:
a token in the shared cache names the version, and every change of one of these rows (a save or
delete of the model, and the ranking service's bulk insert) replaces the token, at once and again
when the change commits. Each process keeps the rows of the latest version it has read; a request
asks the cache for the token once.

What is kept is contract configuration, the same for every body and provider: no row of a body
(the entitled bodies are not kept; ``FrameworkContract.is_entitled`` still asks the database), no
call-off, offer or account. Writes that must be exact still read under their lock: the filing
re-reads the contract row (ceiling, term, entitled bodies) under its lock at its end.

If the cache cannot be reached, the rows are read from the database, once per request.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from digisos.request_cache import drop, memoize

from .models import (
    FrameworkContract,
    Provider,
    ProviderContact,
    ProviderRank,
    RankingVersion,
    RoleRate,
    ServiceModule,
    SLATerm,
)

logger = logging.getLogger(__name__)

VERSION_KEY = "calloffs:contract-terms:version"

#: The models whose rows are kept here: a save or delete of any of them names a new version.
KEPT_MODELS = (
    FrameworkContract,
    ServiceModule,
    RoleRate,
    SLATerm,
    RankingVersion,
    ProviderRank,
    Provider,
    ProviderContact,
)


@dataclass(frozen=True)
class ContractTerms:
    """One contract's terms; the model instances are shared by the requests of this process:
    read them, never change or save them."""

    contract: FrameworkContract
    modules: tuple[ServiceModule, ...]  # by position, id
    role_rates: tuple[RoleRate, ...]  # by name
    sla_terms: dict[str, SLATerm]  # by priority
    ranking_version: RankingVersion | None  # the current one (highest number)
    ranks: tuple[ProviderRank, ...]  # its entries, provider and version joined, by rank, id


@dataclass(frozen=True)
class Terms:
    day: date
    in_force: tuple[FrameworkContract, ...]  # in force on ``day``, the most recently started first
    contracts: dict[int, ContractTerms] = field(default_factory=dict)  # of the contracts in force
    active_providers: tuple[Provider, ...] = ()  # by short name
    #: provider id → the phone numbers of its contacts (by position, id): where an offer's SMS goes
    contact_phones: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def of(self, contract_id: int | None) -> ContractTerms | None:
        """The terms of this contract if it is in force today (else None: read the database)."""
        return self.contracts.get(contract_id)


def _read(day: date) -> Terms:
    in_force = tuple(FrameworkContract.objects.in_force(day).order_by("-start_date", "pk"))
    ids = [c.pk for c in in_force]
    modules: dict[int, list] = {pk: [] for pk in ids}
    rates: dict[int, list] = {pk: [] for pk in ids}
    slas: dict[int, dict] = {pk: {} for pk in ids}
    ranks: dict[int, list] = {pk: [] for pk in ids}
    versions: dict[int, RankingVersion | None] = dict.fromkeys(ids)
    if ids:
        for module in ServiceModule.objects.filter(contract_id__in=ids).order_by("position", "id"):
            modules[module.contract_id].append(module)
        for rate in RoleRate.objects.filter(contract_id__in=ids).order_by("name", "id"):
            rates[rate.contract_id].append(rate)
        for term in SLATerm.objects.filter(contract_id__in=ids):
            slas[term.contract_id][term.priority] = term
        for contract_id in ids:
            latest = RankingVersion.objects.filter(contract_id=contract_id).order_by("-number").values("pk")[:1]
            entries = list(
                ProviderRank.objects.filter(version_id=Subquery(latest))
                .select_related("provider", "version")
                .order_by("rank", "id")
            )
            ranks[contract_id] = entries
            versions[contract_id] = (
                entries[0].version
                if entries
                else RankingVersion.objects.filter(contract_id=contract_id).order_by("-number").first()
            )
    return Terms(
        day=day,
        in_force=in_force,
        contracts={
            c.pk: ContractTerms(
                contract=c,
                modules=tuple(modules[c.pk]),
                role_rates=tuple(rates[c.pk]),
                sla_terms=slas[c.pk],
                ranking_version=versions[c.pk],
                ranks=tuple(ranks[c.pk]),
            )
            for c in in_force
        },
        active_providers=tuple(Provider.objects.filter(active=True).order_by("short_name", "id")),
        contact_phones=_contact_phones(),
    )


def _contact_phones() -> dict[int, tuple[str, ...]]:
    phones: dict[int, list[str]] = {}
    rows = ProviderContact.objects.exclude(phone="").order_by("provider_id", "position", "id")
    for provider_id, phone in rows.values_list("provider_id", "phone"):
        phones.setdefault(provider_id, []).append(phone)
    return {provider_id: tuple(numbers) for provider_id, numbers in phones.items()}


#: (version token, day) → Terms: the latest version this process has read.
_kept: dict[tuple[str, date], Terms] = {}


def _version() -> str | None:
    try:
        token = cache.get(VERSION_KEY)
        if token is None:
            token = uuid.uuid4().hex
            if not cache.add(VERSION_KEY, token, timeout=None):
                token = cache.get(VERSION_KEY) or token
        return token
    except Exception:  # the cache is down: read the database (once per request)
        logger.warning("contract terms: cache unreachable, reading the database", exc_info=True)
        return None


def _terms_now() -> Terms:
    day = timezone.localdate()
    token = _version()
    if token is None:
        return _read(day)
    key = (token, day)
    kept = _kept.get(key)
    if kept is None:
        kept = _read(day)
        _kept.clear()
        _kept[key] = kept
    return kept


def terms() -> Terms:
    """The contract terms of today, as of the latest version (asked once per request)."""
    return memoize("contract_terms", _terms_now)


def _new_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("contract terms: cache unreachable, version not replaced", exc_info=True)


def terms_changed() -> None:
    """A kept row changed: name a new version now (this process and this transaction read anew)
    and again when the transaction commits (no other process keeps rows read before the commit
    under the new name)."""
    _new_version()
    _kept.clear()
    drop("contract_terms")
    transaction.on_commit(_new_version)


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    terms_changed()


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in KEPT_MODELS:
        post_save.connect(_changed, sender=model, dispatch_uid=f"calloffs.terms.saved.{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"calloffs.terms.deleted.{model.__name__}")
