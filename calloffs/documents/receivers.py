"""Ask for the call-off order when a call-off is assigned, and for a new version of it when its
content changes. Connected in CalloffsConfig.ready(): ``order_in_transaction`` to
``calloff_event_written`` (inside the step's transaction) for the assignment, which writes
version 1 with the step; ``order_on_calloff_event`` to ``calloff_event_recorded`` (after commit) for
the changes, which only writes a pending row. Either way the render is enqueued after commit."""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

from ..errors import CallOffError
from ..models import CallOff, DocumentKind, EventKind

logger = logging.getLogger(__name__)

#: event kind → why the order is (re)issued. The first two make version 1; the others a new
#: version with the changed content (old versions stay).
ORDER_EVENTS = {
    EventKind.ACCEPTED: _("Annahme durch den Dienstleister"),
    EventKind.ASSIGNED_MANUALLY: _("Beauftragung durch das Ministerium"),
    EventKind.LEAD_REPORTED: _("Einsatzleitung benannt oder geändert"),
    EventKind.SCOPE_CHANGED: _("Änderung des Leistungsumfangs"),
}
#: The assignments: version 1 is written in the assigning transaction (document_first_order), so an
#: assignment is never committed without its order, and nothing is read or locked again for it.
FIRST_ORDER_EVENTS = frozenset({EventKind.ACCEPTED, EventKind.ASSIGNED_MANUALLY})


def order_in_transaction(sender, event, **kwargs) -> None:
    from ..services.documents import document_first_order

    if event.kind not in FIRST_ORDER_EVENTS:
        return
    try:
        document_first_order(calloff=event.calloff, reason=str(ORDER_EVENTS[event.kind]))
    except CallOffError as exc:  # raised before anything is written: the transaction goes on
        logger.warning("call-off order for event %s not requested: %s", event.pk, exc)


def order_on_calloff_event(sender, event_id: int, kind: str, calloff_id: int, **kwargs) -> None:
    from ..services.documents import document_request

    if kind not in ORDER_EVENTS or kind in FIRST_ORDER_EVENTS:
        return  # most events (filed, offered, declined, …): nothing to read, nothing to do
    try:
        # document_request reads the call-off itself (a fresh copy); the id is all it needs.
        document_request(calloff=CallOff(pk=calloff_id), kind=DocumentKind.ORDER, reason=str(ORDER_EVENTS[kind]))
    except CallOffError as exc:
        logger.warning("call-off order for event %s not requested: %s", event_id, exc)
    except Exception:
        # send_robust swallows errors silently; say what went wrong.
        logger.exception("call-off order for event %s not requested", event_id)
        raise
