"""Errors of the provider API as ``application/problem+json`` (RFC 9457).

Every problem has a stable ``type`` (``urn:digisos:problem:<code>``) and ``code``, a short
English ``title``, the HTTP ``status``, a German ``detail`` for people, the request path as
``instance`` and, for invalid input, ``errors`` ({field: [messages]}). Clients branch on
``code`` (or ``type``), never on the wording.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ..errors import CallOffError

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:digisos:problem:"

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class ApiProblem(exceptions.APIException):
    """An API-layer problem with its own code (idempotency conflicts, size limits …)."""

    def __init__(self, detail: str, *, status_code: int, code: str):
        self.status_code = status_code
        super().__init__(detail=detail, code=code)
        self.problem_code = code


class RequestTooLarge(ApiProblem):
    def __init__(self, detail: str | None = None):
        super().__init__(
            detail or _("Die Anfrage ist zu groß."),
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            code="too_large",
        )


def problem_response(*, status_code: int, code: str, detail: str, request=None, errors=None, headers=None) -> Response:
    body = {
        "type": TYPE_PREFIX + code,
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }
    if request is not None:
        body["instance"] = request.path
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _flatten_errors(detail) -> dict[str, list[str]]:
    """DRF's nested error detail → {"field" or "field.sub": [messages]}."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for index, sub in enumerate(value):
                    walk(f"{prefix}.{index}" if prefix else str(index), sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def exception_handler(exc, context):
    """REST_FRAMEWORK EXCEPTION_HANDLER of the provider API views (set per view)."""
    request = context.get("request")
    headers = {}
    if isinstance(exc, CallOffError):
        set_rollback()
        errors = {exc.field: [exc.message]} if exc.field else None
        return problem_response(
            status_code=exc.http_status, code=exc.code, detail=exc.message, request=request, errors=errors
        )
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handling (and logging) takes over
    set_rollback()
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # Missing, malformed, wrong, revoked or expired key: one answer, so nothing is revealed.
        headers["WWW-Authenticate"] = 'Bearer realm="digisos"'
        return problem_response(
            status_code=401,
            code="not_authenticated",
            detail=_("Bitte mit einem gültigen API-Schlüssel anmelden (Authorization: Bearer …)."),
            request=request,
            headers=headers,
        )
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        headers["Retry-After"] = str(max(wait, 1))
        return problem_response(
            status_code=429,
            code="rate_limited",
            detail=_("Zu viele Anfragen mit diesem API-Schlüssel. Bitte in {seconds} s erneut versuchen.").format(
                seconds=max(wait, 1)
            ),
            request=request,
            headers=headers,
        )
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            status_code=400,
            code="invalid",
            detail=_("Die Angaben sind unvollständig oder ungültig."),
            request=request,
            errors=_flatten_errors(exc.detail),
        )
    if isinstance(exc, exceptions.NotFound):
        return problem_response(status_code=404, code="not_found", detail=_("Nicht gefunden."), request=request)
    if isinstance(exc, exceptions.MethodNotAllowed):
        headers["Allow"] = ", ".join(context["view"].allowed_methods) if context.get("view") else ""
    code = getattr(exc, "problem_code", None) or (exc.get_codes() if isinstance(exc.get_codes(), str) else "error")
    return problem_response(
        status_code=exc.status_code, code=code, detail=str(exc.detail), request=request, headers=headers
    )
