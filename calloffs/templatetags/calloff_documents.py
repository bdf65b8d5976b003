"""Template helpers of the call-off documents: German number formats for the PDFs and the
documents panel of the call-off page."""

from __future__ import annotations

from django import template

from ..documents.render import de_eur, de_minutes, de_number
from ..models import DocumentKind
from ..selectors_documents import calloff_documents, can_access_documents

register = template.Library()


@register.filter
def eur(value) -> str:
    return de_eur(value)


@register.filter
def de_num(value, places=None) -> str:
    return de_number(value, None if places in (None, "") else int(places))


@register.filter
def sla_minutes(value) -> str:
    return de_minutes(value)


@register.simple_tag(takes_context=True)
def calloff_document_panel(context, calloff):
    """{ "allowed": bool, "orders": [...], "proofs": [...] } for the user of the request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_access_documents(user, calloff):
        return {"allowed": False, "orders": [], "proofs": []}
    documents = list(calloff_documents(calloff))
    return {
        "allowed": True,
        "orders": [d for d in documents if d.kind == DocumentKind.ORDER],
        "proofs": [d for d in documents if d.kind == DocumentKind.PROOF_OF_WORK],
        "has_time_entries": calloff.time_entries.exists(),
    }
