"""The outbox's figures for /metrics, read at scrape time; registered with digisos.metrics in
NotificationsConfig.ready. Names and meanings: the docstring of digisos/metrics.py."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min
from prometheus_client.core import GaugeMetricFamily

from .models import Notification, NotificationState


def collect_state(now: datetime):
    pending = GaugeMetricFamily(
        "digisos_notifications_pending", "Notifications not delivered yet (not dead)", labels=["channel"]
    )
    open_states = [NotificationState.PENDING, NotificationState.FAILED, NotificationState.DELIVERING]
    rows = Notification.objects.filter(state__in=open_states).values("channel").annotate(n=Count("id"))
    counts = {row["channel"]: row["n"] for row in rows}
    for channel in ("webhook", "email", "sms"):
        pending.add_metric([channel], counts.get(channel, 0))
    yield pending

    oldest = Notification.objects.filter(state__in=open_states).aggregate(t=Min("created_at"))["t"]
    yield GaugeMetricFamily(
        "digisos_notification_oldest_pending_seconds",
        "Age of the oldest notification not delivered yet (0: none)",
        value=(now - oldest).total_seconds() if oldest else 0.0,
    )
