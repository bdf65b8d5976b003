"""Indicator exports (STIX 2.1 bundle, MISP event) per incident, per major incident and NRW-wide, and the
ministry's list of indicators seen at more than one body. Every download is audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from calloffs.permissions import is_ministry
from incidents.models import Incident
from incidents.selectors import incident_for_user, major_incident_for_user
from tenants.services import audit

from . import exports, selectors
from .models import Indicator, Sighting

FORMATS = {
    "stix": ("application/stix+json;version=2.1", exports.stix_bundle),
    "misp": ("application/json", exports.misp_event),
}


def _download(request, *, rows, fmt: str, title: str, filename: str, organisation=None, target: str = ""):
    if fmt not in FORMATS:
        raise Http404
    content_type, build = FORMATS[fmt]
    rows = list(rows)
    body = build(rows, title=title)
    audit(
        actor=request.user,
        action="indicators.exported",
        organisation=organisation,
        target=target,
        format=fmt,
        count=len(rows),
        tlp=sorted({row.tlp for row in rows}),
    )
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{fmt}.json"'
    return response


@login_required
def incident_export(request, public_id, fmt):
    incident = incident_for_user(user=request.user, public_id=public_id)
    rows = selectors.exportable(
        request.user, selectors.incident_indicators(request.user, incident), across_bodies=False
    )
    return _download(
        request,
        rows=rows,
        fmt=fmt,
        title=_("Indikatoren zum Vorfall „{title}“ ({body})").format(
            title=incident.title, body=incident.organisation.name
        ),
        filename="indikatoren-vorfall",
        organisation=incident.organisation,
        target=str(incident.public_id),
    )


@login_required
def major_export(request, public_id, fmt):
    major = major_incident_for_user(user=request.user, public_id=public_id)  # the ministry only, else 404
    incidents = major.incidents.values("pk")
    rows = selectors.exportable(request.user, Indicator.objects.filter(incident_id__in=incidents), across_bodies=True)
    return _download(
        request,
        rows=rows,
        fmt=fmt,
        title=_("Indikatoren der Großschadenslage „{title}“").format(title=major.title),
        filename="indikatoren-grossschadenslage",
        target=str(major.public_id),
    )


def _require_ministry(user) -> None:
    if not is_ministry(user):
        raise Http404


@login_required
def nrw_export(request, fmt):
    _require_ministry(request.user)
    # A drill's indicators are made up: they never leave the drill's record as if they were seen.
    real = Indicator.objects.filter(incident_id__in=Incident.objects.real().values("pk"))
    rows = selectors.exportable(request.user, real, across_bodies=True)
    return _download(request, rows=rows, fmt=fmt, title=_("Indikatoren aus Digi-SOS (NRW)"), filename="indikatoren-nrw")


@login_required
def matches(request):
    """Indicator values seen at more than one body (TLP:RED takes no part in matching)."""
    _require_ministry(request.user)
    values = list(selectors.matched_values()[:500])
    sightings = Sighting.objects.filter(indicator_value__in=values).select_related("organisation")
    bodies: dict[int, list] = {}
    for sighting in sightings.order_by("created_at", "id"):
        bodies.setdefault(sighting.indicator_value_id, []).append(sighting.organisation)
    rows = [(value, bodies.get(value.pk, [])) for value in values]
    return render(request, "aftercare/matches.html", {"rows": rows})
