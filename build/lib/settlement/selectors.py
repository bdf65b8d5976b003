"""Reads of the settlement app: the contract's billing terms, rate versions, statements a user may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from calloffs import billing_ids
from calloffs.contract.selectors import BankChange, provider_bank_changes
from calloffs.models import WORK_STATES, CallOff, CallOffState, FrameworkContract
from calloffs.permissions import provider_ids_of

from . import invoice_read, pricing
from .models import BillingTerms, Payer, RateVersion, Statement, StatementKind, StatementState


def billing_terms_for(contract: FrameworkContract) -> BillingTerms:
    """The contract's billing terms, or the defaults (unsaved) while the ministry set none."""
    return BillingTerms.objects.filter(contract=contract).first() or BillingTerms(contract=contract)


#: The surcharge settings a statement copies at submission (Statement field: contract's value).
SURCHARGE_FIELDS = (
    "night_surcharge_percent",
    "weekend_surcharge_percent",
    "holiday_surcharge_percent",
    "travel_flat_rate",
)


def surcharges_of(contract: FrameworkContract, billing: BillingTerms | None = None) -> dict[str, Decimal]:
    """The contract's surcharge settings now, keyed by the Statement fields that keep them."""
    billing = billing or billing_terms_for(contract)
    return {
        "night_surcharge_percent": contract.night_surcharge_percent,
        "weekend_surcharge_percent": contract.weekend_surcharge_percent,
        "holiday_surcharge_percent": billing.holiday_surcharge_percent,
        "travel_flat_rate": billing.travel_flat_rate,
    }


def statement_terms(statement: Statement, *, days: Iterable[date] = ()) -> pricing.Terms:
    """The pricing terms of a statement: the surcharges and VAT rate copied at its submission."""
    holiday_percent = statement.holiday_surcharge_percent
    return pricing.Terms(
        night_percent=statement.night_surcharge_percent,
        weekend_percent=statement.weekend_surcharge_percent,
        travel_flat_rate=statement.travel_flat_rate,
        vat_percent=statement.vat_percent,
        holiday_percent=holiday_percent,
        holidays=pricing.nrw_holidays(days) if holiday_percent > 0 else frozenset(),
    )


def payer_rule(terms: BillingTerms):
    """``payer_of(service_module_id) -> Payer``: who pays hours of a module under these terms
    (split: the body pays its listed modules, the ministry everything else, hours without a module too)."""
    if terms.payer != Payer.SPLIT:
        return lambda _module_id: terms.payer
    body_modules = set(terms.body_modules.values_list("pk", flat=True)) if terms.pk else set()
    return lambda module_id: Payer.BODY if module_id in body_modules else Payer.MINISTRY


def rate_versions_for(role_ids: Iterable[int]) -> dict[int, list[tuple[date, Decimal]]]:
    """{role id: [(valid_from, hourly_rate), …]} in one query."""
    found: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for role_id, valid_from, rate in RateVersion.objects.filter(role_id__in=list(role_ids)).values_list(
        "role_id", "valid_from", "hourly_rate"
    ):
        found[role_id].append((valid_from, rate))
    return dict(found)


#: Call-off states in which hours can be billed (a cancelled call-off's hours worked still count).
BILLABLE_STATES = (*WORK_STATES, CallOffState.CLOSED, CallOffState.CANCELLED)


def billable_calloffs(user) -> list[CallOff]:
    """The call-offs assigned to this user's provider in which hours can be billed (drills excluded)."""
    return list(
        CallOff.objects.visible_to(user)
        .filter(provider_id__in=provider_ids_of(user), state__in=BILLABLE_STATES, is_drill=False)
        .select_related("organisation")
        .order_by("-submitted_at")[:50]
    )


def statements_visible_to(user) -> QuerySet[Statement]:
    return Statement.objects.visible_to(user).select_related("calloff", "provider", "corrects")


def statements_of_calloff(*, user, calloff: CallOff) -> QuerySet[Statement]:
    return statements_visible_to(user).filter(calloff=calloff).order_by("submitted_at", "id")


def statement_for(*, user, public_id) -> Statement:
    """The statement, if this user may see it; else Statement.DoesNotExist (→ 404)."""
    return statements_visible_to(user).get(public_id=public_id)


def approved_by_calloff(contract: FrameworkContract, *, until: datetime | None = None) -> dict[int, Decimal]:
    """Per call-off of the contract, its approved statements net minus their credit notes; ``until``:
    those approved before then (a credit note counts from its own approval). One query. The ceiling
    reads the same per call-off through ``approved_of_calloff``, summed in SQL."""
    signed = Case(When(kind=StatementKind.CREDIT_NOTE, then=-F("net_total")), default=F("net_total"))
    approved = Statement.objects.filter(
        calloff__in=CallOff.objects.filter(contract=contract).values("pk"), state=StatementState.APPROVED
    )
    if until is not None:
        approved = approved.filter(approved_at__lt=until)
    rows = approved.values("calloff_id").annotate(
        total=Coalesce(Sum(signed), Value(Decimal("0")), output_field=DecimalField())
    )
    return {row["calloff_id"]: row["total"].quantize(pricing.CENT) for row in rows}


def approved_of_calloff(*, until: datetime | None = None) -> Subquery:
    """The ceiling's settled source (calloffs.selectors.register_settled_source): the approved
    statements of the outer query's call-off (``OuterRef("pk")``), net, minus their credit notes, as a
    scalar subquery (NULL if none); ``until``: those approved before then (a credit note counts from
    its own approval). The ceiling sums it over the contract's call-offs in one statement."""
    signed = Case(When(kind=StatementKind.CREDIT_NOTE, then=-F("net_total")), default=F("net_total"))
    approved = Statement.objects.filter(calloff=OuterRef("pk"), state=StatementState.APPROVED)
    if until is not None:
        approved = approved.filter(approved_at__lt=until)
    total = approved.order_by().values("calloff_id").annotate(total=Sum(signed)).values("total")
    return Subquery(total, output_field=DecimalField(max_digits=14, decimal_places=2))


def approved_net(contract: FrameworkContract) -> Decimal:
    """Approved statements minus their credit notes (net), in total: the ceiling's "consumed"."""
    return sum(approved_by_calloff(contract).values(), Decimal("0.00"))


# --- The hold after a provider's bank change (issue 17) -------------------------------------------


@dataclass(frozen=True)
class BankChangeWarning:
    """An invoice issued (or, not yet issued, that would be issued now) within the contract's hold after
    a change of the provider's bank details: the change, how many days after it, and the account the
    invoice names (masked)."""

    change: BankChange
    days_after: int
    issued: bool
    invoice_iban: str


def bank_change_warnings(statement: Statement, invoices: dict, *, now: datetime | None = None) -> dict:
    """Per payer of ``invoices`` ({payer: Invoice or None}): the warning, if its moment (issued_at, or
    now for one not yet issued) lies within ``bank_change_hold_days`` after a change of the provider's
    bank details. The account an issued invoice names is read from its stored XML. Two queries."""
    hold_days = billing_terms_for(statement.calloff.contract).bank_change_hold_days
    if not hold_days or not invoices:
        return {}
    now = now or timezone.now()
    hold = timedelta(days=hold_days)
    moments = {payer: invoice.issued_at if invoice else now for payer, invoice in invoices.items()}
    changes = provider_bank_changes(statement.provider, since=min(moments.values()) - hold)
    warnings = {}
    for payer, moment in moments.items():
        change = next((c for c in changes if c.at <= moment and moment - c.at <= hold), None)
        if change is None:
            continue
        invoice = invoices[payer]
        iban = invoice_read.read(bytes(invoice.xml)).iban if invoice else statement.provider.iban
        warnings[payer] = BankChangeWarning(
            change=change,
            days_after=(moment - change.at).days,
            issued=invoice is not None,
            invoice_iban=billing_ids.mask_iban(iban),
        )
    return warnings
