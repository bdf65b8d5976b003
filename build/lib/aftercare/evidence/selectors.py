"""Reads of the evidence, always scoped to the user: the body's members and the engaged provider
(the one that uploaded; only it can), nobody else (not the ministry)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from calloffs.permissions import is_active_user
from calloffs.visibility import engaged_calloffs
from tenants.selectors import roles_of

from .models import FindingEvidence


def evidence_q(user) -> Q:
    if not is_active_user(user):
        return Q(pk__in=[])
    return Q(organisation_id__in=list(roles_of(user))) | Q(calloff_id__in=engaged_calloffs(user).values("pk"))


def evidence_visible_to(user) -> QuerySet[FindingEvidence]:
    return FindingEvidence.objects.visible_to(user)


def sees_evidence(user, finding) -> bool:
    """Whether ``user`` may see the evidence of ``finding`` at all (the page shows the section)."""
    if not is_active_user(user):
        return False
    if finding.organisation_id in roles_of(user):
        return True
    return engaged_calloffs(user).filter(pk=finding.calloff_id).exists()


def evidence_by_finding(user, findings) -> dict[int, list[FindingEvidence]]:
    """The evidence ``user`` sees, per finding id (one query)."""
    rows = evidence_visible_to(user).filter(finding__in=[f.pk for f in findings]).order_by("created_at", "id")
    grouped: dict[int, list[FindingEvidence]] = {}
    for row in rows:
        grouped.setdefault(row.finding_id, []).append(row)
    return grouped
