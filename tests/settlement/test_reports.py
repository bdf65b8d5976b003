"""Committed / confirmed / approved / invoiced per provider, module and body: in the monthly report
(PDF and CSV, through calloffs' section registry) and with the ceiling on the ministry's dashboard."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from calloffs.documents.monthly_report import monthly_report_csv, render_monthly_report_pdf
from calloffs.documents.render import de_number
from settlement import services
from settlement.reports import stage_report

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def stages(approved, setup, alice, ministry):
    """approved: 3,115.54 gross, 2,618.10 net (issued below); a second statement only confirmed."""
    w = approved
    services.invoice_issue(statement=w.statement, actor=w.staff)
    w.add(1, hours="2", module=setup.modules.forensic)
    day = timezone.localdate() - timedelta(days=1)
    second = services.statement_submit(
        calloff=w.calloff, provider=w.provider, actor=w.staff, period_start=day, period_end=day
    )
    w.second = services.statement_confirm(statement=second, actor=alice)
    return w


def test_the_four_stages_add_up_per_provider_module_and_body(stages, setup):
    report = stage_report(setup.contract)
    first, second = stages.statement.net_total, stages.second.net_total
    assert report.total.amounts["confirmed"] == first + second
    assert report.total.amounts["approved"] == first
    assert report.total.amounts["invoiced"] == first
    assert report.total.amounts["committed"] == stages.calloff.estimated_value
    forensic = next(row for row in report.by_module if row.label.startswith(setup.modules.forensic.code))
    assert forensic.amounts["confirmed"] == second and forensic.amounts["approved"] == 0
    (body,) = report.by_body
    assert body.label == stages.calloff.organisation.name and body.amounts == report.total.amounts
    (provider,) = [row for row in report.by_provider if row.amounts["approved"]]
    assert provider.label == stages.provider.legal_name


def test_a_credit_note_takes_the_amounts_back(stages, setup, ministry):
    services.statement_credit(statement=stages.statement, actor=ministry, reason="Doppelt abgerechnet")
    report = stage_report(setup.contract)
    assert report.total.amounts["approved"] == 0
    assert report.total.amounts["confirmed"] == stages.second.net_total
    assert report.total.amounts["invoiced"] == stages.statement.net_total  # the credit note's invoice is not issued


def test_the_monthly_report_carries_the_stages_as_csv_and_pdf(stages, setup):
    month = timezone.localdate().replace(day=1)
    text = monthly_report_csv(contract=setup.contract, month=month)
    assert "Abrechnung je Dienstleister" in text and "Abrechnung je Leistungsmodul" in text
    header = "Stelle;Abgerufen (geschätzt);Bestätigt;Freigegeben;In Rechnung gestellt"
    assert header in text
    net = de_number(stages.statement.net_total, 2)
    body_row = next(line for line in text.splitlines() if line.startswith(stages.calloff.organisation.name + ";"))
    assert body_row.split(";")[3] == net and body_row.split(";")[4] == net
    pdf = render_monthly_report_pdf(contract=setup.contract, month=month)
    pdf_text = " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).split())
    assert "Abrechnung je Stelle" in pdf_text and "Stelle Abgerufen (geschätzt) Bestätigt Freigegeben" in pdf_text


def test_the_dashboard_shows_the_ceiling_with_the_four_stages(stages, client_for, ministry, alice):
    from calloffs.money import format_eur

    response = client_for(ministry).get(reverse("calloffs:contract_dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-stage="committed"' in html and 'data-stage="invoiced"' in html
    approved_row = html.split('data-stage="approved"')[1].split("</tr>")[0]
    assert format_eur(stages.statement.net_total) in approved_row
