"""XRechnung in UN/CEFACT CII syntax for an approved statement (or a credit note), built with
``drafthorse`` and validated against the EN 16931 CII schema (XSD) that drafthorse ships.

* BT-10 Buyer reference: the payer's Leitweg-ID (the ministry's from the contract's billing terms,
  or the body's own), BT-13 Purchase order reference: the call-off number;
* one invoice line per priced line of the statement (work, surcharges, travel), VAT category S
  at the statement's rate; totals exactly those of the statement (sums of the rounded lines);
* type code 380 (commercial invoice), 381 for a credit note, which refers to the invoice it
  cancels (BT-25).

* who pays (``BillingTerms.payer``): the ministry, the body, or split per service module; a split
  statement has one invoice per payer (numbers ``<statement>-L`` for the Land/ministry and
  ``<statement>-S`` for the body), each with the lines of its payer and its own VAT, so that each
  goes to the Leitweg-ID of the one who pays it; a statement with one payer has one invoice under
  the statement's number.

XRechnung (CIUS) fields beyond EN 16931: the seller's postal address, VAT ID (BT-31, or tax number
BT-32), contact (BR-DE-2/5/6/7: name, phone, e-mail from the provider's billing contact), for a seller without VAT ID
a seller identifier BT-29 (BR-CO-26: the provider's id in the portal); payment
means 58 (SEPA credit transfer, BR-DE-1) with the provider's IBAN (BIC if given); payment terms with
a due date ``PAYMENT_DAYS`` after the issue date (BR-CO-25); the buyer's postcode and city (BR-DE-8/9)
from the body's address, or for the ministry ``MINISTRY_ADDRESS``. A provider without this data
gets no XRechnung: ``xrechnung()`` refuses (TransitionNotAllowed, 409 at the API) naming what is
missing, instead of emitting a non-conformant file.

The document is derived from an immutable, approved statement, so it is the same bytes every time
it is asked for (the issue date is the day of approval).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem

from calloffs.errors import InvalidInput, TransitionNotAllowed
from tenants.leitweg import is_valid as leitweg_is_valid

from . import pricing
from .models import (
    INVOICE_PAYERS,
    Invoice,
    InvoiceSource,
    Payer,
    Statement,
    StatementKind,
    StatementLine,
    StatementState,
)
from .selectors import billing_terms_for

#: XRechnung 3.0 (CIUS of EN 16931) and the Peppol billing process.
GUIDELINE = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
SCHEMA = "FACTUR-X_EN16931"
INVOICE, CREDIT_NOTE = "380", "381"
PRICE_PLACES = Decimal("0.0001")
#: UNTDID 4461 payment means: SEPA credit transfer.
SEPA_CREDIT_TRANSFER = "58"
#: Days from the issue date to the due date (BT-9). A constant, not a contract setting: the
#: framework contract's payment clause (30 days, as § 286 (3) BGB for payment on invoice) is the same
#: for every contract so far; make it a BillingTerms field when one differs.
PAYMENT_DAYS = 30
#: The ministry's postal address as buyer (BR-DE-8/9), street, postcode, city. The contract names the
#: contracting authority but not its address; the Ministerium des Innern NRW sits here.
MINISTRY_ADDRESS = ("Friedrichstraße 62–80", "40217", "Düsseldorf")


#: Number suffix of the invoices of a split statement.
SUFFIX = {Payer.MINISTRY: "L", Payer.BODY: "S"}


@dataclass(frozen=True)
class InvoicePart:
    """What one payer is invoiced for one statement: its lines and totals."""

    statement: Statement
    payer: str
    number: str
    lines: list[StatementLine]
    net: Decimal
    vat: Decimal
    gross: Decimal


def payers_of(statement: Statement) -> list[str]:
    """Who receives an invoice for this statement, ministry first."""
    if statement.payer != Payer.SPLIT:
        return [statement.payer]
    found = set(statement.lines.values_list("payer", flat=True))
    return [p for p in INVOICE_PAYERS if p in found]


def invoice_number(statement: Statement, payer: str) -> str:
    return statement.number if statement.payer != Payer.SPLIT else f"{statement.number}-{SUFFIX[payer]}"


def part_of(statement: Statement, payer: str | None = None) -> InvoicePart:
    """The invoice of ``payer`` (None: the statement's only payer); InvalidInput for a payer who
    receives no invoice of this statement (or none named for a split one)."""
    payers = payers_of(statement)
    if payer is None or payer == "":
        if len(payers) != 1:
            raise InvalidInput(
                _("Dieser Leistungsnachweis wird aufgeteilt abgerechnet: Bitte den Rechnungsempfänger angeben."),
                field="payer",
            )
        payer = payers[0]
    if payer not in payers:
        raise InvalidInput(
            _("An diesen Rechnungsempfänger geht keine Rechnung dieses Leistungsnachweises."), field="payer"
        )
    lines = [line for line in statement.lines.order_by("position") if line.payer == payer or len(payers) == 1]
    if len(payers) == 1:
        net, vat, gross = statement.net_total, statement.vat_total, statement.gross_total
    else:
        net, vat, gross = pricing.totals([line.amount for line in lines], statement.vat_percent)
    return InvoicePart(
        statement=statement,
        payer=payer,
        number=invoice_number(statement, payer),
        lines=lines,
        net=net,
        vat=vat,
        gross=gross,
    )


def buyer_address(statement: Statement, payer: str) -> tuple[str, str, str]:
    """(street, postcode, city) of whoever pays this part; TransitionNotAllowed if the body's
    postcode or city is missing (BR-DE-8/9)."""
    if payer != Payer.BODY:
        return MINISTRY_ADDRESS
    organisation = statement.calloff.organisation
    if not organisation.postcode or not organisation.city:
        raise TransitionNotAllowed(
            _("Für den Rechnungsempfänger ({name}) sind Postleitzahl und Ort nicht hinterlegt."),
            name=organisation.name,
        )
    return organisation.street, organisation.postcode, organisation.city


def require_seller_data(provider) -> None:
    """TransitionNotAllowed naming what an XRechnung needs from the provider and it lacks."""
    gaps = provider.billing_gaps()
    if gaps:
        raise TransitionNotAllowed(
            _(
                "Für eine XRechnung fehlen Rechnungsdaten des Dienstleisters: {missing}. "
                "Der Dienstleister trägt sie im Portal unter „Rechnungsdaten“ nach."
            ),
            missing=", ".join(gaps),
        )


def due_date(statement: Statement) -> dt.date:
    return timezone.localdate(statement.approved_at) + dt.timedelta(days=PAYMENT_DAYS)


def payment_terms(statement: Statement) -> str:
    """The payment terms (BT-20) as the XRechnung and its PDF view say them."""
    return _("Zahlbar ohne Abzug bis {date} ({days} Tage).").format(
        date=f"{due_date(statement):%d.%m.%Y}", days=PAYMENT_DAYS
    )


def buyer_of(statement: Statement, payer: str | None = None) -> tuple[str, str]:
    """(name, Leitweg-ID) of whoever pays this statement (or this part of it); TransitionNotAllowed
    if the Leitweg-ID is missing."""
    calloff = statement.calloff
    if (payer or statement.payer) == Payer.BODY:
        name, leitweg = calloff.organisation.name, calloff.organisation.leitweg_id
    else:
        name, leitweg = calloff.contract.contracting_authority, billing_terms_for(calloff.contract).ministry_leitweg_id
    if not leitweg or not leitweg_is_valid(leitweg):
        raise TransitionNotAllowed(
            _("Für den Rechnungsempfänger ({name}) ist keine gültige Leitweg-ID hinterlegt."), name=name
        )
    return name, leitweg


def require_approved(statement: Statement) -> None:
    if statement.state != StatementState.APPROVED:
        raise TransitionNotAllowed(_("Eine XRechnung gibt es erst für einen freigegebenen Leistungsnachweis."))


def xrechnung(statement: Statement, payer: str | None = None) -> bytes:
    """The XRechnung (CII XML) of an approved statement or credit note (to ``payer``, for a split one)."""
    require_approved(statement)
    part = part_of(statement, payer)
    calloff = statement.calloff
    provider = statement.provider
    require_seller_data(provider)
    buyer_name, leitweg = buyer_of(statement, part.payer)
    buyer_street, buyer_postcode, buyer_city = buyer_address(statement, part.payer)
    issued = timezone.localdate(statement.approved_at)
    credit = statement.kind == StatementKind.CREDIT_NOTE

    doc = Document()
    doc.context.guideline_parameter.id = GUIDELINE
    doc.context.business_parameter.id = PROCESS
    doc.header.id = part.number
    doc.header.type_code = CREDIT_NOTE if credit else INVOICE
    doc.header.issue_date_time = issued
    note = IncludedNote()
    note.content = _("Leistungsnachweis {number} zum Abruf {calloff}, Zeitraum {start} bis {end}.").format(
        number=statement.number,
        calloff=calloff.number,
        start=f"{statement.period_start:%d.%m.%Y}",
        end=f"{statement.period_end:%d.%m.%Y}",
    )
    doc.header.notes.add(note)

    agreement = doc.trade.agreement
    agreement.buyer_reference = leitweg  # BT-10
    agreement.buyer_order.issuer_assigned_id = calloff.number  # BT-13
    agreement.contract.issuer_assigned_id = calloff.contract.reference  # BT-12
    if not provider.vat_id:
        # BR-CO-26: without a VAT ID (BT-31) the buyer needs a seller identifier (BT-29); the tax number
        # (BT-32) does not count. The provider's id in the portal, which the buyer sees on the call-off.
        agreement.seller.id = str(provider.public_id)
    agreement.seller.name = provider.legal_name
    agreement.seller.address.line_one = provider.street
    agreement.seller.address.postcode = provider.postcode
    agreement.seller.address.city_name = provider.city
    agreement.seller.address.country_id = "DE"
    agreement.seller.electronic_address.uri_ID = ("EM", provider.email)
    agreement.seller.contact.person_name = provider.billing_contact_name  # BT-41
    agreement.seller.contact.telephone.number = provider.billing_contact_phone  # BT-42
    agreement.seller.contact.email.address = provider.billing_contact_email  # BT-43
    registration = TaxRegistration()
    if provider.vat_id:
        registration.id = ("VA", provider.vat_id)  # BT-31
    else:
        registration.id = ("FC", provider.tax_number)  # BT-32
    agreement.seller.tax_registrations.add(registration)
    agreement.buyer.name = buyer_name
    if buyer_street:
        agreement.buyer.address.line_one = buyer_street
    agreement.buyer.address.postcode = buyer_postcode  # BT-53
    agreement.buyer.address.city_name = buyer_city  # BT-52
    agreement.buyer.address.country_id = "DE"
    agreement.buyer.electronic_address.uri_ID = ("0204", leitweg)

    doc.trade.delivery.event.occurrence = statement.period_end
    settlement = doc.trade.settlement
    settlement.currency_code = "EUR"
    means = PaymentMeans()
    means.type_code = SEPA_CREDIT_TRANSFER  # BT-81
    means.payee_account.iban = provider.iban  # BT-84
    means.payee_account.account_name = provider.legal_name  # BT-85
    if provider.bic:
        means.payee_institution.bic = provider.bic  # BT-86
    settlement.payment_means.add(means)
    terms = PaymentTerms()
    terms.description = payment_terms(statement)  # BT-20
    terms.due = due_date(statement)  # BT-9
    settlement.terms.add(terms)
    settlement.period.start = statement.period_start
    settlement.period.end = statement.period_end
    if credit and statement.corrects is not None:
        settlement.invoice_referenced_document.issuer_assigned_id = invoice_number(statement.corrects, part.payer)
        settlement.invoice_referenced_document.issue_date_time = timezone.localdate(statement.corrects.approved_at)

    vat_rate = statement.vat_percent
    for line in part.lines:
        item = LineItem()
        item.document.line_id = str(line.position)
        label = f"{line.get_kind_display()}: {line.description}" if line.kind == "work" else line.description
        item.product.name = label[:300]
        item.product.description = f"{line.date:%d.%m.%Y}"
        unit_price = line.unit_price if line.percent is None else line.unit_price * line.percent / 100
        item.agreement.net.amount = unit_price.quantize(PRICE_PLACES)
        item.delivery.billed_quantity = (line.quantity, line.unit)
        item.settlement.trade_tax.type_code = "VAT"
        item.settlement.trade_tax.category_code = "S"
        item.settlement.trade_tax.rate_applicable_percent = vat_rate
        item.settlement.monetary_summation.total_amount = line.amount
        doc.trade.items.add(item)

    tax = ApplicableTradeTax()
    tax.calculated_amount = part.vat
    tax.basis_amount = part.net
    tax.type_code = "VAT"
    tax.category_code = "S"
    tax.rate_applicable_percent = vat_rate
    settlement.trade_tax.add(tax)

    totals = settlement.monetary_summation
    totals.line_total = part.net
    totals.charge_total = Decimal("0.00")
    totals.allowance_total = Decimal("0.00")
    totals.tax_basis_total = part.net
    totals.tax_total = (part.vat, "EUR")
    totals.grand_total = part.gross
    totals.due_amount = part.gross
    return doc.serialize(schema=SCHEMA)


def filename(statement: Statement, payer: str | None = None) -> str:
    number = statement.number if payer is None else invoice_number(statement, payer)
    return f"XRechnung_{number}.xml"


@dataclass(frozen=True)
class InvoiceDocument:
    """The XRechnung of one payer as it stands: the issued one (stored) or, before it is issued, the
    generated one (the same bytes it will have when issued)."""

    xml: bytes
    source: str  # settlement.models.InvoiceSource
    sha256: str
    number: str
    payer: str
    issued: bool


def invoice_document(statement: Statement, payer: str | None = None) -> InvoiceDocument:
    require_approved(statement)
    part = part_of(statement, payer)
    issued = Invoice.objects.filter(statement=statement, payer=part.payer).first()
    if issued is not None:
        return InvoiceDocument(
            xml=bytes(issued.xml),
            source=issued.source,
            sha256=issued.sha256,
            number=issued.number,
            payer=part.payer,
            issued=True,
        )
    xml = xrechnung(statement, part.payer)
    return InvoiceDocument(
        xml=xml,
        source=InvoiceSource.GENERATED,
        sha256=hashlib.sha256(xml).hexdigest(),
        number=part.number,
        payer=part.payer,
        issued=False,
    )
