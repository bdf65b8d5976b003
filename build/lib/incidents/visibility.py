"""Who outside the body sees an incident, and how much of it.

Incidents know bodies and the ministry. Parties outside the body (a provider's staff, engaged
through a call-off) are known only to the apps above us: they register an ``Audience`` here at
app-ready time (``calloffs`` does, in its AppConfig.ready), and incidents asks them. So incidents
never imports those apps nor queries their tables, and the rule of who sees what lives in one
place, with the app that knows the engagement.

An outside party sees an incident only while it is engaged in it; what it sees of the incident is
narrowed by ``OutsideView``: the timeline entries without a scope (the body's own notes and
general entries) plus those of its own engagements, and the attachments the body shared. Once its
engagements have all ended (``until``), nothing new reaches it: only the general entries recorded
and the attachments shared by then (``incidents.selectors.timeline_for`` / ``attachments_for``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.db.models import QuerySet

from tenants.selectors import roles_of

#: Scope of a timeline entry only the body and the ministry see (e.g. an upload not shared).
INTERNAL = "internal"


@dataclass(frozen=True)
class Engagement:
    """One engagement of an outside party in the incident, as the incident page lists it."""

    label: str  # e.g. "A-2026-00012"
    state: str  # human-readable state
    party: str  # the engaged party's short name, or ""
    party_full: str = ""  # its full (legal) name
    url: str = ""


@dataclass(frozen=True)
class OutsideView:
    """What one outside party may see of one incident.

    ``engaged``: it is engaged right now, so it sees whatever the body shares (also later).
    Otherwise ``until`` is the moment its last engagement ended: it keeps what was recorded and shared
    up to then and sees nothing new; without ``until`` it sees nothing shared at all.
    """

    scopes: frozenset[str] = field(default_factory=frozenset)  # timeline scopes of its own engagements
    engaged: bool = False
    until: datetime | None = None


class Audience(Protocol):
    def incident_ids(self, user) -> QuerySet:
        """Ids (a ``values("incident_id")``-style queryset) of the incidents ``user`` sees as an outside party."""

    def outside_view(self, user, incident) -> OutsideView | None:
        """What ``user`` sees of ``incident`` as an outside party; None if it is not engaged in it."""

    def engagements(self, user, incident) -> list[Engagement]:
        """The engagements in ``incident`` that ``user`` may see (all for the body and the ministry,
        only its own for an outside party)."""


_audiences: list[Audience] = []


def register(audience: Audience) -> None:
    """Called from an app's ``ready()``; registering the same object twice has no effect."""
    if audience not in _audiences:
        _audiences.append(audience)


def audiences() -> tuple[Audience, ...]:
    return tuple(_audiences)


def outside_incident_ids(user) -> list[QuerySet]:
    return [audience.incident_ids(user) for audience in _audiences]


def outside_view(user, incident) -> OutsideView | None:
    """None for the body's members and the ministry, who see it all; for anyone else the narrowed
    view (the scopes its audiences grant, none if no audience knows it)."""
    if getattr(user, "is_ministry_staff", False) or incident.organisation_id in roles_of(user):
        return None
    views = [view for audience in _audiences if (view := audience.outside_view(user, incident)) is not None]
    ends = [view.until for view in views if view.until is not None]
    return OutsideView(
        scopes=frozenset().union(*(view.scopes for view in views)),
        engaged=any(view.engaged for view in views),
        until=max(ends) if ends else None,
    )


def engagements(user, incident) -> list[Engagement]:
    return [item for audience in _audiences for item in audience.engagements(user, incident)]
