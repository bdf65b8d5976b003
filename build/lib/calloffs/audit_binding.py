"""Call-off events are bound into the audit chain: every CallOffEvent has its audit entry
(``calloff.<kind>``, written in the same transaction by services.common.record_event) whose sealed
details carry the event's id and a digest of its content. ``verify_event_bindings`` (registered
with tenants.audit, run by ``manage.py verify_audit_chain``) finds an event that was changed,
inserted or deleted through the database, since the entry cannot be re-sealed without the key."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder

from tenants.models import AuditEntry

from .models import CallOffEvent


def event_digest(event: CallOffEvent) -> str:
    """SHA-256 of what the event says (the actor is checked by its id: a deleted account empties both)."""
    payload = {
        "calloff": event.calloff_id,
        "kind": event.kind,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "provider": event.provider_id,
        "old_state": event.old_state,
        "new_state": event.new_state,
        "reason": event.reason,
        "data": json.loads(json.dumps(event.data or {}, cls=DjangoJSONEncoder)),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def verify_event_bindings() -> list[str]:
    """Problems of the call-off events against their audit entries ([] when every event is bound)."""
    bound: dict[int, tuple[int, dict, int | None, str]] = {}
    entries = AuditEntry.objects.filter(action__startswith="calloff.", details__has_key="event")
    for sequence, details, actor_id, action in entries.values_list("sequence", "details", "actor_id", "action"):
        bound[int(details["event"])] = (sequence, details, actor_id, action)
    problems = []
    events = CallOffEvent.objects.order_by("pk").values_list(
        "pk", "calloff_id", "kind", "at", "actor_id", "provider_id", "old_state", "new_state", "reason", "data"
    )
    for pk, calloff_id, kind, at, actor_id, provider_id, old, new, reason, data in events.iterator(chunk_size=2000):
        event = CallOffEvent(
            pk=pk,
            calloff_id=calloff_id,
            kind=kind,
            at=at,
            actor_id=actor_id,
            provider_id=provider_id,
            old_state=old,
            new_state=new,
            reason=reason,
            data=data,
        )
        entry = bound.pop(pk, None)
        if entry is None:
            problems.append(f"call-off event {pk} has no audit entry (written outside the portal)")
            continue
        sequence, details, entry_actor_id, action = entry
        if "digest" in details:
            same = details["digest"] == event_digest(event)
        else:  # entries written before the digest: what they recorded
            same = (action, details.get("old_state"), details.get("new_state"), details.get("reason")) == (
                f"calloff.{kind}",
                old,
                new,
                reason,
            )
        if not same or entry_actor_id != actor_id:
            problems.append(f"call-off event {pk} differs from its audit entry {sequence}: it was changed")
    for pk, (sequence, _details, _actor, _action) in sorted(bound.items()):
        problems.append(f"call-off event {pk} of audit entry {sequence} was deleted")
    return problems
