"""Pricing: Decimal only, half up per line, totals from the rounded lines, surcharges, travel, rate versions."""

import ast
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import settlement
from settlement import pricing
from settlement.pricing import Item, Terms, price, rate_on

D = Decimal
LABELS = {"night": "Nachtzuschlag", "weekend": "Wochenendzuschlag", "travel": "Reisepauschale"}
MONDAY = date(2026, 11, 23)
SATURDAY = date(2026, 11, 28)


def item(key=1, *, day=MONDAY, hours="8", night="0", rate="100.00", onsite=False, person="", role="Lead"):
    return Item(
        key=key,
        day=day,
        role=role,
        person=person,
        hours=D(hours),
        night_hours=D(night),
        onsite=onsite,
        hourly_rate=D(rate),
    )


def test_a_line_is_rounded_half_up_to_the_cent():
    # 0.25 h × 0.10 € = 0.025 €: half up gives 0.03 (half even would give 0.02)
    priced = price([item(hours="0.25", rate="0.10")], Terms(vat_percent=D("0")), labels=LABELS)
    assert [line.amount for line in priced.lines] == [D("0.03")]
    # 0.33 h × 123.45 € = 40.7385 €
    assert price([item(hours="0.33", rate="123.45")], Terms(), labels=LABELS).net == D("40.74")


def test_the_totals_are_the_sum_of_the_rounded_lines():
    # each line 0.10 h × 0.05 € = 0.005 → 0.01; unrounded the sum would be 0.01, from the lines it is 0.02
    priced = price([item(1, hours="0.10", rate="0.05"), item(2, hours="0.10", rate="0.05")], Terms(), labels=LABELS)
    assert [line.amount for line in priced.lines] == [D("0.01"), D("0.01")]
    assert priced.net == D("0.02")


def test_vat_is_the_rounded_share_of_the_net_total():
    priced = price([item(hours="8", rate="123.45")], Terms(vat_percent=D("19")), labels=LABELS)
    assert priced.net == D("987.60")
    assert priced.vat == D("187.64")  # 187.644
    assert priced.gross == D("1175.24")
    assert isinstance(priced.gross, Decimal)


def test_night_hours_on_a_weekday_carry_the_night_surcharge():
    priced = price([item(night="2")], Terms(night_percent=D("25"), weekend_percent=D("50")), labels=LABELS)
    kinds = [(line.kind, line.quantity, line.amount) for line in priced.lines]
    assert kinds == [("work", D("8"), D("800.00")), ("night", D("2"), D("50.00"))]
    assert priced.net == D("850.00")


def test_a_weekend_day_carries_the_weekend_surcharge_and_surcharges_do_not_add_up():
    terms = Terms(night_percent=D("25"), weekend_percent=D("50"))
    priced = price([item(day=SATURDAY, night="2")], terms, labels=LABELS)
    kinds = [(line.kind, line.quantity, line.amount) for line in priced.lines]
    # the weekend surcharge (higher) covers all 8 hours, the night hours get no second surcharge
    assert kinds == [("work", D("8"), D("800.00")), ("weekend", D("8"), D("400.00"))]


def test_night_hours_on_a_weekend_carry_the_higher_night_surcharge():
    terms = Terms(night_percent=D("100"), weekend_percent=D("50"))
    priced = price([item(day=SATURDAY, night="2")], terms, labels=LABELS)
    kinds = [(line.kind, line.quantity, line.amount) for line in priced.lines]
    assert kinds == [("work", D("8"), D("800.00")), ("weekend", D("6"), D("300.00")), ("night", D("2"), D("200.00"))]


def test_no_surcharge_line_when_the_contract_sets_none():
    priced = price([item(day=SATURDAY, night="8")], Terms(), labels=LABELS)
    assert [line.kind for line in priced.lines] == ["work"]


def test_the_travel_flat_rate_is_billed_once_per_day_and_person():
    terms = Terms(travel_flat_rate=D("150.00"), vat_percent=D("0"))
    items = [
        item(1, hours="4", onsite=True, person="A. Keller"),
        item(2, hours="3", onsite=True, person="a. keller"),  # same person, same day
        item(3, hours="5", onsite=True, person="B. Yilmaz"),
        item(4, hours="2", onsite=False, person="C. Wagner"),
        item(5, day=date(2026, 11, 24), hours="2", onsite=True, person="A. Keller"),
    ]
    travel = [line for line in price(items, terms, labels=LABELS).lines if line.kind == "travel"]
    assert [(line.key, line.amount) for line in travel] == [(1, D("150.00")), (3, D("150.00")), (5, D("150.00"))]


def test_an_item_corrected_to_zero_hours_bills_nothing():
    terms = Terms(travel_flat_rate=D("150.00"), night_percent=D("25"))
    assert price([item(hours="0", onsite=True)], terms, labels=LABELS).lines == []


def test_the_rate_of_a_day_is_the_version_valid_on_that_day():
    versions = [(date(2026, 11, 15), D("120.00")), (date(2026, 11, 1), D("100.00"))]
    assert rate_on(date(2026, 10, 31), versions=versions, base=D("90.00")) == D("90.00")
    assert rate_on(date(2026, 11, 1), versions=versions, base=D("90.00")) == D("100.00")
    assert rate_on(date(2026, 11, 14), versions=versions, base=D("90.00")) == D("100.00")
    assert rate_on(date(2026, 11, 15), versions=versions, base=D("90.00")) == D("120.00")


def test_the_pricing_path_has_no_floats():
    """No float in the modules that compute money: neither the word (float(…), a type hint) in
    the source, nor a float literal in the code (docstrings may quote amounts)."""
    package = Path(settlement.__file__).parent
    for name in ("pricing.py", "services.py", "selectors.py"):
        text = (package / name).read_text()
        assert not re.search(r"\bfloat\b", text), name
        floats = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Constant) and isinstance(n.value, float)]
        assert not floats, f"float literal in {name}: {[n.value for n in floats]}"
    assert pricing.cents(D("2.675")) == D("2.68")
