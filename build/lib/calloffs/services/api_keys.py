"""API keys of the providers: create (shown once), revoke, rotate (two keys valid at once).

Keys are 256-bit random tokens, so a plain SHA-256 is enough to store them (no slow hash is
needed against guessing). Every change is audited with tenants' AuditEntry.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from digisos.compiled_query import CompiledQuery
from tenants.models import User
from tenants.services import audit

from ..errors import InvalidInput, TransitionNotAllowed
from ..models import API_KEY_PREFIX, Provider, ProviderApiKey, ProviderMembership
from .common import require_ministry

#: At most this many keys of one provider are valid at once (rotation overlaps two).
MAX_VALID_KEYS = 2
#: How long the old key keeps working after a rotation, by default.
ROTATION_GRACE = timedelta(hours=24)
#: last_used_at is written at most this often per key (one UPDATE per minute, not per request).
LAST_USED_RESOLUTION = timedelta(seconds=60)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def split_prefix(raw: str) -> str | None:
    """``dsk_ab12cd34_<secret>`` → ``dsk_ab12cd34``; None if it does not look like a key."""
    if not raw.startswith(API_KEY_PREFIX):
        return None
    head, sep, secret = raw[len(API_KEY_PREFIX) :].partition("_")
    if not sep or len(head) != 8 or not secret:
        return None
    return API_KEY_PREFIX + head


@dataclass(frozen=True)
class NewApiKey:
    key: ProviderApiKey
    raw: str  # shown once, never stored


def provider_api_account(provider: Provider) -> User:
    """The provider's technical account that API requests act as (created on first use).

    It has no usable password and no body membership, so it can only act through a key, and
    ``CallOff.objects.visible_to`` gives it exactly the provider's offers and assignments.
    """
    membership = (
        ProviderMembership.objects.select_related("user")
        .filter(provider=provider, user__email__startswith="api+")
        .first()
    )
    if membership:
        return membership.user
    user = User(
        email=f"api+{provider.public_id}@api.digisos.invalid",
        first_name="API",
        last_name=provider.short_name[:150],
        is_active=True,
    )
    user.set_unusable_password()
    user.save()
    ProviderMembership.objects.create(user=user, provider=provider)
    return user


def lock_provider(provider: Provider) -> Provider:
    """Serialises key changes of one provider (the MAX_VALID_KEYS check)."""
    return Provider.objects.select_for_update(no_key=True).get(pk=provider.pk)


def _new_key(*, provider: Provider, account: User, name: str, actor, now: datetime) -> NewApiKey:
    while True:
        prefix = API_KEY_PREFIX + secrets.token_hex(4)
        if not ProviderApiKey.objects.filter(prefix=prefix).exists():
            break
    raw = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ProviderApiKey.objects.create(
        provider=provider,
        account=account,
        name=name,
        prefix=prefix,
        hash=hash_key(raw),
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return NewApiKey(key=key, raw=raw)


def _check_room(provider: Provider, now: datetime, *, extra: int = 1) -> None:
    if ProviderApiKey.objects.filter(provider=provider).valid(now).count() + extra > MAX_VALID_KEYS:
        raise TransitionNotAllowed(
            _("Dieser Dienstleister hat bereits {n} gültige API-Schlüssel. Bitte zuerst einen widerrufen."),
            n=MAX_VALID_KEYS,
        )


@transaction.atomic(durable=True)
def api_key_create(*, provider: Provider, actor, name: str = "", system: bool = False) -> NewApiKey:
    """A new key for ``provider``. ``actor`` must be ministry staff unless ``system`` (the
    management command run by an operator on the server)."""
    if not system:
        require_ministry(actor)
    name = (name or "").strip()
    if len(name) > 100:
        raise InvalidInput(_("Die Bezeichnung darf höchstens 100 Zeichen lang sein."), field="name")
    provider = lock_provider(provider)
    now = timezone.now()
    _check_room(provider, now)
    new = _new_key(provider=provider, account=provider_api_account(provider), name=name, actor=actor, now=now)
    audit(
        actor=actor,
        action="provider_api_key.created",
        target=f"{provider.short_name}: {new.key.prefix}",
        provider=str(provider.public_id),
        key=str(new.key.public_id),
        via="command" if system else "portal",
    )
    return new


@transaction.atomic(durable=True)
def api_key_revoke(*, key: ProviderApiKey, actor) -> ProviderApiKey:
    """Revoke at once; idempotent for a key already revoked."""
    require_ministry(actor)
    key = ProviderApiKey.objects.select_for_update().select_related("provider").get(pk=key.pk)
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.revoked_by = actor
    key.save(update_fields=["revoked_at", "revoked_by"])
    audit(
        actor=actor,
        action="provider_api_key.revoked",
        target=f"{key.provider.short_name}: {key.prefix}",
        key=str(key.public_id),
    )
    return key


@transaction.atomic(durable=True)
def api_key_rotate(*, key: ProviderApiKey, actor, grace: timedelta = ROTATION_GRACE) -> NewApiKey:
    """A successor key; the old one stays valid for ``grace`` so the provider can switch over
    without downtime (two keys valid at once)."""
    require_ministry(actor)
    key = ProviderApiKey.objects.select_for_update().select_related("provider", "account").get(pk=key.pk)
    now = timezone.now()
    if not key.is_valid(now) or key.replaced_by_id is not None:
        raise TransitionNotAllowed(_("Nur ein gültiger, noch nicht rotierter Schlüssel kann rotiert werden."))
    provider = lock_provider(key.provider)
    _check_room(provider, now)
    new = _new_key(provider=provider, account=key.account, name=key.name, actor=actor, now=now)
    key.expires_at = now + grace
    key.replaced_by = new.key
    key.save(update_fields=["expires_at", "replaced_by"])
    audit(
        actor=actor,
        action="provider_api_key.rotated",
        target=f"{provider.short_name}: {key.prefix} → {new.key.prefix}",
        old_key=str(key.public_id),
        new_key=str(new.key.public_id),
        old_valid_until=key.expires_at.isoformat(),
    )
    return new


def _key_by_prefix(prefix: str):
    # Whether the key's account is (still) staff of the key's provider, read in the same query: the
    # request's scopes are primed with it (calloffs/api/authentication.py).
    staff = ProviderMembership.objects.filter(user_id=OuterRef("account_id"), provider_id=OuterRef("provider_id"))
    return (
        ProviderApiKey.objects.select_related("provider", "account")
        .annotate(account_is_staff=Exists(staff))
        .filter(prefix=prefix)
        .order_by()  # the prefix is unique
    )


#: The key lookup of every API request: one indexed read by the unique prefix, its SQL compiled once
#: per connection (building it cost more CPU than answering it).
_KEY_BY_PREFIX = CompiledQuery(_key_by_prefix, prefix="dsk_compiled-query-sample")


def api_key_authenticate(raw: str, *, now: datetime | None = None) -> ProviderApiKey | None:
    """The valid key for this bearer token, or None; notes its use (at most once a minute)."""
    prefix = split_prefix(raw or "")
    if prefix is None:
        return None
    key = _KEY_BY_PREFIX.first(prefix=prefix)
    if key is None or not secrets.compare_digest(key.hash, hash_key(raw)):
        return None
    now = now or timezone.now()
    if not key.is_valid(now) or not key.account.is_active:
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        # A compare-and-set on one column: no lock, no event; concurrent requests write once.
        ProviderApiKey.objects.filter(pk=key.pk, last_used_at=key.last_used_at).update(last_used_at=now)
        key.last_used_at = now
    return key
