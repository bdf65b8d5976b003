"""What every stored document shows: the verification link and QR code, the previous version."""

from __future__ import annotations

from django.urls import reverse

from ..models import CallOffDocument, DocumentState
from .render import qr_png_data_uri, site_url


def verify_url(document: CallOffDocument) -> str:
    return site_url(reverse("verify", args=[document.verify_code]))


def verification_context(document: CallOffDocument) -> dict:
    url = verify_url(document)
    previous = (
        CallOffDocument.objects.filter(
            calloff_id=document.calloff_id,  # None for an incident's document: IS NULL
            incident_id=document.incident_id,
            kind=document.kind,
            version__lt=document.version,
            state=DocumentState.READY,
        )
        .order_by("-version")
        .first()
    )
    return {
        "document": document,
        "verify_url": url,
        "verify_qr": qr_png_data_uri(url),
        "previous": previous,
    }
