"""Progress reported by the assigned provider: call-back made, remote work started, on site,
contained, or a free-text situation note.

The provider's ticketing calls this through ``POST /api/v1/calloffs/{id}/updates/``, staff
through the portal. A milestone stops its SLA clock; one reported after its deadline records
how late it was on the call-off's SLABreach row (created here, or earlier by the sweep).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from digisos import plausible
from incidents.models import TimelineEntry
from incidents.services import timeline_add

from ..errors import InvalidInput, TransitionNotAllowed
from ..models import MILESTONE_FIELDS, CallOff, CallOffEvent, CallOffState, EventKind, Milestone, Provider, SLABreach
from ..visibility import timeline_scope
from .common import (
    lock_calloff,
    record_event,
    require_assigned,
    require_plausible,
    require_provider_staff,
    transition,
)

#: kind → (CallOff field the moment is stored in, the SLA milestone it ends, or None).
MILESTONE_KINDS: dict[str, tuple[str | None, str | None]] = {
    EventKind.CALLBACK_MADE: ("callback_made_at", Milestone.CALLBACK),
    EventKind.REMOTE_STARTED: ("remote_started_at", Milestone.REMOTE_START),
    EventKind.ONSITE_ARRIVED: ("onsite_arrived_at", Milestone.ONSITE),
    EventKind.CONTAINED: ("contained_at", None),
    EventKind.NOTE: (None, None),
}
#: The states in which the assigned provider reports progress.
REPORTING_STATES = (CallOffState.ACCEPTED, CallOffState.IN_PROGRESS)
NOTE_MAX_LENGTH = 4000


def _check_at(calloff: CallOff, at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        raise InvalidInput(_("Bitte den Zeitpunkt mit Zeitzone angeben."), field="at")
    require_plausible("at", plausible.check_past_datetime, at, now=now)
    if calloff.accepted_at and at < calloff.accepted_at:
        raise InvalidInput(_("Der Zeitpunkt liegt vor der Annahme des Abrufs."), field="at")
    return min(at, now)


def _record_lateness(*, calloff: CallOff, milestone: str, at: datetime, now: datetime) -> SLABreach | None:
    """If the milestone came after its deadline, store how late on its breach row (one per milestone)."""
    due_field, _done = MILESTONE_FIELDS[milestone]
    due_at = getattr(calloff, due_field)
    if due_at is None or at <= due_at:
        return None
    breach, _created = SLABreach.objects.select_for_update().get_or_create(
        calloff=calloff, milestone=milestone, defaults={"due_at": due_at, "detected_at": now}
    )
    breach.reported_at = at
    breach.late_by = at - due_at
    breach.save(update_fields=["reported_at", "late_by"])
    return breach


@transition
def calloff_record_milestone(
    *,
    calloff: CallOff,
    provider: Provider,
    actor,
    kind: str,
    at: datetime | None = None,
    text: str = "",
) -> CallOffEvent:
    """The assigned provider reports a milestone (``kind``: callback_made, remote_started,
    onsite_arrived, contained) or a situation ``note`` (text required); returns the event.

    * ``at``: when it happened (default now); not in the future, not before acceptance.
    * Each milestone is reported once; a second report raises TransitionNotAllowed (409).
    * Only while the call-off is accepted or in progress; the state itself does not change.
    * Late against the SLA: the event's data and the SLABreach row carry ``late_by``.
    """
    require_provider_staff(actor, provider)
    if kind not in MILESTONE_KINDS:
        raise InvalidInput(
            _("Unbekannte Meldung. Erlaubt sind: {kinds}."), field="kind", kinds=", ".join(MILESTONE_KINDS)
        )
    text = (text or "").strip()
    if kind == EventKind.NOTE and not text:
        raise InvalidInput(_("Bitte die Lage kurz beschreiben."), field="text")
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidInput(_("Der Text ist zu lang (höchstens {n} Zeichen)."), field="text", n=NOTE_MAX_LENGTH)
    calloff = lock_calloff(calloff)
    require_assigned(calloff, provider)
    if calloff.state not in REPORTING_STATES:
        raise TransitionNotAllowed(_("Meldungen sind nur bei einem angenommenen oder laufenden Abruf möglich."))
    now = timezone.now()
    at = _check_at(calloff, at, now)
    field, milestone = MILESTONE_KINDS[kind]
    data: dict = {"at": at}
    if field is not None:
        previous = getattr(calloff, field)
        if previous is not None:
            raise TransitionNotAllowed(
                _("„{kind}“ wurde für diesen Abruf bereits am {at} gemeldet."),
                kind=EventKind(kind).label,
                at=timezone.localtime(previous).strftime("%d.%m.%Y %H:%M"),
            )
        setattr(calloff, field, at)
        calloff.save(update_fields=[field, "updated_at"])
    if milestone is not None:
        due_at = getattr(calloff, MILESTONE_FIELDS[milestone][0])
        breach = _record_lateness(calloff=calloff, milestone=milestone, at=at, now=now)
        data.update(
            {
                "milestone": milestone,
                "due_at": due_at,
                "late_by_seconds": int(breach.late_by.total_seconds()) if breach else 0,
            }
        )
    event = record_event(calloff=calloff, kind=kind, actor=actor, provider=provider, reason=text, data=data, at=now)
    label = EventKind(kind).label
    timeline_add(
        incident=calloff.incident,
        scope=timeline_scope(calloff),
        source=TimelineEntry.Source.PROVIDER,
        author=actor,
        at=at,
        text=_("Abruf {number}: {label}.{text}").format(
            number=calloff.number, label=label, text=f" {text}" if text else ""
        ),
    )
    return event
