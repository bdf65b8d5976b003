"""Filing a call-off: the one step a body in distress must get right the first time."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from digisos import plausible
from digisos.compiled_query import CompiledQuery
from digisos.insert_sql import insert_one, insert_rows
from incidents.models import Category, Incident, TimelineEntry
from incidents.services import incident_open_or_attach, timeline_add
from tenants.models import Organisation
from tenants.selectors import roles_of

from ..contract_terms import terms
from ..errors import InvalidInput, NoActiveContract, NotEntitled, NotPermitted
from ..models import (
    CallOff,
    CallOffNumberSequence,
    CallOffService,
    CallOffState,
    EventKind,
    FrameworkContract,
    Priority,
    ServiceModule,
)
from ..permissions import can_file_for, is_ministry, mandate_for
from ..selectors import bound_value, ranking_current_with_ranks, ranking_for_calloff
from ..visibility import timeline_scope
from .ceiling import ceiling_check_filing
from .common import events_batched, record_event, require_phone, require_plausible, require_text, transition
from .notify import webhook_endpoints_known
from .offers import JustFiled, engagements_and_webhooks, offer_next, planned_offer

CENT = Decimal("0.01")


def service_rows(calloff: CallOff, lines: list[tuple[ServiceModule, Decimal]]) -> list[CallOffService]:
    """The call-off's service lines (unsaved), in the order given, at the modules' prices."""
    return [
        CallOffService(
            calloff=calloff,
            service_module=module,
            estimated_quantity=quantity,
            unit_price=module.price,
            value=(module.price * quantity).quantize(CENT),
            position=position,
        )
        for position, (module, quantity) in enumerate(lines)
    ]


def next_calloff_number(*, when: datetime, unless_filed: tuple | None = None) -> str | None:
    """DSOS-<year of filing>-<5-digit per-year sequence>, drawn in one statement of its own
    (calloff_file draws it just before filing): no twins, increasing; a gap only where the filing
    then fails. The upsert creates the year's row or increments it under the row lock it takes,
    and returns the new value (PostgreSQL and SQLite ≥ 3.35 both have ON CONFLICT … RETURNING);
    it replaces a transaction of four statements (lock, read, update, commit).

    ``unless_filed=(actor, client_token)``: the same statement draws nothing and returns None if
    that actor has filed a call-off with that token already (the submission was sent again): the
    idempotency check and the draw in one round trip, and no number used up by a repetition."""
    year = timezone.localtime(when).year
    quote = connection.ops.quote_name
    table = quote(CallOffNumberSequence._meta.db_table)
    source, params = "VALUES (%s, 1)", [year]
    if unless_filed is not None:
        actor, client_token = unless_filed
        token = CallOff._meta.get_field("client_token").get_db_prep_value(client_token, connection)
        source = (
            f"SELECT %s, 1 WHERE NOT EXISTS (SELECT 1 FROM {quote(CallOff._meta.db_table)} "  # noqa: S608  # nosec B608 - our tables
            f"WHERE {quote('filed_by_id')} = %s AND {quote('client_token')} = %s)"
        )
        params += [actor.pk, token]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_value) {source} "  # noqa: S608  # nosec B608 - the table name is ours
            f"ON CONFLICT (year) DO UPDATE SET last_value = {table}.last_value + 1 RETURNING last_value",
            params,
        )
        row = cursor.fetchone()
    return None if row is None else f"DSOS-{year}-{row[0]:05d}"


def _resolve_contract(contract: FrameworkContract | None) -> FrameworkContract:
    kept = terms()
    if contract is None:
        if len(kept.in_force) != 1:
            raise NoActiveContract()
        contract = kept.in_force[0]
    # The latest version of its terms: the caller's copy may be older than a change of its term or
    # entitled bodies. Not locked here: the filing locks and reads it again for its ceiling check,
    # at its end (calloff_file), where a change made meanwhile wins.
    current = kept.of(contract.pk)
    return current.contract if current is not None else FrameworkContract.objects.get(pk=contract.pk)


def _check_entitled(contract: FrameworkContract, organisation: Organisation) -> None:
    if not contract.is_in_force():
        raise NotEntitled(
            _("Der Rahmenvertrag {reference} ist derzeit nicht in Kraft; ein Abruf ist nicht möglich."),
            reference=contract.reference,
        )
    if not contract.is_entitled(organisation):
        raise NotEntitled(
            _(
                "Die Stelle „{body}“ ist nicht abrufberechtigt unter dem Rahmenvertrag {reference}. "
                "Bitte wenden Sie sich an das Ministerium."
            ),
            body=organisation.name,
            reference=contract.reference,
        )


def _clean_services(
    contract: FrameworkContract, services: Iterable[tuple[ServiceModule, Decimal | int | str]]
) -> list[tuple[ServiceModule, Decimal]]:
    """Merge duplicates, check modules belong to the contract and quantities are positive."""
    merged: dict[int, tuple[ServiceModule, Decimal]] = {}
    for module, quantity in services or ():
        if module.contract_id != contract.pk:
            raise InvalidInput(
                _("Das Leistungsmodul „{module}“ gehört nicht zu diesem Rahmenvertrag."),
                field="services",
                module=module.name,
            )
        try:
            quantity = Decimal(str(quantity))
        except (InvalidOperation, ValueError) as exc:
            raise InvalidInput(_("Bitte eine Menge als Zahl angeben."), field="services") from exc
        if not quantity.is_finite():
            raise InvalidInput(_("Bitte eine Menge als Zahl angeben."), field="services")
        if quantity > plausible.QUANTITY.high:
            _refuse_quantity(module, quantity)
        quantity = quantity.quantize(CENT)
        if quantity <= 0:
            raise InvalidInput(_("Die Menge muss größer als 0 sein."), field="services")
        previous = merged.get(module.pk)
        merged[module.pk] = (module, quantity + (previous[1] if previous else Decimal("0")))
    if not merged:
        raise InvalidInput(_("Bitte mindestens ein Leistungsmodul auswählen."), field="services")
    for module, quantity in merged.values():  # a module named twice: the sum counts
        _refuse_quantity(module, quantity)
    return list(merged.values())


def _refuse_quantity(module: ServiceModule, quantity: Decimal) -> None:
    """InvalidInput (German, with the module's name) unless the quantity is in digisos.plausible.QUANTITY."""
    try:
        plausible.check_number(quantity, plausible.QUANTITY)
    except ValidationError as exc:
        problem = exc.messages[0]
        raise InvalidInput(_("{module}: {problem}"), field="services", module=module.name, problem=problem) from None


def _mandate_principal(actor, organisation: Organisation, on_behalf: bool) -> str | None:
    """Name of the principal body when the actor files under a mandate (recorded in the event)."""
    if on_behalf or organisation.pk in roles_of(actor):
        return None
    mandate = mandate_for(actor, organisation)
    return mandate.principal.name if mandate else None


def _check_filer(*, actor, organisation, on_behalf, phoned_in_by, verification_note) -> tuple[str, str]:
    if on_behalf:
        if not is_ministry(actor):
            raise NotPermitted(_("Nur das Ministerium kann einen Abruf im Auftrag einer Stelle stellen."))
        phoned_in_by = require_text(
            phoned_in_by, field="phoned_in_by", message=_("Bitte angeben, wer den Notfall telefonisch gemeldet hat.")
        )
        verification_note = require_text(
            verification_note,
            field="verification_note",
            message=_("Bitte festhalten, wie die Identität der meldenden Person geprüft wurde."),
        )
        return phoned_in_by, verification_note
    if not can_file_for(actor, organisation):
        raise NotPermitted(
            _(
                "Sie dürfen für „{body}“ keinen Abruf stellen. Dafür ist die Rolle „Abrufberechtigt“ "
                "oder „Administration der Stelle“ nötig."
            ),
            body=organisation.name,
        )
    return "", ""


def _check_drill_starter(*, actor, organisation: Organisation, on_behalf: bool) -> None:
    """A drill is started by the body's caller/admin, or by the ministry for any body."""
    if on_behalf:
        raise InvalidInput(_("Eine Übung wird nicht im Auftrag gestellt."), field="on_behalf")
    if is_ministry(actor) or can_file_for(actor, organisation):
        return
    raise NotPermitted(
        _(
            "Sie dürfen für „{body}“ keine Übung starten. Dafür ist die Rolle „Abrufberechtigt“ "
            "oder „Administration der Stelle“ nötig."
        ),
        body=organisation.name,
    )


def _pick_incident(organisation: Organisation, incident: Incident | None, *, lock: bool = False) -> Incident | None:
    """The given incident of the body, else its most recent open real one (a drill's record never).
    lock: the one found is locked (FOR NO KEY UPDATE) as it is read; the given one is not."""
    if incident is not None:
        if incident.organisation_id != organisation.pk:
            raise InvalidInput(_("Dieser Sicherheitsvorfall gehört zu einer anderen Stelle."), field="incident")
        if incident.is_drill:
            raise InvalidInput(
                _("Dieser Vorgang ist eine Übung; ein Notfall-Abruf gehört nicht dazu."), field="incident"
            )
        return incident
    if lock:
        return _OPEN_INCIDENT_LOCKED.first(organisation_id=organisation.pk)
    return _open_incidents(organisation.pk).first()


def _open_incidents(organisation_id: int):
    return (
        Incident.objects.filter(organisation_id=organisation_id, is_drill=False)
        .open()
        .order_by("-became_aware_at", "-pk")
    )


#: The filing's statements inside its transaction that are the same every time but for a key (the
#: body's open incident, the body's and the contract's locks), compiled once per database connection
#: (digisos/compiled_query.py) rather than built and compiled per filing (issue 19).
_OPEN_INCIDENT_LOCKED = CompiledQuery(
    lambda organisation_id: _open_incidents(organisation_id).select_for_update(no_key=True), organisation_id=-419_011
)
_BODY_LOCK = CompiledQuery(
    lambda pk: Organisation.objects.select_for_update(no_key=True).filter(pk=pk).order_by().only("pk"), pk=-419_012
)
_CONTRACT_LOCK = CompiledQuery(
    lambda pk: FrameworkContract.objects.select_for_update(no_key=True).filter(pk=pk).order_by(), pk=-419_013
)


def calloff_file(
    *,
    organisation: Organisation,
    actor,
    client_token: uuid.UUID,
    category: str,
    situation: str,
    callback_phone: str,
    services: Iterable[tuple[ServiceModule, Decimal | int | str]],
    operations_halted: bool = False,
    priority: str | None = None,
    detected_at: datetime | None = None,
    affected: str = "",
    place_of_performance: str = "",
    callback_email: str = "",
    on_behalf: bool = False,
    phoned_in_by: str = "",
    verification_note: str = "",
    contract: FrameworkContract | None = None,
    incident: Incident | None = None,
    drill: bool = False,
) -> CallOff:
    """File a call-off for a body and offer it to the first provider in the order of precedence.

    * actor: a caller/admin of the body, or ministry staff filing on behalf (on_behalf=True,
      phoned_in_by and verification_note required) of a body that phoned in.
    * Idempotent: the same actor with the same client_token gets the first call-off back (looked
      for in the statement that draws the number, after the checks of the input; a unique
      constraint decides when two submissions race each other).
    * Priority: P1 whenever operations are halted; otherwise as given (default P2).
    * Incident: the given one, else the body's most recent open incident, else a new one.
    * Ceiling: never refused for it; flagged and reported (see services.ceiling).
    * drill=True: a drill (Übung, calloffs.drills) on the real path (precedence, offers, SLA clocks):
      started by the body's caller/admin or by the ministry for any entitled body (never "on
      behalf": nobody phoned in), in a drill record of its own (no reporting clock), outside the
      ceiling and never billed. Only the drill form passes it; the emergency form never does.

    Everything is checked first, without a lock; then the number is drawn in a short transaction
    of its own, then the call-off is filed in one transaction that takes the contract's lock (the
    ceiling) and the audit chain's only at its end. Numbers are unique and increasing; a filing
    that fails after the draw (a database error, a double submit racing itself) leaves a gap.
    On a mass-incident day the sequence row and the contract row, each locked for a whole filing,
    made every filing wait for the one before it (docs/BENCHMARKS.md).
    """
    if drill:
        _check_drill_starter(actor=actor, organisation=organisation, on_behalf=on_behalf)
        incident = None  # a drill gets a drill record of its own
    else:
        phoned_in_by, verification_note = _check_filer(
            actor=actor,
            organisation=organisation,
            on_behalf=on_behalf,
            phoned_in_by=phoned_in_by,
            verification_note=verification_note,
        )
    if not isinstance(client_token, uuid.UUID):
        try:
            client_token = uuid.UUID(str(client_token))
        except ValueError as exc:
            raise InvalidInput(_("Das Formular ist ungültig; bitte neu laden."), field="client_token") from exc
    contract = _resolve_contract(contract)
    _check_entitled(contract, organisation)
    situation = require_text(situation, field="situation", message=_("Bitte kurz beschreiben, was passiert ist."))
    callback_phone = require_phone(
        callback_phone, field="callback_phone", message=_("Bitte eine Rückrufnummer angeben.")
    )
    callback_email = (callback_email or "").strip()
    if callback_email:
        try:
            validate_email(callback_email)
        except ValidationError as exc:
            raise InvalidInput(_("Bitte eine gültige E-Mail-Adresse angeben."), field="callback_email") from exc
    require_plausible("detected_at", plausible.check_past_datetime, detected_at)
    if category not in Category.values:
        raise InvalidInput(_("Bitte die Art des Vorfalls auswählen."), field="category")
    if operations_halted:
        priority = Priority.P1
    elif priority is None:
        priority = Priority.P2
    elif priority not in Priority.values:
        raise InvalidInput(_("Unbekannte Priorität."), field="priority")
    lines = _clean_services(contract, services)
    if incident is not None and incident.organisation_id != organisation.pk:
        _pick_incident(organisation, incident)  # raises: checked before the number is drawn

    now = timezone.now()
    # Idempotent: the number is drawn only if this actor has not filed with this token before.
    number = next_calloff_number(when=now, unless_filed=(actor, client_token))
    if number is None:
        existing = CallOff.objects.get(filed_by=actor, client_token=client_token)
        if existing.is_drill != drill:  # a token of one form sent to the other: never mix them
            raise InvalidInput(_("Das Formular ist ungültig; bitte neu laden."), field="client_token")
        return existing
    try:
        return _file(
            organisation=organisation,
            actor=actor,
            contract=contract,
            incident=incident,
            number=number,
            now=now,
            lines=lines,
            fields={
                "client_token": client_token,
                "category": category,
                "situation": situation,
                "callback_phone": callback_phone,
                "callback_email": callback_email,
                "operations_halted": operations_halted,
                "priority": priority,
                "detected_at": detected_at,
                "affected": affected,
                "place_of_performance": (place_of_performance or "").strip() or organisation.address,
                "on_behalf": on_behalf,
                "phoned_in_by": phoned_in_by,
                "verification_note": verification_note,
                "is_drill": drill,
            },
        )
    except IntegrityError:
        # The same submission, sent twice at once: the other one was filed first.
        existing = CallOff.objects.filter(filed_by=actor, client_token=client_token).first()
        if existing is None or existing.is_drill != drill:
            raise
        return existing


@transition
def _file(*, organisation, actor, contract, incident, number, now, lines, fields) -> CallOff:
    category, priority = fields["category"], fields["priority"]
    operations_halted, detected_at, affected = fields["operations_halted"], fields["detected_at"], fields["affected"]
    on_behalf, phoned_in_by, drill = fields["on_behalf"], fields["phoned_in_by"], fields["is_drill"]
    # Filings of one body one after the other (two at once would open two incidents); other bodies'
    # filings do not wait. NO KEY: rows that merely point at the body (FK checks) are not held up.
    _BODY_LOCK.first(pk=organisation.pk)
    # The body's open incident, locked as it is read: incident_open_or_attach need not read it again.
    picked = None if drill else _pick_incident(organisation, incident, lock=True)
    incident = incident_open_or_attach(
        organisation=organisation,
        incident=picked,
        locked=picked is not None and incident is None,
        title=(_("ÜBUNG: ") if drill else "") + f"{Category(category).label} ({number})",
        category=category,
        became_aware_at=detected_at or now,
        became_aware_assumed=detected_at is None,
        operations_halted=operations_halted,
        affected_systems=affected,
        actor=actor,
        is_drill=drill,
    )
    ranking_version, version_ranks = ranking_current_with_ranks(contract)
    # Who the offer will go to is known before the row is written: the row is inserted as offered
    # then (one UPDATE less); this instance says "submitted" until the offer is made, as before.
    region = organisation.regierungsbezirk
    ranks = ranking_for_calloff(
        version=ranking_version, service_module_id=lines[0][0].pk, regierungsbezirk=region, ranks=version_ranks
    )
    load, webhooks = engagements_and_webhooks([r.provider_id for r in ranks])
    offered = planned_offer(ranks=ranks, regierungsbezirk=region, load=load) is not None
    calloff = CallOff(
        number=number,
        contract=contract,
        organisation=organisation,
        incident=incident,
        ranking_version=ranking_version,
        state=CallOffState.OFFERED if offered else CallOffState.SUBMITTED,
        filed_by=actor,
        submitted_at=now,
        **fields,
        estimated_value=sum(((m.price * q).quantize(CENT) for m, q in lines), Decimal("0.00")),
    )
    insert_one(calloff)  # CallOff.objects.create: its INSERT compiled once per connection (issue 19)
    calloff.state = CallOffState.SUBMITTED  # in the row: its state once offer_next below has offered it
    insert_rows(CallOffService, service_rows(calloff, lines))
    # The filed and the offered event (and any skip event) in one insert, before the contract's lock.
    # The offer's webhook rows go to the endpoints read with the engagements (and are written as the
    # events are, at the end of the batch).
    with webhook_endpoints_known(webhooks), events_batched():
        record_event(
            calloff=calloff,
            kind=EventKind.FILED,
            actor=actor,
            new_state=calloff.state,
            at=now,
            data={
                "priority": priority,
                "estimated_value": calloff.estimated_value,
                "on_behalf": on_behalf,
                "phoned_in_by": phoned_in_by,
                "under_mandate_of": _mandate_principal(actor, organisation, on_behalf),
                "incident": incident.public_id,
                "ranking_version": calloff.ranking_version.number if calloff.ranking_version else None,
                **({"drill": True, "by_ministry": is_ministry(actor)} if drill else {}),
            },
        )
        timeline_add(
            incident=incident,
            scope=timeline_scope(calloff),
            source=TimelineEntry.Source.SYSTEM,
            author=actor,
            at=now,
            text=(
                _("ÜBUNG: Übungsabruf {number} gestartet (Priorität {priority}).").format(
                    number=number, priority=priority
                )
                if drill
                else _("Abruf {number} gestellt (Priorität {priority}){behalf}.").format(
                    number=number,
                    priority=priority,
                    behalf=_(" im Auftrag, gemeldet von {name}").format(name=phoned_in_by) if on_behalf else "",
                )
            ),
        )
        offer_next(
            calloff=calloff,
            actor=actor,
            now=now,
            just_filed=JustFiled(
                first_module_id=lines[0][0].pk, version_ranks=version_ranks, load=load, offered_state_written=offered
            ),
        )
    # Last, under the contract's lock (held until the commit, a few statements later): the filings
    # before this one have committed, so the commitments read here are exact.
    contract = _CONTRACT_LOCK.first(pk=contract.pk)
    if contract is None:
        raise FrameworkContract.DoesNotExist("the filing's contract was deleted meanwhile")
    calloff.contract = contract
    _check_entitled(contract, organisation)  # again, under the lock: a change of the term or the bodies wins
    if drill:
        return calloff  # a drill costs nothing: it neither uses nor is checked against the ceiling
    ceiling_check_filing(calloff=calloff, bound_before=bound_value(contract, exclude=calloff), actor=actor)
    return calloff
