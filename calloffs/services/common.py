"""Helpers shared by the services: locking, the state guard, events, alerts, SLA clocks.

Nothing here is a public entry point; none of it opens a durable transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import connection, connections, router, transaction
from django.db.models import QuerySet
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.translation import gettext as _

from digisos.compiled_query import _converted, _KeptPerConnection
from digisos.insert_sql import insert_one, insert_rows
from notifications.services import publishes_together
from tenants.audit import deferred as audit_deferred
from tenants.models import phone_validator
from tenants.services import audit

from ..audit_binding import event_digest
from ..contract_terms import terms
from ..errors import InvalidInput, NotPermitted, OfferNotOpen, TransitionNotAllowed
from ..models import (
    CallOff,
    CallOffEvent,
    CallOffState,
    EventKind,
    MinistryAlert,
    Offer,
    OfferState,
    Provider,
    SLATerm,
)
from ..permissions import is_ministry, is_staff_of
from ..signals import calloff_event_recorded, calloff_event_written
from .notify import notifications_for_alert, notifications_for_event

#: Used only if the contract has no SLA term for the priority (a configuration gap): an offer
#: must still expire, or the order of precedence would stall.
FALLBACK_ACCEPT_MINUTES = 30


def user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def calloff_for_lock(lookup: QuerySet[CallOff], *, skip_locked: bool = False) -> QuerySet[CallOff]:
    """``lookup`` as lock_calloff reads it: FOR UPDATE OF the call-off only, its body, contract and
    incident joined (for a caller that compiles the statement once, see lock_calloff)."""
    return lookup.select_for_update(of=("self",), skip_locked=skip_locked).select_related(
        "organisation", "contract", "incident"
    )


def lock_calloff(
    calloff: CallOff | int | QuerySet[CallOff] | Callable[[], CallOff], *, skip_locked: bool = False
) -> CallOff:
    """Re-read the call-off row with a lock (FOR UPDATE OF the call-off only).

    ``calloff``: the call-off or its pk, or a lookup of at most one row scoped to what the caller may
    see (``CallOff.objects.visible_to(user).filter(public_id=…)``, built from subqueries so it can be
    locked): the scope is applied as the row is locked, and CallOff.DoesNotExist raised if it names
    nothing the caller may see (the API's 404) — no read of the row before the transaction.
    skip_locked (for the timer sweeps): raise CallOff.DoesNotExist at once if another
    transaction holds the row, instead of waiting for it. The incident is joined (not locked):
    every transition writes a timeline entry to it. Or a function that runs such a scoped lookup's
    statement (``calloff_for_lock`` of it, compiled once: the API's accept) and returns the locked
    call-off or raises CallOff.DoesNotExist."""
    if callable(calloff):
        if skip_locked:
            raise ValueError("lock_calloff: a compiled lookup locks as it was compiled (no skip_locked)")
        return calloff()
    if isinstance(calloff, QuerySet):
        lookup, where = calloff, {}
    else:
        lookup, where = CallOff.objects, {"pk": calloff.pk if isinstance(calloff, CallOff) else calloff}
    return calloff_for_lock(lookup, skip_locked=skip_locked).get(**where)


def lock_open_offer(calloff: CallOff) -> Offer | None:
    """The open offer of a (locked) call-off, locked too. Lock order: call-off, then offer."""
    return Offer.objects.select_for_update().filter(calloff=calloff, state=OfferState.OPEN).first()


def require_reason(reason: str | None, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Bitte einen Grund angeben."), field=field)
    return reason


def require_plausible(field: str, check, value, **kwargs) -> None:
    """A value a person or provider entered lies in its plausible range (digisos.plausible), else
    InvalidInput on ``field`` with the German message of the rule."""
    try:
        check(value, **kwargs)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field=field) from None


def require_text(value: str | None, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(message, field=field)
    return value


def require_phone(value: str | None, *, field: str, message: str) -> str:
    value = require_text(value, field=field, message=message)
    try:
        phone_validator(value)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field=field) from exc
    return value


def require_ministry(actor) -> None:
    if not is_ministry(actor):
        raise NotPermitted(_("Diese Aktion ist dem Ministerium vorbehalten."))


def require_provider_staff(actor, provider: Provider) -> None:
    if not is_staff_of(actor, provider):
        raise NotPermitted(_("Sie handeln nicht für diesen Dienstleister."))


def require_assigned(calloff: CallOff, provider: Provider) -> None:
    if calloff.provider_id != provider.pk:
        raise NotPermitted(_("Dieser Abruf ist nicht Ihrem Unternehmen zugewiesen."))


def guard(calloff: CallOff, new_state: str) -> str:
    """Raise unless the lifecycle allows calloff.state → new_state; return the old state."""
    if not calloff.can_move_to(new_state):
        raise TransitionNotAllowed(
            _("Ein Abruf im Status „{old}“ kann nicht in den Status „{new}“ wechseln."),
            old=CallOffState(calloff.state).label,
            new=CallOffState(new_state).label,
        )
    return calloff.state


def transition(func):
    """A call-off service: one durable transaction (STYLE.md §2) whose audit entries are chained at
    its end (tenants.audit.deferred), so the audit chain's head row is locked for the last few
    statements of the transaction, not all of it."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        # What its on-commit hooks hand to Celery (outbox rows, an order's render) goes out together.
        with publishes_together(), transaction.atomic(durable=True), audit_deferred():
            return func(*args, **kwargs)

    return wrapper


#: The events of the current ``events_batched()`` block and the savepoint depth it began at; None outside one.
_batched: ContextVar[tuple[list[CallOffEvent], int] | None] = ContextVar("digisos_events_batched", default=None)


def _savepoint_depth() -> int:
    return sum(1 for sid in connection.savepoint_ids if sid)


@contextmanager
def events_batched():
    """Insert the events recorded inside the block in one statement when it ends, then write their
    outbox rows and audit entries and schedule their announcements, in the order they were recorded
    (the same as one by one). Still inside the caller's transaction, which must enclose the block;
    on an exception nothing is written. ``record_event`` returns the event unsaved (no pk) inside the
    block: for callers that do not use it (the filing: its filed and offered events). An event
    recorded inside a savepoint opened within the block is written at once (the savepoint may be
    rolled back while the block goes on). Nested blocks join the outer one."""
    if _batched.get() is not None:
        yield
        return
    pending: list[CallOffEvent] = []
    token = _batched.set((pending, _savepoint_depth()))
    try:
        yield
    finally:
        _batched.reset(token)
    if pending:
        insert_rows(CallOffEvent, pending)  # bulk_create, its INSERT compiled once per connection
        for event in pending:
            if event.pk is None:  # PostgreSQL and SQLite >= 3.35 return the ids
                raise RuntimeError("bulk_create returned no primary key for a call-off event")
            _event_written(event)


def record_event(
    *,
    calloff: CallOff,
    kind: str,
    actor=None,
    provider: Provider | None = None,
    old_state: str = "",
    new_state: str = "",
    reason: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> CallOffEvent:
    """Append an audit row (CallOffEvent and an entry of the hash-chained audit log) and write its
    notifications to the outbox (same transaction); announce it once the transaction commits.
    Inside ``events_batched()`` all this happens at the block's end."""
    event = CallOffEvent(
        calloff=calloff,
        kind=kind,
        actor=user_or_none(actor),
        provider=provider,
        old_state=old_state,
        new_state=new_state,
        reason=reason,
        data=data or {},
        at=at or timezone.now(),
    )
    batch = _batched.get()
    if batch is not None and _savepoint_depth() <= batch[1]:
        batch[0].append(event)
        return event
    # event.save(force_insert=True) through its kept INSERT; CallOffEvent.save only refuses rows not new.
    insert_one(event, save_guards_only=True)
    _event_written(event)
    return event


def _event_written(event: CallOffEvent) -> None:
    """What follows the insert of an event: its outbox rows, what must commit with it (the order of an
    assignment), its audit entry, its announcement."""
    calloff, provider = event.calloff, event.provider
    notifications_for_event(event)
    calloff_event_written.send(sender=CallOffEvent, event=event)
    # The tamper-evident audit log (hash chain), in the same transaction: no transition without its entry.
    audit(
        actor=event.actor,
        action=f"calloff.{event.kind}",
        organisation=calloff.organisation,
        target=calloff.number,
        event=event.pk,
        old_state=event.old_state,
        new_state=event.new_state,
        provider=provider.short_name if provider else "",
        reason=event.reason,
        digest=event_digest(event),  # binds the event's content into the sealed chain
    )
    transaction.on_commit(partial(announce_event, event_id=event.pk, kind=event.kind, calloff_id=calloff.pk))


def announce_event(*, event_id: int, kind: str, calloff_id: int) -> None:
    calloff_event_recorded.send_robust(sender=CallOffEvent, event_id=event_id, kind=kind, calloff_id=calloff_id)


def alert_ministry(
    *, kind: str, message: str, calloff: CallOff | None = None, contract=None, threshold: int | None = None
) -> MinistryAlert:
    """A ministry alert (dashboard) and its e-mails to ministry staff (outbox, same transaction)."""
    alert = MinistryAlert.objects.create(
        kind=kind,
        message=message,
        calloff=calloff,
        contract=contract or (calloff.contract if calloff else None),
        threshold=threshold,
    )
    notifications_for_alert(alert)
    return alert


def sla_term(calloff: CallOff) -> SLATerm | None:
    kept = terms().of(calloff.contract_id)
    if kept is not None:
        return kept.sla_terms.get(calloff.priority)
    return SLATerm.objects.filter(contract_id=calloff.contract_id, priority=calloff.priority).first()


def set_sla_due_times(calloff: CallOff, *, accepted_at: datetime) -> list[str]:
    """The provider's clocks start at acceptance (what the provider controls); returns fields set."""
    term = sla_term(calloff)
    if term is None:
        calloff.callback_due_at = calloff.remote_start_due_at = calloff.onsite_due_at = None
    else:
        calloff.callback_due_at = accepted_at + timedelta(minutes=term.callback_minutes)
        calloff.remote_start_due_at = accepted_at + timedelta(minutes=term.remote_start_minutes)
        calloff.onsite_due_at = accepted_at + timedelta(minutes=term.onsite_minutes)
    return ["callback_due_at", "remote_start_due_at", "onsite_due_at"]


def accept_minutes(calloff: CallOff) -> int:
    term = sla_term(calloff)
    return term.accept_minutes if term else FALLBACK_ACCEPT_MINUTES


def withdraw_open_offer(*, calloff: CallOff, actor, reason: str, now: datetime) -> Offer | None:
    """Withdraw the open offer of a locked call-off, if any, with an event."""
    offer = lock_open_offer(calloff)
    if offer is None:
        return None
    offer.state = OfferState.WITHDRAWN
    offer.responded_at = now
    offer.save(update_fields=["state", "responded_at"])
    record_event(
        calloff=calloff,
        kind=EventKind.WITHDRAWN,
        actor=actor,
        provider=offer.provider,
        reason=reason,
        data={"offer": offer.public_id, "sequence": offer.sequence, "rank": offer.rank},
        at=now,
    )
    return offer


#: What ``take_held_offer`` writes and gives back (the columns of the Offer row).
_OFFER_COLUMNS = ("id", "public_id", "calloff_id", "provider_id", "rank", "sequence", "state", "offered_at")
_OFFER_COLUMNS += ("respond_by", "responded_at", "decline_reason")


class _TakeStatements(_KeptPerConnection):
    """take_held_offer's UPDATE … RETURNING per set of changed fields, and how its rows become Offer
    instances as ``Offer.objects.raw(sql)`` makes them (RawModelIterable: the model's fields whose
    columns are returned, in the model's order, through the backend's converters, ``from_db``)."""

    def _make(self, connection, using: str) -> dict:
        return {}

    def get(self, using: str, names: tuple[str, ...]) -> dict:
        kept = self._compile(using)
        statement = kept.get(names)
        if statement is None:
            connection = connections[using]
            quote = connection.ops.quote_name
            meta = Offer._meta
            assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)
            columns = ", ".join(quote(column) for column in _OFFER_COLUMNS)
            returned = {column: position for position, column in enumerate(_OFFER_COLUMNS)}
            fields = [f for f in meta.fields if f.column in returned]
            by_column = {f.column: f for f in fields}
            cols = [by_column[column].get_col(meta.db_table) for column in _OFFER_COLUMNS]
            statement = kept[names] = {
                "sql": (
                    f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608  # nosec B608 - our table and columns
                    f"WHERE {quote('calloff_id')} = %s AND {quote('provider_id')} = %s AND {quote('state')} = %s "
                    f"RETURNING {columns}"
                ),
                "changed": [meta.get_field(name) for name in names],
                "names": [f.attname for f in fields],
                "positions": [returned[f.column] for f in fields],
                "converters": InsertQuery(Offer).get_compiler(using=using).get_converters(cols),
            }
        return statement


_TAKE = _TakeStatements()


def take_held_offer(calloff: CallOff, provider: Provider, *, state: str, now: datetime, **values) -> Offer:
    """The open offer of a locked call-off, if (and only if) this provider holds it, answered in the
    statement that finds it: moved to ``state`` (accepted, declined) with ``now`` as its answer time
    (and ``values``, e.g. decline_reason) by an UPDATE … RETURNING (PostgreSQL and SQLite >= 3.35),
    which locks the row as it writes it. The lock order (call-off, then offer) and the outcome are
    those of reading it locked (lock_open_offer) and saving it, with one round trip less.
    OfferNotOpen unless the call-off is offered and its open offer is this provider's.
    The statement is kept per connection and changed fields; its row becomes an Offer as raw() makes
    it (tests/calloffs/test_take_held_offer.py compares with raw())."""
    if calloff.state != CallOffState.OFFERED:
        raise OfferNotOpen()
    changes = {"state": state, "responded_at": now, **values}
    using = router.db_for_read(Offer)  # where raw() runs it
    connection = connections[using]
    statement = _TAKE.get(using, tuple(changes))
    params = [f.get_db_prep_save(v, connection) for f, v in zip(statement["changed"], changes.values(), strict=True)]
    params += [calloff.pk, provider.pk, OfferState.OPEN]
    adapt = connection.ops.adapt_unknown_value  # as RawQuery adapts its parameters
    with connection.cursor() as cursor:
        cursor.execute(statement["sql"], tuple(adapt(value) for value in params))
        rows = cursor.fetchall()
    if not rows:
        raise OfferNotOpen()
    (row,) = rows  # offer_one_open_per_calloff: at most one open offer per call-off
    if statement["converters"]:
        row = _converted(row, statement["converters"], connection)
    offer = Offer.from_db(using, statement["names"], [row[position] for position in statement["positions"]])
    offer.calloff, offer.provider = calloff, provider
    return offer
