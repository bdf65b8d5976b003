"""What a drill measured: the providers' real response times against the SLA.

* Acceptance: each offer of the drill, from ``offered_at`` to the answer, against the answer window
  the contract gave (``respond_by``; the SLA term's accept minutes). Within the SLA when answered
  by then; an offer left to expire missed it.
* Call-back and remote start: from acceptance to the moment the provider reported, against the due
  time set at acceptance (``callback_due_at``, ``remote_start_due_at``).

Reads only; every function is scoped by its caller (views) to what the user may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from ..models import CallOff, Milestone, Offer, OfferState, Provider

#: The milestones a drill measures after acceptance (on site is rarely part of a drill; shown when due).
MEASURED = (
    (Milestone.CALLBACK, "callback_due_at", "callback_made_at"),
    (Milestone.REMOTE_START, "remote_start_due_at", "remote_started_at"),
    (Milestone.ONSITE, "onsite_due_at", "onsite_arrived_at"),
)


def minutes(delta: timedelta | None) -> int | None:
    """Whole minutes, rounded up from any second (a response of 61 s took 2 minutes, not 1)."""
    if delta is None:
        return None
    seconds = max(int(delta.total_seconds()), 0)
    return -(-seconds // 60)


@dataclass(frozen=True)
class Timing:
    """One measured time: how long it took against how long it was allowed to take."""

    label: str
    started_at: datetime | None
    due_at: datetime | None
    done_at: datetime | None
    now: datetime

    @property
    def took(self) -> int | None:
        return minutes(self.done_at - self.started_at) if self.done_at and self.started_at else None

    @property
    def allowed(self) -> int | None:
        return minutes(self.due_at - self.started_at) if self.due_at and self.started_at else None

    @property
    def within(self) -> bool | None:
        """True met, False missed (late or overdue), None still open or not due."""
        if self.due_at is None:
            return None
        if self.done_at is not None:
            return self.done_at <= self.due_at
        return False if self.due_at < self.now else None


@dataclass(frozen=True)
class OfferTiming:
    offer: Offer
    timing: Timing

    @property
    def provider(self) -> Provider:
        return self.offer.provider


@dataclass(frozen=True)
class DrillReport:
    calloff: CallOff
    offers: list[OfferTiming]
    acceptance: Timing | None  # the accepted offer's answer time (None: assigned by the ministry or not yet)
    milestones: list[Timing]
    generated_at: datetime
    #: False for a provider that did not accept: it sees its own offer only, not who accepted nor their times.
    sees_outcome: bool = True

    @property
    def provider(self) -> Provider | None:
        return self.calloff.provider if self.sees_outcome else None

    @property
    def until_accepted(self) -> int | None:
        """Minutes from starting the drill to acceptance, across every offer in the order of precedence."""
        c = self.calloff
        return minutes(c.accepted_at - c.submitted_at) if c.accepted_at and self.sees_outcome else None


def _offer_timing(offer: Offer, now: datetime) -> Timing:
    """Answered (accepted or declined) by ``respond_by``; expired missed it; withdrawn is not counted."""
    done = offer.responded_at if offer.state in (OfferState.ACCEPTED, OfferState.DECLINED) else None
    due = None if offer.state == OfferState.WITHDRAWN else offer.respond_by
    return Timing(label=offer.get_state_display(), started_at=offer.offered_at, due_at=due, done_at=done, now=now)


def _milestones(calloff: CallOff, now: datetime) -> list[Timing]:
    labels = dict(Milestone.choices)
    return [
        Timing(
            label=str(labels[milestone]),
            started_at=calloff.accepted_at,
            due_at=getattr(calloff, due),
            done_at=getattr(calloff, done),
            now=now,
        )
        for milestone, due, done in MEASURED
        if getattr(calloff, due) is not None
    ]


def drill_report(
    calloff: CallOff, *, now: datetime | None = None, only_providers: list[int] | None = None
) -> DrillReport:
    """The report of one drill (the caller has checked the user may see it).

    ``only_providers``: the viewer is staff of these providers (need to know): it sees only their own
    offers, and who accepted and the times after acceptance only when one of them accepted. ``None``
    (the body and the ministry): every offer in the order of precedence."""
    now = now or timezone.now()
    offers = calloff.offers.select_related("provider").order_by("sequence")
    if only_providers is not None:
        offers = offers.filter(provider_id__in=only_providers)
    timings = [OfferTiming(o, _offer_timing(o, now)) for o in offers]
    accepted = next((t.timing for t in timings if t.offer.state == OfferState.ACCEPTED), None)
    sees_outcome = only_providers is None or calloff.provider_id in only_providers
    return DrillReport(
        calloff=calloff,
        offers=timings,
        acceptance=accepted,
        milestones=_milestones(calloff, now) if calloff.accepted_at and sees_outcome else [],
        generated_at=now,
        sees_outcome=sees_outcome,
    )


@dataclass(frozen=True)
class ProviderDrillRow:
    """One drill as one provider lived it."""

    calloff: CallOff
    offer: Offer | None
    answer: Timing | None
    callback: Timing | None
    remote_start: Timing | None

    @property
    def accepted(self) -> bool:
        return (
            self.calloff.provider_id is not None and self.offer is not None and self.offer.state == OfferState.ACCEPTED
        )


@dataclass
class ProviderDrills:
    provider: Provider
    rows: list[ProviderDrillRow] = field(default_factory=list)

    @staticmethod
    def _share(values: list[bool | None]) -> tuple[int, int, int | None]:
        decided = [v for v in values if v is not None]
        met = sum(1 for v in decided if v)
        return met, len(decided), round(100 * met / len(decided)) if decided else None

    @property
    def offers(self) -> int:
        return sum(1 for r in self.rows if r.offer is not None)

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.rows if r.accepted)

    @property
    def answer_share(self) -> tuple[int, int, int | None]:
        """(answered within the SLA, decided, percent)."""
        return self._share([r.answer.within if r.answer else None for r in self.rows])

    @property
    def callback_share(self) -> tuple[int, int, int | None]:
        return self._share([r.callback.within if r.callback else None for r in self.rows])

    @property
    def remote_share(self) -> tuple[int, int, int | None]:
        return self._share([r.remote_start.within if r.remote_start else None for r in self.rows])


def provider_drills(
    *, since: datetime | None = None, until: datetime | None = None, now: datetime | None = None
) -> list[ProviderDrills]:
    """Every provider's drills over time (oldest first): each offer it got and, where it was assigned,
    its call-back and remote start against the SLA. For the ministry (the view checks). Two queries.
    ``since``/``until``: the drills started in [since, until) (either end open when None)."""
    now = now or timezone.now()
    drills = CallOff.objects.filter(is_drill=True).select_related("organisation", "provider").order_by("submitted_at")
    if since is not None:
        drills = drills.filter(submitted_at__gte=since)
    if until is not None:
        drills = drills.filter(submitted_at__lt=until)
    drills = drills.prefetch_related(
        Prefetch("offers", queryset=Offer.objects.select_related("provider").order_by("sequence"))
    )
    by_provider: dict[int, ProviderDrills] = {}
    for calloff in drills:
        seen: set[int] = set()
        for offer in calloff.offers.all():
            seen.add(offer.provider_id)
            assigned = calloff.provider_id == offer.provider_id and calloff.accepted_at is not None
            by_provider.setdefault(offer.provider_id, ProviderDrills(offer.provider)).rows.append(
                _provider_row(calloff, offer, assigned, now)
            )
        if calloff.provider_id and calloff.provider_id not in seen and calloff.accepted_at:  # assigned by the ministry
            by_provider.setdefault(calloff.provider_id, ProviderDrills(calloff.provider)).rows.append(
                _provider_row(calloff, None, True, now)
            )
    return sorted(by_provider.values(), key=lambda p: p.provider.short_name)


def _provider_row(calloff: CallOff, offer: Offer | None, assigned: bool, now: datetime) -> ProviderDrillRow:
    milestones = {m: None for m, _d, _f in MEASURED}
    if assigned:
        labels = dict(Milestone.choices)
        for milestone, due, done in MEASURED:
            milestones[milestone] = Timing(
                label=str(labels[milestone]),
                started_at=calloff.accepted_at,
                due_at=getattr(calloff, due),
                done_at=getattr(calloff, done),
                now=now,
            )
    return ProviderDrillRow(
        calloff=calloff,
        offer=offer,
        answer=_offer_timing(offer, now) if offer is not None else None,
        callback=milestones[Milestone.CALLBACK],
        remote_start=milestones[Milestone.REMOTE_START],
    )
