"""What an XRechnung (UN/CEFACT CII) says, read from its XML for the human-readable view: document
number, type and date, seller (name, address, VAT ID or tax number, contact, bank account), buyer
(name, address, Leitweg-ID), references, period, lines, VAT breakdown, totals and payment terms.

The invoice PDF is built from this, from the document as issued (stored bytes), never from the current
rows of the portal: a provider who changes its billing data later, or an uploaded invoice that words its
lines differently, is shown as the invoice says. Parsing as safe as the upload check (no entities, no
DTD, no network); a field the document lacks is empty, never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
TRANSACTION = "rsm:SupplyChainTradeTransaction"
AGREEMENT = f"{TRANSACTION}/ram:ApplicableHeaderTradeAgreement"
SETTLEMENT = f"{TRANSACTION}/ram:ApplicableHeaderTradeSettlement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
HEADER = "rsm:ExchangedDocument"
LINE_SETTLEMENT = "ram:SpecifiedLineTradeSettlement"
LINE_SUMMATION = f"{LINE_SETTLEMENT}/ram:SpecifiedTradeSettlementLineMonetarySummation"
CREDIT_NOTE_CODES = frozenset({"381", "261", "262", "296", "308", "396", "420", "458", "532"})


@dataclass(frozen=True)
class Party:
    name: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    identifier: str = ""  # BT-29 / BT-46
    vat_id: str = ""  # BT-31 / BT-48
    tax_number: str = ""  # BT-32
    electronic_address: str = ""  # BT-34 / BT-49
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""

    @property
    def address(self) -> str:
        place = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.street, place) if part)


@dataclass(frozen=True)
class Line:
    line_id: str
    name: str
    description: str
    quantity: Decimal | None
    unit: str
    net_price: Decimal | None
    amount: Decimal | None
    vat_percent: Decimal | None

    @property
    def price_places(self) -> int:
        """Cents, unless the price has more places (a surcharge's price per hour may have four)."""
        if self.net_price is None or self.net_price == self.net_price.quantize(Decimal("0.01")):
            return 2
        return 4


@dataclass(frozen=True)
class TaxBreakdown:
    category: str
    percent: Decimal | None
    basis: Decimal | None
    amount: Decimal | None


@dataclass(frozen=True)
class InvoiceView:
    number: str
    type_code: str
    issue_date: dt.date | None
    notes: list[str]
    seller: Party
    buyer: Party
    buyer_reference: str  # BT-10, the Leitweg-ID
    order_reference: str  # BT-13
    contract_reference: str  # BT-12
    preceding_invoice: str  # BT-25
    period_start: dt.date | None
    period_end: dt.date | None
    currency: str
    iban: str
    bic: str
    account_name: str
    payment_terms: str
    due_date: dt.date | None
    lines: list[Line] = field(default_factory=list)
    taxes: list[TaxBreakdown] = field(default_factory=list)
    line_total: Decimal | None = None
    tax_basis: Decimal | None = None
    tax_total: Decimal | None = None
    grand_total: Decimal | None = None
    due_amount: Decimal | None = None

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in CREDIT_NOTE_CODES


def _text(node, path: str) -> str:
    if node is None:
        return ""
    return " ".join((node.findtext(path, namespaces=NS) or "").split())


def _decimal(node, path: str) -> Decimal | None:
    try:
        value = Decimal(_text(node, path))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(node, path: str) -> dt.date | None:
    found = node.find(path, NS) if node is not None else None
    if found is None:
        return None
    try:
        return dt.datetime.strptime((found.text or "").strip(), "%Y%m%d").date()  # format 102
    except ValueError:
        return None


def _party(node) -> Party:
    if node is None:
        return Party()
    address = node.find("ram:PostalTradeAddress", NS)
    contact = node.find("ram:DefinedTradeContact", NS)
    return Party(
        name=_text(node, "ram:Name"),
        street=_text(address, "ram:LineOne"),
        postcode=_text(address, "ram:PostcodeCode"),
        city=_text(address, "ram:CityName"),
        country=_text(address, "ram:CountryID"),
        identifier=_text(node, "ram:ID"),
        vat_id=_text(node, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
        tax_number=_text(node, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']"),
        electronic_address=_text(node, "ram:URIUniversalCommunication/ram:URIID"),
        contact_name=_text(contact, "ram:PersonName"),
        contact_phone=_text(contact, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
        contact_email=_text(contact, "ram:EmailURIUniversalCommunication/ram:URIID"),
    )


def _line(node) -> Line:
    quantity = node.find("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", NS)
    return Line(
        line_id=_text(node, "ram:AssociatedDocumentLineDocument/ram:LineID"),
        name=_text(node, "ram:SpecifiedTradeProduct/ram:Name"),
        description=_text(node, "ram:SpecifiedTradeProduct/ram:Description"),
        quantity=_decimal(node, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
        unit=quantity.get("unitCode", "") if quantity is not None else "",
        net_price=_decimal(node, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
        amount=_decimal(node, f"{LINE_SUMMATION}/ram:LineTotalAmount"),
        vat_percent=_decimal(node, f"{LINE_SETTLEMENT}/ram:ApplicableTradeTax/ram:RateApplicablePercent"),
    )


def read(data: bytes) -> InvoiceView:
    """The invoice as its XML says it (the XML was schema-checked when it was stored)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.fromstring(data, parser)
    agreement = root.find(AGREEMENT, NS)
    settlement = root.find(SETTLEMENT, NS)
    means = settlement.find("ram:SpecifiedTradeSettlementPaymentMeans", NS) if settlement is not None else None
    terms = settlement.find("ram:SpecifiedTradePaymentTerms", NS) if settlement is not None else None
    return InvoiceView(
        number=_text(root, "rsm:ExchangedDocument/ram:ID"),
        type_code=_text(root, "rsm:ExchangedDocument/ram:TypeCode"),
        issue_date=_date(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"),
        notes=[" ".join((n.text or "").split()) for n in root.findall(f"{HEADER}/ram:IncludedNote/ram:Content", NS)],
        seller=_party(agreement.find("ram:SellerTradeParty", NS) if agreement is not None else None),
        buyer=_party(agreement.find("ram:BuyerTradeParty", NS) if agreement is not None else None),
        buyer_reference=_text(agreement, "ram:BuyerReference"),
        order_reference=_text(agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        contract_reference=_text(agreement, "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        preceding_invoice=_text(settlement, "ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
        period_start=_date(settlement, "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString"),
        period_end=_date(settlement, "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString"),
        currency=_text(settlement, "ram:InvoiceCurrencyCode"),
        iban=_text(means, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"),
        bic=_text(means, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        account_name=_text(means, "ram:PayeePartyCreditorFinancialAccount/ram:AccountName"),
        payment_terms=_text(terms, "ram:Description"),
        due_date=_date(terms, "ram:DueDateDateTime/udt:DateTimeString"),
        lines=[_line(node) for node in root.findall(f"{TRANSACTION}/ram:IncludedSupplyChainTradeLineItem", NS)],
        taxes=[
            TaxBreakdown(
                category=_text(node, "ram:CategoryCode"),
                percent=_decimal(node, "ram:RateApplicablePercent"),
                basis=_decimal(node, "ram:BasisAmount"),
                amount=_decimal(node, "ram:CalculatedAmount"),
            )
            for node in (settlement.findall("ram:ApplicableTradeTax", NS) if settlement is not None else [])
        ],
        line_total=_decimal(root, f"{SUMMATION}/ram:LineTotalAmount"),
        tax_basis=_decimal(root, f"{SUMMATION}/ram:TaxBasisTotalAmount"),
        tax_total=_decimal(root, f"{SUMMATION}/ram:TaxTotalAmount"),
        grand_total=_decimal(root, f"{SUMMATION}/ram:GrandTotalAmount"),
        due_amount=_decimal(root, f"{SUMMATION}/ram:DuePayableAmount"),
    )
