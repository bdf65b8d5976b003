"""The incidents app's figures for /metrics, read at scrape time (one short query each); registered with
digisos.metrics in IncidentsConfig.ready."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from .models import Incident, ObligationKind, ReportingObligation


def collect_state(now: datetime):
    by_status = GaugeMetricFamily(
        "digisos_incidents", "Security incidents by status (drill: the records of drills)", labels=["status", "drill"]
    )
    for row in Incident.objects.values("status", "is_drill").annotate(n=Count("id")).order_by("is_drill", "status"):
        by_status.add_metric([row["status"], "true" if row["is_drill"] else "false"], row["n"])
    yield by_status

    overdue = GaugeMetricFamily(
        "digisos_reporting_obligations_overdue",
        "Reporting obligations (NIS-2, GDPR) past their due time, neither done nor waived",
        labels=["kind"],
    )
    # A drill's record has no reporting duty (services.obligations_sync); none is counted even so.
    rows = (
        ReportingObligation.objects.overdue(now).filter(incident__is_drill=False).values("kind").annotate(n=Count("id"))
    )
    counts = {row["kind"]: row["n"] for row in rows}
    for kind in ObligationKind.values:
        overdue.add_metric([kind], counts.get(kind, 0))
    yield overdue
