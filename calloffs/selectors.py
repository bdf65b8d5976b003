"""Reads of the calloffs app, always scoped to the requesting user (STYLE.md §2, §3).

Lookups filter by what the user may see *in the query itself* and raise Http404 for anything
else; nothing is fetched globally and compared afterwards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from weakref import WeakKeyDictionary

from django.db import connection, connections
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from digisos.compiled_query import CompiledQuery
from tenants.selectors import roles_of

from . import contract_terms
from .models import (
    ENGAGED_STATES,
    CallOff,
    CallOffAttachment,
    CallOffDocument,
    CallOffEvent,
    CallOffService,
    CallOffState,
    EventKind,
    FrameworkContract,
    MinistryAlert,
    Offer,
    OfferState,
    Provider,
    ProviderRank,
    RankingVersion,
    TimeEntry,
)
from .permissions import is_ministry
from .permissions import provider_ids_of as _provider_ids_of
from .permissions import provider_of as _provider_of

ZERO_MONEY = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
CALLOFF_LIST_RELATED = ("organisation", "provider", "contract", "incident")


def _as_uuid(value) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


# --- Call-offs ------------------------------------------------------------------------------


def calloff_list(*, user) -> QuerySet[CallOff]:
    """The call-offs this user may see, newest first, related rows joined so that rendering a page
    costs a constant number of queries. Search and filters: ``filters.CallOffListFilterSet``."""
    return CallOff.objects.visible_to(user).select_related(*CALLOFF_LIST_RELATED).order_by("-submitted_at", "-id")


#: What the call-off page shows of its related rows: its body, its provider, its incident (the
#: contract and its ranking only for the ministry's assignment form, assignment_candidates).
CALLOFF_PAGE_RELATED = ("organisation", "provider", "incident")


def calloff_for_user(*, user, public_id, related=(*CALLOFF_LIST_RELATED, "ranking_version", "filed_by")) -> CallOff:
    """The call-off if this user may see it; Http404 otherwise (no existence leak). ``related``: the
    rows joined in the same statement (each one joined costs CPU to compile and to build, issue 19)."""
    value = _as_uuid(public_id)
    if value is None:
        raise Http404
    compiled = _compiled_for_user(user, tuple(related))
    if compiled is not None:
        query, values = compiled
        calloff = query.first(
            public_id=CallOff._meta.get_field("public_id").get_db_prep_value(value, connection), **values
        )
        if calloff is None:
            raise Http404
        return calloff
    return get_object_or_404(_for_user(CallOff.objects.visible_to(user), related), public_id=value)


def _for_user(queryset, related):
    return (
        queryset.select_related(*related)
        # In the same statement: whether there are attachments and documents to read at all (a
        # call-off before its acceptance has neither; its page then reads neither).
        .annotate(
            has_attachments=Exists(CallOffAttachment.objects.filter(calloff=OuterRef("pk"))),
            has_documents=Exists(CallOffDocument.objects.filter(calloff=OuterRef("pk"))),
        )
    )


#: calloff_for_user's statement compiled once per connection (digisos/compiled_query.py), per shape of the
#: scope: the ministry's (all call-offs) and a body member's without a provider (its n bodies), each
#: with the rows it joins. Building and compiling it was a quarter of the call-off page's CPU (issue 19).
_FOR_USER: dict[tuple, CompiledQuery] = {}
_SAMPLE_ID = uuid.UUID("00000000-0000-4000-8000-00000000dead")


def _compiled_for_user(user, related: tuple):
    """(the compiled query, its values but the public id) for this user's scope, or None: a scope of
    another shape (provider staff, no scope at all) is built as the queryset, CallOff.objects.visible_to.
    The scope is visible_to's, in the same words: all for the ministry, ``organisation_id IN`` the
    account's bodies for a member of bodies only."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_ministry_staff:
        shape, values = ("ministry", related), {}
    else:
        bodies = list(roles_of(user))
        if not bodies or _provider_ids_of(user):
            return None
        shape = ("bodies", len(bodies), related)
        values = {f"body{index}": pk for index, pk in enumerate(bodies)}
    query = _FOR_USER.get(shape)
    if query is None:
        if len(_FOR_USER) > 256:
            _FOR_USER.clear()
        samples = {name: -1 - index for index, name in enumerate(values)}
        id_sample = CallOff._meta.get_field("public_id").get_db_prep_value(_SAMPLE_ID, connection)

        def build(public_id, **bodies):
            queryset = CallOff.objects.all()
            if bodies:
                queryset = queryset.filter(Q(organisation_id__in=list(bodies.values())))
            return _for_user(queryset, related).filter(public_id=public_id)

        query = _FOR_USER[shape] = CompiledQuery(build, public_id=id_sample, **samples)
    return query, values


def calloff_services(calloff: CallOff) -> QuerySet[CallOffService]:
    return calloff.services.select_related("service_module").order_by("position", "id")


def calloff_timeline(calloff: CallOff, *, for_provider: Provider | None = None) -> QuerySet[CallOffEvent]:
    """The call-off's events; for a provider's staff (``for_provider``) only its own steps and the
    general ones, never another provider's offers, declines, expiries or reasons (as in the API)."""
    events = CallOffEvent.objects.filter(calloff=calloff)
    if for_provider is not None:
        events = events.filter(Q(provider__isnull=True) | Q(provider=for_provider))
    return events.select_related("provider").order_by("at", "id")


#: The call-off page's lists, as calloff_services, calloff_timeline and offer_open build them, compiled once
#: per connection (digisos/compiled_query.py): building and compiling the three querysets was about a
#: sixth of the page's CPU (issue 19). Same statements, same rows; the call-off is cached on each row
#: as the related manager caches it.
_PAGE_ID = -719_000_190
_PAGE_SERVICES = CompiledQuery(
    lambda calloff: (
        CallOffService.objects.filter(calloff_id=calloff).select_related("service_module").order_by("position", "id")
    ),
    many=True,
    calloff=_PAGE_ID,
)
_PAGE_EVENTS = CompiledQuery(
    lambda calloff: CallOffEvent.objects.filter(calloff_id=calloff).select_related("provider").order_by("at", "id"),
    many=True,
    calloff=_PAGE_ID,
)
_PAGE_EVENTS_FOR_PROVIDER = CompiledQuery(
    lambda calloff, provider: (
        CallOffEvent.objects.filter(calloff_id=calloff)
        .filter(Q(provider__isnull=True) | Q(provider_id=provider))
        .select_related("provider")
        .order_by("at", "id")
    ),
    many=True,
    calloff=_PAGE_ID,
    provider=_PAGE_ID - 1,
)
_PAGE_OPEN_OFFER = CompiledQuery(
    lambda calloff: (
        Offer.objects.filter(calloff_id=calloff, state=OfferState.OPEN).select_related("provider").order_by("sequence")
    ),
    calloff=_PAGE_ID,
)


def _with_calloff(rows: list, calloff: CallOff, field) -> list:
    for row in rows:
        field.set_cached_value(row, calloff)
    return rows


def calloff_services_for_page(calloff: CallOff) -> list[CallOffService]:
    """calloff_services(calloff), read."""
    return _with_calloff(_PAGE_SERVICES.all(calloff=calloff.pk), calloff, CallOff.services.field)


def calloff_timeline_for_page(calloff: CallOff, *, for_provider: Provider | None = None) -> list[CallOffEvent]:
    """calloff_timeline(calloff, for_provider=…), read."""
    if for_provider is None:
        return _PAGE_EVENTS.all(calloff=calloff.pk)
    return _PAGE_EVENTS_FOR_PROVIDER.all(calloff=calloff.pk, provider=for_provider.pk)


def offer_open_for_page(calloff: CallOff) -> Offer | None:
    """offer_open(calloff)."""
    offer = _PAGE_OPEN_OFFER.first(calloff=calloff.pk)
    return _with_calloff([offer], calloff, CallOff.offers.field)[0] if offer is not None else None


def calloff_offers(calloff: CallOff) -> QuerySet[Offer]:
    return calloff.offers.select_related("provider").order_by("sequence")


def time_entries_for(calloff: CallOff) -> QuerySet[TimeEntry]:
    return calloff.time_entries.select_related("role", "service_module", "confirmed_by").order_by("date", "id")


def calloff_for_page(*, user, public_id) -> CallOff:
    """calloff_for_user for the call-off page (and its live part): only the rows it shows joined."""
    related = CALLOFF_PAGE_RELATED + (("contract", "ranking_version") if is_ministry(user) else ())
    return calloff_for_user(user=user, public_id=public_id, related=related)


# --- Providers and offers -------------------------------------------------------------------


def provider_of(user) -> Provider | None:
    return _provider_of(user)


def offer_open(calloff: CallOff) -> Offer | None:
    """The call-off's open offer with its provider, if there is one (at most one is open)."""
    return calloff.offers.filter(state=OfferState.OPEN).select_related("provider").order_by("sequence").first()


def offer_open_for_provider(*, calloff: CallOff, provider: Provider) -> Offer | None:
    """The open offer of this call-off if this provider holds it now."""
    return Offer.objects.filter(calloff=calloff, provider=provider, state=OfferState.OPEN).first()


def offers_open_for_user(*, user) -> QuerySet[Offer]:
    """The inbox of a provider's staff: offers open to their provider, the most urgent first."""
    provider = _provider_of(user)
    if provider is None:
        return Offer.objects.none()
    return (
        Offer.objects.filter(provider=provider, state=OfferState.OPEN)
        .select_related("calloff", "calloff__organisation")
        .order_by("respond_by")
    )


def offers_due(*, now: datetime | None = None) -> QuerySet[Offer]:
    """Open offers past their deadline (for the expiry sweep; uses the partial index)."""
    return Offer.objects.filter(state=OfferState.OPEN, respond_by__lte=now or timezone.now()).order_by("respond_by")


@dataclass(frozen=True)
class ProviderLoad:
    provider: Provider
    engaged: int
    open_offers: int

    @property
    def capacity(self) -> int:
        return self.provider.capacity

    @property
    def free(self) -> int:
        return max(self.provider.capacity - self.engaged, 0)

    @property
    def at_capacity(self) -> bool:
        return self.engaged >= self.provider.capacity


def provider_load() -> list[ProviderLoad]:
    """Engagements (accepted or in progress) and open offers per provider, vs. capacity: one query.
    Drills are left out: they never take capacity from a real emergency (services.offers)."""
    providers = Provider.objects.annotate(
        engaged=Count(
            "calloffs", filter=Q(calloffs__state__in=ENGAGED_STATES, calloffs__is_drill=False), distinct=True
        ),
        open_offers=Count(
            "offers", filter=Q(offers__state=OfferState.OPEN, offers__calloff__is_drill=False), distinct=True
        ),
    ).order_by("short_name")
    return [ProviderLoad(provider=p, engaged=p.engaged, open_offers=p.open_offers) for p in providers]


@dataclass(frozen=True)
class AssignCandidate:
    """A provider the ministry may assign a call-off to, with what it needs to decide."""

    provider: Provider
    rank: int | None  # its place in this call-off's order of precedence (None: not listed for it)
    engaged: int
    serves_region: bool
    offer_state: str  # how its offer of this call-off ended, "" if it had none

    @property
    def at_capacity(self) -> bool:
        return self.engaged >= self.provider.capacity


def assignment_candidates(calloff: CallOff) -> list[AssignCandidate]:
    """The active providers party to the call-off's contract, in the call-off's order of precedence
    (then the others by name), with load against capacity and whether they serve the body's region."""
    region = calloff.organisation.regierungsbezirk
    first_module_id = calloff.services.order_by("position", "id").values_list("service_module_id", flat=True).first()
    version = calloff.ranking_version or ranking_current(calloff.contract)
    ranks: dict[int, int] = {}
    for entry in ranking_for_calloff(version=version, service_module_id=first_module_id, regierungsbezirk=region):
        ranks.setdefault(entry.provider_id, entry.rank)
    parties = ProviderRank.objects.filter(version__contract_id=calloff.contract_id).values("provider_id")
    providers = Provider.objects.filter(active=True, pk__in=parties).annotate(
        engaged=Count("calloffs", filter=Q(calloffs__state__in=ENGAGED_STATES, calloffs__is_drill=False), distinct=True)
    )
    offers = dict(calloff.offers.values_list("provider_id", "state"))
    candidates = [
        AssignCandidate(
            provider=p,
            rank=ranks.get(p.pk),
            engaged=p.engaged,
            serves_region=p.serves(region),
            offer_state=offers.get(p.pk, ""),
        )
        for p in providers
    ]
    return sorted(candidates, key=lambda c: (c.rank is None, c.rank or 0, c.provider.short_name))


# --- Contract and ranking -------------------------------------------------------------------


def contracts_in_force(day: date | None = None) -> QuerySet[FrameworkContract]:
    return FrameworkContract.objects.in_force(day).order_by("-start_date", "pk")


def active_contract(day: date | None = None) -> FrameworkContract | None:
    """The contract in force today (the most recently started one, should there be several)."""
    if day is None:
        in_force = contract_terms.terms().in_force
        return in_force[0] if in_force else None
    return contracts_in_force(day).first()


@dataclass(frozen=True)
class CeilingStatus:
    """Where a contract stands against its maximum value (Höchstwert), as a budget officer reads it.

    Per call-off (drills never count):

    * consumed: the approved statements of the call-off, net, minus their credit notes (registered by
      the settlement app, ``register_settled_source``). Hours recorded but not yet approved are not
      consumed: they are still covered by the call-off's commitment.
    * committed: the call-off's estimate minus what is already consumed for it, never below zero.
      An approval thus moves its amount from committed to consumed; an approval beyond the estimate
      adds to consumed only. A cancelled call-off commits nothing (its approved hours stay consumed).
      Decision: a completed or closed call-off keeps its rest committed, because hours recorded in it
      may still be billed and approved afterwards; only cancellation releases the rest.

    The contract: ``remaining = ceiling − committed − consumed`` (a filing is checked against this,
    calloffs.services.ceiling); exhausted when committed and consumed together reach the ceiling.
    """

    ceiling: Decimal
    committed: Decimal
    consumed: Decimal

    @property
    def bound(self) -> Decimal:
        """Committed plus consumed: what is no longer free."""
        return self.committed + self.consumed

    @property
    def remaining(self) -> Decimal:
        return self.ceiling - self.committed - self.consumed

    @property
    def percent(self) -> Decimal:
        """Committed share of the ceiling, in percent (one decimal)."""
        return percent_of(self.committed, self.ceiling)

    @property
    def percent_consumed(self) -> Decimal:
        return percent_of(self.consumed, self.ceiling)

    @property
    def exhausted(self) -> bool:
        return self.bound >= self.ceiling


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return Decimal("100.0") if part else Decimal("0.0")
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


#: Settled amounts, registered by an app above calloffs (settlement: approved statements, net, minus
#: credit notes): ``source(until=None) -> expression``, the settled amount of the call-off of the
#: outer query (``OuterRef("pk")``, a scalar subquery, NULL if none); ``until``: only what was settled
#: before that moment (None: everything so far). The consumed value of a call-off is the sum over the
#: sources.
_SETTLED_SOURCES: list = []

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def register_settled_source(source) -> None:
    if source not in _SETTLED_SOURCES:
        _SETTLED_SOURCES.append(source)


@dataclass(frozen=True)
class EstimateAsOf:
    """A call-off's estimate as it stood at a moment: the total and the value per service module code."""

    value: Decimal
    by_module: dict[str, Decimal]


def estimates_as_of(calloff_ids, until: datetime) -> dict[int, EstimateAsOf]:
    """The estimates that were different at ``until`` (exclusive) than they are now, per call-off id.

    The estimate changes only by a change of scope (calloffs.services.scope), and each change is a
    ``SCOPE_CHANGED`` event that keeps the lines and the value before and after it. So the estimate at
    ``until`` is the "before" of the first change at or after ``until``; a call-off without such a change
    has its current estimate (not in the result)."""
    events = (
        CallOffEvent.objects.filter(calloff_id__in=calloff_ids, kind=EventKind.SCOPE_CHANGED, at__gte=until)
        .order_by("calloff_id", "at", "id")
        .values_list("calloff_id", "data")
    )
    first: dict[int, dict] = {}
    for calloff_id, data in events:
        first.setdefault(calloff_id, data)
    return {
        calloff_id: EstimateAsOf(
            value=Decimal(str(data["estimated_value_before"])),
            by_module={line["module"]: Decimal(str(line["value"])) for line in data.get("before", [])},
        )
        for calloff_id, data in first.items()
        if "estimated_value_before" in data
    }


def _ceiling_figures(
    contract: FrameworkContract, *, exclude: CallOff | None = None, until: datetime | None = None
) -> tuple[Decimal, Decimal]:
    """(committed, consumed) of the contract, per call-off as ``CeilingStatus`` explains; ``exclude``:
    leave this call-off out entirely (the one being filed or rescoped); ``until``: as it stood at that
    moment (exclusive): call-offs filed before it, cancelled only if cancelled before it, consumed what
    was approved before it, each estimate as it stood then (``estimates_as_of``: a later change of scope
    does not change last month's figures).

    Now (``until`` None: the dashboard, the filing's and the rescope's ceiling check): one statement,
    whatever the number of call-offs, the per-call-off figures summed in SQL (the settled sources are
    correlated subqueries). At a past moment (the monthly report): the same per-call-off figures in one
    statement, summed here with the estimates of that moment (one query more)."""
    if until is None:
        return _figures_now(contract.pk, None if exclude is None else exclude.pk)
    calloffs = _ceiling_calloffs(contract.pk, None if exclude is None else exclude.pk, until=until)
    cent, zero = Decimal("0.01"), Decimal("0.00")
    committed = consumed_total = zero
    rows = list(calloffs.values_list("pk", "state", "cancelled_at", "estimated_value", "ceiling_used"))
    earlier = estimates_as_of([row[0] for row in rows], until)
    for pk, state, cancelled_at, estimate, spent in rows:
        if pk in earlier:
            estimate = earlier[pk].value
        spent = (spent or zero).quantize(cent)
        consumed_total += spent
        cancelled = state == CallOffState.CANCELLED and (cancelled_at is None or cancelled_at < until)
        if not cancelled:
            committed += max((estimate or zero) - spent, zero)
    return committed, consumed_total


def _ceiling_calloffs(contract_id: int, exclude_id: int | None, *, until: datetime | None) -> QuerySet[CallOff]:
    """The contract's call-offs but drills (and ``exclude_id``), each with what is consumed of it
    (``ceiling_used``: the settled sources' sum)."""
    used = ZERO_MONEY
    for source in _SETTLED_SOURCES:
        used = used + Coalesce(source(until=until), ZERO_MONEY)
    calloffs = CallOff.objects.filter(contract_id=contract_id, is_drill=False)
    if exclude_id is not None:
        calloffs = calloffs.exclude(pk=exclude_id)
    if until is not None:
        calloffs = calloffs.filter(submitted_at__lt=until)
    return calloffs.annotate(ceiling_used=ExpressionWrapper(used, output_field=MONEY_FIELD))


#: The figures' statement now (the filing's and the rescope's ceiling check, the dashboard), compiled
#: once per database connection and shape (with or without a call-off left out, the settled sources
#: registered): building the annotated aggregate and compiling it was about a sixth of a filing's CPU
#: (issue 19). Only SQL is kept, never a figure.
_FIGURES_NOW: WeakKeyDictionary = WeakKeyDictionary()
_CONTRACT_SAMPLE, _EXCLUDE_SAMPLE = -419_001, -419_002


def _figures_now(contract_id: int, exclude_id: int | None) -> tuple[Decimal, Decimal]:
    """(committed, consumed) now, in one statement: per call-off its estimate minus what is consumed of
    it (never below zero; nothing for a cancelled one) and what is consumed, summed in SQL."""
    db = connections[CallOff.objects.db]
    shapes = _FIGURES_NOW.get(db)
    if shapes is None:
        shapes = _FIGURES_NOW[db] = {}
    shape = (exclude_id is not None, tuple(_SETTLED_SOURCES))
    compiled = shapes.get(shape)
    if compiled is None:
        compiled = shapes[shape] = _compile_figures_now(db, exclude=exclude_id is not None)
    sql, params, slots, converters = compiled
    params = list(params)
    params[slots[0]] = contract_id
    if exclude_id is not None:
        params[slots[1]] = exclude_id
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    cent, figures = Decimal("0.01"), []
    for value in row:
        for converter in converters:
            value = converter(value, ZERO_MONEY, db)
        figures.append(Decimal(value).quantize(cent))
    consumed, committed = figures
    return committed, consumed


def _compile_figures_now(db, *, exclude: bool) -> tuple[str, list, tuple[int, ...], list]:
    inner = (
        _ceiling_calloffs(_CONTRACT_SAMPLE, _EXCLUDE_SAMPLE if exclude else None, until=None)
        .order_by()
        .values_list("state", "estimated_value", "ceiling_used")
    )
    inner_sql, inner_params = inner.query.get_compiler(connection=db).as_sql()
    quote = db.ops.quote_name
    state, estimate, used = quote("state"), quote("estimated_value"), quote("ceiling_used")
    sql = (
        f"SELECT COALESCE(SUM({used}), 0), COALESCE(SUM(CASE WHEN {state} = %s THEN 0 "  # noqa: S608  # nosec B608 - our columns
        f"WHEN {estimate} > {used} THEN {estimate} - {used} ELSE 0 END), 0) FROM ({inner_sql}) {quote('figures')}"
    )
    params = [CallOffState.CANCELLED, *inner_params]
    samples = [_CONTRACT_SAMPLE, _EXCLUDE_SAMPLE] if exclude else [_CONTRACT_SAMPLE]
    slots = tuple(position for sample in samples for position, param in enumerate(params) if param == sample)
    if len(slots) != len(samples):
        raise ValueError("the ceiling figures: each sample must be exactly one parameter of the statement")
    return sql, params, slots, db.ops.get_db_converters(ZERO_MONEY) + ZERO_MONEY.get_db_converters(db)


def committed_value(contract: FrameworkContract, *, exclude: CallOff | None = None) -> Decimal:
    """The estimates of the call-offs not cancelled minus what is consumed of each (never below zero)."""
    return _ceiling_figures(contract, exclude=exclude)[0]


def consumed_value(contract: FrameworkContract) -> Decimal:
    """The approved statements of the contract, net, minus credit notes (drills are never billed)."""
    return _ceiling_figures(contract)[1]


def bound_value(contract: FrameworkContract, *, exclude: CallOff | None = None) -> Decimal:
    """Committed plus consumed without ``exclude``: what a filing's ceiling check starts from."""
    return sum(_ceiling_figures(contract, exclude=exclude), Decimal("0.00"))


#: Stages of the money after the commitment, registered by an app above calloffs (settlement:
#: confirmed, approved, invoiced): ``source(contract) -> [(key, label, amount), …]``, shown with the ceiling.
_CEILING_STAGE_SOURCES: list = []


def register_ceiling_stages(source) -> None:
    if source not in _CEILING_STAGE_SOURCES:
        _CEILING_STAGE_SOURCES.append(source)


def ceiling_stages(contract: FrameworkContract) -> list[tuple[str, str, Decimal]]:
    return [stage for source in _CEILING_STAGE_SOURCES for stage in source(contract)]


def contract_ceiling_status(contract: FrameworkContract, *, until: datetime | None = None) -> CeilingStatus:
    """One query (at a past moment two). ``until``: as it stood then (the
    monthly report: the end of its month); None: now (the dashboard)."""
    committed, consumed = _ceiling_figures(contract, until=until)
    return CeilingStatus(ceiling=contract.ceiling, committed=committed, consumed=consumed)


def ranking_current(contract: FrameworkContract) -> RankingVersion | None:
    return RankingVersion.objects.filter(contract=contract).order_by("-number").first()


def ranking_entries(version: RankingVersion) -> QuerySet[ProviderRank]:
    return version.ranks.select_related("provider", "service_module").order_by(
        "service_module__position", "regierungsbezirk", "rank"
    )


def ranking_current_with_ranks(contract: FrameworkContract) -> tuple[RankingVersion | None, list[ProviderRank]]:
    """The current ranking version and all its entries (providers joined), ordered as
    ``ranking_for_calloff`` reads them: one query when the version has entries (the filing reads
    both; ``ranking_for_calloff(ranks=...)`` then needs none). For a contract in force today: the
    kept terms (calloffs.contract_terms), no query."""
    kept = contract_terms.terms().of(contract.pk)
    if kept is not None:
        return kept.ranking_version, list(kept.ranks)
    latest = RankingVersion.objects.filter(contract=contract).order_by("-number").values("pk")[:1]
    ranks = list(
        ProviderRank.objects.filter(version_id=Subquery(latest))
        .select_related("provider", "version")
        .order_by("rank", "id")
    )
    if ranks:
        return ranks[0].version, ranks
    return ranking_current(contract), []


def ranking_for_calloff(
    *,
    version: RankingVersion | None,
    service_module_id: int | None,
    regierungsbezirk: str,
    ranks: list[ProviderRank] | None = None,
) -> list[ProviderRank]:
    """The order of precedence that applies to a call-off: the most specific non-empty list of
    (module and region) → (module, any region) → (any module, region) → general.

    ``ranks``: all entries of ``version`` with their providers, ordered by rank and id, if the
    caller has read them already in this transaction (ranking_current_with_ranks)."""
    if version is None:
        return []
    candidates = [
        (service_module_id, regierungsbezirk),
        (service_module_id, ""),
        (None, regierungsbezirk),
        (None, ""),
    ]
    if ranks is None:
        ranks = list(version.ranks.select_related("provider").order_by("rank", "id"))
    for module_id, region in candidates:
        chosen = [r for r in ranks if r.service_module_id == module_id and r.regierungsbezirk == region]
        if chosen:
            return chosen
    return []


def hotline_providers(
    contract: FrameworkContract | None, regierungsbezirk: str = ""
) -> tuple[list[Provider], list[Provider]]:
    """The active providers to phone when the portal fails: (in the order of precedence that applies to a
    body of ``regierungsbezirk``, rank 1 first as on the Notfallkarte; the other active providers by name,
    so that no hotline goes missing)."""
    ranked: list[Provider] = []
    if contract is not None:
        version, entries = ranking_current_with_ranks(contract)
        ranks = ranking_for_calloff(
            version=version, service_module_id=None, regierungsbezirk=regierungsbezirk, ranks=entries
        )
        for entry in ranks:
            provider = entry.provider
            if provider.active and provider.serves(regierungsbezirk) and provider not in ranked:
                ranked.append(provider)
    others = [p for p in contract_terms.terms().active_providers if p not in ranked]
    return ranked, others


# --- Ministry -------------------------------------------------------------------------------


def ministry_alert_list(*, user, include_acknowledged: bool = False) -> QuerySet[MinistryAlert]:
    if not is_ministry(user):
        return MinistryAlert.objects.none()
    qs = MinistryAlert.objects.select_related("calloff", "calloff__organisation", "contract")
    return qs if include_acknowledged else qs.unacknowledged()


def provider_hotlines() -> list[dict[str, str]]:
    """The active providers' hotlines (short name, number), for the page shown when the database is down."""
    return [
        {"name": name, "hotline": hotline}
        for name, hotline in Provider.objects.filter(active=True)
        .exclude(hotline="")
        .order_by("short_name")
        .values_list("short_name", "hotline")
    ]
