"""The body's NIS-2 final report (Art. 23 (4) d NIS-2 / § 32 BSIG: one month after the incident
notification), prefilled from the incident's final report (aftercare.incident_report: every
engagement) as a draft the body edits and then submits itself through the authority's form (the
portal does not submit; the obligation is marked done on the incident page with the authority's
reference).

The draft holds what the final report requires: a detailed description of the incident with its
severity and impact, the kind of threat or root cause, the mitigation measures taken and ongoing,
cross-border impact (for the body to fill in), plus the earlier reports with their references, the
provider's support and the lessons learned of both sides.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from incidents.models import ObligationKind, ReportingObligation

from .incident_report import incident_report_data
from .models import Nis2FinalReportDraft


def final_report_obligation(incident) -> ReportingObligation | None:
    return ReportingObligation.objects.filter(incident=incident, kind=ObligationKind.NIS2_FINAL_REPORT).first()


def prefilled_text(incident) -> str:
    """The draft from the incident's final report as the recorded data give it now (every engagement
    of the incident: the body sees all)."""
    data = incident_report_data(incident)
    obligations = [row for row in data["obligations"] if row.kind != ObligationKind.NIS2_FINAL_REPORT]
    text = render_to_string(
        "aftercare/nis2_final_report.txt",
        {
            **data,
            "organisation": incident.organisation,
            "obligation": final_report_obligation(incident),
            "obligations": obligations,
            "now": data["generated_at"],
        },
    )
    return "\n".join(line.rstrip() for line in text.strip().splitlines()) + "\n"


def current_text(incident) -> tuple[str, Nis2FinalReportDraft | None]:
    """The body's saved draft if there is one, else the prefilled text."""
    draft = Nis2FinalReportDraft.objects.filter(incident=incident).select_related("updated_by").first()
    return (draft.text if draft else prefilled_text(incident)), draft
