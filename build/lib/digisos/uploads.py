"""What an uploaded file is, decided by its content, and whether it may be stored as that kind.

Every app that takes files (incident attachments, a provider's reports and evidence) asks
``check_upload``: the content's type (magic bytes, ``sniff``) must be on
the kind's allow-list, the type the client declared must agree with it (or be the generic
``application/octet-stream``), the file name's extension must fit the type (a file saved as
``.html`` or ``.svg`` would be rendered by a browser when opened from disk), and a PDF, PNG or
JPEG must not carry HTML (a ``%PDF`` polyglot with ``<script>``). Files are still served only as
attachments with ``X-Content-Type-Options: nosniff``, under the type found here.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import PurePath

from django.utils.translation import gettext as _

PDF, PNG, JPEG, ZIP, TEXT = "application/pdf", "image/png", "image/jpeg", "application/zip", "text/plain"
ALL_TYPES = (PDF, PNG, JPEG, ZIP, TEXT)
CHUNK = 64 * 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),  # an empty archive
)
#: Control characters that do not occur in text (everything below 0x20 except tab, LF, FF, CR).
_BINARY_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: Markup a browser would run if it took the file for HTML or SVG.
_MARKUP = re.compile(rb"<\s*(script|html|svg|iframe|body|object|embed)\b|<!doctype\s+html", re.IGNORECASE)
_OVERLAP = 64

#: What a client may declare for each type (besides the generic octet-stream).
DECLARED = {
    PDF: {"application/pdf", "application/x-pdf"},
    PNG: {"image/png"},
    JPEG: {"image/jpeg", "image/pjpeg", "image/jpg"},
    ZIP: {"application/zip", "application/x-zip-compressed", "application/x-zip"},
    TEXT: {"text/plain", "text/csv", "text/markdown", "text/x-log", "application/json"},
}
GENERIC = {"", "application/octet-stream", "binary/octet-stream"}
#: File name extensions that fit each type ("" = no extension).
EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg"},
    ZIP: {".zip"},
    TEXT: {"", ".txt", ".log", ".csv", ".md", ".json"},
}
LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", ZIP: "ZIP", TEXT: "Text (UTF-8)"}


class RefusedUpload(Exception):
    """The file may not be stored; ``message`` says why (German)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sniff(chunks: Iterable[bytes]) -> str | None:
    """The MIME type of the content given as chunks (the first one at least 8 bytes if the file
    has that many), or None if it is none of the known types. Text is checked in full: every
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


def carries_markup(chunks: Iterable[bytes]) -> bool:
    tail = b""
    for chunk in chunks:
        if _MARKUP.search(tail + chunk):
            return True
        tail = chunk[-_OVERLAP:]
    return False


def check_upload(upload, *, allowed: Iterable[str]) -> str:
    """The content type of ``upload`` (a Django UploadedFile) if it may be stored as a kind that
    allows ``allowed``; RefusedUpload otherwise. Leaves the file at position 0."""
    allowed = tuple(allowed)
    upload.seek(0)
    actual = sniff(upload.chunks(CHUNK))
    upload.seek(0)
    names = ", ".join(LABELS[t] for t in allowed)
    if actual is None or actual not in allowed:
        raise RefusedUpload(_("Dieser Dateityp ist hier nicht erlaubt. Erlaubt: {types}.").format(types=names))
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if declared not in GENERIC and declared not in DECLARED[actual]:
        raise RefusedUpload(
            _("Der angegebene Dateityp ({declared}) passt nicht zum Inhalt der Datei ({actual}).").format(
                declared=declared[:60], actual=LABELS[actual]
            )
        )
    extension = PurePath((upload.name or "").replace("\\", "/")).suffix.lower()
    if extension not in EXTENSIONS[actual]:
        raise RefusedUpload(
            _("Die Dateiendung „{extension}“ passt nicht zum Inhalt der Datei ({actual}).").format(
                extension=extension or "–", actual=LABELS[actual]
            )
        )
    if actual in (PDF, PNG, JPEG):
        markup = carries_markup(upload.chunks(CHUNK))
        upload.seek(0)
        if markup:
            raise RefusedUpload(
                _("Die Datei enthält neben {actual} auch HTML oder Skript und wird nicht angenommen.").format(
                    actual=LABELS[actual]
                )
            )
    return actual


def clean_filename(name: str) -> str:
    """The client's file name, for display only: no path, no control characters, 255 chars."""
    name = PurePath((name or "").replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[:255] or "datei"


def sha256_hex(chunks: Iterable[bytes]) -> str:
    """The SHA-256 (hex) of the content given as chunks."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def upload_sha256(upload) -> str:
    """The SHA-256 of an UploadedFile; leaves it at position 0 (to be saved next)."""
    upload.seek(0)
    digest = sha256_hex(upload.chunks(CHUNK))
    upload.seek(0)
    return digest


def open_if_unchanged(field_file, expected_sha256: str):
    """(file, digest): ``field_file`` opened for reading at its start if its SHA-256, computed again, is
    the one recorded at upload; (None, digest) otherwise (the file closed). A stored file changed on
    disk is never handed out unnoticed; the caller audits the refusal."""
    file = field_file.open("rb")
    try:
        actual = sha256_hex(iter(lambda: file.read(CHUNK), b""))
        file.seek(0)
    except Exception:
        file.close()
        raise
    if actual != expected_sha256:
        file.close()
        return None, actual
    return file, actual
