"""A change of scope (Leistungsumfang) of an assigned call-off: other services or quantities.

The call-off order is then re-issued as a new version (the receiver of ``scope_changed`` asks
for it); the old versions stay, and the event keeps the services before and after.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from incidents.models import TimelineEntry
from incidents.services import timeline_add

from ..errors import NotPermitted, TransitionNotAllowed
from ..models import CallOff, CallOffService, CallOffState, EventKind, FrameworkContract, ServiceModule
from ..permissions import can_cancel
from ..selectors import bound_value
from ..visibility import timeline_scope
from .ceiling import ceiling_check_filing, format_eur
from .common import lock_calloff, record_event, require_reason, transition
from .filing import CENT, _clean_services, service_rows

#: Scope can change while the provider works on the call-off.
SCOPE_STATES = (CallOffState.ACCEPTED, CallOffState.IN_PROGRESS)


def _lines(calloff: CallOff) -> list[dict]:
    return [
        {"module": line.service_module.code, "quantity": line.estimated_quantity, "value": line.value}
        for line in calloff.services.select_related("service_module").order_by("position", "id")
    ]


@transition
def calloff_change_scope(
    *,
    calloff: CallOff,
    actor,
    services: Iterable[tuple[ServiceModule, Decimal | int | str]],
    reason: str,
) -> CallOff:
    """The body (caller or administrator) or the ministry replaces the services called off, at
    the contract's prices; the estimated value is recomputed and checked against the ceiling
    (flagged and reported, never refused, as at filing). Only while accepted or in progress."""
    reason = require_reason(reason)
    # Lock order as at filing: the contract (serialises the ceiling arithmetic), then the call-off.
    contract = FrameworkContract.objects.select_for_update(no_key=True).get(pk=calloff.contract_id)
    calloff = lock_calloff(calloff)
    if not can_cancel(actor, calloff):
        raise NotPermitted(
            _("Den Leistungsumfang ändern können abrufberechtigte Personen der Stelle oder das Ministerium.")
        )
    if calloff.state not in SCOPE_STATES:
        raise TransitionNotAllowed(
            _("Der Leistungsumfang kann nur bei einem angenommenen oder laufenden Abruf geändert werden.")
        )
    lines = _clean_services(contract, services)
    before, value_before = _lines(calloff), calloff.estimated_value
    CallOffService.objects.filter(calloff=calloff).delete()
    CallOffService.objects.bulk_create(service_rows(calloff, lines))
    calloff.estimated_value = sum(((m.price * q).quantize(CENT) for m, q in lines), Decimal("0.00"))
    calloff.exceeds_ceiling = False
    calloff.save(update_fields=["estimated_value", "exceeds_ceiling", "updated_at"])
    record_event(
        calloff=calloff,
        kind=EventKind.SCOPE_CHANGED,
        actor=actor,
        provider=calloff.provider,
        reason=reason,
        data={
            "before": before,
            "after": _lines(calloff),
            "estimated_value_before": value_before,
            "estimated_value": calloff.estimated_value,
        },
    )
    calloff.contract = contract
    if not calloff.is_drill:  # a drill costs nothing: not checked against the ceiling
        ceiling_check_filing(calloff=calloff, bound_before=bound_value(contract, exclude=calloff), actor=actor)
    timeline_add(
        incident=calloff.incident,
        scope=timeline_scope(calloff),
        source=TimelineEntry.Source.SYSTEM,
        author=actor,
        text=_("Abruf {number}: Leistungsumfang geändert, geschätzter Wert jetzt {value}. Grund: {reason}").format(
            number=calloff.number, value=format_eur(calloff.estimated_value), reason=reason
        ),
    )
    return calloff
