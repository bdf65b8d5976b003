"""The emergency card (Notfallkarte) of a body: one printable A4 page that works when the
portal, e-mail and phones of the body are down. Rendered on demand from the current data
(contract, order of precedence, hotlines, the body's emergency contacts and, for the body's own
members, the out-of-band entries of its readiness profile), so it is always current; the page says
when it was printed. The ministry may print a body's card too, but without the profile's entries:
it never sees the profile's contents."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import FirstHourStep
from readiness.models import ReadinessProfile
from tenants.models import EmergencyContact, Organisation

from ..selectors import active_contract, ranking_current, ranking_for_calloff
from .render import pdf_locale, qr_png_data_uri, render_pdf, site_url

#: The profile's entries printed on the card, with short labels (who to reach and how, when the body's own
#: technology is down); not the critical systems, backups or remote access: the card lies on desks.
PROFILE_ON_CARD = {
    "management_contact": _("Verwaltungsspitze"),
    "admin_contacts": _("Administration"),
    "external_providers": _("Externe IT-Dienstleister"),
    "insurance_hotline": _("Hotline der Cyberversicherung"),
    "insurance_policy_number": _("Versicherungsscheinnummer"),
    "dpo_contact": _("Datenschutzbeauftragte/r"),
}
#: A long entry is cut on the card (it must stay one page); the portal shows it in full.
PROFILE_TEXT_ON_CARD = 160


def profile_rows(profile: ReadinessProfile | None) -> list[tuple[str, str]]:
    if profile is None:
        return []
    rows = []
    for name, label in PROFILE_ON_CARD.items():
        value = getattr(profile, name)
        if value:
            text = value if len(value) <= PROFILE_TEXT_ON_CARD else value[: PROFILE_TEXT_ON_CARD - 1] + "…"
            rows.append((str(label), text))
    return rows


def emergency_card_context(organisation: Organisation, *, with_profile: bool = False) -> dict:
    """``with_profile``: print the readiness profile's out-of-band entries (for the body's members only)."""
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
        **_profile_context(organisation, with_profile),
        "portal_url": portal_url,
        "portal_qr": qr_png_data_uri(portal_url),
        "card_url": site_url(reverse("calloffs:emergency_card", args=[organisation.public_id])),
        "generated_at": timezone.now(),
    }


def _profile_context(organisation: Organisation, with_profile: bool) -> dict:
    if not with_profile:
        return {"with_profile": False}
    profile = ReadinessProfile.objects.filter(organisation=organisation).first()
    return {"with_profile": True, "profile": profile, "profile_rows": profile_rows(profile)}


def render_emergency_card(organisation: Organisation, *, with_profile: bool = False) -> bytes:
    with pdf_locale():
        return render_pdf("pdf/emergency_card.html", emergency_card_context(organisation, with_profile=with_profile))
