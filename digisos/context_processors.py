from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from calloffs.permissions import provider_ids_of, provider_of
from statuspages.permissions import acting_bodies
from tenants.selectors import roles_of


def portal(request):
    """Navigation for the signed-in user, so that templates don't hard-code it."""
    user = getattr(request, "user", None)
    nav = []
    if user is not None and user.is_authenticated:
        # Each role sees only what it can use (both reads are memoized per request):
        # bodies' staff their call-offs, incidents and bodies; provider staff their call-offs, the
        # incidents of those and their webhooks; the ministry everything plus its own pages. The status
        # pages for those who may publish them (callers and administrators of a body, the ministry).
        ministry = bool(user.is_ministry_staff)
        member = bool(roles_of(user))
        provider = bool(provider_ids_of(user))
        nav.append((_("Übersicht"), reverse("home")))
        if ministry or member or provider:
            nav.append((_("Abrufe"), reverse("calloffs:list")))
            nav.append((_("Vorfälle"), reverse("incidents:list")))
            nav.append((_("Abrechnung"), reverse("settlement:list")))
        if ministry or member:
            nav.append((_("Stellen"), reverse("tenants:organisation_list")))
        if ministry or acting_bodies(user):
            nav.append((_("Statusseiten"), reverse("statuspages:list")))
        if provider:
            nav.append((_("Webhooks"), reverse("calloffs:provider_webhooks")))
            own = provider_of(user)
            if own is not None:
                nav.append((_("Rechnungsdaten"), reverse("calloffs:provider_billing_data", args=[own.public_id])))
        if ministry:
            nav.append((_("Lagebild"), reverse("calloffs:situation")))
            nav.append((_("Bereitschaft"), reverse("readiness:overview")))
            nav.append((_("Rahmenvertrag"), reverse("calloffs:contract_dashboard")))
            nav.append((_("Monatsbericht"), reverse("calloffs:monthly_report")))
            nav.append((_("Zugangsanträge"), reverse("onboarding:list")))
    # The current entry is the longest URL that the path starts with ("/" only on an exact match),
    # so /abrufe/vertrag/ marks "Rahmenvertrag", not also "Abrufe".
    matches = [url for _label, url in nav if request.path == url or (url != "/" and request.path.startswith(url))]
    current = max(matches, key=len, default=None)
    return {
        "portal_nav": [(label, url, url == current) for label, url in nav],
        "site_url": settings.SITE_URL,
        "debug": settings.DEBUG,
    }
