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


def collect_state(now: datetime):
    overdue = Offer.objects.filter(state=OfferState.OPEN, respond_by__lt=now).aggregate(
        n=Count("id"), first=Min("respond_by")
    )
    yield GaugeMetricFamily(
        "digisos_offers_overdue", "Open offers past their respond-by (the sweep is behind)", value=overdue["n"]
    )
    yield GaugeMetricFamily(
        "digisos_offer_overdue_max_seconds",
        "How far the most overdue open offer is past its respond-by (0: none)",
        value=(now - overdue["first"]).total_seconds() if overdue["first"] else 0.0,
    )

    milestones = GaugeMetricFamily(
        "digisos_sla_milestones_overdue",
        "Running call-offs whose SLA milestone is past due and not reported",
        labels=["milestone"],
    )
    for milestone, (due_field, done_field) in MILESTONE_FIELDS.items():
        n = CallOff.objects.filter(
            state__in=ENGAGED_STATES, **{f"{due_field}__lte": now, f"{done_field}__isnull": True}
        ).count()
        milestones.add_metric([milestone], n)
    yield milestones

    by_state = GaugeMetricFamily("digisos_calloffs", "Call-offs by state", labels=["state"])
    for row in CallOff.objects.values("state").annotate(n=Count("id")).order_by("state"):
        by_state.add_metric([row["state"]], row["n"])
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
