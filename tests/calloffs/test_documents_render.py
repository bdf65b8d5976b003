"""The render pipeline's per-thread cache: a template's CSS is parsed once per thread, the fonts stay
embedded, and a render in another thread gets a font configuration of its own."""

import threading

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
