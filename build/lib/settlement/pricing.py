"""Pricing of a statement: pure functions on Decimal (exact decimal arithmetic), no database.

Rules (as invoices do them):

* every line is rounded half up to the cent on its own (``ROUND_HALF_UP``);
* the net total is the sum of the rounded lines; VAT is the net total × rate, rounded half up;
  the gross total is net + VAT;
* the hourly rate of a day of work is the newest rate version valid on that day, else the role's
  rate on the contract;
* surcharges as the contract sets them: the night surcharge on the night hours, the weekend
  surcharge (Saturday, Sunday) on the hours of that day; they do not add up: a night hour on a
  weekend carries the higher of the two;
* a public holiday in North Rhine-Westphalia (``nrw_holidays``) is priced like a Sunday with the
  contract's holiday surcharge, if it sets one: on all hours of the day, the higher of holiday and
  weekend surcharge on a holiday that falls on a weekend, and not added to the night surcharge;
* a travel flat rate once per day on site and person (or role, when no person is named).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import holidays

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")
ONE = Decimal("1")
SATURDAY = 5

#: UN/ECE Recommendation 20 unit codes, as XRechnung wants them.
UNIT_HOUR = "HUR"
UNIT_DAY = "DAY"


def cents(value: Decimal) -> Decimal:
    """Half up to the cent: 0.005 → 0.01, 0.004999 → 0.00."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rate_on(day: date, *, versions: Sequence[tuple[date, Decimal]], base: Decimal) -> Decimal:
    """The rate valid on ``day``: the newest (valid_from ≤ day) of ``versions``, else ``base``."""
    chosen = base
    chosen_from: date | None = None
    for valid_from, rate in versions:
        if valid_from <= day and (chosen_from is None or valid_from > chosen_from):
            chosen, chosen_from = rate, valid_from
    return chosen


def nrw_holidays(days: Iterable[date]) -> frozenset[date]:
    """The statutory public holidays in North Rhine-Westphalia (subdivision NW) among ``days``."""
    days = set(days)
    if not days:
        return frozenset()
    calendar = holidays.country_holidays("DE", subdiv="NW", years=sorted({d.year for d in days}))
    return frozenset(d for d in days if d in calendar)


@dataclass(frozen=True)
class Terms:
    """What the contract says about money (``holidays``: the days priced as public holidays)."""

    night_percent: Decimal = ZERO
    weekend_percent: Decimal = ZERO
    travel_flat_rate: Decimal = ZERO
    vat_percent: Decimal = Decimal("19")
    holiday_percent: Decimal = ZERO
    holidays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Item:
    """One time entry as billed: ``key`` is passed through to the lines (the item's id)."""

    key: object
    day: date
    role: str
    person: str
    hours: Decimal
    night_hours: Decimal
    onsite: bool
    hourly_rate: Decimal


@dataclass(frozen=True)
class Line:
    key: object
    kind: str  # work, night, weekend, holiday, travel (settlement.models.LineKind)
    day: date
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    percent: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class Priced:
    lines: list[Line] = field(default_factory=list)
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO


def _surcharge(item: Item, kind: str, label: str, hours: Decimal, percent: Decimal) -> Line | None:
    if hours <= ZERO or percent <= ZERO:
        return None
    return Line(
        key=item.key,
        kind=kind,
        day=item.day,
        description=f"{label} {percent.normalize():f} % – {item.role}",
        quantity=hours,
        unit=UNIT_HOUR,
        unit_price=item.hourly_rate,
        percent=percent,
        amount=cents(hours * item.hourly_rate * percent / HUNDRED),
    )


def lines_of(item: Item, terms: Terms, *, labels: dict[str, str]) -> list[Line]:
    """Work line and surcharge lines of one item (travel is per day, see ``price``)."""
    if item.hours <= ZERO:
        return []
    who = f" ({item.person})" if item.person else ""
    lines = [
        Line(
            key=item.key,
            kind="work",
            day=item.day,
            description=f"{item.role}{who}",
            quantity=item.hours,
            unit=UNIT_HOUR,
            unit_price=item.hourly_rate,
            percent=None,
            amount=cents(item.hours * item.hourly_rate),
        )
    ]
    night = min(item.night_hours, item.hours)
    day_kind, day_percent = None, ZERO
    if item.day.weekday() >= SATURDAY and terms.weekend_percent > ZERO:
        day_kind, day_percent = "weekend", terms.weekend_percent
    if item.day in terms.holidays and terms.holiday_percent > day_percent:
        day_kind, day_percent = "holiday", terms.holiday_percent
    if day_kind is None:
        candidates = [_surcharge(item, "night", labels["night"], night, terms.night_percent)]
    else:
        if terms.night_percent > day_percent:
            day_hours, night_hours = item.hours - night, night
        else:
            day_hours, night_hours = item.hours, ZERO
        candidates = [
            _surcharge(item, day_kind, labels[day_kind], day_hours, day_percent),
            _surcharge(item, "night", labels["night"], night_hours, terms.night_percent),
        ]
    lines.extend(line for line in candidates if line is not None)
    return lines


def price(items: Iterable[Item], terms: Terms, *, labels: dict[str, str]) -> Priced:
    """All lines of a statement, in the order of the items, and the totals from the rounded lines."""
    lines: list[Line] = []
    travelled: set[tuple[date, str]] = set()
    for item in items:
        lines.extend(lines_of(item, terms, labels=labels))
        who = item.person.casefold() or f"role:{item.role}"
        if item.onsite and item.hours > ZERO and terms.travel_flat_rate > ZERO and (item.day, who) not in travelled:
            travelled.add((item.day, who))
            lines.append(
                Line(
                    key=item.key,
                    kind="travel",
                    day=item.day,
                    description=f"{labels['travel']} – {item.person or item.role}",
                    quantity=ONE,
                    unit=UNIT_DAY,
                    unit_price=terms.travel_flat_rate,
                    percent=None,
                    amount=cents(terms.travel_flat_rate),
                )
            )
    net, vat, gross = totals([line.amount for line in lines], terms.vat_percent)
    return Priced(lines=lines, net=net, vat=vat, gross=gross)


def totals(amounts: Iterable[Decimal], vat_percent: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(net, VAT, gross) of an invoice from its rounded lines: VAT = net × rate, half up to the cent."""
    net = sum(amounts, ZERO)
    vat = cents(net * vat_percent / HUNDRED)
    return net, vat, net + vat
