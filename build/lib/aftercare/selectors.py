"""Reads of the aftercare app, always scoped to the user.

Who sees what:
- the body's members (every role) and the ministry: all findings and indicators of the body's
  call-offs (the ministry not the TLP:RED indicators, which stay with the incident's parties, nor
  the TLP:AMBER+STRICT ones, which stay within the body's organisation);
- the accepting provider's staff: those of its own call-offs while it is engaged
  (calloffs.visibility.engaged_calloffs: accepted, in progress, completed, closed);
- a provider that was only offered the call-off, another provider, another body: nothing (404).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from calloffs.permissions import is_active_user, is_ministry
from calloffs.visibility import engaged_calloffs
from tenants.selectors import roles_of

from .models import NOT_ACROSS_BODIES, PARTIES_ONLY, Finding, Indicator, IndicatorValue


def scope_q(user) -> Q | None:
    """The rows of both models ``user`` may see, as a filter on their own columns; None: all; Q(pk__in=[]): none."""
    if not is_active_user(user):
        return Q(pk__in=[])
    if is_ministry(user):
        return None
    return Q(organisation_id__in=list(roles_of(user))) | Q(calloff_id__in=engaged_calloffs(user).values("pk"))


def is_party(user, incident) -> bool:
    """The incident's parties: the body's members and the engaged provider (not the ministry as such)."""
    if not is_active_user(user):
        return False
    if incident.organisation_id in roles_of(user):
        return True
    return engaged_calloffs(user).filter(incident_id=incident.pk).exists()


def findings_visible_to(user) -> QuerySet[Finding]:
    return Finding.objects.visible_to(user)


def indicators_visible_to(user) -> QuerySet[Indicator]:
    return Indicator.objects.visible_to(user)


def engaged_calloff_for(user, public_id):
    """The call-off with this id if ``user``'s provider is engaged in it (writes, the provider API); else 404."""
    calloff = (
        engaged_calloffs(user)
        .select_related("organisation", "incident", "provider")
        .filter(public_id=public_id)
        .first()
    )
    if calloff is None:
        raise Http404
    return calloff


def incident_findings(user, incident) -> QuerySet[Finding]:
    return findings_visible_to(user).filter(incident_id=incident.pk).select_related("created_by")


def incident_indicators(user, incident) -> QuerySet[Indicator]:
    return indicators_visible_to(user).filter(incident_id=incident.pk)


def _hidden_count(user, incident, levels) -> int:
    if is_party(user, incident) or not is_ministry(user):
        return 0
    return Indicator.objects.filter(incident_id=incident.pk, tlp__in=levels).count()


def hidden_red_count(user, incident) -> int:
    """How many TLP:RED indicators of the incident ``user`` does not see (the ministry's note)."""
    return _hidden_count(user, incident, PARTIES_ONLY)


def hidden_strict_count(user, incident) -> int:
    """How many TLP:AMBER+STRICT indicators of the incident ``user`` does not see (the ministry's note:
    AMBER+STRICT stays within the body's organisation, which the ministry is not)."""
    return _hidden_count(user, incident, [t for t in NOT_ACROSS_BODIES if t not in PARTIES_ONLY])


def exportable(user, indicators: QuerySet[Indicator], *, across_bodies: bool) -> QuerySet[Indicator]:
    """What may go into a file: an export across bodies (ministry-wide, a major incident), or one the
    ministry takes away, never holds TLP:RED (stays with the incident's parties) nor TLP:AMBER+STRICT
    (stays within the recipient organisation)."""
    if across_bodies or is_ministry(user):
        indicators = indicators.exclude(tlp__in=NOT_ACROSS_BODIES)
    return indicators.order_by("kind", "value", "id")


def matched_values():
    """Indicator values seen at more than one body, with the number of bodies (the ministry's list)."""
    return (
        IndicatorValue.objects.annotate(bodies=Count("sightings"))
        .filter(bodies__gt=1)
        .order_by("-bodies", "kind", "value")
    )
