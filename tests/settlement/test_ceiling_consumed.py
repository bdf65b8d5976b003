"""The ceiling after approvals: approved amounts move from committed to consumed, per call-off."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from calloffs.models import AlertKind, CallOff, MinistryAlert
from calloffs.selectors import contract_ceiling_status
from settlement import services

from .conftest import MINISTRY_LEITWEG

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(work, setup, alice, ministry):
    """A confirmed statement over 10 h × 250 = 2500 € net of a call-off estimated at 8400 €."""
    services.billing_terms_save(contract=setup.contract, actor=ministry, ministry_leitweg_id=MINISTRY_LEITWEG)
    w = work()
    w.add(2, hours="6")
    w.add(1, hours="4")
    statement = services.statement_submit(
        calloff=w.calloff,
        provider=w.provider,
        actor=w.staff,
        period_start=timezone.localdate() - timedelta(days=5),
        period_end=timezone.localdate(),
    )
    w.statement = services.statement_confirm(statement=statement, actor=alice)
    assert w.statement.net_total == Decimal("2500.00")
    return w


def test_approval_moves_the_amount_from_committed_to_consumed(confirmed, setup, ministry):
    before = contract_ceiling_status(setup.contract)
    assert (before.committed, before.consumed) == (Decimal("8400.00"), Decimal("0.00"))

    services.statement_approve(statement=confirmed.statement, actor=ministry)

    after = contract_ceiling_status(setup.contract)
    assert after.committed == before.committed - Decimal("2500.00")  # committed goes DOWN by the approved amount
    assert after.consumed == Decimal("2500.00")
    assert after.remaining == before.remaining == setup.contract.ceiling - Decimal("8400.00")


def test_approval_beyond_the_estimate_commits_nothing_and_consumes_all(confirmed, setup, ministry):
    CallOff.objects.filter(pk=confirmed.calloff.pk).update(estimated_value=Decimal("1000.00"))
    services.statement_approve(statement=confirmed.statement, actor=ministry)
    status = contract_ceiling_status(setup.contract)
    assert (status.committed, status.consumed) == (Decimal("0.00"), Decimal("2500.00"))  # never below zero
    assert status.remaining == setup.contract.ceiling - Decimal("2500.00")


def test_a_cancelled_call_off_commits_nothing_but_its_approved_hours_stay_consumed(confirmed, setup, ministry):
    services.statement_approve(statement=confirmed.statement, actor=ministry)
    CallOff.objects.filter(pk=confirmed.calloff.pk).update(state="cancelled")
    status = contract_ceiling_status(setup.contract)
    assert (status.committed, status.consumed) == (Decimal("0.00"), Decimal("2500.00"))


def test_the_filing_checks_against_ceiling_minus_committed_minus_consumed(confirmed, setup, ministry, file_calloff):
    # The call-off's estimate (1000) is overrun by its approved statement (2500): the ceiling has
    # 2500 bound by it, not 1000. With 2000 left, a filing of 2100 exceeds what remains.
    CallOff.objects.filter(pk=confirmed.calloff.pk).update(estimated_value=Decimal("1000.00"))
    services.statement_approve(statement=confirmed.statement, actor=ministry)
    setup.contract.estimated_value = setup.contract.ceiling = Decimal("4500.00")
    setup.contract.save(update_fields=["estimated_value", "ceiling"])
    assert contract_ceiling_status(setup.contract).remaining == Decimal("2000.00")

    calloff = file_calloff(services=[(setup.modules.remote, 10)])  # 2100 € > 2000 € remaining

    assert calloff.exceeds_ceiling
    alert = MinistryAlert.objects.get(kind=AlertKind.CEILING_EXCEEDED)
    assert "2.000,00\u00a0€" in alert.message


def test_the_consumed_alerts_and_the_dashboard_use_the_same_number(confirmed, setup, ministry, client_for):
    setup.contract.estimated_value = setup.contract.ceiling = Decimal("3000.00")  # 2500 approved = 83.3 %
    setup.contract.save(update_fields=["estimated_value", "ceiling"])
    services.statement_approve(statement=confirmed.statement, actor=ministry)

    alert = MinistryAlert.objects.get(kind=AlertKind.CEILING_CONSUMED)
    assert alert.threshold == 80 and MinistryAlert.objects.filter(kind=AlertKind.CEILING_CONSUMED).count() == 1
    # German figures; "noch frei" is the dashboard's remaining: 3000 − 5900 committed − 2500 consumed < 0
    assert "83,3 %" in alert.message and "noch frei 0,00\u00a0€" in alert.message
    content = client_for(ministry).get(reverse("calloffs:contract_detail", args=[setup.contract.public_id]))
    assert 'data-figure="consumed">2.500,00\u00a0€' in content.content.decode()
    assert contract_ceiling_status(setup.contract).percent_consumed == Decimal("83.3")
