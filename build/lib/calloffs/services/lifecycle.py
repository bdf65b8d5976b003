"""The call-off after assignment: lead, start, completion, closing, cancelling; proof of work."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from incidents.models import TimelineEntry
from incidents.services import timeline_add

from ..errors import InvalidInput, NotPermitted, TransitionNotAllowed
from ..models import (
    WORK_STATES,
    CallOff,
    CallOffState,
    EventKind,
    Provider,
    RoleRate,
    ServiceModule,
    TimeEntry,
    time_entry_problems,
)
from ..permissions import can_act_for_body, can_cancel
from ..visibility import timeline_scope
from .common import (
    guard,
    lock_calloff,
    record_event,
    require_assigned,
    require_phone,
    require_provider_staff,
    require_reason,
    require_text,
    transition,
    withdraw_open_offer,
)

#: One person works at most this long a day for one call-off (a day has 24 hours).
HOURS_PER_PERSON_AND_DAY = Decimal("24")

CENT = Decimal("0.01")


def _require_body(actor, calloff: CallOff) -> None:
    if not can_act_for_body(actor, calloff):
        raise NotPermitted(
            _("Diesen Schritt können nur abrufberechtigte Personen oder die Administration der Stelle ausführen.")
        )


@transition
def calloff_report_lead(
    *,
    calloff: CallOff,
    provider: Provider,
    actor,
    lead_name: str,
    lead_phone: str,
    eta_remote: datetime | None = None,
    eta_onsite: datetime | None = None,
) -> CallOff:
    """The assigned provider names (or changes) its lead and the times it expects to start."""
    require_provider_staff(actor, provider)
    lead_name = require_text(lead_name, field="lead_name", message=_("Bitte die Einsatzleitung angeben."))
    lead_phone = require_phone(
        lead_phone, field="lead_phone", message=_("Bitte die Telefonnummer der Einsatzleitung angeben.")
    )
    calloff = lock_calloff(calloff)
    require_assigned(calloff, provider)
    if calloff.state not in (CallOffState.ACCEPTED, CallOffState.IN_PROGRESS):
        raise TransitionNotAllowed(_("Die Einsatzleitung kann nur bei einem laufenden Abruf gemeldet werden."))
    calloff.lead_name, calloff.lead_phone = lead_name, lead_phone
    calloff.eta_remote, calloff.eta_onsite = eta_remote, eta_onsite
    calloff.save(update_fields=["lead_name", "lead_phone", "eta_remote", "eta_onsite", "updated_at"])
    record_event(
        calloff=calloff,
        kind=EventKind.LEAD_REPORTED,
        actor=actor,
        provider=provider,
        data={"lead_name": lead_name, "lead_phone": lead_phone, "eta_remote": eta_remote, "eta_onsite": eta_onsite},
    )
    return calloff


@transition
def calloff_start(*, calloff: CallOff, provider: Provider, actor) -> CallOff:
    require_provider_staff(actor, provider)
    calloff = lock_calloff(calloff)
    require_assigned(calloff, provider)
    old = guard(calloff, CallOffState.IN_PROGRESS)
    now = timezone.now()
    calloff.state = CallOffState.IN_PROGRESS
    calloff.started_at = now
    calloff.save(update_fields=["state", "started_at", "updated_at"])
    record_event(
        calloff=calloff,
        kind=EventKind.STARTED,
        actor=actor,
        provider=provider,
        old_state=old,
        new_state=calloff.state,
        at=now,
    )
    timeline_add(
        incident=calloff.incident,
        scope=timeline_scope(calloff),
        source=TimelineEntry.Source.PROVIDER,
        author=actor,
        at=now,
        text=_("{provider} hat mit der Arbeit an Abruf {number} begonnen.").format(
            provider=provider, number=calloff.number
        ),
    )
    return calloff


@transition
def calloff_complete(*, calloff: CallOff, provider: Provider, actor, summary: str) -> CallOff:
    """The provider reports its services as rendered (from accepted or in progress)."""
    require_provider_staff(actor, provider)
    summary = require_text(summary, field="summary", message=_("Bitte einen kurzen Abschlussbericht angeben."))
    calloff = lock_calloff(calloff)
    require_assigned(calloff, provider)
    old = guard(calloff, CallOffState.COMPLETED)
    now = timezone.now()
    calloff.state = CallOffState.COMPLETED
    calloff.completed_at = now
    calloff.completion_summary = summary
    calloff.save(update_fields=["state", "completed_at", "completion_summary", "updated_at"])
    record_event(
        calloff=calloff,
        kind=EventKind.COMPLETED,
        actor=actor,
        provider=provider,
        old_state=old,
        new_state=calloff.state,
        reason=summary,
        at=now,
    )
    timeline_add(
        incident=calloff.incident,
        scope=timeline_scope(calloff),
        source=TimelineEntry.Source.PROVIDER,
        author=actor,
        at=now,
        text=_("Abruf {number}: Leistung erbracht. {summary}").format(number=calloff.number, summary=summary),
    )
    return calloff


@transition
def calloff_close(*, calloff: CallOff, actor) -> CallOff:
    """The body closes a completed call-off and so confirms the proof of work recorded for it."""
    calloff = lock_calloff(calloff)
    _require_body(actor, calloff)
    old = guard(calloff, CallOffState.CLOSED)
    now = timezone.now()
    confirmed = TimeEntry.objects.filter(calloff=calloff, confirmed_at__isnull=True).update(
        confirmed_at=now, confirmed_by=actor
    )
    calloff.state = CallOffState.CLOSED
    calloff.closed_at = now
    calloff.save(update_fields=["state", "closed_at", "updated_at"])
    record_event(
        calloff=calloff,
        kind=EventKind.CLOSED,
        actor=actor,
        old_state=old,
        new_state=calloff.state,
        at=now,
        data={"confirmed_time_entries": confirmed},
    )
    timeline_add(
        incident=calloff.incident,
        scope=timeline_scope(calloff),
        source=TimelineEntry.Source.BODY,
        author=actor,
        at=now,
        text=_("Abruf {number} abgeschlossen.").format(number=calloff.number),
    )
    return calloff


@transition
def calloff_cancel(*, calloff: CallOff, actor, reason: str) -> CallOff:
    """Cancel before completion (body caller/admin or ministry); withdraws an open offer.
    A cancelled call-off no longer counts against the ceiling; hours already worked still do."""
    calloff = lock_calloff(calloff)
    if not can_cancel(actor, calloff):
        raise NotPermitted(_("Stornieren können nur abrufberechtigte Personen der Stelle oder das Ministerium."))
    reason = require_reason(reason)
    old = guard(calloff, CallOffState.CANCELLED)
    now = timezone.now()
    withdraw_open_offer(calloff=calloff, actor=actor, now=now, reason=_("Abruf storniert"))
    calloff.state = CallOffState.CANCELLED
    calloff.cancelled_at = now
    calloff.cancel_reason = reason
    calloff.save(update_fields=["state", "cancelled_at", "cancel_reason", "updated_at"])
    record_event(
        calloff=calloff,
        kind=EventKind.CANCELLED,
        actor=actor,
        provider=calloff.provider,
        old_state=old,
        new_state=calloff.state,
        reason=reason,
        at=now,
    )
    timeline_add(
        incident=calloff.incident,
        scope=timeline_scope(calloff),
        source=TimelineEntry.Source.SYSTEM,
        author=actor,
        at=now,
        text=_("Abruf {number} storniert. Grund: {reason}").format(number=calloff.number, reason=reason),
    )
    return calloff


@transition
def time_entry_add(
    *,
    calloff: CallOff,
    provider: Provider,
    actor,
    date: date,
    hours: Decimal | str | int,
    role: RoleRate,
    description: str,
    service_module: ServiceModule | None = None,
    person: str = "",
) -> TimeEntry:
    """The assigned provider records hours of one role on one day (value = hours × hourly rate).

    One person works at most 24 hours a day for a call-off: the entries of the same ``person``
    (or, without a name, of the same role) on that day add up to at most 24 hours, checked
    under the call-off's row lock."""
    require_provider_staff(actor, provider)
    description = require_text(description, field="description", message=_("Bitte die Tätigkeit beschreiben."))
    try:
        hours = Decimal(str(hours)).quantize(CENT)
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(_("Bitte die Stunden als Zahl angeben."), field="hours") from exc
    calloff = lock_calloff(calloff)
    require_assigned(calloff, provider)
    if calloff.state not in WORK_STATES:
        raise TransitionNotAllowed(_("Stunden können nur zu einem angenommenen oder laufenden Abruf erfasst werden."))
    if role.contract_id != calloff.contract_id:
        raise InvalidInput(_("Diese Rolle gehört nicht zum Rahmenvertrag des Abrufs."), field="role")
    if service_module is not None and service_module.contract_id != calloff.contract_id:
        raise InvalidInput(
            _("Dieses Leistungsmodul gehört nicht zum Rahmenvertrag des Abrufs."), field="service_module"
        )
    problems = time_entry_problems(calloff=calloff, day=date, hours=hours)
    if problems:
        field, message = next(iter(problems.items()))
        raise InvalidInput(message, field=field)
    person = " ".join((person or "").split())[:200]
    same_person = TimeEntry.objects.filter(calloff=calloff, provider=provider, date=date)
    same_person = same_person.filter(person__iexact=person) if person else same_person.filter(person="", role=role)
    booked = same_person.aggregate(total=Sum("hours"))["total"] or Decimal("0")
    if booked + hours > HOURS_PER_PERSON_AND_DAY:
        raise InvalidInput(
            _("Höchstens 24 Stunden je Person und Tag: für diesen Tag sind schon {booked} Stunden erfasst.").format(
                booked=number_format(booked, decimal_pos=2, use_l10n=True)
            ),
            field="hours",
        )
    entry = TimeEntry.objects.create(
        calloff=calloff,
        provider=provider,
        date=date,
        hours=hours,
        role=role,
        service_module=service_module,
        description=description,
        person=person,
        value=(hours * role.hourly_rate).quantize(CENT),
        created_by=actor,
    )
    record_event(
        calloff=calloff,
        kind=EventKind.TIME_ENTRY_ADDED,
        actor=actor,
        provider=provider,
        data={"entry": entry.public_id, "date": date, "hours": hours, "role": role.name, "value": entry.value},
    )
    return entry


@transition
def time_entry_confirm(*, entry: TimeEntry, actor) -> TimeEntry:
    """The body confirms one time entry (closing the call-off confirms all). Idempotent."""
    calloff = lock_calloff(entry.calloff_id)
    _require_body(actor, calloff)
    entry = TimeEntry.objects.select_for_update().get(pk=entry.pk, calloff=calloff)
    if entry.confirmed_at is not None:
        return entry
    if calloff.state not in (*WORK_STATES, CallOffState.CANCELLED):
        raise TransitionNotAllowed(_("Dieser Leistungsnachweis kann nicht mehr bestätigt werden."))
    entry.confirmed_at = timezone.now()
    entry.confirmed_by = actor
    entry.save(update_fields=["confirmed_at", "confirmed_by"])
    record_event(
        calloff=calloff,
        kind=EventKind.TIME_ENTRY_CONFIRMED,
        actor=actor,
        at=entry.confirmed_at,
        data={"entry": entry.public_id, "value": entry.value},
    )
    return entry
