"""The tamper-evident audit log: append to and verify an HMAC chain.

Each entry is sealed with a key that is not in the database (settings.AUDIT_KEYS, from
AUDIT_KEY_FILE; the first key seals, older ones still verify): whoever can write the tables can
delete or change rows, but cannot re-seal the chain afterwards. Removed newest entries (which leave
a valid, shorter chain) are found with the signed checkpoints kept outside the database
(tenants.audit_checkpoints). Records of other apps that are bound to entries (call-off events) are
checked by the verifiers those apps register here. docs/SECURITY.md says what this does and does not catch.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone

from digisos.compiled_query import CompiledQuery
from digisos.insert_sql import insert_rows, insert_sql

from .models import AuditChainHead, AuditEntry

logger = logging.getLogger(__name__)

GENESIS = "0" * 64


class UnknownKey(Exception):
    """An entry or checkpoint names a key id that settings.AUDIT_KEYS does not hold."""


def keyring() -> dict[str, bytes]:
    return {key_id: secret.encode() for key_id, secret in settings.AUDIT_KEYS}


def current_key_id() -> str:
    return settings.AUDIT_KEYS[0][0]


def seal(blob: bytes, *, key_id: str) -> str:
    """HMAC-SHA256 of ``blob`` with key ``key_id``."""
    try:
        key = keyring()[key_id]
    except KeyError:
        raise UnknownKey(key_id) from None
    return hmac.new(key, blob, hashlib.sha256).hexdigest()


def _canonical(value) -> object:
    """What the JSON field gives back after a round trip (UUIDs, dates, decimals as strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical_json(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_digest(
    *, sequence, at, actor_label, action, organisation_label, target, details, prev_hash, key_id=None
) -> str:
    """The entry's seal: HMAC-SHA256 with key ``key_id``. ``key_id=None`` is the unkeyed SHA-256 of
    the chain before migration 0006 (for migration 0004 only; ``verify`` never accepts it)."""
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
    if key_id is None:
        return hashlib.sha256(canonical_json(payload)).hexdigest()
    payload["key"] = key_id
    return seal(canonical_json(payload), key_id=key_id)


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


#: Found outside the writer: the newest row is not the one the head row names (a row inserted
#: through the database or an old admin, or the head row deleted or reset).
RESUMED = "audit.chain_resumed"


def _head_locked():
    """The head row, locked, with the newest entry's sequence and hash (same statement)."""
    newest = AuditEntry.objects.order_by("-sequence")
    return AuditChainHead.objects.select_for_update().annotate(
        top_sequence=Subquery(newest.values("sequence")[:1]),
        top_hash=Subquery(newest.values("entry_hash")[:1]),
    )


#: Its statement compiled once per database connection: every audited transition runs it (issue 19).
_HEAD_LOCKED = CompiledQuery(lambda: _head_locked().filter(pk=1))


# No savepoint when called inside a transaction (every call-off transition): an error here
# aborts the caller's whole transaction anyway, and two round trips are saved.
@transaction.atomic(savepoint=False)
def _chain(items: list[dict]) -> list[AuditEntry]:
    """Lock the head, chain the entries in order, write them in one statement, move the head.

    The head's lock also reads the newest row's sequence and hash (same statement, no extra round
    trip). A row the writer did not write (someone with database access inserted the next
    sequence, or deleted the head row) would make the insert fail, and with it every audited write:
    instead the chain goes on after the newest row, with an entry that records the jump, and
    ``verify`` names the foreign row."""
    head, created = _HEAD_LOCKED.first(), False
    if head is None:  # the chain's first entry (or the head row deleted)
        head, created = _head_locked().get_or_create(pk=1)
    if created:
        newest = AuditEntry.objects.order_by("-sequence")
        head.top_sequence, head.top_hash = newest.values_list("sequence", "entry_hash").first() or (None, None)
    if head.top_sequence is not None and head.top_sequence > head.last_sequence:
        logger.error(
            "audit chain: the newest entry is %s, the head names %s; chaining on after it",
            head.top_sequence,
            head.last_sequence,
        )
        notice = {
            "actor": None,
            "organisation": None,
            "action": RESUMED,
            "target": "",
            "details": {"head_sequence": head.last_sequence, "head_hash": head.last_hash, "found": head.top_sequence},
        }
        items = [notice, *items]
        head.last_sequence, head.last_hash = head.top_sequence, head.top_hash
    # Stamped when chained, under the head's lock: times rise with the sequence, as a reader expects.
    at = timezone.now()
    key_id = current_key_id()
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
            "key_id": key_id,
        }
        digest = entry_digest(**fields)
        entries.append(AuditEntry(actor=actor, organisation=organisation, entry_hash=digest, **fields))
        head.last_sequence, head.last_hash = fields["sequence"], digest
    if connection.vendor == "postgresql":
        _insert_moving_head(entries, head)
    else:
        insert_rows(AuditEntry, entries)
        _move_head(head)
    return entries


def _move_head(head: AuditChainHead) -> None:
    """head.save(update_fields=["last_sequence", "last_hash"]) as one plain UPDATE: every audited
    transition ends with it, and the model's save machinery cost more CPU than the statement (issue
    19). No signal is connected to the head row."""
    meta, quote = AuditChainHead._meta, connection.ops.quote_name
    sequence, last_hash = (quote(meta.get_field(name).column) for name in ("last_sequence", "last_hash"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {sequence} = %s, {last_hash} = %s "  # noqa: S608  # nosec B608 - our names
            f"WHERE {quote(meta.pk.column)} = %s",
            [head.last_sequence, head.last_hash, head.pk],
        )


def _insert_moving_head(entries: list[AuditEntry], head: AuditChainHead) -> None:
    """PostgreSQL: the entries' INSERT (as bulk_create writes it, with RETURNING of their ids) and the
    head's UPDATE of _move_head in one statement, the UPDATE as a data-modifying WITH (run once and to
    completion whether or not the INSERT reads it; both or neither, as one statement) — one round
    trip less for every audited transition (issue 19). SQLite has no such WITH: two statements."""
    meta, quote = AuditChainHead._meta, connection.ops.quote_name
    sequence, last_hash = (quote(meta.get_field(name).column) for name in ("last_sequence", "last_hash"))
    insert, insert_params = insert_sql(connection, AuditEntry, entries, returning=AuditEntry._meta.db_returning_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {quote('moved_head')} AS (UPDATE {quote(meta.db_table)} "  # noqa: S608  # nosec B608 - our names
            f"SET {sequence} = %s, {last_hash} = %s WHERE {quote(meta.pk.column)} = %s) {insert}",
            [head.last_sequence, head.last_hash, head.pk, *insert_params],
        )
        ids = cursor.fetchall()
    if len(ids) != len(entries):
        raise RuntimeError("the audit entries' INSERT returned no ids")
    for entry, (pk, *_rest) in zip(entries, ids, strict=True):
        entry.pk = pk
        entry._state.adding, entry._state.db = False, connection.alias


def _check_entry(entry: AuditEntry, *, expected_sequence: int, prev: str) -> str:
    """The problem with one entry of the walk, or ''."""
    if entry.sequence != expected_sequence:
        return f"entry {expected_sequence} is missing (found {entry.sequence})"
    if entry.prev_hash != prev:
        return f"entry {entry.sequence}: previous hash does not match"
    try:
        digest = entry_digest(
            sequence=entry.sequence,
            at=entry.at,
            actor_label=entry.actor_label,
            action=entry.action,
            organisation_label=entry.organisation_label,
            target=entry.target,
            details=entry.details,
            prev_hash=entry.prev_hash,
            key_id=entry.key_id,
        )
    except UnknownKey:
        return f"entry {entry.sequence}: sealed with key {entry.key_id!r}, which is not in AUDIT_KEYS"
    if not hmac.compare_digest(digest, entry.entry_hash):
        return f"entry {entry.sequence}: content was changed or the entry was not written by the portal"
    return ""


def verify(*, checkpoint_files: list[str] | None = None) -> tuple[bool, int, str]:
    """Walk the chain in order, then check the head row and the checkpoints (the configured file
    and ``checkpoint_files``). Returns (ok, entries checked, message naming the first break)."""
    from .audit_checkpoints import compare_checkpoints, load_checkpoints

    checkpoints, problem = load_checkpoints(extra_files=checkpoint_files or [])
    if problem:
        return False, 0, problem
    anchored = {checkpoint["sequence"] for checkpoint in checkpoints}
    prev, expected_sequence, count = GENESIS, 1, 0
    hashes: dict[int, str] = {}
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        problem = _check_entry(entry, expected_sequence=expected_sequence, prev=prev)
        if problem:
            return False, count, problem
        if entry.sequence in anchored:
            hashes[entry.sequence] = entry.entry_hash
        prev, expected_sequence, count = entry.entry_hash, expected_sequence + 1, count + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None and count:
        return False, count, "the chain's head row was deleted"
    if head is not None and (head.last_sequence != count or head.last_hash != prev):
        return False, count, "the head row does not name the newest entry (newest entries removed or head changed)"
    problem = compare_checkpoints(checkpoints, hashes, count=count)
    if problem:
        return False, count, problem
    return True, count, "ok"


#: Checks of records other apps bind to audit entries; each returns its problems ([] when intact).
_verifiers: list[Callable[[], list[str]]] = []


def register_verifier(check: Callable[[], list[str]]) -> None:
    if check not in _verifiers:
        _verifiers.append(check)


def verify_bound_records() -> list[str]:
    problems: list[str] = []
    for check in _verifiers:
        problems.extend(check())
    return problems
