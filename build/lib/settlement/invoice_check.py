"""A provider's own XRechnung (UN/CEFACT CII), checked against the approved statement before it is
accepted in place of the generated one.

Parsing is safe for untrusted input: at most ``INVOICE_MAX_BYTES``, lxml without entity resolution,
without DTD loading and without network access, and a document with a DOCTYPE is refused outright
(no entity tricks, no XXE, no billion laughs). The document must be valid against the EN 16931 CII
schema that drafthorse ships, and these fields must be what the approved statement says:

* type code (380 invoice, 381 credit note), currency EUR;
* BT-10 buyer reference: the payer's Leitweg-ID; BT-13 order reference: the call-off number;
* BT-31 seller VAT ID: the provider's USt-IdNr. (BT-32 tax number for a provider without one);
* VAT rate of every tax breakdown and line, VAT amount, net (tax basis), gross, amount due;
* line total (BT-106) and the sum of the lines' net amounts.

Every difference is reported (field, expected, found), none is silently corrected. Then the invoice must
break none of the EN 16931 and XRechnung business rules (the official Schematron,
``settlement.xrechnung_rules``): a fatal or error finding is refused with each rule's id and text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import drafthorse
from django.utils.translation import gettext as _
from lxml import etree

from calloffs.errors import CallOffError, InvalidInput

from . import xrechnung_rules
from .invoice import CREDIT_NOTE, INVOICE, InvoicePart, buyer_of
from .models import INVOICE_MAX_BYTES, StatementKind

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
XSD = Path(drafthorse.__file__).parent / "schema" / "Factur-X_1.0.07_EN16931.xsd"
SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
LINES = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"


class InvoiceMismatch(CallOffError):
    """The uploaded invoice does not match the approved statement; ``differences`` lists each field."""

    default_message = _("Die Rechnung stimmt nicht mit dem freigegebenen Leistungsnachweis überein.")
    code = "invoice_mismatch"
    http_status = 422

    def __init__(self, differences: list[dict[str, str]]):
        super().__init__()
        self.differences = differences


class InvoiceUnreadable(InvalidInput):
    code = "invalid_invoice"


class InvoiceRulesViolated(InvalidInput):
    """The invoice breaks EN 16931 or XRechnung business rules; ``violations`` lists each one."""

    default_message = _(
        "Die Rechnung verletzt Geschäftsregeln von EN 16931 bzw. XRechnung ({count}): {rules}. "
        "Bitte die Rechnung berichtigen (KoSIT-Prüfregeln)."
    )
    code = "invoice_rules_violated"
    http_status = 422

    def __init__(self, violations: list[xrechnung_rules.Finding]):
        rules = ", ".join(dict.fromkeys(v.rule for v in violations))
        super().__init__(field="invoice", count=len(violations), rules=rules)
        self.violations = [{"rule": v.rule, "flag": v.flag, "text": v.text, "location": v.location} for v in violations]


@dataclass(frozen=True)
class ParsedInvoice:
    number: str
    root: etree._Element


@cache
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(XSD), parser))


def parse(data: bytes) -> ParsedInvoice:
    """Parse and validate against the CII schema; InvoiceUnreadable with a German reason otherwise."""
    if not data:
        raise InvoiceUnreadable(_("Die Rechnung ist leer."), field="invoice")
    if len(data) > INVOICE_MAX_BYTES:
        raise InvoiceUnreadable(
            _("Die Rechnung ist zu groß (höchstens {limit} Bytes)."), field="invoice", limit=INVOICE_MAX_BYTES
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InvoiceUnreadable(
            _("Die Rechnung ist kein wohlgeformtes XML: {error}"), field="invoice", error=str(exc)[:200]
        ) from None
    if root.getroottree().docinfo.doctype:
        raise InvoiceUnreadable(_("Eine Rechnung mit DOCTYPE-Deklaration wird nicht angenommen."), field="invoice")
    if etree.QName(root).namespace != NS["rsm"] or etree.QName(root).localname != "CrossIndustryInvoice":
        raise InvoiceUnreadable(
            _("Die Rechnung ist keine XRechnung in CII-Syntax (rsm:CrossIndustryInvoice)."), field="invoice"
        )
    schema = _schema()
    if not schema.validate(root):
        first = schema.error_log.filter_from_errors()[0] if schema.error_log.filter_from_errors() else None
        raise InvoiceUnreadable(
            _("Die Rechnung entspricht nicht dem CII-Schema (EN 16931): {error}"),
            field="invoice",
            error=(f"Zeile {first.line}: {first.message}" if first else "?")[:300],
        )
    return ParsedInvoice(number=(root.findtext("rsm:ExchangedDocument/ram:ID", namespaces=NS) or "").strip(), root=root)


def _decimal(text: str | None) -> Decimal | None:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def differences(parsed: ParsedInvoice, part: InvoicePart) -> list[dict[str, str]]:
    """Each field of the invoice that is not what the approved statement (this payer's part) says."""
    root = parsed.root
    statement = part.statement
    found: list[dict[str, str]] = []

    def text(path: str) -> str:
        return (root.findtext(path, namespaces=NS) or "").strip()

    def same_text(field: str, expected: str, got: str) -> None:
        if expected != got:
            found.append({"field": field, "expected": expected, "found": got})

    def same_amount(field: str, expected: Decimal, got_text: str) -> None:
        got = _decimal(got_text)
        if got is None or got != expected:
            found.append({"field": field, "expected": _money(expected), "found": got_text})

    type_code = CREDIT_NOTE if statement.kind == StatementKind.CREDIT_NOTE else INVOICE
    same_text("type_code", type_code, text("rsm:ExchangedDocument/ram:TypeCode"))
    same_text("currency", "EUR", text(f"{SETTLEMENT}/ram:InvoiceCurrencyCode"))
    _name, leitweg = buyer_of(statement, part.payer)
    same_text("buyer_reference", leitweg, text(f"{AGREEMENT}/ram:BuyerReference"))
    same_text(
        "order_reference",
        statement.calloff.number,
        text(f"{AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
    )
    provider = statement.provider
    scheme, tax_id = ("VA", provider.vat_id) if provider.vat_id else ("FC", provider.tax_number)
    same_text(
        "seller_vat_id",
        tax_id,
        text(f"{AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='{scheme}']"),
    )
    rate = statement.vat_percent
    rates = [
        x.text or ""
        for x in root.findall(f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:RateApplicablePercent", NS)
        + root.findall(f"{LINES}/ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent", NS)
    ]
    wrong_rates = sorted({r.strip() for r in rates if _decimal(r) != rate})
    if not rates or wrong_rates:
        found.append({"field": "vat_rate", "expected": f"{rate.normalize():f}", "found": ", ".join(wrong_rates)})
    same_amount("line_total", part.net, text(f"{SUMMATION}/ram:LineTotalAmount"))
    same_amount("net_total", part.net, text(f"{SUMMATION}/ram:TaxBasisTotalAmount"))
    same_amount("vat_total", part.vat, text(f"{SUMMATION}/ram:TaxTotalAmount"))
    same_amount("gross_total", part.gross, text(f"{SUMMATION}/ram:GrandTotalAmount"))
    same_amount("due_amount", part.gross, text(f"{SUMMATION}/ram:DuePayableAmount"))
    line_amounts = [
        _decimal(x.text)
        for x in root.findall(
            f"{LINES}/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            NS,
        )
    ]
    line_sum = sum((a for a in line_amounts if a is not None), Decimal("0"))
    if None in line_amounts or line_sum != part.net:
        found.append({"field": "line_sum", "expected": _money(part.net), "found": _money(line_sum)})
    return found


def check(data: bytes, part: InvoicePart) -> ParsedInvoice:
    """The parsed invoice if it matches and keeps the business rules; InvoiceUnreadable, InvoiceMismatch
    or InvoiceRulesViolated otherwise (the statement's differences first: they say what to change)."""
    parsed = parse(data)
    found = differences(parsed, part)
    if found:
        raise InvoiceMismatch(found)
    violations = xrechnung_rules.errors(data)
    if violations:
        raise InvoiceRulesViolated(violations)
    if not parsed.number:
        raise InvoiceUnreadable(_("Die Rechnung hat keine Rechnungsnummer."), field="invoice")
    return parsed
