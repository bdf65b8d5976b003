"""Who hears of a changed bank account of a provider, and what they read (issue 17).

A changed IBAN on invoices is what invoice fraud looks like (a hijacked account, a forged
"new bank details" letter). When a provider's bank details change — IBAN, BIC, or the account holder,
which on its invoices is its legal name (XRechnung BT-85) — the portal tells, by e-mail through the
notifications outbox, inside the transaction of the change:

* every active account of the provider (the one that made the change too: if it was not them, their
  account is compromised) and the provider's company address and its billing contact as they stood
  before the change (an attacker who changes the contact in the same step is still reported to the old
  one);
* the ministry's staff, who pay and approve.

Each message names who changed it and when, and shows both IBANs masked (``billing_ids.mask_iban``):
enough to tell the accounts apart, not enough to pay into one. The full values are in the audit log
(``provider.billing_data_updated``), which the ministry reads on the provider's page."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.models import Audience
from notifications.services import mail_enqueue

from .. import billing_ids
from ..models import BANK_FIELDS, Provider
from .notify import ministry_recipients

EVENT_TYPE = "provider.bank_account_changed"


def bank_details_changed(changes: dict) -> bool:
    return any(name in changes for name in BANK_FIELDS)


def _provider_emails(provider: Provider, *, old_contact: str) -> list[str]:
    members = provider.memberships.filter(user__is_active=True).values_list("user__email", flat=True)
    found = dict.fromkeys(e.lower() for e in (*members, provider.email, old_contact) if e)
    return list(found)


def _rows(changes: dict, provider: Provider) -> list[tuple[str, str, str, bool]]:
    """(label, before, after, changed) of the bank details: IBANs masked, BIC and holder as they are."""
    rows = []
    for name in BANK_FIELDS:
        old, new = changes.get(name, (getattr(provider, name), getattr(provider, name)))
        if name == "iban":
            old, new = billing_ids.mask_iban(old), billing_ids.mask_iban(new)
        rows.append((str(Provider._meta.get_field(name).verbose_name), old or "–", new or "–", name in changes))
    return rows


def bank_change_notify(*, provider: Provider, actor, changes: dict, at, audit_entry=None) -> None:
    """Queue the e-mails (inside the caller's transaction: rolled back with the change)."""
    context = {
        "provider": provider,
        "actor": actor,
        "at": timezone.localtime(at),
        "rows": _rows(changes, provider),
    }
    source = f"tenants.auditentry:{audit_entry.pk}" if audit_entry is not None else EVENT_TYPE
    old_contact = changes.get("billing_contact_email", (provider.billing_contact_email,))[0]
    for audience, recipients, link in (
        (
            Audience.PROVIDER,
            _provider_emails(provider, old_contact=old_contact),
            reverse("calloffs:provider_billing_data", args=[provider.public_id]),
        ),
        (
            Audience.MINISTRY,
            ministry_recipients(),
            reverse("calloffs:contract_provider_detail", args=[provider.public_id]),
        ),
    ):
        if not recipients:
            continue
        text = render_to_string(
            "emails/bank_account_changed.txt",
            {**context, "for_ministry": audience == Audience.MINISTRY, "url": settings.SITE_URL + link},
        )
        subject, _sep, body = text.partition("\n")
        mail_enqueue(
            recipients=recipients,
            subject=subject.strip(),
            body=body.strip() + "\n",
            event_type=EVENT_TYPE,
            audience=audience,
            topic=provider,
            reference=provider.short_name,
            link=link,
            source=source,
        )
