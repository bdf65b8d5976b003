"""Writes of the call-off documents (order and proof of work as PDF): request, render, retry.

The document row is the visible status of the render job (STYLE.md §4):

    pending ──started──▶ started ──▶ ready
       ▲                    │
       └──── retry ◀──── failed   (and a pending/started job that is stale, see STALE_AFTER)

* Every move is a compare-and-set on the row, so a duplicate delivery of the task, a retry
  racing a slow worker or two clicks do the work once.
* Nothing here writes the call-off: a failing render marks the *document* failed and alerts
  the ministry, the call-off's state and timestamps stay as they are.
* A new version is made for a new request unless one is still waiting in the queue (it will
  read the current data when it runs); ready versions are never overwritten.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from functools import partial

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from digisos.insert_sql import insert_one
from notifications.services import publish

from ..errors import InvalidInput, NotPermitted, TransitionNotAllowed
from ..models import INCIDENT_KINDS, AlertKind, CallOff, CallOffDocument, DocumentKind, DocumentState
from ..selectors_documents import can_access_document, can_request_document
from .common import alert_ministry, user_or_none
from .notify import notifications_for_document

logger = logging.getLogger(__name__)

#: A job still pending or started after this long is considered lost (worker died, broker
#: down): a user may retry it, the sweep re-enqueues it, a new worker may take it over. Longer
#: than CELERY_TASK_TIME_LIMIT, so a job this old is not running any more.
STALE_AFTER = timedelta(minutes=10)
#: Renders started this often without finishing: the sweep gives up, marks failed and alerts.
MAX_ATTEMPTS = 3
#: Kept on the row; the full traceback goes to the log.
MAX_ERROR_LENGTH = 2000


def enqueue_render(*, document_id: int) -> None:
    """Hand the job to Celery (called on commit only)."""
    from ..tasks.documents import render_calloff_document

    # No publish retries: with the broker down the request must not wait; the row stays pending
    # and the documents sweep re-queues it. Within a call-off transition, with its outbox rows
    # (notifications.services.publishes_together).
    publish(partial(render_calloff_document.apply_async, args=(document_id,), retry=False))


def _enqueue_on_commit(document: CallOffDocument) -> None:
    # robust: a broker that is down must not turn a committed request into an error page; the
    # row stays pending, is shown as such and can be retried once it is stale.
    transaction.on_commit(partial(enqueue_render, document_id=document.pk), robust=True)


def _check_requestable(*, calloff: CallOff, kind: str) -> None:
    if kind not in DocumentKind.values:
        raise InvalidInput(_("Unbekannte Art des Dokuments."), field="kind")
    if calloff.provider_id is None or calloff.accepted_at is None:
        raise TransitionNotAllowed(_("Der Abruf ist noch keinem Dienstleister zugewiesen."))
    if kind == DocumentKind.PROOF_OF_WORK and not calloff.time_entries.exists():
        raise TransitionNotAllowed(_("Zu diesem Abruf ist noch kein Leistungsnachweis erfasst."))


@transaction.atomic(durable=True)
def document_request(*, calloff: CallOff, kind: str, actor=None, reason: str = "") -> CallOffDocument:
    """Ask for a (new version of a) document; it is rendered by a Celery task after commit.

    actor None is the system (the receiver of call-off events); a person must be allowed to
    read the call-off's documents. If the newest version is still pending it is returned as is:
    it has not read any data yet and will render the current state.
    """
    calloff = CallOff.objects.get(pk=calloff.pk)  # fresh: the access rule reads its body and provider
    if actor is not None:
        _check_may_request(actor, CallOffDocument(calloff=calloff, kind=kind))
    if kind in (DocumentKind.FINAL_REPORT, *INCIDENT_KINDS):
        # Issued by its parties through aftercare.report_services (their own rule).
        raise NotPermitted(_("Der Abschlussbericht wird in der Nachbereitung des Vorfalls erstellt."))
    return document_new_version(calloff=calloff, kind=kind, actor=actor, reason=reason)


def document_new_version(
    *, calloff: CallOff | None = None, incident=None, kind: str, actor=None, reason: str = ""
) -> CallOffDocument:
    """The new version of a document (or the newest one if it is still pending), enqueued on commit:
    of ``calloff``, or for a kind of INCIDENT_KINDS of ``incident`` (the whole incident's document).

    For callers that have checked who may ask (document_request above, or an app above us with a
    document of its own, e.g. the final reports of aftercare): must run inside their transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_new_version must run inside a transaction")
    if (incident is not None) != (kind in INCIDENT_KINDS) or (calloff is None) == (incident is None):
        raise ValueError(f"a document of kind {kind!r} belongs to exactly one call-off or (incident kinds) incident")
    if calloff is not None:
        _check_requestable(calloff=calloff, kind=kind)
    owner = {"calloff": calloff} if calloff is not None else {"incident": incident}
    for _attempt in range(3):
        latest = CallOffDocument.objects.select_for_update().filter(**owner, kind=kind).order_by("-version").first()
        if latest is not None and latest.state == DocumentState.PENDING:
            return latest
        try:
            with transaction.atomic():
                document = CallOffDocument.objects.create(
                    **owner,
                    kind=kind,
                    version=(latest.version if latest else 0) + 1,
                    reason=(reason or "")[:200],
                    requested_by=user_or_none(actor),
                )
        except IntegrityError:
            # Another request created the same version number in parallel: read again.
            continue
        _enqueue_on_commit(document)
        return document
    raise TransitionNotAllowed(_("Das Dokument wird gerade von einer anderen Anfrage erstellt."))


def document_first_order(*, calloff: CallOff, reason: str) -> CallOffDocument:
    """Version 1 of the call-off order, in the transaction that assigns the call-off (the accept, the
    manual assignment) and holds it locked; enqueued on commit.

    Nothing is read: until that transaction commits the call-off has no document (a document needs
    an assigned call-off, see _check_requestable; a call-off is assigned once, nothing leads back to
    offered or unassigned) and no other request can make one (it reads the call-off unassigned).
    No savepoint either: should the insert fail all the same (calloff_document_version_unique), the
    error rolls the assignment back with it and reaches its caller (an API client gets a 500 and may
    retry) — an assignment is never committed without its order, nor reported done and then lost.
    The call-off's documents are then known (this one): primed on ``calloff`` as a prefetch would
    (the accept's answer lists them without a read).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_first_order must run inside the assigning transaction")
    _check_requestable(calloff=calloff, kind=DocumentKind.ORDER)
    # save(force_insert=True) (its signals too), its statement kept per connection (issue 19, digisos.insert_sql).
    document = insert_one(CallOffDocument(calloff=calloff, kind=DocumentKind.ORDER, version=1, reason=reason[:200]))
    _enqueue_on_commit(document)
    documents = calloff.documents.all()
    documents._result_cache, documents._prefetch_done = [document], True
    calloff.__dict__.setdefault("_prefetched_objects_cache", {})["documents"] = documents
    return document


def _check_may_request(actor, document: CallOffDocument) -> None:
    if not can_access_document(actor, document):
        raise NotPermitted(_("Sie haben keinen Zugriff auf dieses Dokument."))
    if not can_request_document(actor, document):
        raise NotPermitted(_("Mit Leserechten können Sie Dokumente ansehen, aber keine erstellen."))


def _is_stale(document: CallOffDocument, now: datetime) -> bool:
    since = document.started_at or document.created_at
    return document.is_unfinished and since <= now - STALE_AFTER


@transaction.atomic(durable=True)
def document_retry(*, document: CallOffDocument, actor) -> CallOffDocument:
    """Render a failed (or stale) document again: same version, back to pending."""
    document = (
        CallOffDocument.objects.select_for_update(of=("self",))
        .select_related("calloff", "incident")
        .get(pk=document.pk)
    )
    _check_may_request(actor, document)
    now = timezone.now()
    if document.state != DocumentState.FAILED and not _is_stale(document, now):
        raise TransitionNotAllowed(_("Nur ein fehlgeschlagenes Dokument kann erneut erstellt werden."))
    document.state = DocumentState.PENDING
    document.started_at = None
    document.error = ""
    document.save(update_fields=["state", "started_at", "error"])
    _enqueue_on_commit(document)
    return document


@transaction.atomic(durable=True)
def document_mark_started(*, document_id: int) -> CallOffDocument | None:
    """pending → started, or take over a started job whose worker died (stale); None if another
    worker has it or it is finished."""
    now = timezone.now()
    takeover = Q(state=DocumentState.STARTED, started_at__lte=now - STALE_AFTER)
    updated = CallOffDocument.objects.filter(Q(pk=document_id), Q(state=DocumentState.PENDING) | takeover).update(
        state=DocumentState.STARTED, started_at=now, attempts=F("attempts") + 1
    )
    if updated != 1:
        return None
    return CallOffDocument.objects.select_related("calloff").get(pk=document_id)


@transaction.atomic(durable=True)
def document_mark_ready(*, document_id: int, pdf: bytes) -> bool:
    """started → ready with the file and its SHA-256. False (and nothing stored) if the row is no
    longer started, e.g. it was reset for a retry while this render was running."""
    # of self: the owner (call-off or incident) is a nullable join, which Postgres does not lock.
    document = (
        CallOffDocument.objects.select_for_update(of=("self",))
        .select_related("calloff", "calloff__provider", "incident")
        .get(pk=document_id)
    )
    if document.state != DocumentState.STARTED:
        return False
    document.file.save(document.filename(), ContentFile(pdf), save=False)
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.size = len(pdf)
    document.rendered_at = timezone.now()
    document.state = DocumentState.READY
    document.error = ""
    document.save(update_fields=["file", "sha256", "size", "rendered_at", "state", "error"])
    # In this transaction: the provider hears of the document exactly when it can be fetched.
    notifications_for_document(document)
    return True


@transaction.atomic(durable=True)
def document_mark_failed(*, document_id: int, error: str) -> bool:
    """pending/started → failed, with an alert to the ministry. The call-off is not touched."""
    updated = CallOffDocument.objects.filter(
        Q(pk=document_id), Q(state=DocumentState.STARTED) | Q(state=DocumentState.PENDING)
    ).update(state=DocumentState.FAILED, error=(error or "")[:MAX_ERROR_LENGTH])
    if updated != 1:
        return False
    document = CallOffDocument.objects.select_related("calloff", "calloff__contract", "incident").get(pk=document_id)
    if document.calloff_id is None:
        message = _(
            "{kind} ({reference}, Version {version}) konnte nicht erstellt werden: {error}. "
            "Das Dokument kann erneut erstellt werden."
        )
    else:
        message = _(
            "{kind} zu Abruf {reference} (Version {version}) konnte nicht erstellt werden: {error}. "
            "Der Abruf selbst ist davon nicht betroffen; das Dokument kann erneut erstellt werden."
        )
    alert_ministry(
        kind=AlertKind.OTHER,
        calloff=document.calloff,
        message=message.format(
            kind=document.get_kind_display(),
            reference=document.reference,
            version=document.version,
            error=(error or "")[:300],
        ),
    )
    return True


def document_render(*, document_id: int) -> CallOffDocument | None:
    """Run one render job: started → PDF → ready, or failed + alert. For the Celery task.

    Not atomic itself: rendering takes a while and must not hold a transaction or a lock.
    Returns the document as it ends up, or None if there was nothing to do.
    """
    from ..documents import render_document_pdf

    document = document_mark_started(document_id=document_id)
    if document is None:
        logger.info("document %s: not pending, nothing to do", document_id)
        return None
    try:
        pdf = render_document_pdf(document)
        document_mark_ready(document_id=document_id, pdf=pdf)
    except Exception as exc:  # any failure of the renderer or the storage marks the job failed
        logger.exception("document %s: rendering failed", document_id)
        document_mark_failed(document_id=document_id, error=f"{type(exc).__name__}: {exc}")
    return CallOffDocument.objects.get(pk=document_id)


def documents_sweep_stale(*, now: datetime | None = None) -> dict[str, int]:
    """For the beat sweep: jobs lost on the way (broker down at enqueue, worker killed) are handed
    to Celery again; a job that was started MAX_ATTEMPTS times without finishing is marked failed
    (with the alert). Returns how many of each; enqueueing twice is harmless (compare-and-set)."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    stale = CallOffDocument.objects.filter(
        Q(state=DocumentState.PENDING, created_at__lte=cutoff) | Q(state=DocumentState.STARTED, started_at__lte=cutoff)
    ).order_by("created_at")
    counts = {"requeued": 0, "failed": 0}
    for document in stale[:100]:
        if document.attempts >= MAX_ATTEMPTS:
            if document_mark_failed(
                document_id=document.pk,
                error=_("Nach {attempts} Versuchen nicht fertig geworden.").format(attempts=document.attempts),
            ):
                counts["failed"] += 1
            continue
        enqueue_render(document_id=document.pk)
        counts["requeued"] += 1
    return counts
