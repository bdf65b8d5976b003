"""The final report (Abschlussbericht) of a whole incident, as PDF: every engagement of the incident
in one document, for those who may see the whole incident (the body's members and the ministry).

An incident can have several call-offs (a second provider, a follow-up call-off: each filing of the
body attaches to its open incident); each engagement keeps its own report for its provider
(aftercare.report_document, need-to-know: a provider never sees another provider's findings or
hours). This report is the incident's own document (calloffs' document machinery, kind
``incident_report``: versions, SHA-256, verification page, rendered by the worker; no webhook to any
provider) and shows: the summary, the whole timeline with the root causes marked, the root causes,
per engagement its findings with severity, its measures with their state, its hours by role and the
lessons learned, the reporting obligations and when they were met. The NIS-2 final report draft is
prefilled from the same data (aftercare.nis2).

Like the engagement's report it holds no indicator values (their TLP decides who sees them) and no
names of the body's people (roles instead), with one exception: the reconnection gate's history
names who opened and closed it (with the role), as the measures page and the ministry's major-incident
page show its readers; a provider, who sees roles only, never receives this report.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from calloffs.documents.common import verification_context
from calloffs.documents.proof_of_work import RoleTotal
from calloffs.documents.render import pdf_locale, render_pdf
from calloffs.models import CallOff, CallOffDocument
from calloffs.selectors import active_contract
from calloffs.visibility import INCIDENT_VISIBLE_STATES, timeline_scope
from incidents.models import Incident
from incidents.selectors import timeline_for

from .report_document import engagement_data, incident_data, mark_root_causes, severity_counts


def incident_engagements(incident: Incident):
    """The incident's engagements (call-offs accepted by a provider), the first accepted first."""
    return (
        CallOff.objects.filter(incident_id=incident.pk, state__in=INCIDENT_VISIBLE_STATES, provider__isnull=False)
        .select_related("organisation", "provider", "contract", "incident")
        .order_by("accepted_at", "id")
    )


def _roles_of_all(engagements: list[dict]) -> list[RoleTotal]:
    """The hours by role over every engagement (a role of the contract is the same for each provider)."""
    roles: OrderedDict[str, RoleTotal] = OrderedDict()
    for engagement in engagements:
        for role in engagement["roles"]:
            total = roles.setdefault(role.name, RoleTotal(name=role.name, hourly_rate=role.hourly_rate))
            total.hours += role.hours
            total.value += role.value
    return sorted(roles.values(), key=lambda r: r.name)


def incident_timeline(incident: Incident, engagements: list[dict], root_causes: list) -> list:
    """The whole timeline (the body and the ministry read it all), each engagement's entries labelled
    with its call-off number, the root causes marked."""
    numbers = {timeline_scope(e["calloff"]): e["calloff"].number for e in engagements}
    entries = list(timeline_for(incident, None).order_by("at", "id"))
    for entry in entries:
        entry.engagement = numbers.get(entry.scope, "")
    return mark_root_causes(entries, root_causes)


def incident_report_data(incident: Incident, *, now: datetime | None = None) -> dict:
    """Everything the incident's report shows (also the basis of the NIS-2 final report draft)."""
    now = now or timezone.now()
    engagements = [engagement_data(calloff, now=now) for calloff in incident_engagements(incident)]
    findings = [f for e in engagements for f in e["findings"]]
    root_causes = [f for e in engagements for f in e["root_causes"]]
    return {
        # Its readers (the body's members, the ministry) see on the portal who opened and closed the gate.
        **incident_data(incident, now=now, names=True),
        "contract": engagements[0]["calloff"].contract if engagements else active_contract(),
        "engagements": engagements,
        "findings": findings,
        "root_causes": root_causes,
        "severity_counts": severity_counts(Counter(f.severity for f in findings)),
        "measures": [m for e in engagements for m in e["measures"]],
        "indicator_count": sum(e["indicator_count"] for e in engagements),
        "roles": _roles_of_all(engagements),
        "total_hours": sum((e["total_hours"] for e in engagements), Decimal("0.00")),
        "timeline": incident_timeline(incident, engagements, root_causes),
    }


def incident_report_context(document: CallOffDocument) -> dict:
    incident = Incident.objects.select_related("organisation", "major_incident").get(pk=document.incident_id)
    return {**verification_context(document), **incident_report_data(incident)}


def render_incident_report(document: CallOffDocument) -> bytes:
    with pdf_locale():
        return render_pdf("pdf/incident_report.html", incident_report_context(document))
