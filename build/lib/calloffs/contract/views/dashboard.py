"""The ministry's overview: the contracts with their ceilings, open alerts to acknowledge, and the
load of every provider against its capacity."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ... import selectors, services
from ...errors import CallOffError
from .. import selectors as sc
from .common import ministry_only


@ministry_only
def contract_dashboard(request):
    contracts = [(contract, sc.contract_ceiling(contract)) for contract in sc.contract_list(user=request.user)]
    alerts = selectors.ministry_alert_list(user=request.user).order_by("-created_at", "-id")
    page = Paginator(alerts, 25).get_page(request.GET.get("page"))
    context = {
        "contracts": contracts,
        "page": page,
        "loads": selectors.provider_load(),
    }
    return render(request, "calloffs/contract/dashboard.html", context)


@ministry_only
@require_POST
def contract_alert_acknowledge(request, public_id):
    alert = sc.alert_for_ministry(user=request.user, public_id=public_id)
    try:
        services.ministry_alert_acknowledge(alert=alert, actor=request.user)
    except CallOffError as exc:  # pragma: no cover - the decorator already admits ministry staff only
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Die Meldung wurde zur Kenntnis genommen."))
    return redirect("calloffs:contract_dashboard")
