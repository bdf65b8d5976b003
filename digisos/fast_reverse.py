"""``reverse()`` of a named URL whose arguments are UUIDs (public ids) and literal strings, without
resolving it again for every page (issue 19).

The call-off page reverses eight such URLs per request (its live part, its actions, its documents,
the body's emergency card …). What ``reverse`` returns for them differs only in the UUIDs: the URL is
reversed once per URL conf, script prefix, name and literal arguments with sample UUIDs, and kept as
the text around them; each call puts the request's UUIDs (hex digits and dashes, nothing to quote)
into those places. Anything else (another argument type, a sample that does not come out exactly once)
is reversed as before. Only the URL's text is kept, nothing of a request.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_kept: dict[tuple, tuple[str, ...] | None] = {}
#: Sample UUIDs (one per argument position); no public id is one of them (version-4 ids are random).
_SAMPLES = tuple(uuid.UUID(f"0ddba11d-0000-4000-8000-{index:012x}") for index in range(8))


def _parts(name: str, args: tuple) -> tuple[str, ...] | None:
    samples = [arg if isinstance(arg, str) else _SAMPLES[index] for index, arg in enumerate(args)]
    url = reverse(name, args=samples)
    parts = []
    rest = url
    for arg, sample in zip(args, samples, strict=True):
        if isinstance(arg, str):
            continue
        text = str(sample)
        if url.count(text) != 1:
            return None
        before, rest = rest.split(text, 1)
        parts.append(before)
    parts.append(rest)
    return tuple(parts)


def reverse_uuids(name: str, *args) -> str:
    """``reverse(name, args=args)`` for arguments that are ``uuid.UUID`` or ``str``."""
    return reverse_uuids_in(get_urlconf(), get_script_prefix(), name, *args)


def reverse_uuids_in(urlconf, script_prefix: str, name: str, *args) -> str:
    """``reverse_uuids(name, *args)`` by a caller that has asked the thread's URL conf and script prefix
    already (two context-local values: ``{% url_of %}`` asks them once per template render)."""
    if len(args) > len(_SAMPLES) or not all(isinstance(arg, uuid.UUID | str) for arg in args):
        return reverse(name, args=args)
    key = (
        settings.ROOT_URLCONF,
        urlconf,
        script_prefix,
        name,
        tuple(arg if isinstance(arg, str) else None for arg in args),
    )
    try:
        parts = _kept[key]
    except KeyError:
        if len(_kept) > 1024:  # a new prefix or URL conf now and then (tests): never grows without end
            _kept.clear()
        parts = _kept[key] = _parts(name, args)
    if parts is None:
        return reverse(name, args=args)
    out = [parts[0]]
    position = 1
    for arg in args:
        if not isinstance(arg, str):
            out.append(str(arg))
            out.append(parts[position])
            position += 1
    return "".join(out)
