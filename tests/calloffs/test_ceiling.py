"""The maximum value: committed, consumed, remaining; exceeding is filed but flagged and alerted."""

from decimal import Decimal

import pytest
from django.utils import timezone

from calloffs import selectors, services
from calloffs.models import AlertKind, CallOffState, EventKind, MinistryAlert

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(setup):
    """A contract with a ceiling of 10,000 € (estimate 8,000 €); remote hours cost 210 €."""
    setup.contract.estimated_value = Decimal("8000.00")
    setup.contract.ceiling = Decimal("10000.00")
    setup.contract.save()
    return setup


def hours(small, n):
    return [(small.modules.remote, n)]


def test_status_of_an_untouched_contract(small):
    status = selectors.contract_ceiling_status(small.contract)
    assert (status.committed, status.consumed, status.remaining) == (0, 0, Decimal("10000.00"))
    assert status.percent == 0 and not status.exhausted


def test_committed_counts_every_call_off_not_cancelled(small, file_calloff, alice):
    file_calloff(services=hours(small, 10))  # 2,100
    cancelled = file_calloff(services=hours(small, 20))  # 4,200, then cancelled
    file_calloff(services=hours(small, 5))  # 1,050
    services.calloff_cancel(calloff=cancelled, actor=alice, reason="Fehlalarm")

    status = selectors.contract_ceiling_status(small.contract)
    assert status.committed == Decimal("3150.00")
    assert status.remaining == Decimal("6850.00")
    assert status.percent == Decimal("31.5")


def test_hours_recorded_are_not_consumed_until_approved(small, drive):
    """Consumed is what the ministry approved (settlement); hours recorded stay in the commitment."""
    calloff = drive(CallOffState.IN_PROGRESS)
    for role, h in ((small.roles.lead, "2"), (small.roles.handler, "4")):
        services.time_entry_add(
            calloff=calloff,
            provider=small.providers[0],
            actor=small.staff[0],
            date=timezone.localdate(),
            hours=h,
            role=role,
            description="Arbeit",
        )

    status = selectors.contract_ceiling_status(small.contract)
    assert status.consumed == 0 and status.percent_consumed == 0
    assert status.committed == Decimal("8400.00")  # the estimate (40 h × 210) stays committed
    assert status.remaining == Decimal("1600.00")


def test_exceeding_the_remaining_ceiling_is_filed_flagged_and_alerted(small, file_calloff):
    first = file_calloff(services=hours(small, 30))  # 6,300: fine, but crosses no threshold yet
    assert not first.exceeds_ceiling

    second = file_calloff(services=hours(small, 20))  # 4,200 > 3,700 remaining

    assert second.state == CallOffState.OFFERED  # filed anyway and offered: an emergency is not refused
    assert second.exceeds_ceiling
    event = second.events.get(kind=EventKind.CEILING_EXCEEDED)
    assert event.data["remaining_before"] == "3700.00" and event.data["estimated_value"] == "4200.00"
    alert = MinistryAlert.objects.get(kind=AlertKind.CEILING_EXCEEDED)
    assert alert.calloff == second and alert.contract == small.contract
    assert "4.200,00\u00a0€" in alert.message and "3.700,00\u00a0€" in alert.message

    status = selectors.contract_ceiling_status(small.contract)
    assert status.committed == Decimal("10500.00")
    assert status.remaining == Decimal("-500.00")
    assert status.exhausted


def test_exactly_the_remaining_value_does_not_exceed(small, file_calloff):
    small.contract.ceiling = Decimal("8400.00")
    small.contract.save()
    calloff = file_calloff(services=hours(small, 40))  # 8,400 = the whole ceiling
    assert not calloff.exceeds_ceiling
    assert not MinistryAlert.objects.filter(kind=AlertKind.CEILING_EXCEEDED).exists()
    assert selectors.contract_ceiling_status(small.contract).exhausted  # and now it is used up


def test_every_call_off_on_an_exhausted_contract_is_flagged(small, file_calloff):
    file_calloff(services=hours(small, 50))  # 10,500 ≥ 10,000
    assert file_calloff(services=hours(small, 1)).exceeds_ceiling
    assert MinistryAlert.objects.filter(kind=AlertKind.CEILING_EXCEEDED).count() == 2


def test_crossing_the_warning_threshold_alerts_once(small, file_calloff):
    file_calloff(services=hours(small, 30))  # 6,300 = 63 %
    assert not MinistryAlert.objects.exists()
    file_calloff(services=hours(small, 10))  # 8,400 = 84 %
    assert MinistryAlert.objects.get().kind == AlertKind.CEILING_THRESHOLD
    file_calloff(services=hours(small, 2))  # 8,820 = 88 %: no new warning
    assert MinistryAlert.objects.count() == 1


def test_format_eur():
    """The one money formatter (calloffs.money): German notation in every language, NBSP before the sign."""
    from django.template import Context, Template
    from django.utils import translation

    from calloffs.documents.render import de_eur

    assert services.format_eur(Decimal("30000000")) == "30.000.000,00\u00a0€"
    assert services.format_eur(Decimal("1234.5")) == "1.234,50\u00a0€"
    assert services.format_eur(Decimal("-0.5")) == "-0,50\u00a0€"
    assert services.format_eur(None) == services.format_eur("x") == services.format_eur(Decimal("NaN")) == "–"
    with translation.override("en"):
        page = Template("{% load money %}{{ v|eur }}").render(Context({"v": Decimal("1234.5")}))
    assert page == "1.234,50\u00a0€" == de_eur(Decimal("1234.5"))
