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
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from incidents.visibility import Engagement, OutsideView
from tenants.selectors import roles_of

from .models import ENGAGED_STATES, CallOff, CallOffState
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
