"""Request bodies over their limit are refused before anything reads them.

Django parses a multipart body when a view (or the CSRF check before it) first touches
``request.POST``/``FILES``, streaming files over 2.5 MB into a temporary file: an anonymous 400 MB
upload to /verify/<code>/ was written to /tmp before the view said "zu groß". This middleware runs
its check in ``process_view`` before the CSRF middleware: the declared ``Content-Length`` is
compared with the view's limit (``@body_limit(n)``; default: REQUEST_MAX_BODY_BYTES) and a larger
request is answered 413 unread. Django never reads more than ``Content-Length`` bytes (a body
without one is read as empty), so the check holds while streaming. The provider API (DRF views)
checks its own limits the same way before parsing (calloffs.api.views). The reverse proxy should
refuse larger bodies even earlier (docs/OPERATIONS.md).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

#: Room for the multipart framing and the form's other fields around a file.
MULTIPART_OVERHEAD = 64 * 1024


def body_limit(max_file_bytes: int):
    """Let a view take a file of up to ``max_file_bytes`` (plus the multipart framing)."""

    def decorate(view):
        view.max_body_bytes = max_file_bytes + MULTIPART_OVERHEAD
        return view

    return decorate


def limit_for(view_func) -> int | None:
    if hasattr(view_func, "cls"):  # a DRF view: checks its limits itself before parsing
        return None
    return getattr(view_func, "max_body_bytes", settings.REQUEST_MAX_BODY_BYTES)


def too_large(request, limit: int) -> HttpResponse:
    megabytes = f"{limit / 1_000_000:.1f}".replace(".", ",")
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "type": "urn:digisos:problem:too_large",
                "code": "too_large",
                "title": "Content Too Large",
                "status": 413,
                "detail": f"Die Anfrage ist zu groß (höchstens {megabytes} MB).",
                "instance": request.path,
            },
            status=413,
            content_type="application/problem+json",
            json_dumps_params={"ensure_ascii": False},
        )
    html = render_to_string("errors/413.html", {"LANGUAGE_CODE": "de", "megabytes": megabytes})
    # No "Connection: close" here: WSGI forbids hop-by-hop headers (the server decides; gunicorn and
    # the reverse proxy close a connection whose body was not read).
    return HttpResponse(html, status=413, content_type="text/html; charset=utf-8")


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = limit_for(view_func)
        if limit is None:
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large(request, limit)
        return None
