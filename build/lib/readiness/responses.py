"""The network overview as an HTTP response, shared by the body's download (readiness.views) and the
accepting provider's (calloffs: the call-off page and the provider API). The caller decides who may
see it; here the file is checked against its SHA-256 and sent as an attachment."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import render

from . import services
from .models import NetworkOverview


def network_overview_response(overview: NetworkOverview, *, actor, via: str):
    """The file as an attachment under the type its content has (nosniff, not cached), its SHA-256 in
    ``X-Content-SHA256``; None when the stored file no longer matches its SHA-256 (audited)."""
    try:
        file = services.readiness_network_overview_open(overview=overview, actor=actor, via=via)
    except services.NetworkOverviewAltered:
        return None
    response = FileResponse(
        file, as_attachment=True, filename=overview.original_name, content_type=overview.content_type
    )
    response["X-Content-SHA256"] = overview.sha256
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def altered_page(request, overview: NetworkOverview, back: str):
    return render(
        request,
        "readiness/network_overview_altered.html",
        {"overview": overview, "message": services.NetworkOverviewAltered.message, "back": back},
        status=409,
    )
