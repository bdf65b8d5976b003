"""WeasyPrint: HTML templates under templates/pdf/ to tagged, accessible PDF (PDF/UA-1, A4).

* German: the template is rendered with German active and times in Europe/Berlin, whatever
  the request or worker had set.
* Fonts: DejaVu from Debian's fonts-dejavu-core, loaded by ``@font-face`` from a file:// URL
  and embedded (subset) into every PDF; no system font is left to chance.
* Title and language: from ``<title>`` and ``<html lang="de">``; the PDF/UA-1 variant writes
  the structure tree (tags), the XMP metadata and "display document title".
* Only local resources: the fetcher refuses anything but data: URIs and files in the font
  folder, so no text that reaches a template can make the renderer fetch a URL.
* Parsed once per thread: the ``<style>`` of a template is the same text for every document
  of its kind, so it is parsed into a :class:`weasyprint.CSS` once per thread and text, with
  one :class:`FontConfiguration` per thread (its ``@font-face`` fonts are loaded once, not per
  PDF; Pango's font map is not shared between threads). A render without the cached parts
  built its font configuration, read the four font files and parsed the CSS each time.
* User-agent sheet: WeasyPrint's html5_ua.css cut down to the elements our templates use
  (user_agent.css, :class:`PdfHTML`): the same layout with fewer selectors to match per element.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from ..money import format_eur

PDF_LANGUAGE = "de"
PDF_TIME_ZONE = "Europe/Berlin"
PDF_VARIANT = "pdf/ua-1"
#: Debian's fonts-dejavu-core (installed in the Dockerfile and on the development machines).
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "pdf"


class LocalOnlyFetcher(URLFetcher):
    """data: URIs and the font files; everything else is refused (WeasyPrint then skips it)."""

    allowed_dirs = (FONT_DIR.resolve(),)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file:"):
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(folder) for folder in self.allowed_dirs):
                return super().fetch(url, headers)
        raise ValueError(f"PDF rendering: resource refused: {url[:120]}")


@contextmanager
def pdf_locale():
    """German and Berlin time, for building a PDF's context and rendering its template."""
    with translation.override(PDF_LANGUAGE), timezone.override(PDF_TIME_ZONE):
        yield


def render_html(template_name: str, context: dict) -> str:
    context = {**context, "font_dir_url": FONT_DIR.as_uri()}
    with pdf_locale():
        return render_to_string(template_name, context)


#: The HTML elements of our PDF templates (templates/pdf/, and the <p>/<br> of |linebreaks): user_agent.css
#: has WeasyPrint's user-agent rules for these and no others (tests/calloffs/test_documents_render.py).
UA_ELEMENTS = frozenset(
    {"html", "head", "meta", "title", "style", "body", "div", "header", "section", "h1", "h2", "h3", "h4", "p"}
    | {"span", "strong", "br", "ul", "ol", "li", "img", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
)
USER_AGENT_CSS = Path(__file__).with_name("user_agent.css")


class PdfHTML(HTML):
    """An HTML document with our cut-down user-agent stylesheet in place of WeasyPrint's full one.

    ``_ua_stylesheets`` is how WeasyPrint's own test suite swaps the sheet (``FakeHTML`` in its
    tests/testing_utils.py); should a WeasyPrint release stop calling it, the full sheet applies again
    (slower, not different). A PDF with form fields keeps the full sheets.
    """

    user_agent_sheet = CSS(filename=str(USER_AGENT_CSS))

    def _ua_stylesheets(self, forms=False):
        return super()._ua_stylesheets(forms) if forms else [self.user_agent_sheet]


#: ``<style>`` elements in the document head (our templates put their CSS there, nowhere else).
STYLE_RE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
#: Distinct style texts kept per thread: one per PDF template and variant (drill or not).
STYLE_CACHE_SIZE = 32


class _Stylesheets(threading.local):
    """Per thread: one font configuration and the stylesheets parsed with it (most recent last)."""

    def __init__(self):
        self.font_config = FontConfiguration()
        self.sheets: OrderedDict[str, CSS] = OrderedDict()

    def get(self, text: str) -> CSS:
        sheet = self.sheets.get(text)
        if sheet is None:
            sheet = CSS(
                string=text, base_url=str(TEMPLATE_DIR), url_fetcher=LocalOnlyFetcher(), font_config=self.font_config
            )
            self.sheets[text] = sheet
            if len(self.sheets) > STYLE_CACHE_SIZE:
                self.sheets.popitem(last=False)
        else:
            self.sheets.move_to_end(text)
        return sheet


_stylesheets = _Stylesheets()


def split_styles(html: str) -> tuple[str, list[str]]:
    """The HTML without the ``<style>`` elements of its head, and their texts in document order."""
    head, marker, body = html.partition("</head>")
    if not marker:
        return html, []
    return STYLE_RE.sub("", head) + marker + body, STYLE_RE.findall(head)


def html_to_pdf(html: str) -> bytes:
    """The PDF of ``html``; its head's CSS comes from the per-thread cache (same cascade: the
    document's only author CSS becomes the only user-level sheet, above the user-agent sheet)."""
    html, styles = split_styles(html)
    stylesheets = [_stylesheets.get(text) for text in styles]
    document = PdfHTML(string=html, base_url=str(TEMPLATE_DIR), url_fetcher=LocalOnlyFetcher())
    return document.write_pdf(
        pdf_variant=PDF_VARIANT, pdf_tags=True, stylesheets=stylesheets, font_config=_stylesheets.font_config
    )


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_html(template_name, context))


#: Pixels per QR module in the PNG: 4 keeps the code crisp in viewers that smooth images anyway.
QR_SCALE = 4


def qr_png_data_uri(url: str) -> str:
    """A QR code of ``url`` as a PNG data URI, for an <img> in the PDF.

    The same symbol (segno, error level M, quiet zone of 2 modules) as the SVG it replaces, 4 pixels a module;
    the templates draw it with ``image-rendering: pixelated`` (``/Interpolate false``), so print and viewers
    show square modules at any size. WeasyPrint draws an SVG path of the ~600 modules' runs in pure Python
    (~5 ms of an order's CPU); a 148-pixel PNG is one image XObject.
    """
    return segno.make(url, error="m", micro=False).png_data_uri(scale=QR_SCALE, border=2, dark="#000", light="#fff")


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def de_number(value, places: int | None = None) -> str:
    """12.5 → '12,5'; 1234 → '1.234'; places fixes the decimals ('40,00')."""
    if value is None or value == "":
        return ""
    value = Decimal(str(value))
    if places is None:
        value = value.normalize()
        exponent = value.as_tuple().exponent
        places = max(-exponent, 0) if isinstance(exponent, int) else 0
    text = f"{value:,.{places}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def de_eur(value) -> str:
    """1234.5 → '1.234,50 €'; nothing → '0,00 €' (a PDF's empty amount). The notation is calloffs.money's."""
    return format_eur(value or 0)


def de_minutes(minutes: int | None) -> str:
    """90 → '90 Min.', 240 → '4 Std.', 1440 → '1 Tag', 4320 → '3 Tage' (for SLA terms)."""
    if minutes is None:
        return "–"
    if minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(n)s Tag", "%(n)s Tage", days) % {"n": days}
    if minutes % 60 == 0:
        return _("%(n)s Std.") % {"n": minutes // 60}
    return _("%(n)s Min.") % {"n": minutes}
