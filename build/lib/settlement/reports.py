"""Where the money of a contract stands, in four stages (net, EUR), for the monthly report and the
ministry's dashboard (registered with calloffs in ``SettlementConfig.ready``):

* committed: the estimated value of the call-offs filed and not cancelled, drills left out (per module),
  each as it stood at the moment (a later change of scope does not rewrite a past month);
* confirmed: statements the body confirmed (and those approved since);
* approved: statements the ministry approved (consumed in the ceiling);
* invoiced: the part of approved statements whose invoice is issued (the provider fetched the
  generated XRechnung or uploaded its own).

Credit notes count against the stages of the statement they cancel. Each stage is cumulative up to
a moment (the end of the report month; now on the dashboard). Amounts per provider, service module
(of the time entry; "without module" otherwise) and body come from the priced lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from calloffs.documents.monthly_report import ReportSection
from calloffs.models import CallOff, CallOffService, CallOffState, FrameworkContract, ServiceModule
from calloffs.selectors import estimates_as_of

from .models import Invoice, StatementKind, StatementLine, StatementState

ZERO = Decimal("0.00")
STAGES = ("committed", "confirmed", "approved", "invoiced")


def stage_labels() -> dict[str, str]:
    return {
        # Not "Gebunden": in the ceiling that is the estimate less what is consumed (calloffs.selectors).
        "committed": _("Abgerufen (geschätzt)"),
        "confirmed": _("Bestätigt"),
        "approved": _("Freigegeben"),
        "invoiced": _("In Rechnung gestellt"),
    }


@dataclass
class StageRow:
    label: str
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(STAGES, ZERO))

    def cells(self) -> list:
        return [self.label, *(self.amounts[stage] for stage in STAGES)]


@dataclass
class StageReport:
    total: StageRow
    by_provider: list[StageRow]
    by_module: list[StageRow]
    by_body: list[StageRow]


def _before(moment, until) -> bool:
    return moment is not None and (until is None or moment < until)


def stage_report(contract: FrameworkContract, *, until: datetime | None = None) -> StageReport:
    """The four stages up to ``until`` (exclusive; None: now), in total and per provider, module, body."""
    groups: dict[str, dict[str, StageRow]] = {"provider": {}, "module": {}, "body": {}}
    total = StageRow(_("Gesamt"))
    without_module = _("ohne Leistungsmodul")
    unassigned = _("noch nicht vergeben")

    def add(stage: str, amount: Decimal, *, provider: str, module: str, body: str) -> None:
        total.amounts[stage] += amount
        for kind, key in (("provider", provider), ("module", module), ("body", body)):
            groups[kind].setdefault(key, StageRow(key)).amounts[stage] += amount

    calloffs = CallOff.objects.filter(contract=contract, is_drill=False).exclude(state=CallOffState.CANCELLED)
    if until is not None:
        calloffs = calloffs.filter(submitted_at__lt=until)
    services = CallOffService.objects.filter(calloff__in=calloffs.values("pk")).select_related(
        "service_module", "calloff__provider", "calloff__organisation"
    )
    # Each call-off's services as they stood at ``until``: a change of scope since then is not dated back.
    earlier = estimates_as_of(list(calloffs.values_list("pk", flat=True)), until) if until is not None else {}
    modules = {m.code: m for m in ServiceModule.objects.filter(contract=contract)} if earlier else {}
    for service in services:
        calloff = service.calloff
        if calloff.pk in earlier:
            continue  # below, with its lines as they stood then
        add(
            "committed",
            service.value,
            provider=calloff.provider.legal_name if calloff.provider_id else unassigned,
            module=f"{service.service_module.code} – {service.service_module.name}",
            body=calloff.organisation.name,
        )
    for calloff in calloffs.filter(pk__in=earlier).select_related("provider", "organisation"):
        for code, value in earlier[calloff.pk].by_module.items():
            module = modules.get(code)
            add(
                "committed",
                value,
                provider=calloff.provider.legal_name if calloff.provider_id else unassigned,
                module=f"{module.code} – {module.name}" if module else code,
                body=calloff.organisation.name,
            )

    issued = defaultdict(set)
    invoices = Invoice.objects.filter(statement__calloff__in=CallOff.objects.filter(contract=contract).values("pk"))
    for statement_id, payer, issued_at in invoices.values_list("statement_id", "payer", "issued_at"):
        if _before(issued_at, until):
            issued[statement_id].add(payer)
    lines = StatementLine.objects.filter(
        statement__calloff__in=CallOff.objects.filter(contract=contract).values("pk")
    ).select_related(
        "statement__provider",
        "statement__calloff__organisation",
        "statement__corrects",
        "item__time_entry__service_module",
    )
    for line in lines:
        statement = line.statement
        credit = statement.kind == StatementKind.CREDIT_NOTE
        sign = -1 if credit else 1
        module = line.item.time_entry.service_module if line.item_id else None
        where = {
            "provider": statement.provider.legal_name,
            "module": f"{module.code} – {module.name}" if module else without_module,
            "body": statement.calloff.organisation.name,
        }
        approved = statement.state == StatementState.APPROVED and _before(statement.approved_at, until)
        confirmed = _before(statement.confirmed_at, until)
        if confirmed:
            add("confirmed", sign * line.amount, **where)
        if approved:
            add("approved", sign * line.amount, **where)
        if line.payer in issued.get(statement.pk, ()):
            add("invoiced", sign * line.amount, **where)

    def ordered(kind: str) -> list[StageRow]:
        return sorted(groups[kind].values(), key=lambda row: row.label.casefold())

    return StageReport(
        total=total, by_provider=ordered("provider"), by_module=ordered("module"), by_body=ordered("body")
    )


def ceiling_stages(contract: FrameworkContract) -> list[tuple[str, str, Decimal]]:
    """For the ceiling on the dashboard (calloffs.selectors.register_ceiling_stages): the stages
    after "committed", which calloffs shows itself."""
    report = stage_report(contract)
    labels = stage_labels()
    return [(stage, labels[stage], report.total.amounts[stage]) for stage in STAGES[1:]]


def report_sections(contract: FrameworkContract, start: datetime, end: datetime) -> list[ReportSection]:
    """For the monthly report (calloffs.documents.monthly_report.register_report_section)."""
    report = stage_report(contract, until=end)
    labels = stage_labels()
    note = _(
        "Netto, kumuliert bis Monatsende. Abgerufen (geschätzt): geschätzter Wert der gestellten, nicht "
        "stornierten Abrufe; "
        "bestätigt: von der Stelle bestätigte Leistungsnachweise; freigegeben: vom Ministerium freigegeben "
        "(verbraucht); in Rechnung gestellt: ausgestellte XRechnungen. Gutschriften sind abgezogen."
    )
    sections = []
    for title, first, rows in (
        (_("Abrechnung je Dienstleister"), _("Dienstleister"), report.by_provider),
        (_("Abrechnung je Leistungsmodul"), _("Leistungsmodul"), report.by_module),
        (_("Abrechnung je Stelle"), _("Stelle"), report.by_body),
    ):
        sections.append(
            ReportSection(
                title=title,
                columns=[first, *(labels[stage] for stage in STAGES)],
                rows=[row.cells() for row in [*rows, report.total]],
                note=note if rows is report.by_body else "",
                total=True,
            )
        )
    return sections
