"""The JSON parser of the provider API: strict about what a number is and how deep a body nests.

Python's ``json`` reads ``1e999999`` as ``inf`` and ``NaN``/``Infinity`` as their floats, and a body
of 100 KB of ``[[[…`` ends in a RecursionError (a 500). Here each of them is a 400 problem
(``parse_error``): numbers must be finite, constants are refused, and nesting deeper than
``MAX_DEPTH`` is refused before the decoder recurses.
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

#: No request of the API nests deeper than a few levels; 32 leaves room and stops a recursion bomb.
MAX_DEPTH = 32


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is not a finite number")
    return value


def nesting_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """True if brackets/braces outside strings nest deeper than ``limit`` (one linear pass)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
        except UnicodeDecodeError as exc:
            raise ParseError(_("Der Inhalt ist kein gültiges JSON (Kodierung).")) from exc
        if nesting_depth_exceeds(text):
            message = _("Der Inhalt ist zu tief verschachtelt (höchstens {depth} Ebenen).")
            raise ParseError(message.format(depth=MAX_DEPTH))
        try:
            return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError; so are huge integers
            raise ParseError(_("Der Inhalt ist kein gültiges JSON: {error}").format(error=str(exc)[:200])) from exc
