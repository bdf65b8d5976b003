"""Documents of the call-offs: download and retry of the order and the proof of work, the public
verification page, the monthly contract report (ministry) and the emergency card of a body.

Lookups are scoped in the query (calloffs.selectors_documents): whoever may not read a
document gets a 404, not a 403, so its existence does not leak.
"""

from __future__ import annotations

import hashlib
import logging
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digisos import ratelimit
from digisos.body_limits import body_limit
from readiness.permissions import can_read as readiness_can_read
from tenants.models import Organisation
from tenants.services import audit

from .. import selectors, selectors_documents
from ..documents.emergency_card import render_emergency_card
from ..documents.monthly_report import monthly_report_csv, parse_month, render_monthly_report_pdf
from ..errors import CallOffError
from ..models import DocumentKind, DocumentState, FrameworkContract
from ..permissions import is_ministry
from ..services import documents as document_services

logger = logging.getLogger(__name__)

#: A call-off order is a few hundred kB; anything far larger is not one of ours.
MAX_VERIFY_UPLOAD = 20 * 1024 * 1024


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def audit_download(*, user, document, via: str) -> None:
    """One entry in the hash-chained audit log per download of a document (who, which, when)."""
    owner = document.calloff if document.calloff_id is not None else document.incident
    audit(
        actor=user,
        action="calloff.document_downloaded",
        organisation=owner.organisation,
        target=f"{document.reference}: {document.filename()}",
        document=str(document.public_id),
        kind=document.kind,
        version=document.version,
        sha256=document.sha256,
        via=via,
    )


def _back_to_calloff(calloff):
    return redirect(reverse("calloffs:detail", args=[calloff.public_id]) + "#dokumente")


# --- Order and proof of work ------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def document_download(request, document_id):
    document = selectors_documents.document_for_user(user=request.user, public_id=document_id)
    if not document.is_ready:
        raise Http404
    file = document.file.open("rb")
    audit_download(user=request.user, document=document, via="portal")
    response = FileResponse(file, content_type="application/pdf", as_attachment=False, filename=document.filename())
    response["Cache-Control"] = "private, no-store"
    response["X-Document-SHA256"] = document.sha256
    return response


def refused_to_make_documents(request, *, may_request: bool, back) -> HttpResponse | None:
    """403 for a read-only member (``may_request`` False); ``back`` (a response) with a message when
    the user's rate of new documents is exceeded (each one is a PDF rendered by a worker). None: go
    ahead. Also for the documents of an app above us (aftercare's final reports)."""
    if not may_request:
        return HttpResponseForbidden(_("Mit Leserechten können Sie Dokumente ansehen, aber keine erstellen."))
    allowed, _wait = ratelimit.hit(f"documents:{request.user.pk}", settings.DOCUMENT_REQUEST_RATE)
    if not allowed:
        messages.error(
            request,
            _("Sie haben in kurzer Zeit sehr viele Dokumente angefordert. Bitte versuchen Sie es später erneut."),
        )
        return back
    return None


def _refused_to_make_documents(request, calloff) -> HttpResponse | None:
    may_request = selectors_documents.can_request_documents(request.user, calloff)
    return refused_to_make_documents(request, may_request=may_request, back=_back_to_calloff(calloff))


def _back_to_document(request, document):
    """Back to where the document is listed: the call-off page, or for an incident's document the page
    the form came from (``next``, a path of this site), else the incident page."""
    if document.calloff_id is not None:
        return _back_to_calloff(document.calloff)
    target = request.POST.get("next", "")
    secure = request.is_secure()
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=secure):
        target = reverse("incidents:detail", args=[document.incident.public_id])
    return redirect(target)


@login_required
@require_POST
def document_retry(request, document_id):
    document = selectors_documents.document_for_user(user=request.user, public_id=document_id)
    may_request = selectors_documents.can_request_document(request.user, document)
    refused = refused_to_make_documents(request, may_request=may_request, back=_back_to_document(request, document))
    if refused is not None:
        return refused
    try:
        document_services.document_retry(document=document, actor=request.user)
    except CallOffError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Das Dokument wird erneut erstellt."))
    return _back_to_document(request, document)


@login_required
@require_POST
def proof_of_work_request(request, public_id):
    calloff = get_object_or_404(
        selectors_documents.document_calloffs_visible_to(request.user), public_id=_uuid_or_404(public_id)
    )
    refused = _refused_to_make_documents(request, calloff)
    if refused is not None:
        return refused
    try:
        document_services.document_request(
            calloff=calloff,
            kind=DocumentKind.PROOF_OF_WORK,
            actor=request.user,
            reason=_("Angefordert im Portal"),
        )
    except CallOffError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Der Leistungsnachweis wird als PDF erstellt."))
    return _back_to_calloff(calloff)


@never_cache
@login_required
@require_GET
def documents_panel(request, public_id):
    """The documents part of the call-off page; polled while a document is being made."""
    calloff = get_object_or_404(
        selectors_documents.document_calloffs_visible_to(request.user), public_id=_uuid_or_404(public_id)
    )
    return render(request, "htmx/calloff_documents.html", {"calloff": calloff})


def _uuid_or_404(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


# --- Verification (public) -------------------------------------------------------------------


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("PDF-Datei"),
        help_text=gettext_lazy("Die Datei wird nur geprüft, nicht gespeichert."),
    )


def _sha256_of(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


@body_limit(MAX_VERIFY_UPLOAD)  # larger bodies are refused unread (digisos.body_limits)
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, code):
    """Is a presented PDF genuine? The code (from the QR code) names the document; the page shows
    its number, version, date and SHA-256 (no personal data) and compares an uploaded file."""
    document = selectors_documents.document_by_verify_code(code)
    versions = list(selectors_documents.document_versions(document).filter(state=DocumentState.READY))
    newest = versions[0] if versions else None
    result = None
    matched = None
    form = VerifyForm()
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_VERIFY_UPLOAD:
                form.add_error("file", _("Die Datei ist zu groß für ein Dokument aus Digi-SOS."))
            else:
                digest = _sha256_of(upload)
                matched = next((v for v in versions if v.sha256 == digest), None)
                if document.is_ready and digest == document.sha256:
                    result = "genuine"
                elif matched is not None:
                    result = "other_version"
                else:
                    result = "mismatch"
                logger.info("verify %s: %s", document.pk, result)
    return render(
        request,
        "calloffs/verify.html",
        {
            "document": document,
            "newest": newest,
            "is_superseded": newest is not None and newest.version > document.version,
            "form": form,
            "result": result,
            "matched": matched,
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


# --- Monthly report (ministry) ---------------------------------------------------------------


def _report_args(request, *, require_contract: bool = True):
    if not is_ministry(request.user):
        raise Http404
    try:
        month = parse_month(request.GET.get("month"))
    except ValueError:
        return None, None, HttpResponseBadRequest(_("Bitte den Monat als JJJJ-MM angeben, z. B. 2026-11."))
    contract_id = request.GET.get("contract")
    if contract_id:
        contract = get_object_or_404(FrameworkContract, public_id=_uuid_or_404(contract_id))
    else:
        contract = selectors.active_contract() or FrameworkContract.objects.order_by("-start_date").first()
        if contract is None and require_contract:
            raise Http404
    return contract, month, None


@login_required
@require_GET
def monthly_report(request):
    """The ministry picks month and contract; PDF and CSV are links (rendered on demand)."""
    contract, month, error = _report_args(request, require_contract=False)
    if error:
        return error
    return render(
        request,
        "calloffs/monthly_report.html",
        {
            "contract": contract,
            "month": month,
            "contracts": FrameworkContract.objects.order_by("-start_date"),
            "query": f"month={month:%Y-%m}&contract={contract.public_id}" if contract else "",
        },
    )


@never_cache
@login_required
@require_GET
def monthly_report_pdf(request):
    contract, month, error = _report_args(request)
    if error:
        return error
    pdf = render_monthly_report_pdf(contract=contract, month=month)
    return _pdf_response(pdf, f"Monatsbericht_{contract.reference}_{month:%Y-%m}.pdf")


@never_cache
@login_required
@require_GET
def monthly_report_csv_view(request):
    contract, month, error = _report_args(request)
    if error:
        return error
    response = HttpResponse(monthly_report_csv(contract=contract, month=month), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="Monatsbericht_{contract.reference}_{month:%Y-%m}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Emergency card ----------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def emergency_card(request, organisation_id):
    """Members of the body and ministry staff; anyone else 404. Rendered from the current data; the
    readiness profile's out-of-band entries only for the body's members (the ministry sees no contents)."""
    organisation = get_object_or_404(
        Organisation.objects.visible_to(request.user), public_id=_uuid_or_404(organisation_id)
    )
    pdf = render_emergency_card(organisation, with_profile=readiness_can_read(request.user, organisation))
    return _pdf_response(pdf, f"Notfallkarte_{organisation.ags or organisation.public_id}.pdf")
