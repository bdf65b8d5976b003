"""The lock every write of the accepting provider takes first (findings, indicators, measures)."""

from __future__ import annotations

from calloffs.models import CallOff
from calloffs.visibility import engaged_calloffs

from .errors import NotEngaged


def lock_engaged(*, calloff: CallOff, actor) -> CallOff:
    """Re-read and lock the call-off; the actor's provider must be the engaged one."""
    locked = engaged_calloffs(actor).select_for_update(of=("self",)).filter(pk=calloff.pk).first()
    if locked is None:
        raise NotEngaged()
    return locked
