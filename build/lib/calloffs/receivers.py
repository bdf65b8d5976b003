"""Receivers of other apps' signals."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from digisos.request_cache import forget

from .contract.services import grant_provider_role
from .errors import CallOffError
from .models import Provider

PROVIDER_GRANT = "provider"


def provider_invitation_accepted(sender, invitation, user, **kwargs) -> None:
    """A provider-staff invitation (tenants, grant_kind="provider") gives the account the provider role."""
    if invitation.grant_kind != PROVIDER_GRANT:
        return
    provider = Provider.objects.filter(public_id=invitation.grant_key, active=True).first()
    if provider is None:
        raise ValidationError("Der Dienstleister dieser Einladung ist nicht mehr aktiv.")
    try:
        grant_provider_role(provider=provider, user=user, actor=invitation.invited_by)
    except CallOffError as exc:
        raise ValidationError(exc.message) from exc


def provider_membership_changed(sender, **kwargs) -> None:
    # A request that changes provider staff must not go on with what it read before the change.
    forget()


def delivery_failing_alert(sender, notification, attempts, dead, message, **kwargs) -> None:
    """A delivery of the outbox keeps failing or was given up: a ministry alert on the dashboard
    (with its e-mails), linked to the call-off the message was about, if any."""
    from .models import AlertKind, CallOff
    from .services.common import alert_ministry

    topic = notification.topic if notification.topic_type_id else None
    alert_ministry(
        kind=AlertKind.DELIVERY_FAILING, calloff=topic if isinstance(topic, CallOff) else None, message=message
    )
