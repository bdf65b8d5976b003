"""A statement keeps the surcharge settings of its submission: a correction is repriced with them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from settlement import services

pytestmark = pytest.mark.django_db


def test_a_change_of_the_settings_before_the_answer_leaves_the_undisputed_lines_unchanged(work, setup, alice, ministry):
    contract = setup.contract
    w = work()  # no weekend surcharge: the amounts must not depend on the weekday the test runs
    contract.night_surcharge_percent = Decimal("25")
    contract.save(update_fields=["night_surcharge_percent"])
    services.billing_terms_save(contract=contract, actor=ministry, travel_flat_rate=Decimal("80.00"))
    kept = w.add(3, hours="8")
    disputed = w.add(2, hours="4", role=setup.roles.handler)
    statement = services.statement_submit(
        calloff=w.calloff,
        provider=w.provider,
        actor=w.staff,
        period_start=timezone.localdate() - timedelta(days=5),
        period_end=timezone.localdate(),
        night_hours={kept.public_id: "2"},
        onsite={kept.public_id, disputed.public_id},
    )
    copied = (
        statement.night_surcharge_percent,
        statement.weekend_surcharge_percent,
        statement.holiday_surcharge_percent,
        statement.travel_flat_rate,
    )
    assert copied == (Decimal("25.00"), Decimal("0.00"), Decimal("0.00"), Decimal("80.00"))

    def lines_of(entry):
        return list(statement.lines.filter(item__time_entry=entry).order_by("position").values_list("kind", "amount"))

    before = lines_of(kept)
    # 8 h × 250 + 2 h night × 25 % × 250 + travel 80
    assert sum(amount for _kind, amount in before) == Decimal("2205.00")
    services.statement_dispute(statement=statement, actor=alice, reasons={str(disputed.public_id): "Nur 3 Stunden"})

    # The ministry changes every surcharge setting between submission and answer.
    contract.night_surcharge_percent = contract.weekend_surcharge_percent = Decimal("50")
    contract.save(update_fields=["night_surcharge_percent", "weekend_surcharge_percent"])
    services.billing_terms_save(
        contract=contract, actor=ministry, travel_flat_rate=Decimal("150.00"), holiday_surcharge_percent=Decimal("100")
    )

    statement = services.statement_answer(
        statement=statement,
        actor=w.staff,
        answers={str(disputed.public_id): {"action": "correct", "hours": "3", "note": "Berichtigt", "onsite": True}},
    )

    assert lines_of(kept) == before  # the undisputed entry is priced as submitted
    assert lines_of(disputed) == [("work", Decimal("585.00")), ("travel", Decimal("80.00"))]  # 3 × 195, old travel
    assert statement.net_total == Decimal("2870.00")
    statement.refresh_from_db()
    assert (statement.night_surcharge_percent, statement.travel_flat_rate) == (Decimal("25.00"), Decimal("80.00"))
