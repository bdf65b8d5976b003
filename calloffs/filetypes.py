"""The type of an uploaded file, decided by its content (magic bytes), never by its name.

The rules live in digisos.uploads (shared with the incident attachments); this module keeps the
names the call-off code and its tests use.
"""

from __future__ import annotations

from digisos.uploads import ALL_TYPES as ALLOWED_TYPES
from digisos.uploads import JPEG, PDF, PNG, TEXT, ZIP, sniff

__all__ = ["ALLOWED_TYPES", "JPEG", "PDF", "PNG", "TEXT", "ZIP", "sniff"]
