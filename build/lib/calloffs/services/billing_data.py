"""A provider maintains its own billing data (the seller on its invoices: legal name, address, VAT ID or
tax number, bank account, billing contact). One durable transaction, the provider's row locked, the
model's validation (formats, IBAN check digits) before the save, every change audited with old and new
value so that the ministry sees it in the audit trail; a changed bank account (IBAN, BIC, or the
account holder, which on the invoices is the legal name) is flagged there (``bank_account_changed``),
as a changed IBAN is what invoice fraud looks like, and the provider's accounts and the ministry are
told by e-mail in the same transaction (``bank_change``).

Invoices already issued keep the data they were issued with: they are stored as XML
(settlement.Invoice), and their PDF is read from that XML."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tenants.services import audit

from .. import billing_ids
from ..errors import InvalidInput
from ..models import SELF_SERVICE_FIELDS, Provider
from .bank_change import bank_change_notify, bank_details_changed
from .common import require_provider_staff

#: Identifiers stored without blanks and in capitals.
NORMALISED = frozenset({"vat_id", "iban", "bic"})


def _clean_value(name: str, value) -> str:
    value = "" if value is None else str(value)
    if name in NORMALISED:
        return billing_ids.normalise(value)
    return " ".join(value.split())


@transaction.atomic(durable=True)
def provider_billing_update(*, provider: Provider, actor, **fields) -> Provider:
    """Change the provider's own billing data (only its staff); a no-op change writes nothing."""
    require_provider_staff(actor, provider)
    unknown = sorted(set(fields) - set(SELF_SERVICE_FIELDS))
    if unknown:
        raise InvalidInput(_("Diese Angaben sind keine Rechnungsdaten: {fields}"), fields=", ".join(unknown))
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    changes: dict[str, list[str]] = {}
    for name, value in fields.items():
        new = _clean_value(name, value)
        old = getattr(provider, name)
        if new != old:
            setattr(provider, name, new)
            changes[name] = [old, new]
    if not changes:
        return provider
    try:
        provider.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(messages[0], field=None if field == NON_FIELD_ERRORS else field) from exc
    provider.save(update_fields=[*changes, "updated_at"])
    bank_changed = bank_details_changed(changes)
    entry = audit(
        actor=actor,
        action="provider.billing_data_updated",
        target=provider.legal_name,
        provider=provider.short_name,
        provider_id=str(provider.public_id),
        changes=changes,
        bank_account_changed=bank_changed,
    )
    if bank_changed:
        bank_change_notify(provider=provider, actor=actor, changes=changes, at=entry.at, audit_entry=entry)
    return provider
