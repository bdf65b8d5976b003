"""Render a call-off document (order, proof of work) to PDF."""

from __future__ import annotations

import logging

from celery import shared_task

from ..models import CallOffDocument
from ..services.documents import document_render, documents_sweep_stale

logger = logging.getLogger(__name__)


@shared_task(name="calloffs.render_calloff_document", acks_late=True)
def render_calloff_document(document_id: int) -> str | None:
    """Thin: load the row, run the service. The service marks the document started, ready or
    failed (with an alert to the ministry); it never touches the call-off. A duplicate delivery
    finds the row no longer pending and does nothing. No automatic retry: a render that fails
    fails the same way again; a person retries from the call-off page once the cause is fixed."""
    if not CallOffDocument.objects.filter(pk=document_id).exists():
        logger.warning("render_calloff_document: document %s is gone", document_id)
        return None
    document = document_render(document_id=document_id)
    return document.state if document is not None else None


@shared_task(name="calloffs.sweep_stale_documents")
def sweep_stale_documents() -> dict[str, int]:
    """Beat: re-enqueue render jobs that got lost; give up (failed + alert) after a few attempts."""
    counts = documents_sweep_stale()
    if any(counts.values()):
        logger.warning("stale call-off documents: %s", counts)
    return counts
