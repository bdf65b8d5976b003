"""Who pays (ministry, body, split per service module → one invoice per payer), the NRW holiday
surcharge priced like a Sunday, and the ceiling alerts on approved amounts (80/95/100 %, once each)."""

from datetime import date, timedelta
from decimal import Decimal

import holidays as holiday_calendar
import pytest
from django.utils import timezone
from lxml import etree

from calloffs.errors import InvalidInput
from calloffs.models import AlertKind, MinistryAlert
from notifications.models import Notification
from settlement import services
from settlement.invoice import invoice_number, part_of, payers_of, xrechnung
from settlement.models import Payer
from settlement.pricing import Item, Terms, nrw_holidays, price
from tests.settlement.test_invoice import NS, validate

D = Decimal
LABELS = {"night": "Nacht", "weekend": "Wochenende", "holiday": "Feiertag", "travel": "Reise"}
BODY_LEITWEG = "05315000-ABC123-85"
CORPUS_CHRISTI = date(2026, 6, 4)  # Fronleichnam: a holiday in NRW, not in every Land (Thursday)
REFORMATION_DAY = date(2025, 10, 31)  # a holiday in Lower Saxony, not in NRW (Friday)
ALL_SAINTS_SUNDAY = date(2026, 11, 1)  # Allerheiligen, a Sunday in 2026


def item(day, hours="8", night="0"):
    return Item(
        key=1, day=day, role="Lead", person="", hours=D(hours), night_hours=D(night), onsite=False, hourly_rate=D("100")
    )


def test_nrw_holidays_are_those_of_north_rhine_westphalia():
    days = {CORPUS_CHRISTI, REFORMATION_DAY, CORPUS_CHRISTI + timedelta(days=1), date(2026, 12, 25)}
    assert nrw_holidays(days) == {CORPUS_CHRISTI, date(2026, 12, 25)}


def test_a_holiday_is_priced_like_a_sunday_if_the_contract_sets_a_surcharge():
    holidays = nrw_holidays({CORPUS_CHRISTI})
    plain = price([item(CORPUS_CHRISTI, night="2")], Terms(night_percent=D("25"), holidays=holidays), labels=LABELS)
    assert [line.kind for line in plain.lines] == ["work", "night"]  # no holiday surcharge set: a weekday
    terms = Terms(night_percent=D("25"), holiday_percent=D("50"), holidays=holidays)
    priced = price([item(CORPUS_CHRISTI, night="2")], terms, labels=LABELS)
    # all 8 hours carry the holiday surcharge; the lower night surcharge is not added
    assert [(line.kind, line.quantity, line.amount) for line in priced.lines] == [
        ("work", D("8"), D("800.00")),
        ("holiday", D("8"), D("400.00")),
    ]
    higher_night = Terms(night_percent=D("75"), holiday_percent=D("50"), holidays=holidays)
    priced = price([item(CORPUS_CHRISTI, night="2")], higher_night, labels=LABELS)
    assert [(line.kind, line.quantity, line.amount) for line in priced.lines][1:] == [
        ("holiday", D("6"), D("300.00")),
        ("night", D("2"), D("150.00")),
    ]
    not_nrw = price([item(REFORMATION_DAY)], Terms(holiday_percent=D("50"), holidays=holidays), labels=LABELS)
    assert [line.kind for line in not_nrw.lines] == ["work"]


def test_a_holiday_on_a_sunday_carries_the_higher_of_the_two_surcharges():
    holidays = nrw_holidays({ALL_SAINTS_SUNDAY})
    lower = Terms(weekend_percent=D("25"), holiday_percent=D("50"), holidays=holidays)
    assert [(line.kind, line.amount) for line in price([item(ALL_SAINTS_SUNDAY)], lower, labels=LABELS).lines] == [
        ("work", D("800.00")),
        ("holiday", D("400.00")),
    ]
    higher = Terms(weekend_percent=D("60"), holiday_percent=D("50"), holidays=holidays)
    assert [line.kind for line in price([item(ALL_SAINTS_SUNDAY)], higher, labels=LABELS).lines] == ["work", "weekend"]


@pytest.mark.django_db
def test_a_statement_prices_hours_on_a_holiday_with_the_contracts_holiday_surcharge(work, setup, ministry):
    today = timezone.localdate()
    calendar = holiday_calendar.country_holidays("DE", subdiv="NW", years=[today.year - 1, today.year])
    last = max(d for d in calendar if d < today and d.weekday() < 5)  # a weekday holiday: no weekend rules
    services.billing_terms_save(contract=setup.contract, actor=ministry, holiday_surcharge_percent=D("100"))
    w = work(days_back=(today - last).days + 2)
    w.add((today - last).days, hours="4")
    statement = services.statement_submit(
        calloff=w.calloff, provider=w.provider, actor=w.staff, period_start=last, period_end=last
    )
    kinds = list(statement.lines.values_list("kind", "amount"))
    assert kinds == [("work", D("1000.00")), ("holiday", D("1000.00"))]
    assert statement.net_total == D("2000.00")


@pytest.fixture
def split(work, setup, alice, ministry):
    """Ministry pays everything but the remote module, which the body pays."""
    organisation = alice.memberships.first().organisation
    organisation.leitweg_id = BODY_LEITWEG
    organisation.save(update_fields=["leitweg_id"])
    services.billing_terms_save(
        contract=setup.contract,
        actor=ministry,
        payer=Payer.SPLIT,
        body_modules=[setup.modules.remote],
        ministry_leitweg_id="05-83",
    )
    w = work()
    w.add(3, hours="3.33", module=setup.modules.remote)
    w.add(2, hours="3.33", module=setup.modules.forensic)
    w.add(1, hours="1.11")  # no module: the ministry
    statement = services.statement_submit(
        calloff=w.calloff,
        provider=w.provider,
        actor=w.staff,
        period_start=timezone.localdate() - timedelta(days=5),
        period_end=timezone.localdate(),
    )
    statement = services.statement_confirm(statement=statement, actor=alice)
    w.statement = services.statement_approve(statement=statement, actor=ministry)
    return w


@pytest.mark.django_db
def test_a_split_statement_has_one_invoice_per_payer(split):
    statement = split.statement
    assert statement.payer == Payer.SPLIT
    assert sorted(statement.items.values_list("payer", flat=True)) == ["body", "ministry", "ministry"]
    assert payers_of(statement) == ["ministry", "body"]
    ministry_part, body_part = part_of(statement, "ministry"), part_of(statement, "body")
    assert ministry_part.net + body_part.net == statement.net_total
    assert ministry_part.vat + body_part.vat == statement.vat_total  # each invoice rounds its own VAT
    assert ministry_part.gross + body_part.gross == statement.gross_total
    with pytest.raises(InvalidInput):
        xrechnung(statement)  # whose? a split statement needs the payer
    for payer, leitweg, part in (("ministry", "05-83", ministry_part), ("body", BODY_LEITWEG, body_part)):
        root = validate(xrechnung(statement, payer))
        assert root.findtext(".//ram:BuyerReference", namespaces=NS) == leitweg
        assert root.findtext("rsm:ExchangedDocument/ram:ID", namespaces=NS) == invoice_number(statement, payer)
        total = root.findtext(
            ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount", namespaces=NS
        )
        assert D(total) == part.gross
        assert len(root.findall(".//ram:IncludedSupplyChainTradeLineItem", NS)) == len(part.lines)
    assert invoice_number(statement, "body").endswith("-S") and invoice_number(statement, "ministry").endswith("-L")


@pytest.mark.django_db
def test_the_split_invoices_are_fetched_and_uploaded_per_payer(split, api):
    statement = split.statement
    base = f"/api/v1/statements/{statement.public_id}/invoice/"
    missing = api(0).get(base)
    assert missing.status_code == 400 and missing.json()["errors"] == {"payer": [missing.json()["detail"]]}
    assert api(0).get(base + "?payer=nobody").status_code == 400
    own = etree.fromstring(xrechnung(statement, "ministry"))
    response = api(0).put(base + "?payer=ministry", data=etree.tostring(own), content_type="application/xml")
    assert response.status_code == 201 and response.json()["payer"] == "ministry"
    wrong = api(0).put(base + "?payer=body", data=etree.tostring(own), content_type="application/xml")
    assert wrong.status_code == 422
    assert {d["field"] for d in wrong.json()["differences"]} >= {"buyer_reference", "gross_total"}
    body = api(0).get(base + "?payer=body")
    assert body.status_code == 200 and BODY_LEITWEG.encode() in body.content
    # each payer's invoice is issued on its own: the body's is final now, the ministry's stays the upload
    again = api(0).put(base + "?payer=body", data=etree.tostring(own), content_type="application/xml")
    assert again.status_code == 409 and again.json()["code"] == "invoice_already_issued"
    assert api(0).get(base + "?payer=ministry")["X-Invoice-Source"] == "uploaded"


# --- Ceiling alerts on approved amounts --------------------------------------------------------------


@pytest.mark.django_db
def test_approval_raises_each_ceiling_alert_once_through_the_outbox(work, setup, alice, ministry, ministry_leitweg):
    contract = setup.contract
    contract.ceiling = contract.estimated_value = D("10000.00")
    contract.save(update_fields=["ceiling", "estimated_value"])
    w = work()

    def bill(days_ago, hours):
        w.add(days_ago, hours=hours)
        day = timezone.localdate() - timedelta(days=days_ago)
        statement = services.statement_submit(
            calloff=w.calloff, provider=w.provider, actor=w.staff, period_start=day, period_end=day
        )
        statement = services.statement_confirm(statement=statement, actor=alice)
        return services.statement_approve(statement=statement, actor=ministry)

    def consumed_alerts():
        return list(
            MinistryAlert.objects.filter(kind=AlertKind.CEILING_CONSUMED)
            .order_by("threshold")
            .values_list("threshold", flat=True)
        )

    bill(6, "8")  # 8 h × 250 € = 2,000 € = 20 %
    assert consumed_alerts() == []
    bill(5, "24")  # + 6,000 € = 80 %
    assert consumed_alerts() == [80]
    assert Notification.objects.filter(event_type="ministry.ceiling_consumed").exists()  # the outbox
    statement = bill(4, "7")  # + 1,750 € = 97.5 %
    assert consumed_alerts() == [80, 95]
    services.statement_credit(statement=statement, actor=ministry, reason="Falscher Tag")  # back to 80 %
    bill(4, "10")  # 10,500 € = 105 %: 95 % is not raised again, 100 % once
    assert consumed_alerts() == [80, 95, 100]
    assert MinistryAlert.objects.filter(kind=AlertKind.CEILING_CONSUMED, threshold=100).get().contract == contract
