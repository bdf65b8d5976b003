"""The final report (Abschlussbericht) of one engagement in an incident, as PDF.

Rendered by calloffs' document machinery (registered in AftercareConfig.ready for the document kind
``final_report``): the worker calls :func:`render_final_report` with the document row and the PDF
shows the data as it is then: summary, timeline (with the root cause), root cause, findings with
severity (CVSS where given), measures with their state, the reporting obligations and when they were
met, the provider's hours by role, and the lessons learned of both sides.

Need-to-know: the PDF is read by the body, the accepting provider and the ministry, so it holds only
what all three may see: the call-off's own findings and hours, the timeline's general entries and
those of this engagement (not the body's internal ones, not another provider's), no indicator values
(their TLP decides who sees them; the STIX/MISP exports carry them), and no names of the body's people
(who is responsible, who accepted a risk, who opened or closed the reconnection gate): roles instead,
as the provider's portal pages and API show them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from calloffs.documents.common import verification_context
from calloffs.documents.proof_of_work import proof_of_work_data
from calloffs.documents.render import pdf_locale, render_pdf
from calloffs.models import CallOff, CallOffDocument
from calloffs.visibility import timeline_scope
from incidents.models import ReportingObligation
from incidents.selectors import timeline_for
from incidents.visibility import OutsideView

from .models import SEVERITY_ORDER, Finding, Indicator, Measure, MeasureState, OwnerKind, ReportNotes, Severity
from .remediation import wording
from .remediation.selectors import gate_periods, gate_state


@dataclass(frozen=True)
class ObligationRow:
    kind: str
    label: str
    recipient: str
    due_at: datetime
    done_at: datetime | None
    reference: str
    waived_reason: str
    state: str  # "on_time", "late", "waived", "overdue", "open"


def obligation_rows(incident, *, now: datetime) -> list[ObligationRow]:
    rows = []
    for obligation in ReportingObligation.objects.filter(incident=incident).order_by("due_at", "id"):
        if obligation.waived_at:
            state = "waived"
        elif obligation.done_at:
            state = "on_time" if obligation.done_at <= obligation.due_at else "late"
        else:
            state = "overdue" if obligation.due_at < now else "open"
        rows.append(
            ObligationRow(
                kind=obligation.kind,
                label=obligation.get_kind_display(),
                recipient=obligation.recipient,
                due_at=obligation.due_at,
                done_at=obligation.done_at,
                reference=obligation.reference,
                waived_reason=obligation.waived_reason,
                state=state,
            )
        )
    return rows


def report_findings(calloff: CallOff) -> list[Finding]:
    """The call-off's findings: the root causes first, then by severity, then as recorded."""
    return sorted(
        Finding.objects.filter(calloff=calloff),
        key=lambda f: (not f.root_cause, SEVERITY_ORDER.index(f.severity), f.created_at, f.pk),
    )


def mark_root_causes(entries: list, root_causes: list[Finding]) -> list:
    """Mark the timeline entries that recorded a root cause (aftercare.services._root_cause_entry) by
    the findings' reference to them, so a renamed finding keeps its mark and no other entry mentioning
    the title gets one."""
    marked = {finding.root_cause_entry_id for finding in root_causes} - {None}
    for entry in entries:
        entry.is_root_cause = entry.pk in marked
    return entries


def report_timeline(calloff: CallOff, root_causes: list[Finding]):
    """The incident's timeline as the accepting provider sees it (general entries and those of this
    engagement), so the PDF shows nothing its readers may not see; root causes marked."""
    view = OutsideView(scopes=frozenset({timeline_scope(calloff)}), engaged=True)
    return mark_root_causes(list(timeline_for(calloff.incident, view).order_by("at", "id")), root_causes)


@dataclass(frozen=True)
class MeasureRow:
    title: str
    description: str
    finding_title: str
    owner: str
    due_date: date
    state: str
    state_label: str
    note: str
    overdue: bool
    required_for_reconnection: bool


def _owner(measure: Measure) -> str:
    """Who is responsible, as a role: the report goes to the provider too, who does not learn the names
    of the body's people (as in the portal and the API)."""
    if measure.owner_kind == OwnerKind.PROVIDER:
        return measure.get_owner_kind_display()
    return _("Stelle (zugewiesen)") if measure.owner_id else _("Stelle (noch niemand zugewiesen)")


def _measure_note(measure: Measure) -> str:
    """When and by which party the state was reached (verified, risk accepted, done): roles, not names
    (only the body's admins accept a risk; the second check is the other party's: the engaged provider
    confirms the body's work, a body admin what the provider carried out)."""
    if measure.state == MeasureState.VERIFIED and measure.verified_at:
        at = date_format(timezone.localtime(measure.verified_at), "d.m.Y")
        if measure.verified_by_body:
            text = _("bestätigt am {at} von der Stelle (Verwaltung)").format(at=at)
        else:
            text = _("bestätigt am {at} vom Dienstleister").format(at=at)
        return f"{text}: {measure.verify_note}" if measure.verify_note else text
    if measure.state == MeasureState.ACCEPTED_RISK and measure.risk_accepted_at:
        return _("akzeptiert am {at} von der Stelle (Verwaltung): {reason}").format(
            at=date_format(timezone.localtime(measure.risk_accepted_at), "d.m.Y"), reason=measure.risk_reason
        )
    if measure.state == MeasureState.DONE and measure.done_at:
        return _("umgesetzt am {at}").format(at=date_format(timezone.localtime(measure.done_at), "d.m.Y"))
    return ""


def report_measures(calloff: CallOff, *, today: date) -> list[MeasureRow]:
    """The measures of the call-off's findings with their state, due date first."""
    measures = (
        Measure.objects.filter(calloff=calloff).select_related("finding").order_by("due_date", "created_at", "id")
    )
    return [
        MeasureRow(
            title=measure.title,
            description=measure.description,
            finding_title=measure.finding.title,
            owner=_owner(measure),
            due_date=measure.due_date,
            state=measure.state,
            state_label=measure.get_state_display(),
            note=_measure_note(measure),
            overdue=measure.is_overdue(today),
            required_for_reconnection=measure.required_for_reconnection,
        )
        for measure in measures
    ]


def engagement_data(calloff: CallOff, *, now: datetime) -> dict:
    """One engagement's part of a report: its provider's findings, the measures of those findings, its
    indicators (count), the provider's hours by role and both sides' lessons learned. A building block
    of the engagement's report and of the incident's (one per engagement)."""
    findings = report_findings(calloff)
    counts = Counter(f.severity for f in findings)
    notes = ReportNotes.objects.filter(calloff=calloff).first()
    hours = proof_of_work_data(calloff)
    return {
        "calloff": calloff,
        "provider": calloff.provider,
        "findings": findings,
        "root_causes": [f for f in findings if f.root_cause],
        "severity_counts": severity_counts(counts),
        "measures": report_measures(calloff, today=timezone.localdate(now)),
        "indicator_count": Indicator.objects.filter(calloff=calloff).count(),
        "roles": hours["roles"],
        "total_hours": hours["total_hours"],
        "entry_count": hours["entry_count"],
        "confirmed_count": hours["confirmed_count"],
        "lessons_provider": notes.lessons_provider if notes else "",
        "lessons_body": notes.lessons_body if notes else "",
    }


def severity_counts(counts: Counter) -> list[tuple[str, int]]:
    """(label, count) per severity, the most severe first, only those that occur."""
    return [(Severity(s).label, counts[s]) for s in SEVERITY_ORDER if counts[s]]


def incident_data(incident, *, now: datetime, names: bool = False) -> dict:
    """What every report of the incident shows about the incident itself: the body, the reporting
    obligations and when they were met, the reconnection gate with its history (who opened and closed
    it as a role; with ``names`` also the person, for a report only the body and the ministry read)."""
    gate = gate_state(incident)
    return {
        "incident": incident,
        "drill": incident.is_drill,  # the ÜBUNG mark on every page (pdf/base.html)
        "body": incident.organisation,
        "gate": gate,
        "gate_periods": gate_periods(gate.history, names=names, oldest_first=True),
        "gate_waiting": wording.gate_waiting(gate),
        "gate_ready": wording.gate_ready(gate),
        "obligations": obligation_rows(incident, now=now),
        "generated_at": now,
    }


def final_report_data(calloff: CallOff, *, now: datetime | None = None) -> dict:
    """Everything the engagement's report shows: the incident's part, the engagement's part and the
    timeline as its provider sees it."""
    now = now or timezone.now()
    engagement = engagement_data(calloff, now=now)
    return {
        **incident_data(calloff.incident, now=now),
        **engagement,
        "body": calloff.organisation,
        "contract": calloff.contract,
        "timeline": report_timeline(calloff, engagement["root_causes"]),
    }


def final_report_context(document: CallOffDocument) -> dict:
    calloff = CallOff.objects.select_related("contract", "organisation", "provider", "incident").get(
        pk=document.calloff_id
    )
    if calloff.provider is None:
        raise ValueError(f"call-off {calloff.number} has no provider; there is no final report to render")
    return {**verification_context(document), **final_report_data(calloff)}


def render_final_report(document: CallOffDocument) -> bytes:
    with pdf_locale():
        return render_pdf("pdf/final_report.html", final_report_context(document))
