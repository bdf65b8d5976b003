"""The statement loop through the services: submit → dispute → answer → confirm → approve,
credit notes, rate versions, drills, rights; audited; messages in the outbox."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from calloffs.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from calloffs.models import CallOff, CallOffState
from notifications.models import Channel, Notification
from settlement import services
from settlement.models import BillingTerms, DisputeState, Statement, StatementKind, StatementState
from settlement.selectors import statements_visible_to
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db
D = Decimal


def today():
    return timezone.localdate()


def submit(w, *, start=10, end=0, **kwargs):
    return services.statement_submit(
        calloff=w.calloff,
        provider=w.provider,
        actor=w.staff,
        period_start=today() - timedelta(days=start),
        period_end=today() - timedelta(days=end),
        **kwargs,
    )


def test_the_whole_loop(work, setup, alice, ministry, p1_endpoint, ministry_leitweg):
    w = work()
    first = w.add(3, hours="8")
    second = w.add(2, hours="4", role=setup.roles.handler)
    statement = submit(w)
    assert statement.state == StatementState.SUBMITTED
    assert statement.number == f"{w.calloff.number}-LN01"
    # 8 h × 250 + 4 h × 195 = 2780; 19 % VAT = 528.20
    assert (statement.net_total, statement.vat_total, statement.gross_total) == (
        D("2780.00"),
        D("528.20"),
        D("3308.20"),
    )

    statement = services.statement_dispute(
        statement=statement, actor=alice, reasons={str(second.public_id): "Nur 2 Stunden vereinbart"}
    )
    assert statement.state == StatementState.DISPUTED
    disputed = statement.items.get(time_entry=second)
    assert (disputed.dispute, disputed.dispute_reason) == (DisputeState.OPEN, "Nur 2 Stunden vereinbart")

    statement = services.statement_answer(
        statement=statement,
        actor=w.staff,
        answers={str(second.public_id): {"action": "correct", "hours": "2", "note": "Berichtigt auf 2 Stunden"}},
    )
    assert statement.state == StatementState.CORRECTED
    assert statement.net_total == D("2390.00")  # 2000 + 2 × 195
    assert statement.lines.count() == 2

    statement = services.statement_confirm(statement=statement, actor=alice)
    assert statement.state == StatementState.CONFIRMED
    statement = services.statement_approve(statement=statement, actor=ministry)
    assert statement.state == StatementState.APPROVED and statement.approved_by == ministry
    assert first.pk  # the entries themselves are untouched

    actions = list(AuditEntry.objects.filter(target=statement.number).order_by("id").values_list("action", flat=True))
    assert actions == [
        "statement.submitted",
        "statement.disputed",
        "statement.answered",
        "statement.confirmed",
        "statement.approved",
    ]
    hooks = Notification.objects.filter(channel=Channel.WEBHOOK, reference=statement.number).order_by("id")
    assert [n.event_type for n in hooks] == ["statement.disputed", "statement.confirmed", "statement.approved"]
    approved = hooks.last().payload
    assert approved["type"] == "statement.approved"
    assert approved["data"]["statement"]["gross_total"] == "2844.10"
    assert approved["data"]["calloff"]["number"] == w.calloff.number
    disputed_hook = hooks.first().payload
    assert disputed_hook["data"]["disputed_entries"] == [
        {"time_entry": str(second.public_id), "reason": "Nur 2 Stunden vereinbart"}
    ]
    mails = Notification.objects.filter(channel=Channel.EMAIL, reference=statement.number)
    assert mails.filter(event_type="statement.submitted", recipient="alice@example.org").exists()
    assert mails.filter(event_type="statement.confirmed", recipient="ministerium@example.org").exists()


def test_keeping_a_disputed_entry_needs_a_reason_and_keeps_the_amount(work, alice):
    w = work()
    entry = w.add(1)
    statement = submit(w)
    statement = services.statement_dispute(statement=statement, actor=alice, reasons={str(entry.public_id): "Zu viel"})
    with pytest.raises(InvalidInput):
        services.statement_answer(
            statement=statement, actor=w.staff, answers={str(entry.public_id): {"action": "keep"}}
        )
    statement = services.statement_answer(
        statement=statement, actor=w.staff, answers={str(entry.public_id): {"action": "keep", "note": "Laut Protokoll"}}
    )
    assert statement.net_total == D("2000.00")
    assert statement.items.get().dispute == DisputeState.KEPT
    # the body may dispute again
    statement = services.statement_dispute(
        statement=statement, actor=alice, reasons={str(entry.public_id): "Weiter zu viel"}
    )
    assert statement.state == StatementState.DISPUTED


def test_every_disputed_entry_must_be_answered(work, alice):
    w = work()
    a, b = w.add(2), w.add(1)
    statement = submit(w)
    statement = services.statement_dispute(
        statement=statement, actor=alice, reasons={str(a.public_id): "x", str(b.public_id): "y"}
    )
    with pytest.raises(InvalidInput):
        services.statement_answer(
            statement=statement, actor=w.staff, answers={str(a.public_id): {"action": "keep", "note": "so"}}
        )
    assert Statement.objects.get(pk=statement.pk).state == StatementState.DISPUTED


def test_a_correction_cannot_raise_the_hours(work, alice):
    w = work()
    entry = w.add(1, hours="4")
    statement = submit(w)
    statement = services.statement_dispute(statement=statement, actor=alice, reasons={str(entry.public_id): "x"})
    with pytest.raises(InvalidInput):
        services.statement_answer(
            statement=statement,
            actor=w.staff,
            answers={str(entry.public_id): {"action": "correct", "hours": "6", "note": "mehr"}},
        )


def test_rates_change_within_the_period(work, setup, ministry):
    w = work(days_back=10)
    before = w.add(8, hours="2")
    after = w.add(2, hours="2")
    services.rate_version_add(
        role=setup.roles.lead, actor=ministry, valid_from=today() - timedelta(days=5), hourly_rate=D("275.50")
    )
    statement = submit(w)
    rates = dict(statement.items.values_list("time_entry_id", "hourly_rate"))
    assert rates == {before.pk: D("250.00"), after.pk: D("275.50")}
    assert statement.net_total == D("1051.00")  # 2 × 250 + 2 × 275.50


def test_surcharges_and_travel_from_the_contract(work, setup, ministry):
    w = work()
    contract = setup.contract
    contract.night_surcharge_percent = D("25")
    contract.weekend_surcharge_percent = D("0")
    contract.save(update_fields=["night_surcharge_percent", "weekend_surcharge_percent"])
    services.billing_terms_save(contract=contract, actor=ministry, travel_flat_rate=D("120.00"), vat_percent=D("7"))
    day = today() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    entry = w.add((today() - day).days, hours="8", person="A. Keller")
    statement = submit(w, night_hours={entry.public_id: "2"}, onsite={entry.public_id})
    kinds = list(statement.lines.order_by("position").values_list("kind", "amount"))
    assert kinds == [("work", D("2000.00")), ("night", D("125.00")), ("travel", D("120.00"))]
    assert statement.vat_percent == D("7.00")
    assert statement.vat_total == D("157.15")  # 2245 × 7 % = 157.15


def test_night_hours_cannot_exceed_the_hours(work):
    w = work()
    entry = w.add(1, hours="3")
    with pytest.raises(InvalidInput):
        submit(w, night_hours={entry.public_id: "4"})


def test_an_entry_is_billed_once(work):
    w = work()
    w.add(1)
    submit(w)
    with pytest.raises(InvalidInput):
        submit(w)


def test_nothing_is_billed_for_a_drill(work):
    w = work()
    w.add(1)
    CallOff.objects.filter(pk=w.calloff.pk).update(is_drill=True)
    with pytest.raises(TransitionNotAllowed) as info:
        submit(w)
    assert "Übung" in info.value.message
    assert not Statement.objects.exists()


def test_an_approved_statement_never_changes_a_credit_note_corrects_it(work, alice, ministry, ministry_leitweg):
    w = work()
    entry = w.add(1)
    statement = submit(w)
    statement = services.statement_confirm(statement=statement, actor=alice)
    statement = services.statement_approve(statement=statement, actor=ministry)
    for step in (
        lambda: services.statement_confirm(statement=statement, actor=alice),
        lambda: services.statement_dispute(statement=statement, actor=alice, reasons={str(entry.public_id): "x"}),
        lambda: services.statement_approve(statement=statement, actor=ministry),
    ):
        with pytest.raises(TransitionNotAllowed):
            step()
    with pytest.raises(InvalidInput):  # the entry is billed
        submit(w)

    credit = services.statement_credit(statement=statement, actor=ministry, reason="Falscher Zeitraum")
    assert credit.kind == StatementKind.CREDIT_NOTE and credit.corrects == statement
    assert credit.number == f"{w.calloff.number}-GS01"
    assert credit.gross_total == statement.gross_total
    assert list(credit.lines.values_list("amount", flat=True)) == list(statement.lines.values_list("amount", flat=True))
    statement.refresh_from_db()
    assert statement.state == StatementState.APPROVED  # unchanged
    with pytest.raises(TransitionNotAllowed):
        services.statement_credit(statement=statement, actor=ministry, reason="noch einmal")

    again = submit(w)  # the entries are free again: a new statement
    assert again.number == f"{w.calloff.number}-LN02"
    assert again.net_total == statement.net_total


def test_only_an_approved_statement_can_be_credited(work, ministry):
    w = work()
    w.add(1)
    statement = submit(w)
    with pytest.raises(TransitionNotAllowed):
        services.statement_credit(statement=statement, actor=ministry, reason="x")


def test_who_may_do_what(work, setup, alice, bob, charlie, body_admin, ministry):
    w = work()
    entry = w.add(1)
    with pytest.raises(NotPermitted):  # another provider
        services.statement_submit(
            calloff=w.calloff,
            provider=setup.providers[1],
            actor=setup.staff[1],
            period_start=today() - timedelta(days=5),
            period_end=today(),
        )
    with pytest.raises(NotPermitted):  # staff of P2 claiming to act for P1
        services.statement_submit(
            calloff=w.calloff, provider=w.provider, actor=setup.staff[1], period_start=today(), period_end=today()
        )
    statement = submit(w)
    for actor in (bob, charlie, w.staff, ministry):
        with pytest.raises(NotPermitted):
            services.statement_confirm(statement=statement, actor=actor)
        with pytest.raises(NotPermitted):
            services.statement_dispute(statement=statement, actor=actor, reasons={str(entry.public_id): "x"})
    statement = services.statement_confirm(statement=statement, actor=body_admin)
    # Every persona but the ministry: the body's caller, reader and admin, another body, the provider
    # of the statement and another provider.
    for actor in (alice, bob, body_admin, charlie, w.staff, setup.staff[1]):
        with pytest.raises(NotPermitted):
            services.statement_approve(statement=statement, actor=actor)
    assert Statement.objects.get(pk=statement.pk).state == StatementState.CONFIRMED
    with pytest.raises(NotPermitted):
        services.billing_terms_save(contract=setup.contract, actor=alice, vat_percent=D("7"))


def test_who_sees_which_statement(work, setup, alice, bob, charlie, ministry):
    w = work()
    w.add(1)
    statement = submit(w)
    for user in (alice, bob, ministry, w.staff):
        assert list(statements_visible_to(user)) == [statement]
    for user in (charlie, setup.staff[1]):
        assert not statements_visible_to(user).exists()


def test_billing_terms_have_plausible_ranges(setup, ministry):
    with pytest.raises(ValidationError) as info:
        services.billing_terms_save(contract=setup.contract, actor=ministry, vat_percent=D("31"))
    assert list(info.value.message_dict) == ["vat_percent"]
    with pytest.raises(ValidationError) as info:
        services.billing_terms_save(contract=setup.contract, actor=ministry, ministry_leitweg_id="05-84")
    assert list(info.value.message_dict) == ["ministry_leitweg_id"]
    terms = services.billing_terms_save(contract=setup.contract, actor=ministry, ministry_leitweg_id="05-83")
    assert terms.ministry_leitweg_id == "05-83"
    with pytest.raises(IntegrityError), transaction.atomic():
        BillingTerms.objects.filter(pk=terms.pk).update(vat_percent=D("40"))


def test_the_database_refuses_inconsistent_totals(work):
    w = work()
    w.add(1)
    statement = submit(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(gross_total=D("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(state=StatementState.APPROVED)  # no approval time


def test_a_cancelled_calloffs_hours_can_still_be_billed(work, alice):
    from calloffs import services as calloff_services

    w = work()
    w.add(1)
    calloff_services.calloff_cancel(calloff=w.calloff, actor=alice, reason="Vorfall erledigt")
    assert CallOff.objects.get(pk=w.calloff.pk).state == CallOffState.CANCELLED
    assert submit(w).net_total == D("2000.00")
