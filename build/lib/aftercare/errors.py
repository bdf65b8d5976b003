"""Domain errors of the aftercare services: the call-off errors' shape (German message, code,
HTTP status), so the provider API answers them as problem+json like every other step."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calloffs.errors import CallOffError, InvalidInput, NotPermitted

from .remediation.wording import waiting_text

__all__ = [
    "AftercareError",
    "CallOffError",
    "GateClosed",
    "InvalidInput",
    "MeasureStateConflict",
    "NotEngaged",
    "NotPermitted",
    "SelfVerification",
]


class AftercareError(CallOffError):
    code = "aftercare_error"


class NotEngaged(AftercareError):
    """The actor's provider is not (or no longer) the accepting provider of the call-off."""

    default_message = _("Nur der beauftragte Dienstleister dieses Abrufs kann hier etwas erfassen.")
    code = "not_permitted"
    http_status = 403


class MeasureStateConflict(AftercareError):
    """The measure is not in a state that allows this step (someone else was faster, or it is finished)."""

    default_message = _("Dieser Schritt ist im aktuellen Status der Maßnahme nicht möglich.")
    code = "transition_not_allowed"
    http_status = 409


class GateClosed(AftercareError):
    """The reconnection gate cannot be opened: required measures are not verified yet (each by the
    other party: the body's work by the provider, the provider's own by a body admin)."""

    default_message = _(
        "Der Wiederanschluss kann noch nicht freigegeben werden: {n} für den Wiederanschluss "
        "erforderliche Maßnahme(n) sind noch nicht geprüft und bestätigt."
    )
    code = "gate_closed"
    http_status = 409

    @classmethod
    def waiting(cls, *, for_provider: int, for_body: int) -> GateClosed:
        """The refusal naming how many measures wait for whose check."""
        message = gettext("Der Wiederanschluss kann noch nicht freigegeben werden.")
        error = cls(f"{message} {waiting_text(for_provider=for_provider, for_body=for_body)}")
        error.params = {"n": for_provider + for_body, "for_provider": for_provider, "for_body": for_body}
        return error


class SelfVerification(AftercareError):
    """A measure's second check by the party that did the work: the provider confirming a measure it
    carried out itself (a billable service), or anyone confirming what they reported done."""

    default_message = _(
        "Diese Maßnahme hat der Dienstleister selbst umgesetzt (kostenpflichtige Leistung). Prüfen und "
        "bestätigen (oder zurückgeben) muss sie die Administration der Stelle, nicht der Dienstleister."
    )
    code = "self_verification_not_allowed"
    http_status = 403
