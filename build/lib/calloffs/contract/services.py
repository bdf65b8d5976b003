"""Contract administration by the ministry: the contract, its modules, rates, SLA terms,
providers, their staff accounts and the entitled bodies. Every change is audited
(tenants.AuditEntry).

Field validation is the model's (``full_clean``) and surfaces as django's ``ValidationError``
with per-field messages, ready for a form or serializer; rights surface as ``NotPermitted``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db import models, transaction
from django.utils.translation import gettext as _

from tenants.models import Membership, Organisation
from tenants.services import audit

from ..errors import InvalidInput
from ..models import (
    BANK_CHANGED_ACTION,
    BANK_FIELDS,
    FrameworkContract,
    Provider,
    ProviderContact,
    ProviderMembership,
    RoleRate,
    ServiceModule,
    SLATerm,
)
from ..services.bank_change import bank_change_notify
from ..services.common import require_ministry

CONTRACT_FIELDS = frozenset(
    {
        "reference",
        "title",
        "contracting_authority",
        "start_date",
        "end_date",
        "extension_options",
        "estimated_value",
        "ceiling",
        "status",
        "night_surcharge_percent",
        "weekend_surcharge_percent",
    }
)


def _plain(value):
    """A JSON-safe rendering of a field value for the audit log."""
    if isinstance(value, Decimal | date | datetime | UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def _diff(instance: models.Model) -> dict[str, list]:
    """Changed concrete fields of an instance against its stored row (all fields if new)."""
    names = [f.attname for f in instance._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")]
    stored = type(instance).objects.filter(pk=instance.pk).values(*names).first() if instance.pk else None
    changes = {}
    for name in names:
        new = getattr(instance, name)
        old = stored.get(name) if stored else None
        if stored is None or old != new:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _check_fields(fields: dict) -> None:
    unknown = sorted(set(fields) - CONTRACT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unbekannte Vertragsfelder: {fields}"), fields=", ".join(unknown))


@transaction.atomic(durable=True)
def contract_create(*, actor, **fields) -> FrameworkContract:
    require_ministry(actor)
    _check_fields(fields)
    contract = FrameworkContract(**fields)
    contract.full_clean()
    contract.save()
    audit(
        actor=actor,
        action="contract.created",
        target=contract.reference,
        changes={k: _plain(v) for k, v in fields.items()},
    )
    return contract


@transaction.atomic(durable=True)
def contract_update(*, contract: FrameworkContract, actor, **fields) -> FrameworkContract:
    """Change fields of the contract (whitelisted); a no-op change writes nothing."""
    require_ministry(actor)
    _check_fields(fields)
    contract = FrameworkContract.objects.select_for_update(no_key=True).get(pk=contract.pk)
    changes = {}
    for name, value in fields.items():
        old = getattr(contract, name)
        if old != value:
            setattr(contract, name, value)
            changes[name] = [_plain(old), _plain(value)]
    if not changes:
        return contract
    contract.full_clean()
    contract.save(update_fields=[*changes, "updated_at"])
    audit(actor=actor, action="contract.updated", target=contract.reference, changes=changes)
    return contract


@transaction.atomic(durable=True)
def contract_set_entitled_bodies(
    *, contract: FrameworkContract, actor, all_bodies_entitled: bool, bodies: Iterable[Organisation] = ()
) -> FrameworkContract:
    """Entitle every eligible body, or restrict the contract to the given bodies."""
    require_ministry(actor)
    contract = FrameworkContract.objects.select_for_update(no_key=True).get(pk=contract.pk)
    bodies = list(bodies)
    if not all_bodies_entitled and not bodies:
        raise InvalidInput(_("Bitte mindestens eine Stelle auswählen oder alle Stellen berechtigen."), field="bodies")
    before = set(contract.entitled_bodies.values_list("pk", flat=True))
    after = {b.pk for b in bodies}
    old_flag = contract.all_bodies_entitled
    contract.all_bodies_entitled = all_bodies_entitled
    contract.save(update_fields=["all_bodies_entitled", "updated_at"])
    contract.entitled_bodies.set(bodies)
    audit(
        actor=actor,
        action="contract.entitled_bodies_changed",
        target=contract.reference,
        all_bodies_entitled=[old_flag, all_bodies_entitled],
        added=sorted(b.name for b in bodies if b.pk not in before),
        removed=sorted(Organisation.objects.filter(pk__in=before - after).values_list("name", flat=True)),
    )
    return contract


def _save_part(*, instance: models.Model, actor, action: str, target: str) -> models.Model:
    require_ministry(actor)
    instance.full_clean()
    changes = _diff(instance)
    instance.save()
    if changes:
        audit(actor=actor, action=action, target=target, changes=changes)
    return instance


@transaction.atomic(durable=True)
def service_module_save(*, module: ServiceModule, actor) -> ServiceModule:
    """Create or change a service module. Call-offs keep the price they were filed with."""
    return _save_part(
        instance=module,
        actor=actor,
        action="contract.service_module_saved",
        target=f"{module.contract.reference} {module.code}",
    )


@transaction.atomic(durable=True)
def role_rate_save(*, role_rate: RoleRate, actor) -> RoleRate:
    return _save_part(
        instance=role_rate,
        actor=actor,
        action="contract.role_rate_saved",
        target=f"{role_rate.contract.reference} {role_rate.name}",
    )


@transaction.atomic(durable=True)
def sla_term_save(*, sla_term: SLATerm, actor) -> SLATerm:
    """Applies to offers made and acceptances from now on; running clocks keep their due times."""
    return _save_part(
        instance=sla_term,
        actor=actor,
        action="contract.sla_term_saved",
        target=f"{sla_term.contract.reference} {sla_term.priority}",
    )


@transaction.atomic(durable=True)
def provider_save(*, provider: Provider, actor) -> Provider:
    """Create or change a provider. A change of its bank details (IBAN, BIC, legal name as the account
    holder) by the ministry is told to the provider's accounts and the ministry, as a provider's own."""
    stored = None
    if provider.pk is not None:
        stored = (
            Provider.objects.select_for_update()
            .filter(pk=provider.pk)
            .values(*BANK_FIELDS, "billing_contact_email")
            .first()
        )
    saved = _save_part(instance=provider, actor=actor, action="provider.saved", target=provider.legal_name)
    if stored is not None:
        changes = {
            name: [stored[name], getattr(saved, name)] for name in BANK_FIELDS if stored[name] != getattr(saved, name)
        }
        if changes:
            entry = audit(
                actor=actor,
                action=BANK_CHANGED_ACTION,
                target=saved.legal_name,
                provider=saved.short_name,
                provider_id=str(saved.public_id),
                changes=changes,
            )
            changes["billing_contact_email"] = [stored["billing_contact_email"], saved.billing_contact_email]
            bank_change_notify(provider=saved, actor=actor, changes=changes, at=entry.at, audit_entry=entry)
    return saved


@transaction.atomic(durable=True)
def provider_contact_save(*, contact: ProviderContact, actor) -> ProviderContact:
    return _save_part(
        instance=contact,
        actor=actor,
        action="provider.contact_saved",
        target=f"{contact.provider.legal_name}: {contact.name}",
    )


@transaction.atomic(durable=True)
def provider_membership_add(*, provider: Provider, user, actor) -> ProviderMembership:
    """Give an account the provider role. Provider staff hold no other role: an account of a
    body or of the ministry would otherwise see more than its provider's call-offs."""
    return grant_provider_role(provider=provider, user=user, actor=actor)


def grant_provider_role(*, provider: Provider, user, actor) -> ProviderMembership:
    """The body of provider_membership_add, for callers that already hold a transaction
    (accepting a provider invitation)."""
    require_ministry(actor)
    if user.is_ministry_staff or Membership.objects.filter(user=user).exists():
        raise InvalidInput(
            _(
                "Dieses Konto gehört bereits zum Ministerium oder zu einer Stelle und kann nicht für "
                "einen Dienstleister handeln."
            ),
            field="user",
        )
    if ProviderMembership.objects.filter(user=user).exists():
        raise InvalidInput(_("Dieses Konto handelt bereits für einen Dienstleister."), field="user")
    membership = ProviderMembership.objects.create(user=user, provider=provider)
    audit(actor=actor, action="provider.member_added", target=user.email, provider=provider.legal_name)
    return membership


@transaction.atomic(durable=True)
def provider_membership_remove(*, membership: ProviderMembership, actor) -> None:
    require_ministry(actor)
    audit(
        actor=actor,
        action="provider.member_removed",
        target=membership.user.email,
        provider=membership.provider.legal_name,
    )
    membership.delete()
