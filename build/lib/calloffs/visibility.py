"""What a provider's staff sees of an incident: the one rule, registered with incidents.visibility
at app-ready time (CalloffsConfig.ready), so incidents neither imports us nor queries our tables.

- A provider that has only been *offered* a call-off sees the call-off's decision data (the
  call-off page and the API), never the incident: 404.
- The provider that accepted sees the incident while its call-off is accepted, in progress,
  completed or closed: the incident's facts, its reporting deadlines, the timeline entries of the
  body and of its own call-offs (never another provider's acceptance, contacts or reports), and the
  attachments the body shared with the engaged provider.
- While its call-off is accepted or in progress it is *engaged*: an attachment the body shares
  reaches it whenever it is shared. Once all its call-offs on the incident are completed or closed,
  nothing new reaches it: it keeps the general entries recorded and the attachments shared up to
  the completion of its last call-off there (``OutsideView.until``); a note, an upload or a share
  after that is not shown to it (the download is 404).
- After decline, expiry, withdrawal or cancellation: 404.

The body's readiness profile (readiness app) reaches the provider that accepted the call-off
(``provider_sees_profile``): from the acceptance while it works (accepted, in progress, completed)
and for ``PROFILE_AFTER_CLOSE`` after the body closed the call-off (questions on the final report,
aftercare findings). Not before the acceptance, never a provider that was only offered the call-off
(or declined it, or let the offer expire), not after a cancellation, and not once that time after
the closing has passed. The ministry and other providers never see its contents.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from incidents.visibility import Engagement, OutsideView
from tenants.selectors import roles_of

from .models import ENGAGED_STATES, WORK_STATES, CallOff, CallOffState
from .permissions import is_ministry, provider_ids_of

#: Call-off states in which the assigned provider sees the incident.
INCIDENT_VISIBLE_STATES = (
    CallOffState.ACCEPTED,
    CallOffState.IN_PROGRESS,
    CallOffState.COMPLETED,
    CallOffState.CLOSED,
)


def timeline_scope(calloff: CallOff) -> str:
    """The scope of the incident's timeline entries about this call-off (TimelineEntry.scope)."""
    return f"calloff:{calloff.public_id}"


def engaged_calloffs(user) -> QuerySet[CallOff]:
    """The call-offs through which this account's provider is engaged in an incident."""
    providers = provider_ids_of(user)
    if not providers:
        return CallOff.objects.none()
    return CallOff.objects.filter(provider_id__in=providers, state__in=INCIDENT_VISIBLE_STATES)


#: How long after the body closed a call-off its accepting provider still sees the body's readiness profile.
PROFILE_AFTER_CLOSE = timedelta(days=14)


def profile_window_open(calloff: CallOff, *, now=None) -> bool:
    """Whether the call-off's state still hands the body's readiness profile to its accepting provider."""
    if calloff.provider_id is None or calloff.accepted_at is None:
        return False
    if calloff.state in WORK_STATES:
        return True
    now = now or timezone.now()
    return (
        calloff.state == CallOffState.CLOSED
        and calloff.closed_at is not None
        and (now - calloff.closed_at <= PROFILE_AFTER_CLOSE)
    )


def provider_sees_profile(user, calloff: CallOff, *, now=None) -> bool:
    """Need to know: ``user`` belongs to the provider that accepted ``calloff``, and the window is open."""
    return calloff.provider_id in provider_ids_of(user) and profile_window_open(calloff, now=now)


def calloffs_with_profile_for(user, *, now=None) -> QuerySet[CallOff]:
    """The call-offs through which ``user``'s provider sees the body's readiness profile (the same rule)."""
    providers = provider_ids_of(user)
    if not providers:
        return CallOff.objects.none()
    now = now or timezone.now()
    return CallOff.objects.filter(provider_id__in=providers, accepted_at__isnull=False).filter(
        Q(state__in=WORK_STATES) | Q(state=CallOffState.CLOSED, closed_at__gte=now - PROFILE_AFTER_CLOSE)
    )


def _sees_all(user, incident) -> bool:
    return is_ministry(user) or incident.organisation_id in roles_of(user)


class CallOffAudience:
    """incidents.visibility.Audience for the staff of providers."""

    def incident_ids(self, user) -> QuerySet:
        return engaged_calloffs(user).values("incident_id")

    def outside_view(self, user, incident) -> OutsideView | None:
        if _sees_all(user, incident):
            return None
        mine = list(
            engaged_calloffs(user).filter(incident_id=incident.pk).values_list("public_id", "state", "completed_at")
        )
        if not mine:
            return None
        ends = [completed_at for _id, state, completed_at in mine if state not in ENGAGED_STATES and completed_at]
        return OutsideView(
            scopes=frozenset(f"calloff:{public_id}" for public_id, _state, _at in mine),
            engaged=any(state in ENGAGED_STATES for _id, state, _at in mine),
            until=max(ends) if ends else None,
        )

    def engagements(self, user, incident) -> list[Engagement]:
        calloffs = CallOff.objects.filter(incident_id=incident.pk)
        if not _sees_all(user, incident):
            calloffs = calloffs.filter(pk__in=engaged_calloffs(user).values("pk"))
        return [
            Engagement(
                label=calloff.number,
                state=calloff.get_state_display(),
                party=calloff.provider.short_name if calloff.provider else "",
                party_full=calloff.provider.legal_name if calloff.provider else "",
                url=reverse("calloffs:detail", kwargs={"public_id": calloff.public_id}),
            )
            for calloff in calloffs.select_related("provider").order_by("-submitted_at", "-id")
        ]


AUDIENCE = CallOffAudience()
