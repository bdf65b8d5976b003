from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from calloffs.permissions import provider_ids_of, provider_of
from statuspages.permissions import acting_bodies
from tenants.selectors import roles_of

_urls: dict[tuple, str] = {}


def _url(name: str) -> str:
    """reverse(name) of a URL without arguments, kept per URL conf and script prefix: the navigation
    reverses up to eleven of them on every page, and they only change with those two (issue 19)."""
    key = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), name)
    url = _urls.get(key)
    if url is None:
        if len(_urls) > 512:  # a new prefix or URL conf now and then (tests): never grows without end
            _urls.clear()
        url = _urls[key] = reverse(name)
    return url


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
        nav.append((_("Übersicht"), _url("home")))
        if ministry or member or provider:
            nav.append((_("Abrufe"), _url("calloffs:list")))
            nav.append((_("Vorfälle"), _url("incidents:list")))
            nav.append((_("Abrechnung"), _url("settlement:list")))
        if ministry or member:
            nav.append((_("Stellen"), _url("tenants:organisation_list")))
        if ministry or acting_bodies(user):
            nav.append((_("Statusseiten"), _url("statuspages:list")))
        if provider:
            nav.append((_("Webhooks"), _url("calloffs:provider_webhooks")))
            own = provider_of(user)
            if own is not None:
                nav.append((_("Rechnungsdaten"), reverse("calloffs:provider_billing_data", args=[own.public_id])))
        if ministry:
            nav.append((_("Lagebild"), _url("calloffs:situation")))
            nav.append((_("Bereitschaft"), _url("readiness:overview")))
            nav.append((_("Rahmenvertrag"), _url("calloffs:contract_dashboard")))
            nav.append((_("Monatsbericht"), _url("calloffs:monthly_report")))
            nav.append((_("Zugangsanträge"), _url("onboarding:list")))
    # The current entry is the longest URL that the path starts with ("/" only on an exact match),
    # so /abrufe/vertrag/ marks "Rahmenvertrag", not also "Abrufe".
    matches = [url for _label, url in nav if request.path == url or (url != "/" and request.path.startswith(url))]
    current = max(matches, key=len, default=None)
    return {
        "portal_nav": [(label, url, url == current) for label, url in nav],
        "site_url": settings.SITE_URL,
        "debug": settings.DEBUG,
    }
