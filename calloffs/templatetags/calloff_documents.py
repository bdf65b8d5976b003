"""Template helpers of the call-off documents: German number formats for the PDFs and the
documents panel of the call-off page."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils import timezone
from django.utils.safestring import mark_safe

from digisos.fast_reverse import reverse_uuids_in
from digisos.templatetags.kern_widgets import render_value
from digisos.templatetags.portal import url_state
from tenants.selectors import organisation_visible

from ..documents.render import de_eur, de_minutes, de_number
from ..models import DocumentKind, DocumentState
from ..money import format_hours, format_number, format_quantity
from ..selectors_documents import calloff_documents, can_access_documents, can_request_documents
from ..services.documents import STALE_AFTER
from .calloff_page import translated, with_tag_locale

register = template.Library()


@register.filter
def eur(value) -> str:
    return de_eur(value)


@register.filter
def de_num(value, places=None) -> str:
    return de_number(value, None if places in (None, "") else int(places))


@register.filter
def quantity(value, unit) -> str:
    """'8 Stunden', '1 Stunde', '2,5 Personentage' (calloffs.money.format_quantity)."""
    return format_quantity(value, unit)


@register.filter
def hours(value) -> str:
    return format_hours(value)


@register.filter
def de_amount(value) -> str:
    """A number of hours in a column headed "Stunden": '8', '7,5' (not '8,00')."""
    return format_number(value)


@register.filter
def sla_minutes(value) -> str:
    return de_minutes(value)


@register.simple_tag(takes_context=True)
def calloff_document_panel(context, calloff):
    """What the documents part of the call-off page shows to the user of the request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_access_documents(user, calloff):
        return {"allowed": False}
    now = timezone.now()
    # has_documents: annotated by calloff_for_user (no documents: nothing to read).
    documents = list(calloff_documents(calloff)) if getattr(calloff, "has_documents", True) else []
    may_make = can_request_documents(user, calloff)  # a read-only member only reads
    for document in documents:
        since = document.started_at or document.created_at
        document.retryable = may_make and (
            document.state == DocumentState.FAILED or (document.is_unfinished and since <= now - STALE_AFTER)
        )
    return {
        "allowed": True,
        "orders": [d for d in documents if d.kind == DocumentKind.ORDER],
        "proofs": [d for d in documents if d.kind == DocumentKind.PROOF_OF_WORK],
        # Made in the incident's aftercare (aftercare.report_services); listed here like the others.
        "reports": [d for d in documents if d.kind == DocumentKind.FINAL_REPORT],
        "busy": any(d.is_unfinished for d in documents),
        # Asked only where it decides something: no provider, no proof of work.
        "can_request_proof": may_make and calloff.provider_id is not None and calloff.time_entries.exists(),
        "card_allowed": organisation_visible(user, calloff.organisation_id),
    }


@register.filter
def is_decimal(value) -> bool:
    """For generic report tables: amounts (Decimal) are shown as euros, everything else as is."""
    return isinstance(value, Decimal)


_CSRF = CsrfTokenNode()
ITEM = "calloffs/includes/document_item.html"


def _items(documents, context) -> str:
    """``{% for document in … %}{% include "calloffs/includes/document_item.html" %}{% endfor %}``."""
    template = context.template.engine.get_template(ITEM)
    out = []
    for document in documents:
        with context.push(document=document):
            out.append(template.render(context))
    return "".join(out)


def documents_panel(context, calloff) -> str:
    """htmx/calloff_documents.html, byte for byte (tests/calloffs/test_calloff_documents_tag.py keeps the
    template it replaced and renders both): the panel's frame in Python, each document still through
    calloffs/includes/document_item.html."""
    panel = calloff_document_panel(context, calloff)
    if not panel["allowed"]:
        return "\n\n\n"
    out = [
        '\n\n\n  <section class="ds-flow" id="dokumente" aria-labelledby="documents-heading" '
        f'data-busy="{"1" if panel["busy"] else "0"}" aria-live="polite">\n'
        f'    <h2 class="kern-heading-medium" id="documents-heading">{translated("Dokumente")}</h2>\n'
        f'    <h3 class="kern-heading-small">{translated("Abrufauftrag")}</h3>\n    '
    ]
    if panel["orders"]:
        out.append(f'\n      <ul class="ds-documents">{_items(panel["orders"], context)}</ul>\n    ')
    else:
        text = translated("Der Abrufauftrag wird erstellt, sobald ein Dienstleister den Abruf angenommen hat.")
        out.append(f'\n      <p class="kern-body ds-muted">{text}</p>\n    ')
    out.append(f'\n    <h3 class="kern-heading-small">{translated("Leistungsnachweis")}</h3>\n    ')
    if panel["proofs"]:
        out.append(f'\n      <ul class="ds-documents">{_items(panel["proofs"], context)}</ul>\n    ')
    out.append("\n    ")
    if panel["can_request_proof"]:
        url = render_value(reverse_uuids_in(*url_state(context), "calloffs:proof_of_work", calloff.public_id), context)
        out.append(
            f'\n      <form method="post" action="{url}">{_CSRF.render(context)}\n'
            '        <button class="kern-btn kern-btn--secondary" type="submit"><span class="kern-label">'
            f"{translated('Leistungsnachweis als PDF erstellen')}</span></button>\n"
            "      </form>\n    "
        )
    elif not panel["proofs"]:
        out.append(f'\n      <p class="kern-body ds-muted">{translated("Noch keine Stunden erfasst.")}</p>\n    ')
    out.append("\n    ")
    if panel["reports"]:
        out.append(
            f'\n      <h3 class="kern-heading-small">{translated("Abschlussbericht")}</h3>\n'
            f'      <ul class="ds-documents">{_items(panel["reports"], context)}</ul>\n    '
        )
    out.append("\n    ")
    if panel["card_allowed"]:
        url = render_value(
            reverse_uuids_in(*url_state(context), "calloffs:emergency_card", calloff.organisation.public_id), context
        )
        text = translated("Notfallkarte der Stelle (PDF, zum Ausdrucken)")
        out.append(f'\n      <p class="kern-body"><a class="kern-link" href="{url}">{text}</a></p>\n    ')
    out.append("\n  </section>\n\n")
    return "".join(out)


@register.simple_tag(takes_context=True)
@with_tag_locale
def calloff_documents_html(context, calloff):
    """``{% calloff_documents_html calloff %}``: the documents panel (htmx/calloff_documents.html)."""
    return mark_safe(documents_panel(context, calloff))  # noqa: S308  # nosec B308 B703 - values escaped by render_value
