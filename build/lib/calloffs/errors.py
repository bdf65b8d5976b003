"""Domain errors of the call-off lifecycle.

Every error carries a German, user-facing ``message`` (safe to show as is) and an
``http_status`` hint for the API layer: 400 for bad input, 403 for missing rights,
409 for a conflict with the current state (another actor was faster, the offer is gone).
Views map them to messages or status codes; they never decide the rules themselves.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class CallOffError(Exception):
    """Base class: something the user asked for is not possible under the contract's rules."""

    default_message = _("Diese Aktion ist nicht möglich.")
    code = "calloff_error"
    http_status = 400

    def __init__(self, message=None, *, field: str | None = None, **params):
        self.message = str(message if message is not None else self.default_message)
        if params:
            self.message = self.message.format(**params)
        self.field = field
        self.params = params
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class InvalidInput(CallOffError):
    """Input that breaks a rule (missing reason, duplicate rank, unknown module …)."""

    default_message = _("Die Angaben sind unvollständig oder ungültig.")
    code = "invalid"
    http_status = 400


class NotPermitted(CallOffError):
    """The actor lacks the right for this action (read-only member, wrong provider, not ministry)."""

    default_message = _("Für diese Aktion fehlt Ihnen die Berechtigung.")
    code = "not_permitted"
    http_status = 403


class NotEntitled(CallOffError):
    """The body may not call off under this contract (not eligible, not entitled, contract not in force)."""

    default_message = _("Diese Stelle ist nicht abrufberechtigt.")
    code = "not_entitled"
    http_status = 403


class NoActiveContract(CallOffError):
    default_message = _(
        "Es gibt derzeit keinen eindeutigen aktiven Rahmenvertrag. Bitte wenden Sie sich an das Ministerium."
    )
    code = "no_active_contract"
    http_status = 409


class TransitionNotAllowed(CallOffError):
    """The call-off is not in a state that allows this step."""

    default_message = _("Dieser Schritt ist im aktuellen Status des Abrufs nicht möglich.")
    code = "transition_not_allowed"
    http_status = 409


class OfferNotOpen(CallOffError):
    """The provider does not (or no longer) hold the open offer: it expired, was declined or taken."""

    default_message = _(
        "Dieses Angebot ist nicht mehr offen: Es wurde bereits angenommen, abgelehnt, "
        "ist abgelaufen oder liegt bei einem anderen Dienstleister."
    )
    code = "offer_not_open"
    http_status = 409


class ImmutableRecord(CallOffError):
    """An append-only or published record (event, ranking version) may not be changed or deleted."""

    default_message = _("Dieser Eintrag ist unveränderlich und kann weder geändert noch gelöscht werden.")
    code = "immutable"
    http_status = 409
