"""PDF documents of the calloffs app: the call-off order (Abrufauftrag), the proof of work
(Leistungsnachweis), the monthly contract report and the emergency card (Notfallkarte).

Each module builds a plain context from the database and renders a template under
``templates/pdf/`` with :mod:`calloffs.documents.render`.
"""

from __future__ import annotations


def render_document_pdf(document) -> bytes:
    """The PDF of a stored document row (order or proof of work), from the current data."""
    from ..models import DocumentKind
    from .order import render_order
    from .proof_of_work import render_proof_of_work

    if document.kind == DocumentKind.ORDER:
        return render_order(document)
    if document.kind == DocumentKind.PROOF_OF_WORK:
        return render_proof_of_work(document)
    raise ValueError(f"unknown document kind {document.kind!r}")
