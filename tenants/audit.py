"""The tamper-evident audit log: append and verify a SHA-256 hash chain."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
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


#: The entries of the current ``deferred()`` block and the savepoint depth it began at; None outside one.
_deferred: ContextVar[tuple[list[dict], int] | None] = ContextVar("digisos_audit_deferred", default=None)


def _savepoint_depth() -> int:
    return sum(1 for sid in connection.savepoint_ids if sid)


@contextmanager
def deferred():
    """Keep the entries appended inside the block and chain them together when it ends, still
    inside the caller's transaction (which must enclose the block; on an exception nothing is
    chained and the transaction rolls back). The chain head is one row, locked from the first
    append until the commit: appended as things happen, every call-off transition held it for
    its whole transaction, and on a mass-incident day the filings queued behind each other.
    Chained at the end, it is held for the last few statements only. Nested blocks join the outer one.
    An entry appended inside a savepoint opened within the block is chained at once: the savepoint
    may be rolled back while the block goes on, and its entry must go with it."""
    if _deferred.get() is not None:
        yield
        return
    buffer: list[dict] = []
    token = _deferred.set((buffer, _savepoint_depth()))
    try:
        yield
    finally:
        _deferred.reset(token)
    if buffer:
        _chain(buffer)


def append(
    *, actor, action: str, organisation=None, target: str = "", details: dict | None = None
) -> AuditEntry | None:
    """Append an entry; inside ``deferred()`` it is chained at the block's end (and None returned)."""
    actor = actor if getattr(actor, "pk", None) else None
    item = {
        "actor": actor,
        "organisation": organisation,
        "action": action,
        "target": (target or "")[:255],
        "details": _canonical(details or {}),
    }
    block = _deferred.get()
    if block is not None and _savepoint_depth() <= block[1]:
        block[0].append(item)
        return None
    return _chain([item])[0]


# No savepoint when called inside a transaction (every call-off transition): an error here
# aborts the caller's whole transaction anyway, and two round trips are saved.
@transaction.atomic(savepoint=False)
def _chain(items: list[dict]) -> list[AuditEntry]:
    """Lock the head, chain the entries in order, write them in one statement, move the head."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    # Stamped when chained, under the head's lock: times rise with the sequence, as a reader expects.
    at = timezone.now()
    entries = []
    for item in items:
        actor, organisation = item["actor"], item["organisation"]
        fields = {
            "sequence": head.last_sequence + 1,
            "at": at,
            "actor_label": actor.email if actor else "",
            "action": item["action"],
            "organisation_label": organisation.name if organisation else "",
            "target": item["target"],
            "details": item["details"],
            "prev_hash": head.last_hash,
        }
        digest = entry_digest(**fields)
        entries.append(AuditEntry(actor=actor, organisation=organisation, entry_hash=digest, **fields))
        head.last_sequence, head.last_hash = fields["sequence"], digest
    AuditEntry.objects.bulk_create(entries)
    head.save(update_fields=["last_sequence", "last_hash"])
    return entries


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
