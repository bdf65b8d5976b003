"""Small typed parsers for settings from environment variables.

Each one fails loudly (ImproperlyConfigured) on a value it cannot read, so that a
typo in a deployment stops the process at start-up instead of running half-configured.
Secrets may also be read from a file named by ``<NAME>_FILE`` (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, environ=os.environ) -> str | None:
    file_name = environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return environ.get(name, default)


def env_bool(name: str, default: bool = False, *, environ=os.environ) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int, *, minimum: int | None = None, environ=os.environ) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str] | None = None, *, environ=os.environ) -> list[str]:
    raw = environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str, *, environ=os.environ) -> str:
    raw = environ.get(name, default)
    if raw not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r} must be one of: {', '.join(choices)}")
    return raw


RATE_PATTERN = re.compile(r"[1-9]\d*/(s|sec|m|min|h|hour|d|day)")


def env_rate(name: str, default: str, *, environ=os.environ) -> str:
    """A rate for digisos.ratelimit, e.g. ``600/min`` or ``20/hour``."""
    raw = env_str(name, default, environ=environ) or ""
    if not RATE_PATTERN.fullmatch(raw):
        raise ImproperlyConfigured(f"{name}={raw!r}: use e.g. {default}")
    return raw


_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")


def env_keyring(name: str, *, min_length: int = 32, environ=os.environ) -> list[tuple[str, str]]:
    """Keys with ids, the newest first: ``<key-id>:<secret>``, one a line (or comma-separated), from
    ``<name>`` or the file named by ``<name>_FILE``. The first key signs; the others still verify
    what they signed (rotation). Ids are 1–32 of ``A–Z a–z 0–9 . _ -``; secrets at least ``min_length``."""
    raw = env_str(name, "", environ=environ) or ""
    keys: list[tuple[str, str]] = []
    for number, item in enumerate(re.split(r"[\n,]", raw), start=1):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        key_id, sep, secret = item.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not _KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured(f"{name}: entry {number} is not '<key-id>:<secret>' (id: A-Z a-z 0-9 . _ -)")
        if len(secret) < min_length:
            raise ImproperlyConfigured(f"{name}: the secret of key {key_id!r} has fewer than {min_length} characters")
        if key_id in {k for k, _ in keys}:
            raise ImproperlyConfigured(f"{name}: key id {key_id!r} appears twice")
        keys.append((key_id, secret))
    return keys
