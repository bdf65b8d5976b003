"""The proof-of-work sheet (Leistungsnachweis) of a call-off: hours per day and role, priced at
the contract's hourly rates, with totals per day, per role and overall; the basis of invoicing."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from ..models import CallOff, CallOffDocument, TimeEntry
from .common import verification_context
from .render import pdf_locale, render_pdf

ZERO = Decimal("0.00")


@dataclass
class Day:
    date: date
    entries: list[TimeEntry] = field(default_factory=list)
    hours: Decimal = ZERO
    value: Decimal = ZERO


@dataclass
class RoleTotal:
    name: str
    hourly_rate: Decimal
    hours: Decimal = ZERO
    value: Decimal = ZERO


def proof_of_work_data(calloff: CallOff) -> dict:
    entries = list(
        TimeEntry.objects.filter(calloff=calloff)
        .select_related("role", "service_module", "confirmed_by")
        .order_by("date", "role__name", "id")
    )
    days: OrderedDict[date, Day] = OrderedDict()
    roles: dict[int, RoleTotal] = {}
    for entry in entries:
        day = days.setdefault(entry.date, Day(date=entry.date))
        day.entries.append(entry)
        day.hours += entry.hours
        day.value += entry.value
        role = roles.setdefault(entry.role_id, RoleTotal(name=entry.role.name, hourly_rate=entry.role.hourly_rate))
        role.hours += entry.hours
        role.value += entry.value
    confirmed = [e for e in entries if e.confirmed_at]
    return {
        "days": list(days.values()),
        "roles": sorted(roles.values(), key=lambda r: r.name),
        "total_hours": sum((e.hours for e in entries), ZERO),
        "total_value": sum((e.value for e in entries), ZERO),
        "confirmed_value": sum((e.value for e in confirmed), ZERO),
        "entry_count": len(entries),
        "confirmed_count": len(confirmed),
    }


def proof_of_work_context(document: CallOffDocument) -> dict:
    calloff = CallOff.objects.select_related("contract", "organisation", "provider").get(pk=document.calloff_id)
    return {
        **verification_context(document),
        **proof_of_work_data(calloff),
        "calloff": calloff,
        "contract": calloff.contract,
        "body": calloff.organisation,
        "provider": calloff.provider,
        "generated_at": timezone.now(),
    }


def render_proof_of_work(document: CallOffDocument) -> bytes:
    with pdf_locale():
        return render_pdf("pdf/proof_of_work.html", proof_of_work_context(document))
