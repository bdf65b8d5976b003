"""Publishing the order of precedence. Published versions are never changed: a change is a
new version, and every call-off keeps the version it started with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tenants.models import Regierungsbezirk
from tenants.services import audit

from ..contract_terms import terms_changed
from ..errors import InvalidInput
from ..models import FrameworkContract, Provider, ProviderRank, RankingVersion, ServiceModule
from .common import require_ministry, require_reason


@dataclass(frozen=True)
class RankEntry:
    provider: Provider
    rank: int
    service_module: ServiceModule | None = None
    regierungsbezirk: str = ""


def _list_label(module: ServiceModule | None, region: str) -> str:
    parts = [
        _("Leistungsmodul {name}").format(name=module.name) if module else _("alle Leistungsmodule"),
        _("Regierungsbezirk {name}").format(name=region) if region else _("alle Regierungsbezirke"),
    ]
    return ", ".join(parts)


def validate_ranking(*, contract: FrameworkContract, entries: Iterable[RankEntry | tuple]) -> list[RankEntry]:
    """Check a ranking before publishing; raises InvalidInput with a precise German message.

    Within one list (same module and region) no rank and no provider may appear twice.
    Ranks need not be contiguous (1, 2, 5 is fine: the order is what counts).
    """
    cleaned = [e if isinstance(e, RankEntry) else RankEntry(*e) for e in entries]
    if not cleaned:
        raise InvalidInput(_("Die Rangfolge braucht mindestens einen Eintrag."), field="entries")
    ranks: dict[tuple, set[int]] = defaultdict(set)
    providers: dict[tuple, set[int]] = defaultdict(set)
    for entry in cleaned:
        key = (entry.service_module.pk if entry.service_module else None, entry.regierungsbezirk or "")
        label = _list_label(entry.service_module, entry.regierungsbezirk)
        if not isinstance(entry.rank, int) or entry.rank < 1:
            raise InvalidInput(_("Ein Rang muss eine ganze Zahl ab 1 sein ({list})."), field="entries", list=label)
        if entry.service_module is not None and entry.service_module.contract_id != contract.pk:
            raise InvalidInput(
                _("Das Leistungsmodul „{name}“ gehört nicht zu diesem Rahmenvertrag."),
                field="entries",
                name=entry.service_module.name,
            )
        if entry.regierungsbezirk and entry.regierungsbezirk not in Regierungsbezirk.values:
            raise InvalidInput(_("Unbekannter Regierungsbezirk: {name}."), field="entries", name=entry.regierungsbezirk)
        if entry.rank in ranks[key]:
            raise InvalidInput(
                _("Rang {rank} ist doppelt vergeben ({list})."), field="entries", rank=entry.rank, list=label
            )
        if entry.provider.pk in providers[key]:
            raise InvalidInput(
                _("{provider} steht mehrfach in derselben Rangfolge ({list})."),
                field="entries",
                provider=entry.provider,
                list=label,
            )
        ranks[key].add(entry.rank)
        providers[key].add(entry.provider.pk)
    return cleaned


@transaction.atomic(durable=True)
def ranking_publish(
    *, contract: FrameworkContract, actor, entries: Iterable[RankEntry | tuple], reason: str
) -> RankingVersion:
    """Publish a new version of the order of precedence.

    entries: (provider, rank, service_module or None, regierungsbezirk or "") tuples or RankEntry.
    New call-offs use the new version; running call-offs keep theirs.
    """
    require_ministry(actor)
    reason = require_reason(reason)
    contract = FrameworkContract.objects.select_for_update(no_key=True).get(pk=contract.pk)
    cleaned = validate_ranking(contract=contract, entries=entries)
    number = (RankingVersion.objects.filter(contract=contract).aggregate(n=Max("number"))["n"] or 0) + 1
    version = RankingVersion.objects.create(contract=contract, number=number, created_by=actor, reason=reason)
    ProviderRank.objects.bulk_create(
        ProviderRank(
            version=version,
            provider=e.provider,
            rank=e.rank,
            service_module=e.service_module,
            regierungsbezirk=e.regierungsbezirk or "",
        )
        for e in cleaned
    )
    terms_changed()  # bulk_create sends no post_save: the kept order of precedence is older now
    audit(
        actor=actor,
        action="ranking.published",
        target=f"{contract.reference} v{number}",
        reason=reason,
        entries=[
            [e.rank, e.provider.legal_name, e.service_module.code if e.service_module else "", e.regierungsbezirk]
            for e in cleaned
        ],
    )
    return version
