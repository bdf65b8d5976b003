"""Every write about measures and the reconnection gate (STYLE.md §2): keyword-only, one durable
transaction, the row re-read and locked, who may act checked here (not in views), one audit entry
per step, messages written into the outbox in the same transaction.

Who acts:
- the accepting provider (while engaged) records measures, changes their text and the mark
  "required for reconnection", and verifies a measure marked done or sends it back;
- a body admin assigns the owner (a member of the body, or the provider as a billable service),
  and alone accepts a risk;
- a body admin or the measure's owner moves it to in progress and done (for a measure the provider
  owns: a body admin or the provider);
- the second check of a measure marked done is the other party's: the accepting provider verifies the
  body's work (or sends it back); a body admin verifies what the provider carried out as a billable
  service (the provider cannot confirm its own work); nobody confirms what they reported done;
- a body admin or the ministry opens the reconnection gate, once every required measure is verified,
  and closes it again with a reason (re-opening then needs the required measures verified again).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calloffs.models import CallOff
from calloffs.permissions import is_active_user, is_ministry
from calloffs.visibility import engaged_calloffs
from incidents.models import Incident
from tenants.models import Membership, Role
from tenants.services import audit

from ..errors import GateClosed, InvalidInput, MeasureStateConflict, NotEngaged, NotPermitted, SelfVerification
from ..locks import lock_engaged as _lock_engaged
from ..models import Finding, Severity
from . import notify
from .models import (
    DESCRIPTION_MAX,
    FINAL_STATES,
    NOTE_MAX,
    OPEN_STATES,
    REASON_MAX,
    REASON_MIN,
    TITLE_MAX,
    Measure,
    MeasureState,
    OwnerKind,
    ReconnectionGate,
    RemediationTerms,
)

#: The fields the provider may change after recording a measure.
MEASURE_UPDATE_FIELDS = ("title", "description", "required_for_reconnection")


# --- Terms and due dates ------------------------------------------------------------------------


def terms_for(contract_id: int) -> RemediationTerms:
    """The contract's remediation terms; the defaults (unsaved) when it has none."""
    return RemediationTerms.objects.filter(contract_id=contract_id).first() or RemediationTerms(contract_id=contract_id)


def schedule(*, contract_id: int, severity: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """(due date, reminder date) of a measure of this severity begun on ``start``."""
    terms = terms_for(contract_id)
    due = start + dt.timedelta(days=terms.days_for(severity))
    return due, max(start, due - dt.timedelta(days=terms.remind_before_days))


@transaction.atomic(durable=True)
def remediation_terms_save(*, contract, actor, **fields) -> RemediationTerms:
    """The ministry changes a contract's remediation terms (measures already recorded keep their dates)."""
    if not is_ministry(actor):
        raise NotPermitted()
    names = {
        "critical_days",
        "high_days",
        "medium_days",
        "low_days",
        "remind_before_days",
        "overdue_every_days",
        "escalate_after_days",
    }
    unknown = sorted(set(fields) - names)
    if unknown:
        raise InvalidInput(_("Unbekannte Angaben: {names}").format(names=", ".join(unknown)))
    type(contract).objects.select_for_update(no_key=True).get(pk=contract.pk)
    terms, created = RemediationTerms.objects.get_or_create(contract=contract)
    changes = {}
    for name, value in fields.items():
        if getattr(terms, name) != value:
            changes[name] = [getattr(terms, name), value]
            setattr(terms, name, value)
    if not (terms.critical_days <= terms.high_days <= terms.medium_days <= terms.low_days):
        raise InvalidInput(
            _("Die Fristen müssen mit sinkendem Schweregrad gleich bleiben oder länger werden."), field="high_days"
        )
    if changes or created:
        from django.core.exceptions import ValidationError

        try:
            terms.full_clean()
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise InvalidInput(" ".join(messages), field=field) from exc
        terms.save()
        audit(actor=actor, action="contract.remediation_terms_saved", target=contract.reference, changes=changes)
    return terms


# --- Checks -------------------------------------------------------------------------------------


def is_body_admin(actor, organisation_id: int) -> bool:
    return (
        is_active_user(actor)
        and Membership.objects.filter(user_id=actor.pk, organisation_id=organisation_id, role=Role.ADMIN).exists()
    )


def _is_member(user, organisation_id: int) -> bool:
    return (
        bool(user and user.is_active)
        and Membership.objects.filter(user_id=user.pk, organisation_id=organisation_id).exists()
    )


def is_engaged(actor, calloff_id: int) -> bool:
    return engaged_calloffs(actor).filter(pk=calloff_id).exists()


def _lock(measure: Measure) -> Measure:
    return Measure.objects.select_for_update(of=("self",)).select_related("calloff", "finding").get(pk=measure.pk)


def _text(value, *, field: str, limit: int, required_message: str | None = None, minimum: int = 0) -> str:
    value = (value or "").strip()
    if required_message and not value:
        raise InvalidInput(required_message, field=field)
    if value and len(value) < minimum:
        raise InvalidInput(_("Bitte mindestens {n} Zeichen.").format(n=minimum), field=field)
    if len(value) > limit:
        raise InvalidInput(_("Höchstens {n} Zeichen.").format(n=limit), field=field)
    return value


def _reason(value, *, field: str = "reason") -> str:
    return _text(
        value, field=field, limit=REASON_MAX, minimum=REASON_MIN, required_message=_("Bitte eine Begründung angeben.")
    )


def _require_state(measure: Measure, *allowed) -> None:
    if measure.state not in allowed:
        raise MeasureStateConflict(
            _("Dieser Schritt ist im Status „{state}“ der Maßnahme nicht möglich.").format(
                state=measure.get_state_display()
            )
        )


def _touch(measure: Measure, now, fields: list[str]) -> None:
    measure.updated_at = max(now, measure.created_at)
    measure.save(update_fields=[*fields, "updated_at"])


def _audit(measure: Measure, *, actor, action: str, old: str = "", **details) -> None:
    audit(
        actor=actor,
        action=action,
        organisation=measure.organisation,
        target=str(measure.public_id),
        calloff=measure.calloff.number,
        old=old,
        new=measure.state,
        **details,
    )


# --- Recording (the provider) -------------------------------------------------------------------


def measure_for_finding(*, finding: Finding, calloff: CallOff, actor, now=None) -> Measure:
    """The measure a new finding brings (its recommendation, or its title): called inside
    finding_create's transaction, which has locked the call-off."""
    now = now or timezone.now()
    due, remind = schedule(contract_id=calloff.contract_id, severity=finding.severity, start=timezone.localdate(now))
    title = _("Umsetzen: {title}").format(title=finding.title)[:TITLE_MAX]
    measure = Measure.objects.create(
        finding=finding,
        calloff=calloff,
        incident_id=calloff.incident_id,
        organisation_id=calloff.organisation_id,
        title=title,
        description=(finding.recommendation or "")[:DESCRIPTION_MAX],
        due_date=due,
        remind_on=remind,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _audit(measure, actor=actor, action="measure.created", finding=str(finding.public_id), due=due.isoformat())
    return measure


def reschedule_for_finding(*, finding: Finding, actor) -> int:
    """The finding's severity changed: its measures still to do get the due date of the new severity
    (counted from their creation) and are reminded again. Inside finding_update's transaction."""
    changed = 0
    for measure in Measure.objects.select_for_update().filter(finding=finding, state__in=OPEN_STATES):
        due, remind = schedule(
            contract_id=finding.calloff.contract_id,
            severity=finding.severity,
            start=timezone.localdate(measure.created_at),
        )
        if due == measure.due_date:
            continue
        old = measure.due_date
        measure.due_date, measure.remind_on = due, remind
        measure.reminded_at = measure.overdue_notified_at = measure.overdue_next_on = measure.escalated_at = None
        measure.overdue_reminders = 0
        _touch(
            measure,
            timezone.now(),
            ["due_date", "remind_on", "reminded_at", "overdue_notified_at", "overdue_next_on", "overdue_reminders"]
            + ["escalated_at"],
        )
        _audit(measure, actor=actor, action="measure.rescheduled", old=measure.state, due=[str(old), str(due)])
        changed += 1
    return changed


@transaction.atomic(durable=True)
def measure_create(
    *,
    calloff: CallOff,
    actor,
    finding: Finding,
    title: str,
    description: str = "",
    required_for_reconnection: bool = False,
) -> Measure:
    """A further measure for a finding of the call-off (the first one comes with the finding)."""
    calloff = _lock_engaged(calloff=calloff, actor=actor)
    if finding.calloff_id != calloff.pk:
        raise InvalidInput(_("Dieser Befund gehört nicht zu diesem Abruf."), field="finding")
    title = _text(title, field="title", limit=TITLE_MAX, required_message=_("Bitte die Maßnahme benennen."))
    description = _text(description, field="description", limit=DESCRIPTION_MAX)
    now = timezone.now()
    due, remind = schedule(contract_id=calloff.contract_id, severity=finding.severity, start=timezone.localdate(now))
    measure = Measure.objects.create(
        finding=finding,
        calloff=calloff,
        incident_id=calloff.incident_id,
        organisation_id=calloff.organisation_id,
        title=title,
        description=description,
        required_for_reconnection=bool(required_for_reconnection),
        due_date=due,
        remind_on=remind,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _audit(
        measure,
        actor=actor,
        action="measure.created",
        finding=str(finding.public_id),
        due=due.isoformat(),
        required_for_reconnection=measure.required_for_reconnection,
    )
    return measure


@transaction.atomic(durable=True)
def measure_update(*, measure: Measure, actor, **changes) -> Measure:
    """The provider changes a measure's text (not once it is finished) or its mark "required for
    reconnection" (always: the expert's judgement, audited)."""
    unknown = set(changes) - set(MEASURE_UPDATE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unbekannte Angaben: {names}").format(names=", ".join(sorted(unknown))))
    # The call-off first, then the row (the order of measure_create, so two writers never deadlock).
    _lock_engaged(calloff=measure.calloff, actor=actor)
    measure = _lock(measure)
    data = {}
    if "title" in changes:
        data["title"] = _text(
            changes["title"], field="title", limit=TITLE_MAX, required_message=_("Bitte die Maßnahme benennen.")
        )
    if "description" in changes:
        data["description"] = _text(changes["description"], field="description", limit=DESCRIPTION_MAX)
    if "required_for_reconnection" in changes:
        data["required_for_reconnection"] = bool(changes["required_for_reconnection"])
    changed = [field for field, value in data.items() if getattr(measure, field) != value]
    if not changed:
        return measure
    if measure.state in FINAL_STATES and set(changed) & {"title", "description"}:
        raise MeasureStateConflict(_("Eine abgeschlossene Maßnahme behält ihren Text."))
    for field in changed:
        setattr(measure, field, data[field])
    _touch(measure, timezone.now(), changed)
    _audit(
        measure,
        actor=actor,
        action="measure.updated",
        old=measure.state,
        fields=changed,
        required_for_reconnection=measure.required_for_reconnection,
    )
    return measure


# --- The body's steps ---------------------------------------------------------------------------


@transaction.atomic(durable=True)
def measure_assign(*, measure: Measure, actor, owner_kind: str, owner=None) -> Measure:
    """A body admin names who is responsible: a member of the body, or the provider (billable)."""
    measure = _lock(measure)
    if not is_body_admin(actor, measure.organisation_id):
        raise NotPermitted(_("Nur die Administration der Stelle kann Verantwortliche festlegen."))
    _require_state(measure, *OPEN_STATES)
    if owner_kind not in OwnerKind.values:
        raise InvalidInput(_("Bitte wählen Sie, wer zuständig ist."), field="owner_kind")
    if owner_kind == OwnerKind.PROVIDER:
        owner = None
    elif owner is None or not _is_member(owner, measure.organisation_id):
        raise InvalidInput(_("Bitte eine Person Ihrer Stelle als Verantwortliche wählen."), field="owner")
    if (measure.owner_kind, measure.owner_id) == (owner_kind, getattr(owner, "pk", None)):
        return measure
    old_kind = measure.owner_kind
    measure.owner_kind, measure.owner = owner_kind, owner
    _touch(measure, timezone.now(), ["owner_kind", "owner"])
    _audit(
        measure,
        actor=actor,
        action="measure.assigned",
        old=measure.state,
        owner_kind=[old_kind, owner_kind],
        owner=owner.email if owner else "",
    )
    return measure


def may_work_on(actor, measure: Measure) -> bool:
    """A body admin; the owner (a member of the body); for a measure the provider owns, the provider."""
    if is_body_admin(actor, measure.organisation_id):
        return True
    if measure.owner_kind == OwnerKind.PROVIDER:
        return is_engaged(actor, measure.calloff_id)
    return measure.owner_id == getattr(actor, "pk", None) and _is_member(actor, measure.organisation_id)


@transaction.atomic(durable=True)
def measure_start(*, measure: Measure, actor) -> Measure:
    measure = _lock(measure)
    if not may_work_on(actor, measure):
        raise NotPermitted(_("Nur die Administration der Stelle oder die verantwortliche Person kann das."))
    _require_state(measure, MeasureState.OPEN)
    measure.state = MeasureState.IN_PROGRESS
    _touch(measure, timezone.now(), ["state"])
    _audit(measure, actor=actor, action="measure.started", old=MeasureState.OPEN)
    return measure


@transaction.atomic(durable=True)
def measure_done(*, measure: Measure, actor, note: str = "") -> Measure:
    """Marked as carried out: the accepting provider is asked to verify (webhook ``measure.verified_requested``)."""
    measure = _lock(measure)
    if not may_work_on(actor, measure):
        raise NotPermitted(_("Nur die Administration der Stelle oder die verantwortliche Person kann das."))
    _require_state(measure, *OPEN_STATES)
    note = _text(note, field="note", limit=NOTE_MAX)
    old, now = measure.state, timezone.now()
    measure.state, measure.done_at, measure.done_by, measure.done_note = MeasureState.DONE, now, actor, note
    _touch(measure, now, ["state", "done_at", "done_by", "done_note"])
    _audit(measure, actor=actor, action="measure.done", old=old)
    notify.verification_requested(measure, at=now)
    return measure


@transaction.atomic(durable=True)
def measure_accept_risk(*, measure: Measure, actor, reason: str) -> Measure:
    """A body admin decides not to carry the measure out and takes the risk, with a reason."""
    measure = _lock(measure)
    if not is_body_admin(actor, measure.organisation_id):
        raise NotPermitted(_("Nur die Administration der Stelle kann ein Risiko akzeptieren."))
    _require_state(measure, *OPEN_STATES, MeasureState.DONE)
    reason = _reason(reason)
    old, now = measure.state, timezone.now()
    measure.state, measure.risk_reason, measure.risk_accepted_at, measure.risk_accepted_by = (
        MeasureState.ACCEPTED_RISK,
        reason,
        now,
        actor,
    )
    measure.done_at, measure.done_by = None, None
    _touch(measure, now, ["state", "risk_reason", "risk_accepted_at", "risk_accepted_by", "done_at", "done_by"])
    _audit(measure, actor=actor, action="measure.risk_accepted", old=old, reason=reason)
    return measure


# --- The second check (the provider, or the body for the provider's own work) --------------------


def may_verify(actor, measure: Measure) -> bool:
    """Who checks a measure marked done: a body admin when the provider carried it out, else the
    accepting provider; never the person who reported it done."""
    if measure.done_by_id is not None and measure.done_by_id == getattr(actor, "pk", None):
        return False
    if measure.owner_kind == OwnerKind.PROVIDER:
        return is_body_admin(actor, measure.organisation_id) and not is_engaged(actor, measure.calloff_id)
    return is_engaged(actor, measure.calloff_id)


def _lock_for_check(measure: Measure, actor) -> Measure:
    """Lock for the second check (the call-off first when the provider checks, as measure_create) and
    refuse whoever may not take it: the provider its own work with SelfVerification (a clear 403)."""
    engaged = is_engaged(actor, measure.calloff_id)
    if engaged:
        _lock_engaged(calloff=measure.calloff, actor=actor)
    measure = _lock(measure)
    if measure.owner_kind == OwnerKind.PROVIDER:
        if engaged:
            raise SelfVerification()
        if not is_body_admin(actor, measure.organisation_id):
            raise NotPermitted(
                _("Eine Maßnahme, die der Dienstleister umgesetzt hat, prüft die Administration der Stelle.")
            )
    elif not engaged:
        raise NotEngaged(
            _("Eine Maßnahme, die die Stelle umgesetzt hat, prüft und bestätigt der beauftragte Dienstleister.")
        )
    if measure.done_by_id is not None and measure.done_by_id == actor.pk:
        raise SelfVerification(_("Wer die Umsetzung gemeldet hat, kann sie nicht selbst bestätigen."))
    return measure


@transaction.atomic(durable=True)
def measure_verify(*, measure: Measure, actor, note: str = "") -> Measure:
    """The second check confirms the measure: the accepting provider re-tested the body's work, or a
    body admin checked what the provider carried out."""
    measure = _lock_for_check(measure, actor)
    _require_state(measure, MeasureState.DONE)
    note = _text(note, field="note", limit=NOTE_MAX)
    now = timezone.now()
    by_body = measure.owner_kind == OwnerKind.PROVIDER
    measure.state, measure.verified_at, measure.verified_by, measure.verify_note, measure.verified_by_body = (
        MeasureState.VERIFIED,
        now,
        actor,
        note,
        by_body,
    )
    _touch(measure, now, ["state", "verified_at", "verified_by", "verify_note", "verified_by_body"])
    _audit(measure, actor=actor, action="measure.verified", old=MeasureState.DONE, by_body=by_body)
    notify.verification_answered(measure, verified=True)
    return measure


@transaction.atomic(durable=True)
def measure_send_back(*, measure: Measure, actor, reason: str) -> Measure:
    """The check failed: back to in progress, with the checker's reason for whoever does the work."""
    measure = _lock_for_check(measure, actor)
    _require_state(measure, MeasureState.DONE)
    reason = _reason(reason)
    now = timezone.now()
    measure.state, measure.done_at, measure.done_by = MeasureState.IN_PROGRESS, None, None
    measure.returned_at, measure.returned_reason = now, reason
    _touch(measure, now, ["state", "done_at", "done_by", "returned_at", "returned_reason"])
    _audit(
        measure,
        actor=actor,
        action="measure.sent_back",
        old=MeasureState.DONE,
        reason=reason,
        by_body=measure.owner_kind == OwnerKind.PROVIDER,
    )
    notify.verification_answered(measure, verified=False, reason=reason)
    return measure


# --- The reconnection gate ----------------------------------------------------------------------


def blocking_measures(incident_id: int):
    """The measures that keep the incident's gate closed: required for reconnection, not verified."""
    return (
        Measure.objects.filter(incident_id=incident_id, required_for_reconnection=True)
        .exclude(state=MeasureState.VERIFIED)
        .order_by("due_date", "id")
    )


@transaction.atomic(durable=True)
def gate_open(*, incident: Incident, actor, note: str = "") -> ReconnectionGate:
    """A body admin (or the ministry) records that the body may be reconnected to shared networks;
    refused while a measure required for reconnection is not verified."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    ministry = is_ministry(actor)
    if not (ministry or is_body_admin(actor, incident.organisation_id)):
        raise NotPermitted(
            _("Nur die Administration der Stelle oder das Ministerium kann den Wiederanschluss freigeben.")
        )
    if ReconnectionGate.objects.filter(incident=incident, closed_at__isnull=True).exists():
        raise MeasureStateConflict(_("Der Wiederanschluss ist bereits freigegeben."))
    note = _text(note, field="note", limit=NOTE_MAX)
    # Lock the measures too: none may change (e.g. lose its verification) while the gate opens.
    blocking = list(
        Measure.objects.select_for_update()
        .filter(incident=incident, required_for_reconnection=True)
        .exclude(state=MeasureState.VERIFIED)
        .values_list("owner_kind", flat=True)
    )
    if blocking:
        # Each waits for the other party's check: the body's work for the provider, the provider's for a body admin.
        for_body = sum(1 for kind in blocking if kind == OwnerKind.PROVIDER)
        raise GateClosed.waiting(for_provider=len(blocking) - for_body, for_body=for_body)
    gate = ReconnectionGate.objects.create(
        incident=incident,
        organisation_id=incident.organisation_id,
        opened_at=timezone.now(),
        opened_by=actor,
        opened_by_name=(actor.get_full_name() or actor.email)[:300],
        opened_as_ministry=ministry and not is_body_admin(actor, incident.organisation_id),
        note=note,
    )
    audit(
        actor=actor,
        action="incident.reconnection_opened",
        organisation=incident.organisation,
        target=str(incident.public_id),
        as_ministry=gate.opened_as_ministry,
        required_verified=Measure.objects.filter(incident=incident, required_for_reconnection=True).count(),
    )
    return gate


def may_keep_gate(actor, incident: Incident) -> bool:
    """Who opens and closes an incident's reconnection gate: a body admin, the ministry."""
    return is_ministry(actor) or is_body_admin(actor, incident.organisation_id)


@transaction.atomic(durable=True)
def gate_close(*, incident: Incident, actor, reason: str) -> ReconnectionGate:
    """A body admin (or the ministry) closes an opened gate again, e.g. because the attacker is back or
    a verified measure turned out not to hold; with a reason of 10–2000 characters, audited. Opening it
    again needs every required measure verified, as the first time."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not may_keep_gate(actor, incident):
        raise NotPermitted(
            _("Nur die Administration der Stelle oder das Ministerium kann den Wiederanschluss wieder sperren.")
        )
    gate = ReconnectionGate.objects.select_for_update().filter(incident=incident, closed_at__isnull=True).first()
    if gate is None:
        raise MeasureStateConflict(_("Der Wiederanschluss ist nicht freigegeben."))
    reason = _reason(reason)
    admin = is_body_admin(actor, incident.organisation_id)
    gate.closed_at = max(timezone.now(), gate.opened_at)
    gate.closed_by = actor
    gate.closed_by_name = (actor.get_full_name() or actor.email)[:300]
    gate.closed_as_ministry = is_ministry(actor) and not admin
    gate.close_reason = reason
    gate.save(update_fields=["closed_at", "closed_by", "closed_by_name", "closed_as_ministry", "close_reason"])
    audit(
        actor=actor,
        action="incident.reconnection_closed",
        organisation=incident.organisation,
        target=str(incident.public_id),
        as_ministry=gate.closed_as_ministry,
        opened_at=gate.opened_at.isoformat(),
        reason=reason,
    )
    return gate


# --- Reminders (the beat task) ------------------------------------------------------------------


def measures_remind_due(*, now=None, batch: int = 100) -> int:
    """The sweep: reminders before the due date, repeated reminders while overdue, the ministry told of
    long-overdue critical and high measures. Each message is written into the outbox in the
    transaction that flips its stamp by compare-and-set, so two sweepers never send one twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return _remind_before(now, today, batch) + _remind_overdue(now, today, batch) + _escalate(now, today, batch)


def _due_rows(queryset, batch: int) -> list[Measure]:
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",))
        .select_related("calloff__provider", "organisation", "finding", "owner", "incident")
        .order_by("due_date", "id")[:batch]
    )


def _remind_before(now, today: dt.date, batch: int) -> int:
    sent = 0
    with transaction.atomic():
        candidates = Measure.objects.filter(
            state__in=OPEN_STATES, remind_on__lte=today, due_date__gte=today, reminded_at__isnull=True
        )
        for measure in _due_rows(candidates, batch):
            if Measure.objects.filter(pk=measure.pk, reminded_at__isnull=True).update(reminded_at=now) != 1:
                continue
            notify.due(measure, at=now, overdue=False)
            sent += 1
    return sent


def _remind_overdue(now, today: dt.date, batch: int) -> int:
    """The first overdue reminder the day after the due date, then one every ``overdue_every_days`` of
    the contract's terms while the measure is still to do (a sweep that missed days sends one, not the
    backlog)."""
    sent, terms = 0, {}
    with transaction.atomic():
        candidates = Measure.objects.filter(state__in=OPEN_STATES, due_date__lt=today).filter(
            Q(overdue_next_on__isnull=True) | Q(overdue_next_on__lte=today)
        )
        for measure in _due_rows(candidates, batch):
            contract_id = measure.calloff.contract_id
            every = (terms.get(contract_id) or terms.setdefault(contract_id, terms_for(contract_id))).overdue_every_days
            number = measure.overdue_reminders + 1
            next_on = today + dt.timedelta(days=every)
            flipped = Measure.objects.filter(pk=measure.pk, overdue_reminders=number - 1).update(
                overdue_reminders=number, overdue_notified_at=now, overdue_next_on=next_on
            )
            if flipped != 1:
                continue
            # The message says which reminder it is and when the next one follows (notify.reminder_info).
            measure.overdue_reminders, measure.overdue_notified_at, measure.overdue_next_on = number, now, next_on
            notify.due(measure, at=now, overdue=True, number=number)
            sent += 1
    return sent


def _escalation_q(today: dt.date) -> Q:
    """Measures overdue more than their contract's ``escalate_after_days`` (the default without terms)."""
    kept = dict(RemediationTerms.objects.values_list("contract_id", "escalate_after_days"))
    q = ~Q(calloff__contract_id__in=list(kept)) & Q(
        due_date__lt=today - dt.timedelta(days=RemediationTerms._meta.get_field("escalate_after_days").default)
    )
    for contract_id, days in kept.items():
        q |= Q(calloff__contract_id=contract_id, due_date__lt=today - dt.timedelta(days=days))
    return q


def _escalate(now, today: dt.date, batch: int) -> int:
    """A critical or high measure overdue more than the contract's days: one ministry alert (with its
    e-mails), once per due date."""
    sent = 0
    with transaction.atomic():
        candidates = Measure.objects.filter(
            _escalation_q(today),
            state__in=OPEN_STATES,
            escalated_at__isnull=True,
            finding__severity__in=[Severity.CRITICAL, Severity.HIGH],
        )
        for measure in _due_rows(candidates, batch):
            if Measure.objects.filter(pk=measure.pk, escalated_at__isnull=True).update(escalated_at=now) != 1:
                continue
            notify.escalate(measure, today=today)
            _audit(measure, actor=None, action="measure.escalated", old=measure.state, due=measure.due_date.isoformat())
            sent += 1
    return sent
