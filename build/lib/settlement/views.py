"""Portal pages of the settlement: the list of statements, one statement with what the viewer may
do next (body: confirm or dispute; provider: answer; ministry: approve, credit note), and the
provider's submission for a call-off. Whoever may not see a statement gets a 404; a read-only
member sees it but may not act (403)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from calloffs.contract.views.common import form_error_from, ministry_only
from calloffs.errors import CallOffError
from calloffs.models import CallOff, FrameworkContract
from calloffs.permissions import can_act_for_body, is_ministry, is_staff_of, provider_of
from calloffs.selectors import time_entries_for

from . import services
from .forms import (
    AnswerForm,
    BillingTermsForm,
    CreditForm,
    DisputeForm,
    InvoiceUploadForm,
    RateVersionForm,
    SubmitForm,
)
from .invoice import filename, invoice_document, part_of, payers_of
from .invoice_check import InvoiceMismatch, InvoiceRulesViolated
from .invoice_pdf import pdf_filename, render_invoice_pdf
from .models import INVOICE_PAYERS, DisputeState, Payer, RateVersion, Statement, StatementKind, StatementState
from .selectors import (
    bank_change_warnings,
    billable_calloffs,
    billing_terms_for,
    statement_for,
    statements_visible_to,
)

ACTIONS = ("confirm", "dispute", "answer", "approve", "credit")
TEMPLATE = "settlement/statement_detail.html"


def _uuid_or_none(value):
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@login_required
def statement_list(request):
    rows = statements_visible_to(request.user).select_related("calloff__organisation").order_by("-submitted_at", "-id")
    calloff_id = _uuid_or_none(request.GET.get("abruf"))
    if calloff_id is not None:  # from the call-off's page: its statements only (still scoped to the user)
        rows = rows.filter(calloff__public_id=calloff_id)
    waiting = request.GET.get("offen") == "1"
    if waiting:
        if is_ministry(request.user):
            rows = rows.filter(state=StatementState.CONFIRMED)
        elif provider_of(request.user) is not None:
            rows = rows.filter(state=StatementState.DISPUTED)
        else:
            rows = rows.filter(state__in=[StatementState.SUBMITTED, StatementState.CORRECTED])
    page = Paginator(rows, 50).get_page(request.GET.get("seite"))
    billable = billable_calloffs(request.user) if provider_of(request.user) is not None else []
    contracts = list(FrameworkContract.objects.order_by("-start_date")[:5]) if is_ministry(request.user) else []
    context = {
        "page": page,
        "waiting": waiting,
        "one_calloff": calloff_id is not None,
        "billable": billable,
        "contracts": contracts,
    }
    return render(request, "settlement/statement_list.html", context)


def _rights(user, statement) -> dict[str, bool]:
    """Which steps this person may take at all (whatever the state)."""
    body = can_act_for_body(user, statement.calloff)
    ministry = is_ministry(user)
    return {
        "confirm": body,
        "dispute": body,
        "answer": is_staff_of(user, statement.provider),
        "approve": ministry,
        "credit": ministry,
    }


def _may(rights: dict[str, bool], statement) -> dict[str, bool]:
    """Which steps this person may take now."""
    state = statement.state
    review = state in (StatementState.SUBMITTED, StatementState.CORRECTED)
    regular = statement.kind == StatementKind.STATEMENT
    return {
        "confirm": rights["confirm"] and review,
        "dispute": rights["dispute"] and review,
        "answer": rights["answer"] and state == StatementState.DISPUTED,
        "approve": rights["approve"] and state == StatementState.CONFIRMED,
        # Only while an invoice of the statement is not yet issued: an issued one is final (services.invoice_upload).
        "upload": rights["answer"]
        and state == StatementState.APPROVED
        and statement.invoices.count() < len(payers_of(statement)),
        "credit": rights["credit"]
        and regular
        and state == StatementState.APPROVED
        and not statement.credit_notes.exists(),
    }


def _form(action, data, *, items, disputed):
    if action == "dispute":
        return DisputeForm(data, items=items, prefix="dispute")
    if action == "answer":
        return AnswerForm(data, items=disputed, prefix="answer")
    if action == "credit":
        return CreditForm(data, prefix="credit")
    return None


@login_required
@require_http_methods(["GET", "POST"])
def statement_detail(request, public_id):
    try:
        statement = statement_for(user=request.user, public_id=public_id)
    except Statement.DoesNotExist as exc:
        raise Http404 from exc
    items = list(statement.items.select_related("time_entry").order_by("position", "id"))
    disputed = [i for i in items if i.dispute == DisputeState.OPEN]
    rights = _rights(request.user, statement)
    may = _may(rights, statement)
    forms = {name: _form(name, None, items=items, disputed=disputed) if may[name] else None for name in ACTIONS}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ACTIONS or not may[action]:
            if action in ACTIONS and not rights[action]:
                messages.error(request, _("Für diesen Schritt fehlt Ihnen die Berechtigung."))
                status = 403
            else:
                messages.error(
                    request, _("Dieser Schritt ist im aktuellen Status des Leistungsnachweises nicht möglich.")
                )
                status = 409
            return render(request, TEMPLATE, _context(statement, items, may, forms, user=request.user), status=status)
        form = _form(action, request.POST, items=items, disputed=disputed)
        forms[action] = form
        if form is None or form.is_valid():
            try:
                result = _run(action, statement=statement, actor=request.user, form=form)
            except CallOffError as exc:
                if form is not None:
                    form.add_error(None, exc.message)
                else:
                    messages.error(request, exc.message)
            else:
                messages.success(request, str(_DONE[action]))
                return redirect("settlement:detail", public_id=result.public_id)
        status = 400
    return render(request, TEMPLATE, _context(statement, items, may, forms, user=request.user), status=status)


_DONE = {
    "confirm": gettext_lazy("Der Leistungsnachweis ist bestätigt."),
    "dispute": gettext_lazy("Die Beanstandung ist an den Dienstleister gegangen."),
    "answer": gettext_lazy("Ihre Antwort ist an die Stelle gegangen."),
    "approve": gettext_lazy("Der Leistungsnachweis ist freigegeben."),
    "credit": gettext_lazy("Die Gutschrift ist erstellt; die Stunden können neu abgerechnet werden."),
}


def _run(action, *, statement, actor, form):
    if action == "confirm":
        return services.statement_confirm(statement=statement, actor=actor)
    if action == "dispute":
        return services.statement_dispute(statement=statement, actor=actor, reasons=form.reasons())
    if action == "answer":
        return services.statement_answer(statement=statement, actor=actor, answers=form.answers())
    if action == "approve":
        return services.statement_approve(statement=statement, actor=actor)
    return services.statement_credit(statement=statement, actor=actor, reason=form.cleaned_data["reason"])


def _context(statement, items, may, forms, *, user) -> dict:
    return {
        "statement": statement,
        "items": items,
        "lines": list(statement.lines.order_by("position")),
        "may": may,
        "forms": forms,
        "credit_notes": list(statement.credit_notes.all()),
        # The payer side (body, ministry) is warned of invoices issued just after a bank change; the
        # provider, who made the change, is not.
        "invoices": _invoices(statement, bank_warnings=not is_staff_of(user, statement.provider)),
    }


@login_required
@require_http_methods(["GET", "POST"])
def statement_submit(request, calloff_id):
    """The assigned provider bills a period of a call-off, with night hours and on-site work per
    time entry (as the API takes them)."""
    calloff = CallOff.objects.visible_to(request.user).filter(public_id=calloff_id).select_related("provider").first()
    if calloff is None:
        raise Http404
    provider = calloff.provider
    if provider is None or not is_staff_of(request.user, provider):
        raise Http404  # only the assigned provider has this page
    billed = services.billed_entry_ids(calloff)
    entries = [e for e in time_entries_for(calloff) if e.provider_id == provider.pk and e.pk not in billed]
    form = SubmitForm(request.POST or None, entries=entries)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                statement = services.statement_submit(
                    calloff=calloff,
                    provider=provider,
                    actor=request.user,
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    night_hours=form.night_hours(),
                    onsite=form.onsite(),
                )
            except CallOffError as exc:
                form.add_error(form.field_for(exc.field), exc.message)
            else:
                messages.success(request, _("Der Leistungsnachweis ist eingereicht; die Stelle wird benachrichtigt."))
                return redirect("settlement:detail", public_id=statement.public_id)
        status = 400
    return render(request, "settlement/statement_submit.html", {"calloff": calloff, "form": form}, status=status)


def _visible_statement(request, public_id) -> Statement:
    try:
        return statement_for(user=request.user, public_id=public_id)
    except Statement.DoesNotExist as exc:
        raise Http404 from exc


def _payer_param(request) -> str | None:
    payer = request.GET.get("empfaenger") or None
    if payer is not None and payer not in INVOICE_PAYERS:
        raise Http404
    return payer


@login_required
def statement_invoice(request, public_id):
    """The XRechnung of an approved statement, for whoever sees the statement. The first download (by
    the provider or the payer side) issues it (stored, audited); after an upload it is the uploaded
    document. An issued invoice is final (services.invoice_upload)."""
    statement = _visible_statement(request, public_id)
    payer = _payer_param(request)
    try:
        services.invoice_issue(statement=statement, actor=request.user, payer=payer)
        document = invoice_document(statement, payer)
    except CallOffError as exc:
        messages.error(request, exc.message)
        return redirect("settlement:detail", public_id=statement.public_id)
    response = HttpResponse(document.xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{filename(statement, document.payer)}"'
    response["X-Invoice-Source"] = document.source
    response["X-Content-SHA256"] = document.sha256
    return response


@login_required
def statement_invoice_pdf(request, public_id):
    """The human-readable view of the invoice (PDF), for whoever sees the statement."""
    statement = _visible_statement(request, public_id)
    payer = _payer_param(request)
    try:
        pdf = render_invoice_pdf(statement, payer)
    except CallOffError as exc:
        messages.error(request, exc.message)
        return redirect("settlement:detail", public_id=statement.public_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(statement, payer)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def statement_invoice_upload(request, public_id):
    """The provider uploads its own XRechnung instead of the generated one; a mismatch with the
    approved statement is shown field by field, nothing is stored then."""
    statement = _visible_statement(request, public_id)
    if not is_staff_of(request.user, statement.provider):
        raise Http404  # only the statement's provider has this page
    if statement.state != StatementState.APPROVED:
        messages.error(request, _("Eine Rechnung gibt es erst für einen freigegebenen Leistungsnachweis."))
        return redirect("settlement:detail", public_id=statement.public_id)
    payers = payers_of(statement)
    form = InvoiceUploadForm(request.POST or None, request.FILES or None, payers=payers)
    differences, violations = [], []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            payer = form.cleaned_data.get("payer") or payers[0]
            try:
                _invoice, created = services.invoice_upload(
                    statement=statement, actor=request.user, data=form.cleaned_data["invoice"].read(), payer=payer
                )
            except InvoiceMismatch as exc:
                differences = exc.differences
                form.add_error(None, exc.message)
            except InvoiceRulesViolated as exc:
                violations = exc.violations
                form.add_error("invoice", exc.message)
            except CallOffError as exc:
                form.add_error("invoice" if exc.field == "invoice" else None, exc.message)
            else:
                messages.success(
                    request,
                    _("Ihre XRechnung ist geprüft und gespeichert.")
                    if created
                    else _("Diese XRechnung war bereits gespeichert."),
                )
                return redirect("settlement:detail", public_id=statement.public_id)
        status = 400
    context = {
        "statement": statement,
        "form": form,
        "differences": differences,
        "violations": violations,
        "labels": DIFFERENCE_LABELS,
    }
    return render(request, "settlement/invoice_upload.html", context, status=status)


#: The fields the upload check compares, as the provider reads them.
DIFFERENCE_LABELS = {
    "type_code": gettext_lazy("Rechnungsart (Typcode)"),
    "currency": gettext_lazy("Währung"),
    "buyer_reference": gettext_lazy("Käuferreferenz (Leitweg-ID des Rechnungsempfängers)"),
    "order_reference": gettext_lazy("Bestellreferenz (Abrufnummer)"),
    "vat_rate": gettext_lazy("Umsatzsteuersatz (%)"),
    "line_total": gettext_lazy("Summe der Positionen (Kopf)"),
    "net_total": gettext_lazy("Netto (Steuerbasis)"),
    "vat_total": gettext_lazy("Umsatzsteuer"),
    "gross_total": gettext_lazy("Brutto"),
    "due_amount": gettext_lazy("Zahlbetrag"),
    "line_sum": gettext_lazy("Summe der einzelnen Positionen"),
}


def _invoices(statement, *, bank_warnings: bool = False) -> list[dict]:
    """Per payer of an approved statement: the invoice's number and totals, whether (and how) it is
    issued, and (``bank_warnings``) whether it falls within the hold after a bank change."""
    if statement.state != StatementState.APPROVED:
        return []
    issued = {invoice.payer: invoice for invoice in statement.invoices.all()}
    warnings = (
        bank_change_warnings(statement, {payer: issued.get(payer) for payer in payers_of(statement)})
        if bank_warnings
        else {}
    )
    rows = []
    for payer in payers_of(statement):
        part = part_of(statement, payer)
        rows.append(
            {
                "payer": payer,
                "label": Payer(payer).label,
                "number": part.number,
                "gross": part.gross,
                "invoice": issued.get(payer),
                "split": statement.payer == Payer.SPLIT,
                "bank_warning": warnings.get(payer),
            }
        )
    return rows


@ministry_only
@require_http_methods(["GET", "POST"])
def billing_terms(request, public_id):
    """The ministry's billing settings of a contract and its rate changes (hourly rates from a day on)."""
    contract = FrameworkContract.objects.filter(public_id=public_id).first()
    if contract is None:
        raise Http404
    terms = billing_terms_for(contract)
    terms_form = BillingTermsForm(instance=terms, prefix="terms")
    rate_form = RateVersionForm(contract=contract, prefix="rate")
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "terms":
            terms_form = BillingTermsForm(request.POST, instance=billing_terms_for(contract), prefix="terms")
            if terms_form.is_valid():
                fields = {name: terms_form.cleaned_data[name] for name in terms_form.Meta.fields}
                try:
                    services.billing_terms_save(contract=contract, actor=request.user, **fields)
                except (CallOffError, ValidationError) as exc:
                    form_error_from(terms_form, exc)
                else:
                    messages.success(request, _("Die Abrechnungsregeln sind gespeichert."))
                    return redirect("settlement:billing_terms", public_id=contract.public_id)
        elif which == "rate":
            rate_form = RateVersionForm(request.POST, contract=contract, prefix="rate")
            if rate_form.is_valid():
                try:
                    services.rate_version_add(actor=request.user, **rate_form.cleaned_data)
                except (CallOffError, ValidationError) as exc:
                    form_error_from(rate_form, exc)
                else:
                    messages.success(request, _("Der neue Stundensatz ist gespeichert."))
                    return redirect("settlement:billing_terms", public_id=contract.public_id)
        status = 400
    versions = RateVersion.objects.filter(role__in=contract.role_rates.all()).select_related("role")
    context = {
        "contract": contract,
        "terms_form": terms_form,
        "rate_form": rate_form,
        "roles": list(contract.role_rates.order_by("name")),
        "versions": list(versions.order_by("role__name", "valid_from")),
    }
    return render(request, "settlement/billing_terms.html", context, status=status)
