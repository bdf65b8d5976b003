"""The monthly report's ceiling is the dashboard's (consumed = approved net minus credit notes,
committed = estimate minus consumed, remaining = ceiling minus both), as it stood at the month's end."""

import csv
import io
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from calloffs.documents.monthly_report import (
    build_monthly_report,
    month_bounds,
    monthly_report_csv,
    render_monthly_report_pdf,
)
from calloffs.models import CallOff
from calloffs.selectors import contract_ceiling_status
from tests.calloffs.documents_fixtures import pdf_text
from tests.calloffs.test_views_contract import figure

pytestmark = pytest.mark.django_db


def this_month():
    return timezone.localdate().replace(day=1)


def csv_rows(contract, month):
    return list(
        csv.reader(io.StringIO(monthly_report_csv(contract=contract, month=month).lstrip("\ufeff")), delimiter=";")
    )


def test_the_report_and_the_dashboard_agree(approved, setup, ministry, client_for):
    status = contract_ceiling_status(setup.contract)
    net = approved.statement.net_total
    assert status.consumed == net and status.committed == approved.calloff.estimated_value - net

    ceiling = build_monthly_report(contract=setup.contract, month=this_month()).ceiling
    assert (ceiling.committed, ceiling.consumed, ceiling.remaining) == (
        status.committed,
        status.consumed,
        status.remaining,
    )
    assert ceiling.consumed_month == net  # approved in this month

    page = client_for(ministry).get(reverse("calloffs:contract_detail", args=[setup.contract.public_id]))
    content = page.content.decode()
    shown = {name: figure(content, name).replace("\u00a0", " ") for name in ("committed", "consumed", "remaining")}
    pdf = pdf_text(render_monthly_report_pdf(contract=setup.contract, month=this_month()))
    assert f"Gebunden (Schätzung abzüglich Verbrauchtem) {shown['committed']}" in pdf
    assert f"Verbraucht (freigegebene Leistungsnachweise) {shown['consumed']}" in pdf
    assert f"Verbleibend {shown['remaining']}" in pdf
    rows = {row[0]: row[1:] for row in csv_rows(setup.contract, this_month()) if row}
    assert rows["Gebunden (Schätzung abzüglich Verbrauchtem)"][0] + " €" == shown["committed"]
    assert rows["Verbraucht (freigegebene Leistungsnachweise)"][0] + " €" == shown["consumed"]
    assert rows["Verbleibend"][0] + " €" == shown["remaining"]
    assert "läuft noch" in rows["Stand"][0]


def test_a_past_month_shows_the_ceiling_as_it_stood_at_its_end(approved, setup):
    # The call-off was filed last month; its statement was approved this month.
    last_month = (this_month() - timedelta(days=1)).replace(day=1)
    filed = datetime.combine(last_month + timedelta(days=2), time(12), tzinfo=ZoneInfo("Europe/Berlin"))
    CallOff.objects.filter(pk=approved.calloff.pk).update(submitted_at=filed)
    estimate, net = approved.calloff.estimated_value, approved.statement.net_total

    before = build_monthly_report(contract=setup.contract, month=last_month).ceiling
    assert before.month_complete
    assert (before.committed, before.consumed, before.consumed_month) == (estimate, Decimal("0.00"), Decimal("0.00"))
    assert before.remaining == setup.contract.ceiling - estimate

    now = build_monthly_report(contract=setup.contract, month=this_month()).ceiling
    assert (now.committed, now.consumed, now.consumed_month) == (estimate - net, net, net)
    assert now.remaining == before.remaining  # the approval moved the amount, it did not add to it
    assert ["Im Berichtsmonat freigegeben", "0,00", ""] in csv_rows(setup.contract, last_month)


def test_a_change_of_scope_after_the_month_does_not_rewrite_its_figures(approved, setup, alice):
    from calloffs import services as calloff_services
    from settlement.reports import stage_report

    # Filed last month with its original scope; the body changes the scope this month.
    last_month = (this_month() - timedelta(days=1)).replace(day=1)
    filed = datetime.combine(last_month + timedelta(days=2), time(12), tzinfo=ZoneInfo("Europe/Berlin"))
    calloff = approved.calloff
    CallOff.objects.filter(pk=calloff.pk).update(submitted_at=filed)
    estimate = calloff.estimated_value
    old_modules = {s.service_module.code: s.value for s in calloff.services.select_related("service_module")}
    calloff = calloff_services.calloff_change_scope(
        calloff=CallOff.objects.get(pk=calloff.pk),
        actor=alice,
        services=[(setup.modules.forensic, 100)],
        reason="Forensik in großem Umfang",
    )
    assert calloff.estimated_value != estimate
    _start, month_end = month_bounds(last_month)

    before = build_monthly_report(contract=setup.contract, month=last_month)
    assert before.ceiling.committed == estimate  # nothing consumed last month: the estimate as it stood
    assert before.total.value == estimate
    stages = stage_report(setup.contract, until=month_end)
    assert stages.total.amounts["committed"] == estimate
    by_module = {row.label.split(" – ")[0]: row.amounts["committed"] for row in stages.by_module}
    assert {code: value for code, value in by_module.items() if value} == old_modules

    # This month (and the dashboard) use the estimate as it stands now.
    now = build_monthly_report(contract=setup.contract, month=this_month()).ceiling
    assert now.committed == max(calloff.estimated_value - approved.statement.net_total, Decimal("0.00"))
    assert contract_ceiling_status(setup.contract).committed == now.committed
    assert stage_report(setup.contract).total.amounts["committed"] == calloff.estimated_value
