"""Lists of call-offs: a body's own, a provider's offers and assignments, all of them for the ministry.
Search and filters live in the URL (a GET form; pagination keeps them); ``?export=csv`` downloads
exactly the filtered rows with the columns of the table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from digisos.csv_export import csv_response, export_query, wants_csv

from .. import permissions, selectors
from ..filters import CallOffListFilterSet


@login_required
def calloff_list(request):
    user = request.user
    filterset = CallOffListFilterSet(
        request.GET or None, queryset=selectors.calloff_list(user=user), ministry=permissions.is_ministry(user)
    )
    qs = filterset.qs
    if wants_csv(request):
        return _csv(qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "form": filterset.form,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "export_query": export_query(request),
        "page": page,
        "offers": selectors.offers_open_for_user(user=user),
        "provider": permissions.provider_of(user),
        "alerts": selectors.ministry_alert_list(user=user)[:20] if permissions.is_ministry(user) else None,
        "can_file": permissions.can_file_any(user),
    }
    return render(request, "calloffs/calloff_list.html", context)


def _csv(qs):
    header = [
        _("Nummer"),
        _("Stelle"),
        _("AGS"),
        _("Priorität"),
        _("Status"),
        _("Dienstleister"),
        _("Gestellt am"),
        _("Übung"),  # a drill is marked in the file as on the page: never counted as a real call-off
    ]
    rows = (
        (
            calloff.number,
            calloff.organisation.name,
            calloff.organisation.ags,
            calloff.priority,
            calloff.get_state_display(),
            calloff.provider.short_name if calloff.provider else "",
            calloff.submitted_at,
            _("Ja") if calloff.is_drill else _("Nein"),
        )
        for calloff in qs.iterator(chunk_size=500)
    )
    return csv_response("abrufe", header, rows)
