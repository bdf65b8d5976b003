"""What the reconnection gate says about the second check, in one place for the portal, the services'
refusal (problem texts) and the reports: a measure is confirmed by the other party — the body's own
work by the accepting provider (a re-test), what the provider carried out as a billable service by
a body admin — so no text may say that the provider confirmed every measure."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _who_checks(for_provider: int, for_body: int) -> str:
    if for_provider and for_body:
        return _(
            "Davon bestätigt {provider} der beauftragte Dienstleister (Arbeit der Stelle) und {body} die "
            "Administration der Stelle (Arbeit des Dienstleisters)."
        ).format(provider=for_provider, body=for_body)
    if for_body:
        return ngettext(
            "Sie setzt der Dienstleister als kostenpflichtige Leistung um; bestätigen muss sie die "
            "Administration der Stelle.",
            "Sie setzt der Dienstleister als kostenpflichtige Leistung um; bestätigen muss sie die "
            "Administration der Stelle.",
            for_body,
        )
    return ngettext(
        "Bestätigen muss sie der beauftragte Dienstleister nach einem erneuten Test.",
        "Bestätigen muss sie der beauftragte Dienstleister nach einem erneuten Test.",
        for_provider,
    )


def waiting_text(*, for_provider: int, for_body: int) -> str:
    """Why the gate cannot open: how many required measures are not confirmed yet, and who confirms them."""
    n = for_provider + for_body
    head = ngettext(
        "{n} für den Wiederanschluss erforderliche Maßnahme ist noch nicht geprüft und bestätigt.",
        "{n} für den Wiederanschluss erforderliche Maßnahmen sind noch nicht geprüft und bestätigt.",
        n,
    ).format(n=n)
    return f"{head} {_who_checks(for_provider, for_body)}" if n else head


def ready_text(*, by_provider: int, by_body: int) -> str:
    """Every required measure is confirmed: by whom (the other party of each)."""
    if by_provider and by_body:
        return _(
            "Alle für den Wiederanschluss erforderlichen Maßnahmen sind geprüft und bestätigt: {provider} vom "
            "beauftragten Dienstleister (Arbeit der Stelle), {body} von der Administration der Stelle (Arbeit "
            "des Dienstleisters)."
        ).format(provider=by_provider, body=by_body)
    if by_body:
        return _(
            "Alle für den Wiederanschluss erforderlichen Maßnahmen sind von der Administration der Stelle geprüft "
            "und bestätigt (der Dienstleister hat sie als kostenpflichtige Leistung umgesetzt)."
        )
    if by_provider:
        return _(
            "Alle für den Wiederanschluss erforderlichen Maßnahmen sind vom beauftragten Dienstleister geprüft und "
            "bestätigt."
        )
    return _("Keine Maßnahme ist als Voraussetzung für den Wiederanschluss markiert.")


def gate_waiting(gate) -> str:
    """waiting_text for a GateState."""
    return waiting_text(for_provider=gate.waiting_for_provider, for_body=gate.waiting_for_body)


def gate_ready(gate) -> str:
    """ready_text for a GateState."""
    return ready_text(by_provider=gate.confirmed_by_provider, by_body=gate.confirmed_by_body)


def checker(measure) -> str:
    """Who takes the second check of this measure (for a list of what keeps the gate closed)."""
    if measure.checked_by_body:
        return _("bestätigt die Administration der Stelle")
    return _("bestätigt der beauftragte Dienstleister")
