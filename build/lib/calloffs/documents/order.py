"""The call-off order (Abrufauftrag, Einzelauftrag): what DOMAIN.md lists for it, in text form.

Contract reference and title, contracting authority, the body calling off (name, AGS, address),
the provider, call-off number, filing and acceptance times, priority with the SLA terms and
their concrete due times, the services with quantities and the contract's prices, estimated
value, place of performance, contact persons on both sides, and the note that this is a
call-off under the framework contract (no new award), and the version of the body's readiness profile
that was valid at the acceptance (its number and date, never its contents: the ministry reads the order
too; the provider reads the profile itself on the call-off page and through the API).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from readiness.selectors import version_at
from tenants.models import EmergencyContact

from ..models import CallOff, CallOffDocument, ProviderContact, SLATerm
from ..selectors import calloff_services
from .common import verification_context
from .render import pdf_locale, render_pdf

#: Emergency contacts of the body and contacts of the provider shown on the order.
MAX_CONTACTS = 3


@dataclass(frozen=True)
class SLARow:
    label: str
    minutes: int | None
    due_at: datetime | None
    done_at: datetime | None = None


def sla_rows(calloff: CallOff, term: SLATerm | None) -> list[SLARow]:
    if term is None:
        return []
    return [
        SLARow(
            _("Annahme des Angebots"),
            term.accept_minutes,
            None,
            calloff.accepted_at,
        ),
        SLARow(_("Erster Rückruf bei der Stelle"), term.callback_minutes, calloff.callback_due_at),
        SLARow(_("Beginn der Remote-Unterstützung"), term.remote_start_minutes, calloff.remote_start_due_at),
        SLARow(_("Eintreffen vor Ort"), term.onsite_minutes, calloff.onsite_due_at),
    ]


def order_context(document: CallOffDocument) -> dict:
    calloff = CallOff.objects.select_related("contract", "organisation", "provider", "filed_by").get(
        pk=document.calloff_id
    )
    if calloff.provider is None:
        raise ValueError(f"call-off {calloff.number} has no provider; there is no order to render")
    term = SLATerm.objects.filter(contract_id=calloff.contract_id, priority=calloff.priority).first()
    services = list(calloff_services(calloff))
    return {
        **verification_context(document),
        "calloff": calloff,
        "contract": calloff.contract,
        "body": calloff.organisation,
        "provider": calloff.provider,
        "services": services,
        "services_total": sum((line.value for line in services), 0),
        "sla_term": term,
        "sla_rows": sla_rows(calloff, term),
        "filed_by_name": calloff.filed_by.get_full_name() or calloff.filed_by.email,
        "body_contacts": list(EmergencyContact.objects.filter(organisation=calloff.organisation)[:MAX_CONTACTS]),
        "provider_contacts": list(ProviderContact.objects.filter(provider=calloff.provider)[:MAX_CONTACTS]),
        "readiness_version": version_at(organisation_id=calloff.organisation_id, at=calloff.accepted_at)
        if calloff.accepted_at
        else None,
        "generated_at": timezone.now(),
    }


def render_order(document: CallOffDocument) -> bytes:
    with pdf_locale():
        return render_pdf("pdf/calloff_order.html", order_context(document))
