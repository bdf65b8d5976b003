"""The emergency card (Notfallkarte) of a body: one printable A4 page that works when the
portal, e-mail and phones of the body are down. Rendered on demand from the current data
(contract, order of precedence, hotlines, the body's emergency contacts), so it is always
current; the page says when it was printed."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from incidents.models import FirstHourStep
from tenants.models import EmergencyContact, Organisation

from ..selectors import active_contract, ranking_current, ranking_for_calloff
from .render import pdf_locale, qr_svg_data_uri, render_pdf, site_url


def emergency_card_context(organisation: Organisation) -> dict:
    contract = active_contract()
    providers = []
    if contract is not None:
        ranks = ranking_for_calloff(
            version=ranking_current(contract), service_module_id=None, regierungsbezirk=organisation.regierungsbezirk
        )
        seen = set()
        for entry in ranks:
            provider = entry.provider
            if provider.pk in seen or not provider.active or not provider.serves(organisation.regierungsbezirk):
                continue
            seen.add(provider.pk)
            providers.append(provider)
    portal_url = site_url(reverse("calloffs:create"))
    return {
        "body": organisation,
        "contract": contract,
        "providers": providers,
        "checklist": list(FirstHourStep),
        "contacts": list(EmergencyContact.objects.filter(organisation=organisation)),
        "portal_url": portal_url,
        "portal_qr": qr_svg_data_uri(portal_url),
        "card_url": site_url(reverse("calloffs:emergency_card", args=[organisation.public_id])),
        "generated_at": timezone.now(),
    }


def render_emergency_card(organisation: Organisation) -> bytes:
    with pdf_locale():
        return render_pdf("pdf/emergency_card.html", emergency_card_context(organisation))
