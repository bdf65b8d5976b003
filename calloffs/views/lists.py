"""Lists of call-offs: a body's own, a provider's offers and assignments, all of them for the ministry."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .. import permissions, selectors
from ..forms import CallOffFilterForm


@login_required
def calloff_list(request):
    user = request.user
    form = CallOffFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.calloff_list(user=user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "form": form if permissions.is_ministry(user) else None,
        "page": page,
        "offers": selectors.offers_open_for_user(user=user),
        "provider": permissions.provider_of(user),
        "alerts": selectors.ministry_alert_list(user=user)[:20] if permissions.is_ministry(user) else None,
        "can_file": permissions.can_file_any(user),
    }
    return render(request, "calloffs/calloff_list.html", context)
