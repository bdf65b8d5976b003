"""PDF documents of the calloffs app: the call-off order (Abrufauftrag), the proof of work
(Leistungsnachweis), the monthly contract report and the emergency card (Notfallkarte).

Each module builds a plain context from the database and renders a template under
``templates/pdf/`` with :mod:`calloffs.documents.render`. An app above us that keeps a document
of a call-off in the same machinery (versions, SHA-256, verification, the render task, the
``document.issued`` webhook) registers its renderer for its kind at app-ready time
(:func:`register_renderer`; aftercare: the final report), so calloffs never imports it.
"""

from __future__ import annotations

from collections.abc import Callable

_renderers: dict[str, Callable] = {}


def register_renderer(kind: str, renderer: Callable) -> None:
    """``renderer(document) -> bytes`` renders the documents of ``kind``; registering again replaces it."""
    _renderers[kind] = renderer


def render_document_pdf(document) -> bytes:
    """The PDF of a stored document row (order, proof of work, a registered kind), from the current data."""
    from ..models import DocumentKind
    from .order import render_order
    from .proof_of_work import render_proof_of_work

    if document.kind == DocumentKind.ORDER:
        return render_order(document)
    if document.kind == DocumentKind.PROOF_OF_WORK:
        return render_proof_of_work(document)
    if document.kind in _renderers:
        return _renderers[document.kind](document)
    raise ValueError(f"unknown document kind {document.kind!r}")
