"""Domain errors of the aftercare services: the call-off errors' shape (German message, code,
HTTP status), so the provider API answers them as problem+json like every other step."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from calloffs.errors import CallOffError, InvalidInput, NotPermitted

__all__ = ["AftercareError", "CallOffError", "InvalidInput", "NotPermitted", "NotEngaged"]


class AftercareError(CallOffError):
    code = "aftercare_error"


class NotEngaged(AftercareError):
    """The actor's provider is not (or no longer) the accepting provider of the call-off."""

    default_message = _("Nur der beauftragte Dienstleister dieses Abrufs kann hier etwas erfassen.")
    code = "not_permitted"
    http_status = 403
