"""The "du"-scan shared by the server-side page scan (tests/security/test_formal_german.py) and the
browser journeys (tests/browser/conftest.py scans every page state a journey checks)."""

from __future__ import annotations

import html
import re

# Whole words only: "Du hast", "dein Passwort", "Gib … an", "Bitte bestätige …".
DU_FORMS = re.compile(
    r"\b(du|dein|deine|deinem|deinen|deiner|deines|dich|dir|hast|bist|kannst|musst|möchtest|erhältst)\b"
    r"|\b(Gib|Bitte (gib|wähle|bestätige|versuche|kontaktiere|folge|melde|lass))\b",
    re.IGNORECASE,
)


def visible_text(body: str) -> str:
    """What a reader meets: the text outside scripts and styles, plus labels held in attributes."""
    body = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", body)
    attributes = " ".join(re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', body))
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", body) + " " + attributes)


def du_forms(text: str) -> list[str]:
    """Each du-form with 40 characters of context either side."""
    return sorted({text[max(0, m.start() - 40) : m.end() + 40].strip() for m in DU_FORMS.finditer(text)})
