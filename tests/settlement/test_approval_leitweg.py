"""Approval requires the payer's Leitweg-ID: an approved statement must be invoiceable (XRechnung)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calloffs.errors import TransitionNotAllowed
from settlement import services
from settlement.models import Payer, Statement, StatementState

from .conftest import MINISTRY_LEITWEG

pytestmark = pytest.mark.django_db

BODY_LEITWEG = "05315000-ABC123-85"


@pytest.fixture
def confirmed(work, setup, alice):
    def make(module=None):
        w = work()
        w.add(2, hours="6")
        w.add(1, hours="2", module=module)
        statement = services.statement_submit(
            calloff=w.calloff,
            provider=w.provider,
            actor=w.staff,
            period_start=timezone.localdate() - timedelta(days=5),
            period_end=timezone.localdate(),
        )
        return services.statement_confirm(statement=statement, actor=alice)

    return make


def refused(statement, ministry) -> str:
    with pytest.raises(TransitionNotAllowed) as info:
        services.statement_approve(statement=statement, actor=ministry)
    assert Statement.objects.get(pk=statement.pk).state == StatementState.CONFIRMED  # nothing approved
    return info.value.message


def test_without_the_ministry_s_leitweg_id_approval_is_refused(confirmed, setup, ministry):
    statement = confirmed()
    message = refused(statement, ministry)
    assert "Freigabe nicht möglich" in message and setup.contract.contracting_authority in message
    services.billing_terms_save(contract=setup.contract, actor=ministry, ministry_leitweg_id=MINISTRY_LEITWEG)
    assert services.statement_approve(statement=statement, actor=ministry).state == StatementState.APPROVED


def test_a_body_paying_needs_its_own_leitweg_id(confirmed, setup, ministry, org_a):
    services.billing_terms_save(
        contract=setup.contract, actor=ministry, payer=Payer.BODY, ministry_leitweg_id=MINISTRY_LEITWEG
    )
    statement = confirmed()
    assert statement.payer == Payer.BODY
    assert org_a.name in refused(statement, ministry)  # the ministry's ID does not help
    org_a.leitweg_id = BODY_LEITWEG
    org_a.save(update_fields=["leitweg_id"])
    assert services.statement_approve(statement=statement, actor=ministry).state == StatementState.APPROVED


def test_a_split_statement_needs_both_leitweg_ids(confirmed, setup, ministry, org_a):
    services.billing_terms_save(
        contract=setup.contract, actor=ministry, payer=Payer.SPLIT, body_modules=[setup.modules.onsite]
    )
    statement = confirmed(module=setup.modules.onsite)
    assert statement.payer == Payer.SPLIT
    message = refused(statement, ministry)
    assert org_a.name in message and setup.contract.contracting_authority in message
    org_a.leitweg_id = BODY_LEITWEG
    org_a.save(update_fields=["leitweg_id"])
    message = refused(statement, ministry)  # the body's alone is not enough
    assert org_a.name not in message and setup.contract.contracting_authority in message
    services.billing_terms_save(contract=setup.contract, actor=ministry, ministry_leitweg_id=MINISTRY_LEITWEG)
    assert services.statement_approve(statement=statement, actor=ministry).state == StatementState.APPROVED


def test_the_portal_shows_the_refusal_in_german(confirmed, client_for, ministry):
    statement = confirmed()
    url = reverse("settlement:detail", args=[statement.public_id])
    response = client_for(ministry).post(url, {"action": "approve"})
    assert response.status_code == 400  # the page again, with the reason (the portal's answer to a refused step)
    assert "Freigabe nicht möglich" in response.content.decode() and "Leitweg-ID" in response.content.decode()
    assert Statement.objects.get(pk=statement.pk).state == StatementState.CONFIRMED
