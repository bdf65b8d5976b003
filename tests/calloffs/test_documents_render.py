"""The render pipeline's per-thread cache: a template's CSS is parsed once per thread, the fonts stay
embedded, and a render in another thread gets a font configuration of its own; the cut-down user-agent
stylesheet covers every element of our templates and lays them out as WeasyPrint's full one does."""

import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from django.conf import settings
from weasyprint import HTML as WeasyHTML

from calloffs.documents import render
from tests.calloffs.documents_fixtures import pdf_reader, pdf_text

STYLE = (
    '@font-face {{ font-family: "DejaVu Sans PDF"; src: url("{fonts}/DejaVuSans.ttf"); }}'
    ' html {{ font-family: "DejaVu Sans PDF"; font-size: 11pt; }} p.note {{ color: #a4000f; }}'
)
HTML = (
    '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Probe</title><style>{style}</style></head>'
    '<body><p class="note">Abrufauftrag Probe</p><p>&lt;style&gt;bleibt Text&lt;/style&gt;</p></body></html>'
)


def probe_html() -> str:
    return HTML.format(style=STYLE.format(fonts=render.FONT_DIR.as_uri()))


def embedded_fonts(data: bytes) -> list[str]:
    names = []
    for page in pdf_reader(data).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor  # embedded, not referenced
            names.append(str(font["/BaseFont"]))
    return names


def test_the_style_is_parsed_once_per_thread(monkeypatch):
    parsed = []
    original = render.CSS

    def counting_css(*args, **kwargs):
        parsed.append(kwargs["string"])
        return original(*args, **kwargs)

    monkeypatch.setattr(render, "CSS", counting_css)
    monkeypatch.setattr(render, "_stylesheets", render._Stylesheets())
    first, second = render.html_to_pdf(probe_html()), render.html_to_pdf(probe_html())
    assert len(parsed) == 1
    for data in (first, second):
        assert "Abrufauftrag Probe <style>bleibt Text</style>" in pdf_text(data)  # body text untouched
        assert any("DejaVu-Sans-PDF" in name for name in embedded_fonts(data))


def test_another_thread_renders_with_its_own_font_configuration(monkeypatch):
    monkeypatch.setattr(render, "_stylesheets", render._Stylesheets())
    here = render.html_to_pdf(probe_html())
    results = {}

    def work():
        results["pdf"] = render.html_to_pdf(probe_html())
        results["font_config"] = render._stylesheets.font_config

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert results["font_config"] is not render._stylesheets.font_config
    assert pdf_text(results["pdf"]) == pdf_text(here)
    assert any("DejaVu-Sans-PDF" in name for name in embedded_fonts(results["pdf"]))


def test_the_cache_keeps_the_most_recent_styles(monkeypatch):
    monkeypatch.setattr(render, "STYLE_CACHE_SIZE", 2)
    cache = render._Stylesheets()
    for text in ("p { color: red; }", "p { color: blue; }", "p { color: red; }", "p { color: green; }"):
        cache.get(text)
    assert list(cache.sheets) == ["p { color: red; }", "p { color: green; }"]


def test_only_the_head_loses_its_style_elements():
    html, styles = render.split_styles(
        "<html><head><style>a{}</style><title>T</title><style>b{}</style></head><body><style>c{}</style></body></html>"
    )
    assert styles == ["a{}", "b{}"]
    assert html == "<html><head><title>T</title></head><body><style>c{}</style></body></html>"


def test_the_user_agent_sheet_covers_every_element_of_the_pdf_templates():
    used = set()
    for template in (Path(settings.BASE_DIR) / "templates" / "pdf").rglob("*.html"):
        used |= set(re.findall(r"<([a-z][a-z0-9]*)\b", template.read_text(encoding="utf-8")))
    assert used, "no templates found"
    assert used | {"p", "br"} <= render.UA_ELEMENTS  # <p>/<br> also from |linebreaks


#: Every element of UA_ELEMENTS with nothing but the user-agent sheet: margins, bold headers, list
#: markers, table spacing and borders, line breaks, page margins.
UA_PROBE = (
    '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>UA</title>'
    '<style>@font-face {{ font-family: "DejaVu Sans PDF"; src: url("{fonts}/DejaVuSans.ttf"); }}'
    '@font-face {{ font-family: "DejaVu Sans PDF"; font-weight: bold; src: url("{fonts}/DejaVuSans-Bold.ttf"); }}'
    ' html {{ font-family: "DejaVu Sans PDF"; }} table, td, th {{ border: 1px solid; }}'
    ' @page {{ @bottom-right {{ content: counter(page); }} @top-left {{ content: "Kopf"; }} }}</style></head>'
    "<body><header><h1>Eins</h1><h2>Zwei</h2></header><section><h3>Drei</h3><h4>Vier</h4>"
    "<p>Absatz mit <strong>fett</strong> und <span>Spanne</span><br>neue Zeile</p>"
    "<ul><li>Punkt<ul><li>innen<ul><li>tiefer</li></ul></li></ul></li></ul><ol><li>eins</li><li>zwei</li></ol>"
    "<div><table><caption>Tabelle</caption><thead><tr><th>Kopf</th><th>Wert</th></tr></thead>"
    "<tbody><tr><th>Zeile</th><td>1<br>2</td></tr></tbody><tfoot><tr><td>Summe</td><td>1</td></tr></tfoot></table>"
    '<img alt="Bild" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAA'
    'AgABSK+kcQAAAABJRU5ErkJggg=="></div></section></body></html>'
)


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_the_user_agent_sheet_lays_out_as_weasyprints_own(tmp_path):
    html = UA_PROBE.format(fonts=render.FONT_DIR.as_uri())
    elements = set(re.findall(r"<([a-z][a-z0-9]*)\b", html))
    assert elements == render.UA_ELEMENTS  # the probe has every element the sheet is for
    ours = render.PdfHTML(string=html, url_fetcher=render.LocalOnlyFetcher()).write_pdf()
    full = WeasyHTML(string=html, url_fetcher=render.LocalOnlyFetcher()).write_pdf()
    assert render.PdfHTML(string=html)._ua_stylesheets() == [render.PdfHTML.user_agent_sheet]
    images = []
    for name, data in (("ours", ours), ("full", full)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-png", "-r", "50", tmp_path / f"{name}.pdf", tmp_path / name], check=True)
        images.append(sorted(path.read_bytes() for path in tmp_path.glob(f"{name}-*.png")))
    assert images[0] and images[0] == images[1]
