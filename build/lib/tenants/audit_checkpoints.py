"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint names the chain's head (sequence and hash) at a moment, sealed with the audit key.
The beat task (calloffs.tasks.audit.audit_checkpoint) writes one to the log and appends it to
settings.AUDIT_CHECKPOINT_FILE; once a day it is also e-mailed to AUDIT_CHECKPOINT_EMAIL. Someone
who deletes the newest entries and sets the head row back leaves a valid, shorter chain: the next
``verify_audit_chain`` finds that a checkpoint names an entry that is gone, or one that differs.
Lines may carry a prefix (a log line, a forwarded e-mail): the JSON object is found inside.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .audit import UnknownKey, canonical_json, current_key_id, seal
from .models import AuditChainHead

logger = logging.getLogger("digisos.audit.checkpoint")

TYPE = "digisos.audit.checkpoint"
_FIELDS = ("type", "sequence", "hash", "at", "key")


def _signed_part(checkpoint: dict) -> bytes:
    return canonical_json({name: checkpoint[name] for name in _FIELDS})


def checkpoint_make(*, now: datetime | None = None) -> dict | None:
    """A signed checkpoint of the current head, or None while the chain is empty."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.last_sequence == 0:
        return None
    checkpoint = {
        "type": TYPE,
        "sequence": head.last_sequence,
        "hash": head.last_hash,
        "at": (now or timezone.now()).astimezone(UTC).isoformat(timespec="seconds"),
        "key": current_key_id(),
    }
    checkpoint["signature"] = seal(_signed_part(checkpoint), key_id=checkpoint["key"])
    return checkpoint


def checkpoint_line(checkpoint: dict) -> str:
    return json.dumps(checkpoint, sort_keys=True, separators=(",", ":"))


def _last_line(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 4096))
            lines = handle.read().decode("utf-8", "replace").strip().splitlines()
    except FileNotFoundError:
        return ""
    return lines[-1] if lines else ""


def checkpoint_write(*, force: bool = False) -> dict | None:
    """Log a checkpoint and append it to the file, unless the head has not moved since the file's
    last one (``force``: log it anyway, e.g. for the daily e-mail). Returns it (None: empty chain)."""
    checkpoint = checkpoint_make()
    if checkpoint is None:
        return None
    path = Path(settings.AUDIT_CHECKPOINT_FILE) if settings.AUDIT_CHECKPOINT_FILE else None
    last = parse_line(_last_line(path)) if path else None
    moved = last is None or (last["sequence"], last["hash"]) != (checkpoint["sequence"], checkpoint["hash"])
    if not moved and not force:
        return checkpoint
    line = checkpoint_line(checkpoint)
    logger.info("audit checkpoint %s", line)
    if path and moved:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    return checkpoint


def parse_line(line: str) -> dict | None:
    """The checkpoint in a line (possibly after a prefix), or None if the line holds none."""
    start = line.find("{")
    if start < 0 or TYPE not in line:
        return None
    try:
        value = json.loads(line[start:])
    except ValueError:
        return None
    if not isinstance(value, dict) or value.get("type") != TYPE:
        return None
    return value


def _checkpoint_was_due() -> bool:
    """True when the beat task should have written a checkpoint by now (an entry older than two intervals)."""
    from .models import AuditEntry

    since = timezone.now() - timedelta(seconds=2 * settings.AUDIT_CHECKPOINT_SECONDS)
    return AuditEntry.objects.filter(at__lt=since).exists()


def load_checkpoints(*, extra_files: list[str]) -> tuple[list[dict], str]:
    """Every checkpoint of the configured file and ``extra_files``, each with a valid signature;
    or a message naming the first that is unreadable, forged or sealed with an unknown key."""
    paths = [Path(p) for p in extra_files]
    if settings.AUDIT_CHECKPOINT_FILE and Path(settings.AUDIT_CHECKPOINT_FILE).exists():
        paths.insert(0, Path(settings.AUDIT_CHECKPOINT_FILE))
    elif settings.AUDIT_CHECKPOINT_FILE and _checkpoint_was_due():
        # Deleting the file (with the newest rows) must not read as "no checkpoints yet".
        return [], (
            f"checkpoint file {settings.AUDIT_CHECKPOINT_FILE} is missing, although the log holds entries "
            "older than two checkpoint intervals"
        )
    checkpoints = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return [], f"checkpoint file {path} cannot be read: {exc}"
        for number, line in enumerate(text.splitlines(), start=1):
            checkpoint = parse_line(line)
            where = f"{path}:{number}"
            if checkpoint is None:
                if TYPE in line:  # a marked line that no longer parses was edited: as bad as removed
                    return [], f"checkpoint {where} is damaged"
                continue
            try:
                if not isinstance(checkpoint.get("sequence"), int) or not all(k in checkpoint for k in _FIELDS):
                    return [], f"checkpoint {where} is incomplete"
                expected = seal(_signed_part(checkpoint), key_id=str(checkpoint["key"]))
            except UnknownKey:
                return [], f"checkpoint {where} is sealed with key {checkpoint['key']!r}, which is not in AUDIT_KEYS"
            if not hmac.compare_digest(expected, str(checkpoint.get("signature", ""))):
                return [], f"checkpoint {where} has no valid signature"
            checkpoints.append(checkpoint)
    return checkpoints, ""


def compare_checkpoints(checkpoints: list[dict], hashes: dict[int, str], *, count: int) -> str:
    """'' if every checkpoint names an entry of the (verified) chain with the same hash."""
    for checkpoint in sorted(checkpoints, key=lambda c: c["sequence"], reverse=True):
        sequence = checkpoint["sequence"]
        if sequence > count:
            removed = f"entry {sequence} was" if sequence == count + 1 else f"entries {count + 1}–{sequence} were"
            return (
                f"{removed} removed: the checkpoint of {checkpoint['at']} names entry {sequence}, "
                f"the chain ends at {count}"
            )
        if hashes.get(sequence) != checkpoint["hash"]:
            return f"entry {sequence} differs from the checkpoint of {checkpoint['at']}: the chain was rewritten"
    return ""
