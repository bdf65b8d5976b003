"""The deadline sweep's actions: expire offers past their respond-by, record SLA breaches.

Both run one call-off at a time in their own transaction, take the call-off row with
``select_for_update(skip_locked=True)`` (a row someone else is working on is left to the next
sweep, one second later) and re-check the deadline under the lock (compare-and-set), so two
sweepers at once act on every deadline exactly once (healthchecks' ``sendalerts``, Grafana
OnCall's escalation). The database is the truth; nothing depends on a broker-held ETA.
"""

from __future__ import annotations

import time
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import TimelineEntry
from incidents.services import timeline_add

from ..models import ENGAGED_STATES, MILESTONE_FIELDS, AlertKind, CallOff, EventKind, Milestone, Offer, SLABreach
from ..selectors import offers_due
from ..visibility import timeline_scope
from .common import alert_ministry, lock_calloff, record_event, transition
from .offers import offer_expire

BATCH = 200


def _in_slot(qs, field: str, slot: int, slots: int):
    if slots <= 1:
        return qs
    return qs.annotate(_slot=F(field) % slots).filter(_slot=slot)


def milestones_due(*, now: datetime, batch: int = BATCH, slot: int = 0, slots: int = 1) -> list[tuple[int, str]]:
    """(call-off id, milestone) of running call-offs whose SLA deadline passed without the
    milestone and without a recorded breach (reads the partial indexes on the due fields)."""
    due: list[tuple[int, str]] = []
    for milestone, (due_field, done_field) in MILESTONE_FIELDS.items():
        qs = CallOff.objects.filter(
            state__in=ENGAGED_STATES, **{f"{due_field}__lte": now, f"{done_field}__isnull": True}
        ).exclude(sla_breaches__milestone=milestone)
        ids = _in_slot(qs, "pk", slot, slots).order_by(due_field).values_list("pk", flat=True)[:batch]
        due += [(pk, milestone) for pk in ids]
    return due


@transition
def sla_breach_detect(*, calloff_id: int, milestone: str, now: datetime | None = None) -> SLABreach | None:
    """Record that ``milestone`` is overdue: breach row, event (notifies body and provider),
    ministry alert. Returns the breach, or None if there is nothing (more) to do."""
    now = now or timezone.now()
    try:
        calloff = lock_calloff(calloff_id, skip_locked=True)
    except CallOff.DoesNotExist:
        return None
    due_field, done_field = MILESTONE_FIELDS[milestone]
    due_at = getattr(calloff, due_field)
    if calloff.state not in ENGAGED_STATES or due_at is None or due_at > now or getattr(calloff, done_field):
        return None
    if SLABreach.objects.filter(calloff=calloff, milestone=milestone).exists():
        return None
    try:
        with transaction.atomic():
            breach = SLABreach.objects.create(calloff=calloff, milestone=milestone, due_at=due_at, detected_at=now)
    except IntegrityError:  # the unique constraint: someone else recorded it (only without row locks)
        return None
    label = Milestone(milestone).label
    record_event(
        calloff=calloff,
        kind=EventKind.SLA_BREACHED,
        provider=calloff.provider,
        at=now,
        reason=_("Frist „{milestone}“ bis {due} ohne Meldung verstrichen.").format(
            milestone=label, due=timezone.localtime(due_at).strftime("%d.%m.%Y %H:%M")
        ),
        data={"milestone": milestone, "milestone_label": str(label), "due_at": due_at},
    )
    alert_ministry(
        kind=AlertKind.SLA_BREACH,
        calloff=calloff,
        message=_("Abruf {number} ({body}): {provider} hat die Frist „{milestone}“ ({due}) überschritten.").format(
            number=calloff.number,
            body=calloff.organisation.name,
            provider=calloff.provider,
            milestone=label,
            due=timezone.localtime(due_at).strftime("%d.%m.%Y %H:%M"),
        ),
    )
    timeline_add(
        incident=calloff.incident,
        scope=timeline_scope(calloff),
        source=TimelineEntry.Source.SYSTEM,
        at=now,
        text=_("Abruf {number}: SLA-Frist „{milestone}“ überschritten.").format(number=calloff.number, milestone=label),
    )
    return breach


def deadlines_sweep(
    *,
    now: datetime | None = None,
    batch: int = BATCH,
    budget_seconds: float = 5.0,
    slot: int = 0,
    slots: int = 1,
    on_batch=None,
) -> dict[str, int]:
    """One run of the deadline sweep: expire due offers, then record due SLA breaches.

    Every action runs in its own short transaction and reads its own clock (so the recorded
    time is when it happened). A backlog is drained batch after batch for up to
    ``budget_seconds``; what is left is the next run's (one second later). ``slot``/``slots``:
    this run takes only the call-offs with ``id % slots == slot``, so that parallel sweepers
    share a backlog instead of racing through the same rows (correct either way).
    """
    started = time.monotonic()
    expired = 0
    while True:
        due_qs = _in_slot(offers_due(now=now or timezone.now()), "calloff_id", slot, slots)
        due = list(due_qs.only("pk", "calloff_id")[:batch])
        for offer in due:
            if offer_expire(offer=Offer(pk=offer.pk, calloff_id=offer.calloff_id), skip_locked=True):
                expired += 1
        if on_batch is not None:
            on_batch()
        if len(due) < batch or time.monotonic() - started > budget_seconds:
            break
    breaches = 0
    for calloff_id, milestone in milestones_due(now=now or timezone.now(), batch=batch, slot=slot, slots=slots):
        if sla_breach_detect(calloff_id=calloff_id, milestone=milestone):
            breaches += 1
    return {"expired": expired, "breaches": breaches}
