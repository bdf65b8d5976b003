"""The monthly contract report for the ministry (PDF and CSV from the same numbers).

* Call-offs filed in the month by kind of body and by Regierungsbezirk: count, P1, cancelled,
  estimated value (cancelled call-offs count as filed but commit no value).
* The ceiling (Höchstwert) with the dashboard's numbers (calloffs.selectors.CeilingStatus) as they
  stood at the end of the month (for the running month: as of now, the report says which): consumed
  (statements approved by then, net, minus credit notes), committed (estimate minus consumed per
  call-off filed by then and not cancelled by then, never below zero), remaining (ceiling minus
  both), and what was approved in the month itself.
* SLA compliance per provider: offers made in the month and how they ended; for the call-offs it
  accepted in the month, each SLA milestone (call-back, remote start, on site) that has a due time
  counts as met (reported by then), missed (reported late, or not reported and overdue) or open.

Drills (Übungen) are left out of every figure: they have a report of their own (calloffs.drills).

* Sections an app above calloffs registers (``register_report_section``; settlement: committed /
  confirmed / approved / invoiced per provider, module and body), in the PDF and the CSV alike.

All times are Europe/Berlin; the month is [first day 00:00, first day of next month 00:00).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.models import OrganisationKind, Regierungsbezirk

from ..models import (
    MILESTONE_FIELDS,
    CallOff,
    CallOffState,
    FrameworkContract,
    Milestone,
    Offer,
    OfferState,
    Priority,
    Provider,
)
from ..selectors import CeilingStatus, contract_ceiling_status, estimates_as_of, percent_of
from .render import PDF_TIME_ZONE, de_number, pdf_locale, render_pdf

ZERO = Decimal("0.00")
BERLIN = ZoneInfo(PDF_TIME_ZONE)


def parse_month(value: str | None, *, today: date | None = None) -> date:
    """'2026-11' → date(2026, 11, 1); None or '' → the current month. ValueError if malformed."""
    if not value:
        today = today or timezone.localdate()
        return today.replace(day=1)
    year, _sep, month = value.partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit() and len(month) in (1, 2)):
        raise ValueError(f"not a month: {value!r}")
    year_n, month_n = int(year), int(month)
    if not (2000 <= year_n <= 2100 and 1 <= month_n <= 12):
        raise ValueError(f"month out of range: {value!r}")
    return date(year_n, month_n, 1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(month, time.min, tzinfo=BERLIN),
        datetime.combine(next_month(month), time.min, tzinfo=BERLIN),
    )


@dataclass
class CountRow:
    key: str
    label: str
    count: int = 0
    p1: int = 0
    cancelled: int = 0
    value: Decimal = ZERO

    def add(self, calloff: CallOff, value: Decimal) -> None:
        """``value``: the call-off's estimate as it stood at the end of the month."""
        self.count += 1
        self.p1 += calloff.priority == Priority.P1
        if calloff.state == CallOffState.CANCELLED:
            self.cancelled += 1
        else:
            self.value += value


@dataclass
class CeilingRow:
    """The dashboard's ceiling figures at ``as_of`` (the end of the month, or now while it runs), and
    what was consumed (approved) within the month."""

    status: CeilingStatus
    consumed_month: Decimal
    as_of: datetime
    month_complete: bool

    @property
    def ceiling(self) -> Decimal:
        return self.status.ceiling

    @property
    def committed(self) -> Decimal:
        return self.status.committed

    @property
    def consumed(self) -> Decimal:
        return self.status.consumed

    @property
    def remaining(self) -> Decimal:
        return self.status.remaining

    @property
    def percent_committed(self) -> Decimal:
        return self.status.percent

    @property
    def percent_consumed(self) -> Decimal:
        return self.status.percent_consumed

    @property
    def as_of_label(self) -> str:
        """When the figures stood so, in words (the same in the PDF and the CSV)."""
        if self.month_complete:
            last_day = timezone.localtime(self.as_of, BERLIN).date() - timedelta(days=1)
            return _("Ende des Berichtsmonats ({date}, 24:00 Uhr)").format(date=f"{last_day:%d.%m.%Y}")
        moment = timezone.localtime(self.as_of, BERLIN)
        return _("{moment} Uhr (der Berichtsmonat läuft noch)").format(moment=f"{moment:%d.%m.%Y, %H:%M}")


@dataclass
class ProviderSLA:
    provider: Provider
    offers: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    assigned: int = 0
    met: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MILESTONE_FIELDS, 0))
    missed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MILESTONE_FIELDS, 0))
    open: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MILESTONE_FIELDS, 0))

    @property
    def met_total(self) -> int:
        return sum(self.met.values())

    @property
    def missed_total(self) -> int:
        return sum(self.missed.values())

    @property
    def compliance(self) -> Decimal | None:
        judged = self.met_total + self.missed_total
        return percent_of(Decimal(self.met_total), Decimal(judged)) if judged else None

    def milestone_cells(self) -> list[tuple[str, int, int, int]]:
        return [(m, self.met[m], self.missed[m], self.open[m]) for m in MILESTONE_FIELDS]


@dataclass(frozen=True)
class ReportSection:
    """A table a registered source adds to the report: ``rows`` of cells, the first cell is the row's
    label; cells are strings, or Decimal amounts (formatted as euros in the PDF, German decimals in
    the CSV). The last row is the total when ``total`` is set."""

    title: str
    columns: list[str]
    rows: list[list]
    note: str = ""
    total: bool = False


#: ``source(contract, month_start, month_end) -> list[ReportSection]`` (month_end exclusive, Berlin).
_SECTION_SOURCES: list = []


def register_report_section(source) -> None:
    if source not in _SECTION_SOURCES:
        _SECTION_SOURCES.append(source)


def report_sections(contract: FrameworkContract, month: date) -> list[ReportSection]:
    start, end = month_bounds(month)
    return [section for source in _SECTION_SOURCES for section in source(contract, start, end)]


@dataclass
class MonthlyReport:
    contract: FrameworkContract
    month: date
    generated_at: datetime
    by_kind: list[CountRow]
    by_region: list[CountRow]
    total: CountRow
    ceiling: CeilingRow
    sla: list[ProviderSLA]
    milestones: list[tuple[str, str]]
    sections: list[ReportSection] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return f"{self.month:%m/%Y}"


def _milestone_outcome(calloff: CallOff, milestone: str, now: datetime) -> str | None:
    due_field, done_field = MILESTONE_FIELDS[milestone]
    due_at, done_at = getattr(calloff, due_field), getattr(calloff, done_field)
    if due_at is None:
        return None
    if done_at is not None:
        return "met" if done_at <= due_at else "missed"
    if calloff.state == CallOffState.CANCELLED or due_at > now:
        return "open"
    return "missed"


def build_monthly_report(*, contract: FrameworkContract, month: date, now: datetime | None = None) -> MonthlyReport:
    now = now or timezone.now()
    start, end = month_bounds(month)
    filed = list(
        CallOff.objects.filter(contract=contract, submitted_at__gte=start, submitted_at__lt=end, is_drill=False)
        .select_related("organisation")
        .order_by("submitted_at")
    )
    kinds = {key: CountRow(key, str(label)) for key, label in OrganisationKind.choices}
    regions = {key: CountRow(key, str(label)) for key, label in Regierungsbezirk.choices}
    regions[""] = CountRow("", _("ohne Regierungsbezirk (Landesebene)"))
    total = CountRow("total", _("Gesamt"))
    # Estimates as they stood at the month's end: a change of scope later does not rewrite this month.
    earlier = estimates_as_of([calloff.pk for calloff in filed], end)
    for calloff in filed:
        body = calloff.organisation
        value = earlier[calloff.pk].value if calloff.pk in earlier else calloff.estimated_value
        kinds.setdefault(body.kind, CountRow(body.kind, body.get_kind_display())).add(calloff, value)
        region = regions.setdefault(body.regierungsbezirk, CountRow(body.regierungsbezirk, body.regierungsbezirk))
        region.add(calloff, value)
        total.add(calloff, value)

    # The dashboard's figures as they stood at the month's end (while the month runs: now).
    month_complete = end <= now
    status = contract_ceiling_status(contract, until=end)
    consumed_before = contract_ceiling_status(contract, until=start).consumed

    sla: dict[int, ProviderSLA] = {}
    offers = Offer.objects.filter(
        calloff__contract=contract, calloff__is_drill=False, offered_at__gte=start, offered_at__lt=end
    ).select_related("provider")
    for offer in offers:
        row = sla.setdefault(offer.provider_id, ProviderSLA(offer.provider))
        row.offers += 1
        row.accepted += offer.state == OfferState.ACCEPTED
        row.declined += offer.state == OfferState.DECLINED
        row.expired += offer.state == OfferState.EXPIRED
    assigned = CallOff.objects.filter(
        Q(contract=contract, accepted_at__gte=start, accepted_at__lt=end), provider__isnull=False, is_drill=False
    ).select_related("provider")
    for calloff in assigned:
        row = sla.setdefault(calloff.provider_id, ProviderSLA(calloff.provider))
        row.assigned += 1
        for milestone in MILESTONE_FIELDS:
            outcome = _milestone_outcome(calloff, milestone, now)
            if outcome is not None:
                getattr(row, outcome)[milestone] += 1

    return MonthlyReport(
        contract=contract,
        month=month,
        generated_at=now,
        by_kind=[row for row in kinds.values() if row.count],
        by_region=[row for row in regions.values() if row.count],
        total=total,
        ceiling=CeilingRow(
            status=status,
            consumed_month=status.consumed - consumed_before,
            as_of=end if month_complete else now,
            month_complete=month_complete,
        ),
        sla=sorted(sla.values(), key=lambda r: r.provider.short_name),
        milestones=[(m, str(Milestone(m).label)) for m in MILESTONE_FIELDS],
        sections=report_sections(contract, month),
    )


def render_monthly_report_pdf(*, contract: FrameworkContract, month: date) -> bytes:
    with pdf_locale():
        report = build_monthly_report(contract=contract, month=month)
        return render_pdf("pdf/monthly_report.html", {"report": report, "contract": contract})


def _pct(value: Decimal | None) -> str:
    return "" if value is None else de_number(value, 1)


def monthly_report_csv(*, contract: FrameworkContract, month: date) -> str:
    """The same numbers as the PDF; ';'-separated with German decimals (opens as is in a German
    spreadsheet), sections separated by an empty line, each with its own header row."""
    with pdf_locale():
        report = build_monthly_report(contract=contract, month=month)
        out = io.StringIO()
        w = csv.writer(out, delimiter=";", lineterminator="\r\n")
        w.writerow([_("Monatsbericht Rahmenvertrag"), contract.reference, contract.title])
        w.writerow([_("Berichtsmonat"), f"{month:%Y-%m}"])
        w.writerow([_("Erstellt am"), timezone.localtime(report.generated_at).strftime("%d.%m.%Y %H:%M")])
        for title, rows in (
            (_("Abrufe nach Art der Stelle"), report.by_kind),
            (_("Abrufe nach Regierungsbezirk"), report.by_region),
        ):
            w.writerow([])
            w.writerow([title])
            w.writerow([_("Gruppe"), _("Abrufe"), _("davon P1"), _("davon storniert"), _("Geschätzter Wert (EUR)")])
            for row in [*rows, report.total]:
                w.writerow([row.label, row.count, row.p1, row.cancelled, de_number(row.value, 2)])
        c = report.ceiling
        w.writerow([])
        w.writerow([_("Verbrauch gegen den Höchstwert")])
        w.writerow([_("Stand"), c.as_of_label])
        w.writerow([_("Kennzahl"), _("Betrag (EUR)"), _("Anteil am Höchstwert (%)")])
        w.writerow([_("Höchstwert"), de_number(c.ceiling, 2), ""])
        w.writerow(
            [_("Gebunden (Schätzung abzüglich Verbrauchtem)"), de_number(c.committed, 2), _pct(c.percent_committed)]
        )
        w.writerow(
            [_("Verbraucht (freigegebene Leistungsnachweise)"), de_number(c.consumed, 2), _pct(c.percent_consumed)]
        )
        w.writerow([_("Verbleibend"), de_number(c.remaining, 2), ""])
        w.writerow([_("Im Berichtsmonat freigegeben"), de_number(c.consumed_month, 2), ""])
        w.writerow([])
        w.writerow([_("SLA-Einhaltung je Dienstleister")])
        header = [_("Dienstleister"), _("Angebote"), _("angenommen"), _("abgelehnt"), _("ohne Antwort")]
        header.append(_("beauftragt"))
        for _key, label in report.milestones:
            header += [
                _("{milestone}: eingehalten").format(milestone=label),
                _("{milestone}: verfehlt").format(milestone=label),
                _("{milestone}: offen").format(milestone=label),
            ]
        w.writerow([*header, _("Einhaltung (%)")])
        for row in report.sla:
            cells = [row.provider.legal_name, row.offers, row.accepted, row.declined, row.expired, row.assigned]
            for _m, met, missed, open_ in row.milestone_cells():
                cells += [met, missed, open_]
            w.writerow([*cells, _pct(row.compliance)])
        for section in report.sections:
            w.writerow([])
            w.writerow([section.title])
            w.writerow(section.columns)
            for row in section.rows:
                w.writerow([de_number(cell, 2) if isinstance(cell, Decimal) else cell for cell in row])
        return "\ufeff" + out.getvalue()
