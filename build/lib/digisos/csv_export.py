"""CSV downloads of the portal's lists: exactly the rows and columns the list shows, safe to open
in a spreadsheet.

Spreadsheets run a cell that starts with = + - @ (or a tab / carriage return before one) as a
formula ("CSV injection", OWASP): such a cell gets a leading apostrophe, so it is shown as text.
German spreadsheets expect ";" between cells and recognise UTF-8 by its byte-order mark.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 10_000  # a list is paginated; its download is bounded too


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def wants_csv(request) -> bool:
    return request.GET.get("export") == "csv"


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """``filename`` without extension; it gets today's date and ``.csv``."""
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for count, row in enumerate(rows):
        if count >= MAX_ROWS:
            break
        writer.writerow([safe_cell(cell) for cell in row])
    return response


def export_query(request) -> str:
    """The current filters plus export=csv (for the download link); the page number is dropped."""
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = "csv"
    return query.urlencode()
