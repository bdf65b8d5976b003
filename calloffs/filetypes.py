"""The type of an uploaded file, decided by its content (magic bytes), never by its name.

Allowed: PDF, PNG, JPEG, ZIP and plain UTF-8 text. Anything else is refused.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

PDF, PNG, JPEG, ZIP, TEXT = "application/pdf", "image/png", "image/jpeg", "application/zip", "text/plain"
ALLOWED_TYPES = (PDF, PNG, JPEG, ZIP, TEXT)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),  # an empty archive
)
#: Control characters that do not occur in text (everything below 0x20 except tab, LF, FF, CR).
_BINARY_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(chunks: Iterable[bytes]) -> str | None:
    """The MIME type of the content given as chunks (the first one at least 8 bytes if the file
    has that many), or None if it is none of the allowed types. Text is checked in full: every
    chunk must decode as UTF-8 and contain no binary control characters."""
    iterator = iter(chunks)
    first = next(iterator, b"")
    for magic, mime in _MAGIC:
        if first.startswith(magic):
            return mime
    if not first:
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _chain(first, iterator):
            if _BINARY_CONTROLS.search(chunk):
                return None
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return TEXT


def _chain(first: bytes, rest: Iterable[bytes]):
    yield first
    yield from rest
