"""The auditor: is anything stuck that the sweeps should have handled? (Grafana OnCall's
``check_escalation_finished_task``.) It alerts the ministry; it never repairs anything itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import WAITING_STATES, Notification, NotificationState

from ..models import AlertKind, MinistryAlert, Offer, OfferState
from .common import alert_ministry

#: An open offer this long past its respond-by means the expiry sweep is not working.
OFFER_GRACE = timedelta(minutes=1)
#: A due notification not attempted for this long means deliveries are not keeping up.
NOTIFICATION_GRACE = timedelta(minutes=5)
#: One summary alert about stuck notifications at most this often.
SUMMARY_EVERY = timedelta(hours=1)


@dataclass
class AuditReport:
    stuck_offers: list[int] = field(default_factory=list)
    stuck_notifications: int = 0
    alerts: int = 0


def stuck_notifications(now: datetime):
    window = timedelta(hours=settings.NOTIFICATION_RETRY_HOURS)
    return Notification.objects.filter(
        Q(state__in=WAITING_STATES, next_attempt_at__lt=now - NOTIFICATION_GRACE)
        | Q(state=NotificationState.DELIVERING, lease_until__lt=now - NOTIFICATION_GRACE)
        | (
            ~Q(state__in=[NotificationState.DELIVERED, NotificationState.DEAD])
            & Q(window_start__lt=now - window - timedelta(hours=1))
        )
    )


@transaction.atomic(durable=True)
def timers_audit(*, now: datetime | None = None) -> AuditReport:
    now = now or timezone.now()
    report = AuditReport()
    overdue = (
        Offer.objects.filter(state=OfferState.OPEN, respond_by__lt=now - OFFER_GRACE)
        .select_related("calloff", "calloff__organisation", "provider")
        .order_by("respond_by")[:50]
    )
    already = set(
        MinistryAlert.objects.filter(
            kind=AlertKind.STUCK, acknowledged_at__isnull=True, calloff__isnull=False
        ).values_list("calloff_id", flat=True)
    )
    for offer in overdue:
        report.stuck_offers.append(offer.calloff_id)
        if offer.calloff_id in already:
            continue
        already.add(offer.calloff_id)
        alert_ministry(
            kind=AlertKind.STUCK,
            calloff=offer.calloff,
            message=_(
                "Abruf {number} ({body}): Das Angebot an {provider} ist seit {due} abgelaufen, aber nicht "
                "weitergegeben worden. Läuft der Fristen-Sweep (Celery worker und beat)?"
            ).format(
                number=offer.calloff.number,
                body=offer.calloff.organisation.name,
                provider=offer.provider,
                due=timezone.localtime(offer.respond_by).strftime("%d.%m.%Y %H:%M:%S"),
            ),
        )
        report.alerts += 1
    report.stuck_notifications = stuck_notifications(now).count()
    if report.stuck_notifications:
        recent = MinistryAlert.objects.filter(
            kind=AlertKind.STUCK, calloff__isnull=True, created_at__gte=now - SUMMARY_EVERY
        ).exists()
        if not recent:
            alert_ministry(
                kind=AlertKind.STUCK,
                message=_(
                    "{count} Benachrichtigungen hängen: fällig seit über {minutes} Minuten oder über ihren "
                    "Wiederholungsplan hinaus nicht zugestellt. Bitte das Zustellprotokoll prüfen."
                ).format(count=report.stuck_notifications, minutes=int(NOTIFICATION_GRACE.total_seconds() // 60)),
            )
            report.alerts += 1
    return report
