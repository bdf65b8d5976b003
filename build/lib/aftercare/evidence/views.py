"""Portal pages of the evidence: the accepting provider uploads to a finding; the body's members and
that provider download (the SHA-256 checked on the way out). Anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from calloffs.visibility import engaged_calloffs

from .. import selectors
from ..errors import CallOffError
from ..forms import EvidenceForm
from . import services
from .selectors import evidence_visible_to


def _back(finding) -> str:
    page = reverse("aftercare:incident", kwargs={"public_id": finding.incident.public_id})
    return f"{page}#finding-{finding.public_id}"


@login_required
def evidence_new(request, public_id):
    """Only the engaged provider uploads; whoever else sees the finding (the body, the ministry) gets 403."""
    finding = get_object_or_404(
        selectors.findings_visible_to(request.user).select_related("calloff", "incident"), public_id=public_id
    )
    if not engaged_calloffs(request.user).filter(pk=finding.calloff_id).exists():
        raise PermissionDenied
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence = services.evidence_add(
                finding=finding,
                actor=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except CallOffError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                # The SHA-256 stands with the finding (wrapped there); 64 characters in one word would
                # make the message wider than a phone.
                _("Das Beweismittel „{name}“ wurde gespeichert; seine SHA-256-Prüfsumme steht beim Befund.").format(
                    name=evidence.original_name
                ),
            )
            return redirect(_back(finding))
    return render(
        request,
        "aftercare/form.html",
        {
            "form": form,
            "title": _("Beweismittel hochladen"),
            "subtitle": finding.title,
            "calloff": finding.calloff,
            "back": _back(finding),
            "note": _(
                "Beweismittel sieht nur die Stelle und Ihr Unternehmen, nicht das Ministerium und kein anderer "
                "Dienstleister."
            ),
        },
    )


@login_required
def evidence_download(request, public_id):
    evidence = get_object_or_404(evidence_visible_to(request.user), public_id=public_id)
    try:
        file = services.evidence_open(evidence=evidence, actor=request.user, via="portal")
    except services.EvidenceAltered as exc:
        return render(
            request, "aftercare/evidence_altered.html", {"evidence": evidence, "message": exc.message}, status=409
        )
    response = FileResponse(
        file, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-SHA256"] = evidence.sha256
    response["Cache-Control"] = "private, no-store"
    return response
