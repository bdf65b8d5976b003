"""The order of precedence at work: offering, accepting, declining, expiring, and the
ministry's documented deviation from it (manual assignment).

Lock order everywhere: the call-off row first, then its offer. Two providers' staff (or a
double click, or the expiry sweep) racing on one offer therefore queue on the call-off row,
and the loser finds the offer no longer open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from digisos import plausible
from digisos.compiled_query import CompiledRows
from digisos.insert_sql import update_one
from incidents.models import TimelineEntry
from incidents.services import timeline_add
from notifications.models import WebhookEndpoint

from ..errors import InvalidInput, NotPermitted, TransitionNotAllowed
from ..models import (
    ASSIGN_REASON_MAX,
    ASSIGN_REASON_MIN,
    ENGAGED_STATES,
    AlertKind,
    CallOff,
    CallOffState,
    EventKind,
    Offer,
    OfferState,
    Provider,
    ProviderRank,
)
from ..selectors import ranking_for_calloff
from ..visibility import timeline_scope
from .common import (
    accept_minutes,
    alert_ministry,
    guard,
    lock_calloff,
    record_event,
    require_ministry,
    require_phone,
    require_plausible,
    require_provider_staff,
    require_reason,
    require_text,
    set_sla_due_times,
    take_held_offer,
    transition,
    withdraw_open_offer,
)


def _engagements(provider_ids: list[int]) -> dict[int, int]:
    rows = (
        # A drill never takes a provider's capacity from a real emergency.
        CallOff.objects.filter(provider_id__in=provider_ids, state__in=ENGAGED_STATES, is_drill=False)
        .values("provider_id")
        .annotate(n=Count("id"))
    )
    return {row["provider_id"]: row["n"] for row in rows}


def _skip_reason(provider: Provider, regierungsbezirk: str, engaged: int) -> tuple[str, str] | None:
    if not provider.active:
        return "inactive", _("Der Dienstleister ist deaktiviert.")
    if not provider.serves(regierungsbezirk):
        return "region", _("Der Dienstleister bedient den Regierungsbezirk {region} nicht.").format(
            region=regierungsbezirk
        )
    if engaged >= provider.capacity:
        return "capacity", _("Der Dienstleister ist ausgelastet ({engaged} von {capacity} Einsätzen).").format(
            engaged=engaged, capacity=provider.capacity
        )
    return None


@dataclass(frozen=True)
class JustFiled:
    """What the filing wrote and read a moment ago in the same transaction, so that offer_next
    need not read it back: the first service module, and all entries of the ranking version."""

    first_module_id: int | None
    version_ranks: list[ProviderRank]
    #: the providers' engagements, read by the filing (planned_offer) in this transaction
    load: dict[int, int] | None = None
    #: the filing inserted the row as offered already (planned_offer found a provider): not written again
    offered_state_written: bool = False


def engagements(provider_ids: list[int]) -> dict[int, int]:
    """Provider id → its engaged call-offs (for planned_offer)."""
    return _engagements(provider_ids)


def _engagements_and_webhooks_query(provider_ids: list[int], owner_type_id: int) -> QuerySet:
    counts = (
        CallOff.objects.filter(provider_id__in=provider_ids, state__in=ENGAGED_STATES, is_drill=False)
        .order_by()
        .values("provider_id")
        .annotate(kind=Value(0), n=Count("id"), endpoint=Value(0), url=Value(""))
        .values_list("kind", "provider_id", "n", "endpoint", "url")
    )
    hooks = (
        WebhookEndpoint.objects.filter(owner_type_id=owner_type_id, owner_id__in=provider_ids, active=True)
        .order_by()
        .annotate(kind=Value(1), n=Value(0))
        .values_list("kind", "owner_id", "n", "id", "url")
    )
    return counts.union(hooks, all=True)


#: number of providers → the statement compiled once per database connection (digisos/compiled_query.py),
#: not built and compiled per filing (issue 19); a placeholder per provider (``__in``: one parameter each).
_ENGAGEMENTS_AND_WEBHOOKS: dict[int, CompiledRows] = {}
_PROVIDER_SAMPLE = -419_100_000


def _engagements_and_webhooks_compiled(count: int) -> CompiledRows:
    compiled = _ENGAGEMENTS_AND_WEBHOOKS.get(count)
    if compiled is None:
        names = [f"provider_{i}" for i in range(count)]
        compiled = _ENGAGEMENTS_AND_WEBHOOKS[count] = CompiledRows(
            lambda owner_type_id, **ids: _engagements_and_webhooks_query([ids[n] for n in names], owner_type_id),
            owner_type_id=_PROVIDER_SAMPLE + 1,
            **{name: _PROVIDER_SAMPLE - i for i, name in enumerate(names)},
        )
    return compiled


def engagements_and_webhooks(provider_ids: list[int]) -> tuple[dict[int, int], dict[int, list[tuple[int, str]]]]:
    """``engagements`` and the providers' active webhook endpoints (id, url; by id; every provider a
    key) in one statement (UNION ALL): the filing knows whom its offer's webhook goes to without a
    read of its own (notify.webhook_endpoints_known)."""
    provider_ids = list(dict.fromkeys(provider_ids))
    load: dict[int, int] = {}
    endpoints: dict[int, list[tuple[int, str]]] = {pk: [] for pk in provider_ids}
    if not provider_ids:
        return load, endpoints
    rows = _engagements_and_webhooks_compiled(len(provider_ids)).all(
        owner_type_id=ContentType.objects.get_for_model(Provider).pk,
        **{f"provider_{i}": pk for i, pk in enumerate(provider_ids)},
    )
    for kind, provider_id, n, endpoint_id, url in rows:
        if kind == 0:
            load[provider_id] = n
        else:
            endpoints[provider_id].append((endpoint_id, url))
    for found in endpoints.values():
        found.sort()
    return load, endpoints


def planned_offer(*, ranks: list[ProviderRank], regierungsbezirk: str, load: dict[int, int]) -> ProviderRank | None:
    """The entry a call-off that has had no offer yet will be offered to (offer_next decides the same
    from the same ranks and load), or None: the filing inserts its row in the state it will have."""
    for entry in ranks:
        if not _skip_reason(entry.provider, regierungsbezirk, load.get(entry.provider_id, 0)):
            return entry
    return None


def offer_next(
    *, calloff: CallOff, actor=None, now: datetime | None = None, just_filed: JustFiled | None = None
) -> Offer | None:
    """Offer a locked call-off to the next provider in its ranking version, or mark it unassigned.

    Internal: runs inside the caller's transaction, never on its own. Providers already offered
    in this call-off are passed over silently (that is the order progressing); every other skip
    (inactive, region not served, at capacity) is recorded as an event with its reason.
    ``just_filed``: the call-off was created in this transaction (it has no offers yet).
    """
    now = now or timezone.now()
    region = calloff.organisation.regierungsbezirk
    if just_filed is not None:
        first_module_id, version_ranks, already = just_filed.first_module_id, just_filed.version_ranks, set()
    else:
        first_module_id = (
            calloff.services.order_by("position", "id").values_list("service_module_id", flat=True).first()
        )
        version_ranks = None
        already = set(calloff.offers.values_list("provider_id", flat=True))
    ranks = ranking_for_calloff(
        version=calloff.ranking_version,
        service_module_id=first_module_id,
        regierungsbezirk=region,
        ranks=version_ranks,
    )
    if just_filed is not None and just_filed.load is not None:
        load = just_filed.load
    else:
        load = _engagements([r.provider_id for r in ranks])
    version_number = calloff.ranking_version.number if calloff.ranking_version else None
    for entry in ranks:
        provider = entry.provider
        if provider.pk in already:
            continue
        skip = _skip_reason(provider, region, load.get(provider.pk, 0))
        if skip:
            record_event(
                calloff=calloff,
                kind=EventKind.SKIPPED,
                actor=actor,
                provider=provider,
                reason=skip[1],
                data={"rank": entry.rank, "code": skip[0], "ranking_version": version_number},
                at=now,
            )
            continue
        return _create_offer(
            calloff=calloff,
            entry=entry,
            actor=actor,
            now=now,
            sequence=len(already) + 1,
            state_written=just_filed is not None and just_filed.offered_state_written,
        )
    old = guard(calloff, CallOffState.UNASSIGNED)
    calloff.state = CallOffState.UNASSIGNED
    calloff.save(update_fields=["state", "updated_at"])
    reason = _("Kein Dienstleister der Rangfolge ist verfügbar.")
    record_event(
        calloff=calloff,
        kind=EventKind.UNASSIGNED,
        actor=actor,
        old_state=old,
        new_state=calloff.state,
        reason=reason,
        data={"ranking_version": version_number, "offered": len(already)},
        at=now,
    )
    alert_ministry(
        kind=AlertKind.UNASSIGNED,
        calloff=calloff,
        message=_(
            "Abruf {number} ({body}, {priority}): Kein Dienstleister der Rangfolge ist verfügbar. "
            "Bitte manuell vergeben."
        ).format(number=calloff.number, body=calloff.organisation.name, priority=calloff.priority),
    )
    timeline_add(
        incident=calloff.incident,
        scope=timeline_scope(calloff),
        source=TimelineEntry.Source.SYSTEM,
        at=now,
        text=_("Abruf {number}: Kein Dienstleister verfügbar, das Ministerium ist informiert.").format(
            number=calloff.number
        ),
    )
    return None


def _create_offer(
    *, calloff: CallOff, entry: ProviderRank, actor, now: datetime, sequence: int, state_written: bool = False
) -> Offer:
    """state_written: the row is in the offered state already (inserted so by the filing)."""
    old = guard(calloff, CallOffState.OFFERED)
    respond_by = now + timedelta(minutes=accept_minutes(calloff))
    offer = Offer.objects.create(
        calloff=calloff,
        provider=entry.provider,
        rank=entry.rank,
        sequence=sequence,
        offered_at=now,
        respond_by=respond_by,
    )
    calloff.state = CallOffState.OFFERED
    if not state_written:
        calloff.save(update_fields=["state", "updated_at"])
    record_event(
        calloff=calloff,
        kind=EventKind.OFFERED,
        actor=actor,
        provider=entry.provider,
        old_state=old,
        new_state=calloff.state,
        at=now,
        data={
            "offer": offer.public_id,
            "rank": entry.rank,
            "sequence": sequence,
            "respond_by": respond_by,
            "ranking_version": calloff.ranking_version.number if calloff.ranking_version else None,
        },
    )
    return offer


@transition
def offer_accept(
    *,
    calloff: CallOff | QuerySet[CallOff] | Callable[[], CallOff],
    provider: Provider,
    actor,
    lead_name: str,
    lead_phone: str,
    eta_remote: datetime | None = None,
    eta_onsite: datetime | None = None,
    note: str = "",
) -> CallOff:
    """The provider holding the open offer accepts: it is assigned, its SLA clocks start.

    Raises OfferNotOpen if the offer expired, was declined or taken (another accept won).
    ``calloff`` may be a lookup scoped to what the actor may see, or a compiled one (lock_calloff):
    CallOff.DoesNotExist if it names nothing.
    """
    require_provider_staff(actor, provider)
    lead_name = require_text(lead_name, field="lead_name", message=_("Bitte die Einsatzleitung angeben."))
    lead_phone = require_phone(
        lead_phone, field="lead_phone", message=_("Bitte die Telefonnummer der Einsatzleitung angeben.")
    )
    require_plausible("eta_remote", plausible.check_planned_datetime, eta_remote)
    require_plausible("eta_onsite", plausible.check_planned_datetime, eta_onsite)
    calloff = lock_calloff(calloff)
    now = timezone.now()
    offer = take_held_offer(calloff, provider, state=OfferState.ACCEPTED, now=now)
    old = guard(calloff, CallOffState.ACCEPTED)
    calloff.state = CallOffState.ACCEPTED
    calloff.provider = provider
    calloff.lead_name, calloff.lead_phone = lead_name, lead_phone
    calloff.eta_remote, calloff.eta_onsite = eta_remote, eta_onsite
    calloff.accept_note = (note or "").strip()
    calloff.accepted_at = now
    due_fields = set_sla_due_times(calloff, accepted_at=now)
    update_one(  # calloff.save(update_fields=…), its UPDATE kept per connection (digisos.insert_sql)
        calloff,
        [
            "state",
            "provider",
            "lead_name",
            "lead_phone",
            "eta_remote",
            "eta_onsite",
            "accept_note",
            "accepted_at",
            *due_fields,
            "updated_at",
        ],
    )
    record_event(
        calloff=calloff,
        kind=EventKind.ACCEPTED,
        actor=actor,
        provider=provider,
        old_state=old,
        new_state=calloff.state,
        at=now,
        data={"offer": offer.public_id, "rank": offer.rank, "sequence": offer.sequence, "lead_name": lead_name},
    )
    timeline_add(
        incident=calloff.incident,
        scope=timeline_scope(calloff),
        source=TimelineEntry.Source.PROVIDER,
        author=actor,
        at=now,
        text=_("Abruf {number} angenommen von {provider}; Einsatzleitung {lead}, {phone}.").format(
            number=calloff.number, provider=provider, lead=lead_name, phone=lead_phone
        ),
    )
    return calloff


@transition
def offer_decline(*, calloff: CallOff, provider: Provider, actor, reason: str) -> CallOff:
    """The provider holding the open offer declines; the call-off goes to the next provider."""
    require_provider_staff(actor, provider)
    reason = require_reason(reason)
    calloff = lock_calloff(calloff)
    now = timezone.now()
    offer = take_held_offer(calloff, provider, state=OfferState.DECLINED, now=now, decline_reason=reason)
    record_event(
        calloff=calloff,
        kind=EventKind.DECLINED,
        actor=actor,
        provider=provider,
        reason=reason,
        at=now,
        data={"offer": offer.public_id, "rank": offer.rank, "sequence": offer.sequence},
    )
    offer_next(calloff=calloff, actor=actor, now=now)
    return calloff


@transition
def offer_expire(*, offer: Offer, now: datetime | None = None, skip_locked: bool = False) -> bool:
    """Expire an offer whose deadline has passed and offer the call-off to the next provider.

    For the timer sweep; idempotent by compare-and-set: an offer that is no longer open, or
    whose deadline is still ahead, is left alone and False is returned. ``skip_locked``: if
    another transaction holds the call-off (an accept, another sweeper), return False at once;
    the next sweep looks again.
    """
    now = now or timezone.now()
    try:
        calloff = lock_calloff(offer.calloff_id, skip_locked=skip_locked)
    except CallOff.DoesNotExist:
        if skip_locked:
            return False
        raise
    # FOR UPDATE OF the offer only: locking the joined provider row too would serialise every
    # expiry of that provider's offers (parallel sweepers) on one row.
    offer = Offer.objects.select_for_update(of=("self",)).select_related("provider").get(pk=offer.pk)
    if offer.state != OfferState.OPEN or offer.respond_by > now:
        return False
    offer.state = OfferState.EXPIRED
    offer.save(update_fields=["state"])
    record_event(
        calloff=calloff,
        kind=EventKind.EXPIRED,
        provider=offer.provider,
        at=now,
        reason=_("Keine Antwort bis {deadline}.").format(
            deadline=timezone.localtime(offer.respond_by).strftime("%d.%m.%Y %H:%M")
        ),
        data={"offer": offer.public_id, "rank": offer.rank, "sequence": offer.sequence},
    )
    offer_next(calloff=calloff, now=now)
    return True


@transition
def calloff_assign_manually(*, calloff: CallOff, provider: Provider, actor, reason: str) -> CallOff:
    """The ministry assigns a provider directly: a deviation from the order of precedence,
    recorded with its mandatory reason. Allowed when nobody was available (unassigned) and
    also while an offer is open (the open offer is withdrawn). The lead is reported later by
    the provider (calloff_report_lead)."""
    require_ministry(actor)
    reason = require_reason(reason)
    if not ASSIGN_REASON_MIN <= len(reason) <= ASSIGN_REASON_MAX:
        raise InvalidInput(
            _("Bitte begründen Sie die Abweichung in {low} bis {high} Zeichen.").format(
                low=ASSIGN_REASON_MIN, high=ASSIGN_REASON_MAX
            ),
            field="reason",
        )
    calloff = lock_calloff(calloff)
    if calloff.state not in (CallOffState.UNASSIGNED, CallOffState.OFFERED):
        raise TransitionNotAllowed(
            _("Manuell vergeben werden kann nur ein Abruf, der angeboten oder nicht vergeben ist.")
        )
    if not provider.active:
        raise InvalidInput(_("Der Dienstleister ist deaktiviert."), field="provider")
    if not ProviderRank.objects.filter(version__contract_id=calloff.contract_id, provider=provider).exists():
        raise NotPermitted(_("Dieser Dienstleister ist nicht Partei des Rahmenvertrags."))
    now = timezone.now()
    withdrawn = withdraw_open_offer(
        calloff=calloff,
        actor=actor,
        now=now,
        reason=_("Zurückgezogen wegen manueller Vergabe: {reason}").format(reason=reason),
    )
    old = guard(calloff, CallOffState.ACCEPTED)
    calloff.state = CallOffState.ACCEPTED
    calloff.provider = provider
    calloff.manual_assignment_reason = reason
    calloff.accepted_at = now
    calloff.lead_name = calloff.lead_phone = ""
    due_fields = set_sla_due_times(calloff, accepted_at=now)
    calloff.save(
        update_fields=[
            "state",
            "provider",
            "manual_assignment_reason",
            "accepted_at",
            "lead_name",
            "lead_phone",
            *due_fields,
            "updated_at",
        ]
    )
    rank = None
    if calloff.ranking_version_id:
        rank = (
            calloff.ranking_version.ranks.filter(provider=provider)
            .order_by("rank")
            .values_list("rank", flat=True)
            .first()
        )
    record_event(
        calloff=calloff,
        kind=EventKind.ASSIGNED_MANUALLY,
        actor=actor,
        provider=provider,
        old_state=old,
        new_state=calloff.state,
        reason=reason,
        at=now,
        data={
            "deviation": True,
            "rank": rank,
            "withdrawn_offer": withdrawn.public_id if withdrawn else None,
            "withdrawn_from": withdrawn.provider_id if withdrawn else None,
        },
    )
    timeline_add(
        incident=calloff.incident,
        scope=timeline_scope(calloff),
        source=TimelineEntry.Source.SYSTEM,
        author=actor,
        at=now,
        text=_("Abruf {number} vom Ministerium an {provider} vergeben. Grund: {reason}").format(
            number=calloff.number, provider=provider, reason=reason
        ),
    )
    return calloff
