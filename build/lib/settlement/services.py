"""Every step of a statement of services: one durable transaction, the row locked, the move
checked against ``STATEMENT_TRANSITIONS``, saved with ``update_fields``, audited (tenants'
audit log), its messages written into the notifications outbox in the same transaction.

submit (provider) → confirm | dispute (body: caller or admin) → answer (provider: correct or keep)
→ confirm | dispute … → approve (ministry). An approved statement never changes; a correction is a
credit note (``statement_credit``), after which the time entries may be billed in a new statement.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calloffs.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from calloffs.models import CallOff, FrameworkContract, Provider, RoleRate
from calloffs.permissions import can_act_for_body, is_ministry, is_staff_of
from calloffs.selectors import consumed_value, time_entries_for
from calloffs.services.ceiling import ceiling_check_consumed
from digisos.plausible import HOURS_PER_DAY, check_date
from tenants.services import audit

from . import invoice_check, pricing
from .invoice import buyer_of, part_of, payers_of, require_approved, xrechnung
from .models import (
    BillingTerms,
    DisputeState,
    Invoice,
    InvoiceSource,
    Payer,
    RateVersion,
    Statement,
    StatementItem,
    StatementKind,
    StatementLine,
    StatementState,
)
from .notify import statement_notifications
from .selectors import (
    BILLABLE_STATES,
    SURCHARGE_FIELDS,
    billing_terms_for,
    payer_rule,
    rate_versions_for,
    statement_terms,
    surcharges_of,
)

ST = StatementState
REASON_MAX = 2000
BILLING_FIELDS = frozenset(
    {
        "vat_percent",
        "travel_flat_rate",
        "payer",
        "ministry_leitweg_id",
        "holiday_surcharge_percent",
        "body_modules",
        "bank_change_hold_days",
    }
)


def _labels() -> dict[str, str]:
    return {
        "night": _("Nachtzuschlag"),
        "weekend": _("Wochenendzuschlag"),
        "holiday": _("Feiertagszuschlag"),
        "travel": _("Reisepauschale"),
    }


def _hours(value, *, field: str, upper: Decimal = HOURS_PER_DAY.high) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(pricing.CENT)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise InvalidInput(_("Bitte die Stunden als Zahl angeben."), field=field) from exc
    if not hours.is_finite() or hours < 0 or hours > upper:
        raise InvalidInput(
            _("Die Stunden müssen zwischen 0 und {upper} liegen."), field=field, upper=f"{upper.normalize():f}"
        )
    return hours


def _reason(text: str | None, *, field: str = "reason") -> str:
    text = " ".join((text or "").split())
    if not text:
        raise InvalidInput(_("Bitte einen Grund angeben."), field=field)
    if len(text) > REASON_MAX:
        raise InvalidInput(_("Der Text ist zu lang (höchstens {n} Zeichen)."), field=field, n=REASON_MAX)
    return text


def _guard(statement: Statement, new: str) -> str:
    if not statement.can_move_to(new):
        raise TransitionNotAllowed(
            _("Dieser Schritt ist im Status „{state}“ des Leistungsnachweises nicht möglich."),
            state=statement.get_state_display(),
        )
    return statement.state


def _lock(statement: Statement) -> Statement:
    return Statement.objects.select_for_update(of=("self",)).select_related("calloff", "provider").get(pk=statement.pk)


def _lock_calloff(calloff: CallOff) -> CallOff:
    return CallOff.objects.select_for_update(of=("self",)).select_related("contract", "organisation").get(pk=calloff.pk)


def _audit(statement: Statement, *, actor, action: str, old: str, **details) -> None:
    audit(
        actor=actor,
        action=action,
        organisation=statement.calloff.organisation,
        target=statement.number,
        calloff=statement.calloff.number,
        old_state=old,
        new_state=statement.state,
        **details,
    )


def _reprice(statement: Statement) -> None:
    """Rebuild the priced lines and the totals from the items (never after approval)."""
    if statement.is_locked:  # callers check first; an approved statement is never repriced
        raise RuntimeError(f"statement {statement.pk} is approved and cannot be repriced")
    items = list(statement.items.order_by("position", "id"))
    terms = statement_terms(statement, days={i.date for i in items})  # the settings copied at submission
    payer_of_item = {item.pk: item.payer for item in items}
    priced = pricing.price(
        [
            pricing.Item(
                key=item.pk,
                day=item.date,
                role=item.role_name,
                person=item.person,
                hours=item.hours,
                night_hours=item.night_hours,
                onsite=item.onsite,
                hourly_rate=item.hourly_rate,
            )
            for item in items
        ],
        terms,
        labels=_labels(),
    )
    statement.lines.all().delete()
    StatementLine.objects.bulk_create(
        StatementLine(
            statement=statement,
            item_id=line.key,
            position=position,
            kind=line.kind,
            date=line.day,
            description=line.description[:300],
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            percent=line.percent,
            amount=line.amount,
            payer=payer_of_item[line.key],
        )
        for position, line in enumerate(priced.lines, start=1)
    )
    # One invoice per payer: the VAT of each is rounded on its own, the statement's is their sum.
    parts = [
        pricing.totals([line.amount for line in priced.lines if payer_of_item[line.key] == payer], terms.vat_percent)
        for payer in sorted(set(payer_of_item.values()))
    ]
    statement.net_total = sum((p[0] for p in parts), pricing.ZERO)
    statement.vat_total = sum((p[1] for p in parts), pricing.ZERO)
    statement.gross_total = statement.net_total + statement.vat_total


def _next_number(calloff: CallOff, prefix: str) -> str:
    """Under the call-off's row lock: <call-off number>-LN01, -LN02 …, credit notes -GS01 …"""
    taken = Statement.objects.filter(calloff=calloff, number__startswith=f"{calloff.number}-{prefix}").count()
    return f"{calloff.number}-{prefix}{taken + 1:02d}"


def billed_entry_ids(calloff: CallOff) -> set[int]:
    """Time entries in a statement that is not cancelled by a credit note."""
    return set(
        StatementItem.objects.filter(statement__calloff=calloff, statement__kind=StatementKind.STATEMENT)
        .exclude(statement__credit_notes__isnull=False)
        .values_list("time_entry_id", flat=True)
    )


# --- Provider ---------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def statement_submit(
    *,
    calloff: CallOff,
    provider: Provider,
    actor,
    period_start: date,
    period_end: date,
    night_hours: dict | None = None,
    onsite: set | frozenset | list | None = None,
) -> Statement:
    """The assigned provider bills its time entries of the period not yet billed. ``night_hours``
    maps a time entry's public id to its hours at night, ``onsite`` holds the ids of entries worked
    on site (the travel flat rate). Nothing is billed for a drill."""
    if not is_staff_of(actor, provider):
        raise NotPermitted(_("Leistungsnachweise reicht nur der beauftragte Dienstleister ein."))
    for name, value in (("period_start", period_start), ("period_end", period_end)):
        try:
            check_date(value)
        except Exception as exc:  # noqa: BLE001 - ValidationError with a German message
            raise InvalidInput(getattr(exc, "messages", [str(exc)])[0], field=name) from None
    if period_end < period_start:
        raise InvalidInput(_("Das Ende des Zeitraums liegt vor seinem Beginn."), field="period_end")
    if period_end > timezone.localdate():
        raise InvalidInput(_("Der Zeitraum darf nicht in der Zukunft enden."), field="period_end")
    calloff = _lock_calloff(calloff)
    if calloff.provider_id != provider.pk:
        raise NotPermitted(_("Dieser Abruf ist nicht an Ihren Dienstleister vergeben."))
    if calloff.is_drill:
        raise TransitionNotAllowed(_("Dieser Abruf ist eine Übung: Für Übungen wird nichts abgerechnet."))
    if calloff.state not in BILLABLE_STATES:
        raise TransitionNotAllowed(_("Für diesen Abruf kann nichts abgerechnet werden."))
    billed = billed_entry_ids(calloff)
    entries = [
        e
        for e in time_entries_for(calloff)
        if e.provider_id == provider.pk and period_start <= e.date <= period_end and e.pk not in billed
    ]
    if not entries:
        raise InvalidInput(
            _("Im gewählten Zeitraum gibt es keine noch nicht abgerechneten Stunden."), field="period_start"
        )
    night = {str(k): v for k, v in (night_hours or {}).items()}
    on_site = {str(k) for k in (onsite or ())}
    known = {str(e.public_id) for e in entries}
    unknown = (set(night) | on_site) - known
    if unknown:
        raise InvalidInput(
            _("Diese Einträge gehören nicht zu den abzurechnenden Stunden: {ids}"),
            field="entries",
            ids=", ".join(sorted(unknown)),
        )
    terms = billing_terms_for(calloff.contract)
    payer_of = payer_rule(terms)
    payers = {payer_of(entry.service_module_id) for entry in entries}
    now = timezone.now()
    statement = Statement.objects.create(
        number=_next_number(calloff, "LN"),
        calloff=calloff,
        provider=provider,
        period_start=period_start,
        period_end=period_end,
        payer=payers.pop() if len(payers) == 1 else Payer.SPLIT,
        vat_percent=terms.vat_percent,
        **surcharges_of(calloff.contract, terms),
        submitted_at=now,
        submitted_by=actor,
    )
    versions = rate_versions_for({e.role_id for e in entries})
    items = []
    for position, entry in enumerate(entries, start=1):
        key = str(entry.public_id)
        hours_at_night = _hours(night.get(key, 0), field=f"night_hours.{key}", upper=entry.hours)
        items.append(
            StatementItem(
                statement=statement,
                time_entry=entry,
                date=entry.date,
                role_name=entry.role.name,
                person=entry.person,
                description=entry.description,
                hours=entry.hours,
                night_hours=hours_at_night,
                onsite=key in on_site,
                hourly_rate=pricing.rate_on(
                    entry.date, versions=versions.get(entry.role_id, ()), base=entry.role.hourly_rate
                ),
                payer=payer_of(entry.service_module_id),
                position=position,
            )
        )
    StatementItem.objects.bulk_create(items)
    _reprice(statement)
    statement.save(update_fields=["net_total", "vat_total", "gross_total"])
    _audit(statement, actor=actor, action="statement.submitted", old="", net=str(statement.net_total))
    statement_notifications(statement, event="statement.submitted", at=now)
    return statement


@transaction.atomic(durable=True)
def statement_answer(*, statement: Statement, actor, answers: dict) -> Statement:
    """The provider answers every disputed entry: ``{time entry id: {"action": "correct" | "keep",
    "note": str, "hours": …, "night_hours": …, "onsite": bool}}``; corrections are repriced."""
    statement = _lock(statement)
    if not is_staff_of(actor, statement.provider):
        raise NotPermitted(_("Beanstandungen beantwortet nur der Dienstleister des Leistungsnachweises."))
    old = _guard(statement, ST.CORRECTED)
    disputed = {str(i.time_entry.public_id): i for i in statement.items.select_related("time_entry")}
    disputed = {k: i for k, i in disputed.items() if i.dispute == DisputeState.OPEN}
    answers = {str(k): v for k, v in (answers or {}).items()}
    missing = sorted(set(disputed) - set(answers))
    if missing:
        raise InvalidInput(_("Bitte jede beanstandete Position beantworten."), field="answers")
    unknown = sorted(set(answers) - set(disputed))
    if unknown:
        raise InvalidInput(_("Diese Positionen sind nicht beanstandet: {ids}"), field="answers", ids=", ".join(unknown))
    changes = {}
    for key, item in disputed.items():
        answer = answers[key] or {}
        action = answer.get("action")
        note = _reason(answer.get("note"), field=f"answers.{key}.note")
        if action == "keep":
            item.dispute = DisputeState.KEPT
        elif action == "correct":
            hours = _hours(answer.get("hours", item.hours), field=f"answers.{key}.hours", upper=item.hours)
            night = _hours(answer.get("night_hours", min(item.night_hours, hours)), field=f"answers.{key}.night_hours")
            if night > hours:
                raise InvalidInput(
                    _("Die Nachtstunden dürfen die Stunden nicht übersteigen."), field=f"answers.{key}.night_hours"
                )
            changes[key] = {"hours": [str(item.hours), str(hours)], "night_hours": [str(item.night_hours), str(night)]}
            item.hours, item.night_hours = hours, night
            item.onsite = bool(answer.get("onsite", item.onsite))
            item.dispute = DisputeState.CORRECTED
        else:
            raise InvalidInput(_("Bitte „berichtigen“ oder „beibehalten“ wählen."), field=f"answers.{key}.action")
        item.answer = note
        item.save(update_fields=["hours", "night_hours", "onsite", "dispute", "answer"])
    _reprice(statement)
    statement.state = ST.CORRECTED
    statement.save(update_fields=["state", "net_total", "vat_total", "gross_total"])
    _audit(
        statement, actor=actor, action="statement.answered", old=old, corrections=changes, net=str(statement.net_total)
    )
    statement_notifications(statement, event="statement.corrected", at=timezone.now())
    return statement


# --- Body -------------------------------------------------------------------------------------


def _require_body(actor, statement: Statement) -> None:
    if not can_act_for_body(actor, statement.calloff):
        raise NotPermitted(
            _("Leistungsnachweise bestätigen oder beanstanden nur abrufberechtigte Personen der Stelle.")
        )


@transaction.atomic(durable=True)
def statement_confirm(*, statement: Statement, actor) -> Statement:
    statement = _lock(statement)
    _require_body(actor, statement)
    old = _guard(statement, ST.CONFIRMED)
    now = timezone.now()
    statement.state = ST.CONFIRMED
    statement.confirmed_at, statement.confirmed_by = now, actor
    statement.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    _audit(statement, actor=actor, action="statement.confirmed", old=old, net=str(statement.net_total))
    statement_notifications(statement, event="statement.confirmed", at=now)
    return statement


@transaction.atomic(durable=True)
def statement_dispute(*, statement: Statement, actor, reasons: dict) -> Statement:
    """The body disputes single entries: ``{time entry id: reason}`` (at least one)."""
    statement = _lock(statement)
    _require_body(actor, statement)
    old = _guard(statement, ST.DISPUTED)
    reasons = {str(k): v for k, v in (reasons or {}).items()}
    if not reasons:
        raise InvalidInput(_("Bitte mindestens eine Position mit Grund beanstanden."), field="reasons")
    items = {str(i.time_entry.public_id): i for i in statement.items.select_related("time_entry")}
    unknown = sorted(set(reasons) - set(items))
    if unknown:
        raise InvalidInput(
            _("Diese Positionen gehören nicht zum Leistungsnachweis: {ids}"), field="reasons", ids=", ".join(unknown)
        )
    for key, text in reasons.items():
        item = items[key]
        item.dispute = DisputeState.OPEN
        item.dispute_reason = _reason(text, field=f"reasons.{key}")
        item.answer = ""
        item.save(update_fields=["dispute", "dispute_reason", "answer"])
    statement.state = ST.DISPUTED
    statement.save(update_fields=["state"])
    _audit(statement, actor=actor, action="statement.disputed", old=old, reasons=reasons)
    statement_notifications(statement, event="statement.disputed", at=timezone.now())
    return statement


# --- Ministry ---------------------------------------------------------------------------------


def _require_ministry(actor) -> None:
    if not is_ministry(actor):
        raise NotPermitted(_("Leistungsnachweise gibt nur das Ministerium frei."))


def _require_leitweg_ids(statement: Statement) -> None:
    """Every payer of the statement (the ministry, the body, or both for a split) must have a valid
    Leitweg-ID before approval: otherwise the approved statement could not be invoiced."""
    missing = []
    for payer in payers_of(statement):
        try:
            buyer_of(statement, payer)
        except TransitionNotAllowed as exc:
            missing.append(exc.params.get("name", ""))
    if missing:
        raise TransitionNotAllowed(
            _(
                "Freigabe nicht möglich: Für {names} ist keine gültige Leitweg-ID hinterlegt, an die die "
                "XRechnung gehen kann. Bitte zuerst die Leitweg-ID hinterlegen (Ministerium: Abrechnung des "
                "Rahmenvertrags; Stelle: Stammdaten der Stelle)."
            ),
            names=", ".join(missing),
        )


@transaction.atomic(durable=True)
def statement_approve(*, statement: Statement, actor) -> Statement:
    """The paying party approves a confirmed statement; from now on it never changes. Its net
    amount moves from committed to consumed in the ceiling, and the ceiling alerts (80/95/100 %)
    are raised on the approved amounts (net, minus credit notes), each once per contract
    (calloffs.services.ceiling.ceiling_check_consumed)."""
    _require_ministry(actor)
    # The contract row first (as a filing does), so that concurrent approvals see each other's amounts.
    contract = FrameworkContract.objects.select_for_update(no_key=True).get(pk=statement.calloff.contract_id)
    statement = _lock(statement)
    old = _guard(statement, ST.APPROVED)
    _require_leitweg_ids(statement)
    approved_before = consumed_value(contract)
    now = timezone.now()
    statement.state = ST.APPROVED
    statement.approved_at, statement.approved_by = now, actor
    statement.save(update_fields=["state", "approved_at", "approved_by"])
    _audit(statement, actor=actor, action="statement.approved", old=old, gross=str(statement.gross_total))
    statement_notifications(statement, event="statement.approved", at=now)
    ceiling_check_consumed(
        contract=contract,
        calloff=statement.calloff,
        approved_before=approved_before,
        approved_after=consumed_value(contract),
    )
    return statement


@transaction.atomic(durable=True)
def statement_credit(*, statement: Statement, actor, reason: str) -> Statement:
    """Cancel an approved statement by a credit note over the same lines; its time entries may
    then be billed again in a new statement. The approved statement itself stays as it was."""
    _require_ministry(actor)
    reason = _reason(reason)
    calloff = _lock_calloff(statement.calloff)
    statement = _lock(statement)
    if statement.kind != StatementKind.STATEMENT or statement.state != ST.APPROVED:
        raise TransitionNotAllowed(_("Gutschriften gibt es nur zu freigegebenen Leistungsnachweisen."))
    if statement.credit_notes.exists():
        raise TransitionNotAllowed(_("Zu diesem Leistungsnachweis gibt es bereits eine Gutschrift."))
    now = timezone.now()
    credit = Statement.objects.create(
        number=_next_number(calloff, "GS"),
        kind=StatementKind.CREDIT_NOTE,
        calloff=calloff,
        provider=statement.provider,
        corrects=statement,
        period_start=statement.period_start,
        period_end=statement.period_end,
        state=ST.APPROVED,
        payer=statement.payer,
        vat_percent=statement.vat_percent,
        **{name: getattr(statement, name) for name in SURCHARGE_FIELDS},
        net_total=statement.net_total,
        vat_total=statement.vat_total,
        gross_total=statement.gross_total,
        note=reason,
        submitted_at=now,
        submitted_by=actor,
        confirmed_at=now,
        confirmed_by=actor,
        approved_at=now,
        approved_by=actor,
    )
    StatementLine.objects.bulk_create(
        StatementLine(
            statement=credit,
            item_id=line.item_id,
            payer=line.payer,
            position=line.position,
            kind=line.kind,
            date=line.date,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            percent=line.percent,
            amount=line.amount,
        )
        for line in statement.lines.order_by("position")
    )
    _audit(credit, actor=actor, action="statement.credited", old="", corrects=statement.number, reason=reason)
    statement_notifications(credit, event="statement.credited", at=now)  # to the provider: webhook and e-mail
    return credit


# --- Contract settings (ministry) ----------------------------------------------------------------


@transaction.atomic(durable=True)
def billing_terms_save(*, contract: FrameworkContract, actor, **fields) -> BillingTerms:
    """Change the contract's billing settings (VAT, travel flat rate, payer, ministry's Leitweg-ID)."""
    _require_ministry(actor)
    unknown = sorted(set(fields) - BILLING_FIELDS)
    if unknown:
        raise InvalidInput(_("Unbekannte Felder: {fields}"), fields=", ".join(unknown))
    FrameworkContract.objects.select_for_update(no_key=True).get(pk=contract.pk)
    terms, _created = BillingTerms.objects.get_or_create(contract=contract)
    modules = fields.pop("body_modules", None)
    changes = {}
    for name, value in fields.items():
        if getattr(terms, name) != value:
            changes[name] = [str(getattr(terms, name)), str(value)]
            setattr(terms, name, value)
    if modules is not None:
        modules = list(modules)
        if any(m.contract_id != contract.pk for m in modules):
            raise InvalidInput(_("Dieses Leistungsmodul gehört nicht zum Rahmenvertrag."), field="body_modules")
        before = sorted(terms.body_modules.values_list("code", flat=True))
        after = sorted(m.code for m in modules)
        if before != after:
            changes["body_modules"] = [before, after]
            terms.body_modules.set(modules)
    if changes or _created:
        terms.full_clean()
        terms.save()
        audit(actor=actor, action="contract.billing_terms_saved", target=contract.reference, changes=changes)
    return terms


@transaction.atomic(durable=True)
def rate_version_add(*, role: RoleRate, actor, valid_from: date, hourly_rate: Decimal) -> RateVersion:
    """A new hourly rate of a role from ``valid_from`` on (statements already submitted keep theirs)."""
    _require_ministry(actor)
    version = RateVersion(role=role, valid_from=valid_from, hourly_rate=hourly_rate)
    version.full_clean()
    version.save()
    audit(
        actor=actor,
        action="contract.rate_version_added",
        target=f"{role.contract.reference} {role.name}",
        valid_from=str(valid_from),
        hourly_rate=str(hourly_rate),
    )
    return version


# --- Invoices (provider) ---------------------------------------------------------------------------


def _require_provider(actor, statement: Statement) -> None:
    if not is_staff_of(actor, statement.provider):
        raise NotPermitted(_("Rechnungen stellt nur der Dienstleister des Leistungsnachweises aus."))


def _may_fetch(actor, statement: Statement) -> bool:
    """The provider of the statement, or whoever sees it (the ministry, the body): the payer side."""
    if is_staff_of(actor, statement.provider):
        return True
    return Statement.objects.visible_to(actor).filter(pk=statement.pk).exists()


class InvoiceAlreadyIssued(TransitionNotAllowed):
    """The invoice of this payer was issued (downloaded) already: it is not replaced by an upload."""

    code = "invoice_already_issued"


def _invoice_fields(part, *, data: bytes, number: str, source: str, actor) -> dict:
    return {
        "number": number[:100],
        "source": source,
        "xml": data,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "net_total": part.net,
        "vat_total": part.vat,
        "gross_total": part.gross,
        "issued_at": timezone.now(),
        "issued_by": actor,
    }


@transaction.atomic(durable=True)
def invoice_issue(*, statement: Statement, actor, payer: str | None = None) -> Invoice:
    """The generated XRechnung of an approved statement is downloaded: the first download issues it
    (stored with its SHA-256, audited), whether the provider or the payer side (ministry, body) fetches it
    first; later downloads return the invoice as issued. An issued invoice is final (``invoice_upload``)."""
    statement = _lock(statement)
    if not _may_fetch(actor, statement):
        raise NotPermitted(_("Diese Rechnung ist für Sie nicht sichtbar."))
    require_approved(statement)
    part = part_of(statement, payer)
    existing = Invoice.objects.filter(statement=statement, payer=part.payer).first()
    if existing is not None:
        return existing
    data = xrechnung(statement, part.payer)
    invoice = Invoice.objects.create(
        statement=statement,
        payer=part.payer,
        **_invoice_fields(part, data=data, number=part.number, source=InvoiceSource.GENERATED, actor=actor),
    )
    _audit(
        statement,
        actor=actor,
        action="statement.invoice_issued",
        old=statement.state,
        payer=part.payer,
        number=invoice.number,
        sha256=invoice.sha256,
        fetched_by="provider" if is_staff_of(actor, statement.provider) else "payer",
    )
    return invoice


def invoice_upload(*, statement: Statement, actor, data: bytes, payer: str | None = None) -> tuple[Invoice, bool]:
    """The provider's own XRechnung instead of the generated one: parsed safely, checked against the
    EN 16931/XRechnung rules and the approved statement (``invoice_check``: a mismatch is refused with
    every difference), stored with its SHA-256 and audited. Returns (invoice, created).

    Only before an invoice for this payer is issued: once the generated invoice was downloaded (by the
    provider or the payer) or another document uploaded, it is the invoice, and a different document is
    refused (``InvoiceAlreadyIssued``, 409): two invoices for one supply would both owe their VAT
    (§ 14c UStG). A correction is a credit note plus a new statement. The refusal is audited (in its own
    transaction, so that it stays when the error is raised). The same document again is accepted without
    change."""
    with transaction.atomic(durable=True):
        statement = _lock(statement)
        _require_provider(actor, statement)
        require_approved(statement)
        part = part_of(statement, payer)
        existing = Invoice.objects.select_for_update().filter(statement=statement, payer=part.payer).first()
        digest = hashlib.sha256(data).hexdigest()
        if existing is not None and existing.sha256 == digest:
            return existing, False
        if existing is None:
            parsed = invoice_check.check(data, part)
            fields = _invoice_fields(part, data=data, number=parsed.number, source=InvoiceSource.UPLOADED, actor=actor)
            invoice = Invoice.objects.create(statement=statement, payer=part.payer, **fields)
            _audit(
                statement,
                actor=actor,
                action="statement.invoice_uploaded",
                old=statement.state,
                payer=part.payer,
                number=invoice.number,
                sha256=invoice.sha256,
                size=invoice.size,
            )
            return invoice, True
        _audit(
            statement,
            actor=actor,
            action="statement.invoice_replacement_refused",
            old=statement.state,
            payer=part.payer,
            number=existing.number,
            issued_source=existing.source,
            issued_sha256=existing.sha256,
            refused_sha256=digest,
        )
    raise InvoiceAlreadyIssued(
        _(
            "Die Rechnung {number} zu diesem Leistungsnachweis ist bereits ausgestellt ({source}, am {date}, "
            "SHA-256 {sha}) und wird nicht ersetzt. Eine Berichtigung erfolgt über eine Gutschrift und einen "
            "neuen Leistungsnachweis."
        ),
        number=existing.number,
        source=existing.get_source_display(),
        date=f"{timezone.localtime(existing.issued_at):%d.%m.%Y %H:%M}",
        sha=existing.sha256,
    )
