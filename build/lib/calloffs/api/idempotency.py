"""``Idempotency-Key`` for every POST of the provider API (IETF httpapi idempotency-key draft,
with Stripe's semantics).

* First request with a key: a record ``in_progress`` is committed before the work starts; when
  the work is done its response (status, body, headers) is stored (unless it was a 5xx, which
  releases the key so the client can retry).
* Same key, same method, path and body again: the stored response is replayed, marked with
  ``Idempotent-Replayed: true``; nothing is executed twice.
* Same key, different request: 422 ``idempotency_key_reused``.
* Same key while the first request still runs: 409 ``idempotency_in_progress``.
* Keys are scoped to the provider and kept ``KEEP`` (7 days); an abandoned ``in_progress``
  record (a crashed worker) is taken over after ``STALE_AFTER``.
The header is optional: a POST without it is simply executed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from ..models import IdempotencyRecord, IdempotencyState
from .problems import ApiProblem

HEADER = "Idempotency-Key"
KEEP = timedelta(days=7)
STALE_AFTER = timedelta(minutes=5)
MAX_KEY_LENGTH = 255
#: Response headers that are part of the stored response.
STORED_HEADERS = ("Location", "Retry-After")


def _check_key(raw: str) -> str:
    if not (1 <= len(raw) <= MAX_KEY_LENGTH) or not raw.isascii() or not raw.isprintable():
        raise ApiProblem(
            _("Der Idempotency-Key muss aus 1 bis {n} druckbaren ASCII-Zeichen bestehen.").format(n=MAX_KEY_LENGTH),
            status_code=status.HTTP_400_BAD_REQUEST,
            code="invalid_idempotency_key",
        )
    return raw


def request_fingerprint(request) -> str:
    """SHA-256 over method, path and the body: JSON canonicalised (key order and whitespace do
    not matter), multipart as its fields plus each file's name, size and SHA-256 (the boundary
    differs between two sends of the same form)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    media_type = (request.content_type or "").split(";")[0].strip().lower()
    digest.update(media_type.encode() + b"\n")
    if media_type.startswith("multipart/") or media_type == "application/x-www-form-urlencoded":
        fields = sorted((k, v) for k in request.data for v in request.data.getlist(k) if isinstance(v, str))
        files = []
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                file_digest = hashlib.sha256()
                for chunk in upload.chunks():
                    file_digest.update(chunk)
                upload.seek(0)
                files.append((name, upload.name, upload.size, file_digest.hexdigest()))
        digest.update(json.dumps([fields, files], sort_keys=True).encode())
        return digest.hexdigest()
    body = request.body  # enforces DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig → 413)
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    digest.update(canonical)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    """The stored response, byte for byte, marked as a replay."""
    headers = dict(record.response_headers or {})
    content_type = headers.pop("Content-Type", None) or "application/json"
    response = HttpResponse(
        (record.response_content or "").encode(), status=record.response_status, content_type=content_type
    )
    for name, value in headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def begin(*, api_key, key: str, method: str, path: str, fingerprint: str, now: datetime | None = None):
    """Claim ``key`` for this request. Returns (record, None) when the caller must do the work,
    (None, response) when a stored response is to be replayed; raises 409/422 problems."""
    now = now or timezone.now()
    fields = {"method": method, "path": path[:500], "fingerprint": fingerprint}
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                provider_id=api_key.provider_id,
                api_key=api_key,
                key=key,
                state=IdempotencyState.IN_PROGRESS,
                created_at=now,
                expires_at=now + KEEP,
                **fields,
            )
        return record, None
    except IntegrityError:
        pass
    with transaction.atomic():
        record = IdempotencyRecord.objects.select_for_update().get(provider_id=api_key.provider_id, key=key)
        abandoned = record.state == IdempotencyState.IN_PROGRESS and record.created_at <= now - STALE_AFTER
        if record.expires_at <= now or abandoned:
            for name, value in fields.items():
                setattr(record, name, value)
            record.api_key = api_key
            record.state = IdempotencyState.IN_PROGRESS
            record.created_at, record.expires_at = now, now + KEEP
            record.response_status = record.response_content = None
            record.response_headers = {}
            record.save()
            return record, None
        if record.state == IdempotencyState.IN_PROGRESS:
            raise ApiProblem(
                _("Eine Anfrage mit diesem Idempotency-Key wird gerade noch bearbeitet. Bitte kurz warten."),
                status_code=status.HTTP_409_CONFLICT,
                code="idempotency_in_progress",
            )
        if (record.method, record.path, record.fingerprint) != (fields["method"], fields["path"], fingerprint):
            raise ApiProblem(
                _(
                    "Dieser Idempotency-Key wurde bereits für eine andere Anfrage verwendet. "
                    "Bitte für jede neue Anfrage einen neuen Schlüssel verwenden."
                ),
                status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
                code="idempotency_key_reused",
            )
        return None, _replay(record)


def finish(record: IdempotencyRecord, response: Response) -> None:
    """Store the response (a 5xx releases the key instead)."""
    if response.status_code >= 500:
        release(record)
        return
    headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    if response.has_header("Content-Type"):
        headers["Content-Type"] = response["Content-Type"]
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyState.DONE,
        response_status=response.status_code,
        response_content=response.content.decode(),
        response_headers=headers,
    )


def release(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk, state=IdempotencyState.IN_PROGRESS).delete()


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete records past their keep time; for the housekeeping task."""
    deleted, _rows = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def idempotent(handler):
    """Decorator for a POST handler of an APIView/ViewSet: honours the Idempotency-Key header."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None or request.method != "POST":
            return handler(view, request, *args, **kwargs)
        key = _check_key(raw)
        record, replay = begin(
            api_key=request.auth,
            key=key,
            method=request.method,
            path=request.path,
            fingerprint=request_fingerprint(request),
        )
        if replay is not None:
            return replay
        try:
            try:
                response = handler(view, request, *args, **kwargs)
            except Exception as exc:
                # Turn domain and API errors into their problem response here, so that the
                # response can be stored; anything unexpected propagates (and releases the key).
                response = view.handle_exception(exc)
        except BaseException:
            release(record)
            raise
        # Render now, so that the bytes stored are the bytes sent (DRF keeps a rendered response as is).
        response = view.finalize_response(request, response, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        finish(record, response)
        return response

    wrapper.idempotent = True
    return wrapper
