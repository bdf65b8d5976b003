"""The tamper-evident audit log: append and verify a SHA-256 hash chain."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEntry

GENESIS = "0" * 64


def _canonical(value) -> object:
    """What the JSON field gives back after a round trip (UUIDs, dates, decimals as strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def entry_digest(*, sequence, at, actor_label, action, organisation_label, target, details, prev_hash) -> str:
    payload = {
        "sequence": sequence,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_label,
        "action": action,
        "organisation": organisation_label,
        "target": target,
        "details": _canonical(details),
        "prev": prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


# No savepoint when called inside a transaction (every call-off transition): an error here
# aborts the caller's whole transaction anyway, and two round trips per entry are saved.
@transaction.atomic(savepoint=False)
def append(*, actor, action: str, organisation=None, target: str = "", details: dict | None = None) -> AuditEntry:
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    sequence = head.last_sequence + 1
    at = timezone.now()
    actor = actor if getattr(actor, "pk", None) else None
    fields = {
        "sequence": sequence,
        "at": at,
        "actor_label": actor.email if actor else "",
        "action": action,
        "organisation_label": organisation.name if organisation else "",
        "target": (target or "")[:255],
        "details": _canonical(details or {}),
        "prev_hash": head.last_hash,
    }
    digest = entry_digest(**fields)
    entry = AuditEntry.objects.create(actor=actor, organisation=organisation, entry_hash=digest, **fields)
    head.last_sequence, head.last_hash = sequence, digest
    head.save(update_fields=["last_sequence", "last_hash"])
    return entry


def verify() -> tuple[bool, int, str]:
    """Walk the chain in order. Returns (ok, entries checked, message naming the first break)."""
    prev, expected_sequence, count = GENESIS, 1, 0
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        if entry.sequence != expected_sequence:
            return False, count, f"entry {expected_sequence} is missing (found {entry.sequence})"
        if entry.prev_hash != prev:
            return False, count, f"entry {entry.sequence}: previous hash does not match"
        digest = entry_digest(
            sequence=entry.sequence,
            at=entry.at,
            actor_label=entry.actor_label,
            action=entry.action,
            organisation_label=entry.organisation_label,
            target=entry.target,
            details=entry.details,
            prev_hash=entry.prev_hash,
        )
        if digest != entry.entry_hash:
            return False, count, f"entry {entry.sequence}: content was changed"
        prev, expected_sequence, count = entry.entry_hash, expected_sequence + 1, count + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_sequence != count or head.last_hash != prev):
        return False, count, "the newest entries were removed"
    return True, count, "ok"
