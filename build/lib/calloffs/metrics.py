"""The calloffs app's figures for /metrics, read at scrape time (one short query each); registered with
digisos.metrics in CalloffsConfig.ready. Names and meanings: the docstring of digisos/metrics.py."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Max, Min
from prometheus_client.core import GaugeMetricFamily

from digisos.metrics import age_gauge

from .models import (
    ENGAGED_STATES,
    MILESTONE_FIELDS,
    CallOff,
    Offer,
    OfferState,
)
from .tasks.sweep import LAST_DEADLINE_SWEEP_KEY


def drill_label(is_drill: bool) -> str:
    """The ``drill`` label: drills run the real path, so the operational figures count them, apart."""
    return "true" if is_drill else "false"


def collect_state(now: datetime):
    rows = (
        Offer.objects.filter(state=OfferState.OPEN, respond_by__lt=now)
        .values("calloff__is_drill")
        .annotate(n=Count("id"), first=Min("respond_by"))
        .order_by()
    )
    overdue = {row["calloff__is_drill"]: row for row in rows}
    offers = GaugeMetricFamily(
        "digisos_offers_overdue", "Open offers past their respond-by (the sweep is behind)", labels=["drill"]
    )
    for is_drill in (False, True):
        offers.add_metric([drill_label(is_drill)], overdue[is_drill]["n"] if is_drill in overdue else 0)
    yield offers
    first = min((row["first"] for row in overdue.values()), default=None)
    yield GaugeMetricFamily(
        "digisos_offer_overdue_max_seconds",
        "How far the most overdue open offer (drills too) is past its respond-by (0: none)",
        value=(now - first).total_seconds() if first else 0.0,
    )

    milestones = GaugeMetricFamily(
        "digisos_sla_milestones_overdue",
        "Running call-offs whose SLA milestone is past due and not reported",
        labels=["milestone", "drill"],
    )
    for milestone, (due_field, done_field) in MILESTONE_FIELDS.items():
        counts = dict(
            CallOff.objects.filter(
                state__in=ENGAGED_STATES, **{f"{due_field}__lte": now, f"{done_field}__isnull": True}
            )
            .values_list("is_drill")
            .annotate(n=Count("id"))
            .order_by()
        )
        for is_drill in (False, True):
            milestones.add_metric([milestone, drill_label(is_drill)], counts.get(is_drill, 0))
    yield milestones

    by_state = GaugeMetricFamily("digisos_calloffs", "Call-offs by state", labels=["state", "drill"])
    for row in CallOff.objects.values("state", "is_drill").annotate(n=Count("id")).order_by("is_drill", "state"):
        by_state.add_metric([row["state"], drill_label(row["is_drill"])], row["n"])
    yield by_state

    newest = CallOff.objects.aggregate(t=Max("submitted_at"))["t"]
    yield GaugeMetricFamily(
        "digisos_last_calloff_timestamp_seconds",
        "Unix time of the newest call-off (0: none)",
        value=newest.timestamp() if newest else 0.0,
    )

    try:
        sweep = cache.get(LAST_DEADLINE_SWEEP_KEY)
    except Exception:  # noqa: BLE001 - the cache may be down; say so with -1
        sweep = None
    yield age_gauge(
        "digisos_deadline_sweep_age_seconds", "Seconds since the last deadline sweep (-1: never)", sweep, now
    )
