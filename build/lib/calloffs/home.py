"""What the home page shows a provider's staff and ministry staff: the work waiting for them.

Each function reads a fixed number of queries, whatever the number of rows (the lists are capped
and related rows joined), and returns ``None`` for a user outside its audience.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from .models import ENGAGED_STATES, CallOff, CallOffState, Offer, OfferState, Provider, SLABreach
from .models.sla import MILESTONE_FIELDS, Milestone
from .permissions import is_ministry, provider_of
from .selectors import ministry_alert_list

#: The home page lists at most this many rows per section and links to the full list.
LIMIT = 20
#: Open offers whose answer is due within this time count as "about to expire" for the ministry.
EXPIRING_WITHIN = timedelta(minutes=30)


@dataclass(frozen=True)
class Deadline:
    calloff: CallOff
    milestone: str
    label: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class ProviderHome:
    provider: Provider
    offers: list[Offer]
    running: list[CallOff]
    deadlines: list[Deadline]


def deadlines_of(calloffs: list[CallOff], *, now: datetime) -> list[Deadline]:
    """The SLA milestones still to reach (call-back, remote start, on site), the earliest first."""
    labels = dict(Milestone.choices)
    found = []
    for calloff in calloffs:
        for milestone, (due_field, done_field) in MILESTONE_FIELDS.items():
            due = getattr(calloff, due_field)
            if due is not None and getattr(calloff, done_field) is None:
                found.append(Deadline(calloff, milestone, str(labels[milestone]), due, due <= now))
    return sorted(found, key=lambda d: (d.due_at, d.calloff.number))


def provider_home(user, *, now: datetime | None = None) -> ProviderHome | None:
    """Open offers to the user's provider (answer deadline first), its running call-offs and their
    deadlines. Two queries beyond the account's provider; another provider's rows never appear."""
    provider = provider_of(user)
    if provider is None:
        return None
    now = now or timezone.now()
    offers = list(
        Offer.objects.filter(provider=provider, state=OfferState.OPEN)
        .select_related("calloff", "calloff__organisation")
        .order_by("respond_by", "pk")[:LIMIT]
    )
    running = list(
        CallOff.objects.filter(provider=provider, state__in=ENGAGED_STATES)
        .select_related("organisation")
        .order_by("submitted_at", "pk")[:LIMIT]
    )
    return ProviderHome(provider=provider, offers=offers, running=running, deadlines=deadlines_of(running, now=now))


@dataclass(frozen=True)
class MinistryHome:
    alerts: list
    alert_count: int
    expiring_offers: list[Offer]
    unassigned: list[CallOff]
    breaches: list[SLABreach]


def ministry_home(user, *, now: datetime | None = None) -> MinistryHome | None:
    """What needs the ministry now: unacknowledged alerts, open offers about to expire, call-offs no
    provider took, and SLA breaches of the last 24 hours. Five queries."""
    if not is_ministry(user):
        return None
    now = now or timezone.now()
    alerts = ministry_alert_list(user=user)
    return MinistryHome(
        alerts=list(alerts[:LIMIT]),
        alert_count=alerts.count(),
        expiring_offers=list(
            Offer.objects.filter(state=OfferState.OPEN, respond_by__lte=now + EXPIRING_WITHIN)
            .select_related("calloff", "calloff__organisation", "provider")
            .order_by("respond_by", "pk")[:LIMIT]
        ),
        unassigned=list(
            CallOff.objects.filter(state=CallOffState.UNASSIGNED)
            .select_related("organisation")
            .order_by("submitted_at", "pk")[:LIMIT]
        ),
        breaches=list(
            SLABreach.objects.filter(detected_at__gte=now - timedelta(hours=24))
            .select_related("calloff", "calloff__organisation", "calloff__provider")
            .order_by("-detected_at", "-pk")[:LIMIT]
        ),
    )


# --- Sections the apps above us add (e.g. aftercare's overdue measures) ----------------------------


@dataclass(frozen=True)
class HomeSection:
    """A section of the home page from an app above calloffs, rendered with ``section`` in the context."""

    key: str
    template: str
    context: dict
    #: Sections are shown in ascending order (then by key), right under the emergency button.
    order: int = 100


_section_providers: list = []


def register_section(provider) -> None:
    """``provider(user) -> list[HomeSection]`` (empty for a user outside its audience); registering the
    same callable twice has no effect. Registered at app-ready time, so calloffs never imports the app."""
    if provider not in _section_providers:
        _section_providers.append(provider)


def home_sections(user) -> list[HomeSection]:
    found = [section for provider in _section_providers for section in provider(user)]
    return sorted(found, key=lambda section: (section.order, section.key))
