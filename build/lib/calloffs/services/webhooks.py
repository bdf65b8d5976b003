"""Webhook endpoints of a provider: register, change, rotate the secret. Provider staff manage
their own provider's endpoints, ministry staff any. Every change is audited (tenants.AuditEntry);
secrets never go into the audit log."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import WebhookEndpoint, new_webhook_secret
from notifications.webhooks import UnsafeTarget, check_url
from tenants.services import audit

from ..errors import InvalidInput, NotPermitted
from ..models import Provider
from ..permissions import is_ministry, is_staff_of


def provider_of(endpoint: WebhookEndpoint) -> Provider:
    """The provider an endpoint belongs to (endpoints of the outbox are owned generically)."""
    owner = endpoint.owner
    if not isinstance(owner, Provider):
        raise NotPermitted(_("Dieser Webhook-Empfänger gehört keinem Dienstleister."))
    return owner


def _require_manager(actor, provider: Provider) -> None:
    if not (is_ministry(actor) or is_staff_of(actor, provider)):
        raise NotPermitted(_("Webhooks verwalten nur der Dienstleister selbst und das Ministerium."))


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise InvalidInput(_("Bitte eine URL angeben."), field="url")
    if len(url) > 500:
        raise InvalidInput(_("Die URL ist zu lang."), field="url")
    try:
        check_url(url)
    except UnsafeTarget as exc:
        raise InvalidInput(str(exc), field="url") from exc
    return url


@transaction.atomic(durable=True)
def webhook_endpoint_create(*, provider: Provider, actor, url: str, description: str = "") -> WebhookEndpoint:
    """Register an endpoint; its secret (``endpoint.secret``) is shown to the caller once."""
    _require_manager(actor, provider)
    url = _clean_url(url)
    endpoint = WebhookEndpoint.objects.create(owner=provider, url=url, description=(description or "").strip())
    audit(actor=actor, action="webhook_endpoint.create", target=str(endpoint.public_id), provider=provider.pk, url=url)
    return endpoint


@transaction.atomic(durable=True)
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, actor, url: str | None = None, description: str | None = None, active=None
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    _require_manager(actor, provider_of(endpoint))
    changes: dict[str, list] = {}
    if url is not None:
        url = _clean_url(url)
        if url != endpoint.url:
            changes["url"] = [endpoint.url, url]
            endpoint.url = url
    if description is not None and description.strip() != endpoint.description:
        changes["description"] = [endpoint.description, description.strip()]
        endpoint.description = description.strip()
    if active is not None and bool(active) != endpoint.active:
        changes["active"] = [endpoint.active, bool(active)]
        endpoint.active = bool(active)
    if changes:
        endpoint.save(update_fields=[*changes, "updated_at"])
        audit(actor=actor, action="webhook_endpoint.update", target=str(endpoint.public_id), changes=changes)
    return endpoint


@transaction.atomic(durable=True)
def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, actor, overlap: timedelta | None = None
) -> WebhookEndpoint:
    """A new secret; the old one stays valid for ``overlap`` (default WEBHOOK_SECRET_OVERLAP_HOURS),
    during which every message is signed with both. A second rotation within the overlap ends the
    oldest secret at once (two secrets at most)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    _require_manager(actor, provider_of(endpoint))
    overlap = overlap if overlap is not None else timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
    if overlap < timedelta(0):
        raise InvalidInput(_("Die Übergangszeit darf nicht negativ sein."), field="overlap")
    now = timezone.now()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_valid_until = now + overlap
    endpoint.secret = new_webhook_secret()
    endpoint.save(update_fields=["previous_secret", "previous_valid_until", "secret", "updated_at"])
    audit(
        actor=actor,
        action="webhook_endpoint.rotate_secret",
        target=str(endpoint.public_id),
        previous_valid_until=endpoint.previous_valid_until.isoformat(),
    )
    return endpoint
