"""Long free text in the final report flows across pages: lessons learned of 9 paragraphs (about two
pages) start right under their heading after the hours, instead of the whole block jumping to a new page
(which left the section heading alone on an otherwise empty page and half a page blank before it); the
body's lessons follow the provider's without leaving a page part blank. The pages are rendered to PNG
(artifacts/screenshots/aftercare-report-long-text-N.png) to look at."""

import shutil
import subprocess
from pathlib import Path

import pytest

from aftercare.models import ReportNotes
from tests.aftercare.test_final_report import issue
from tests.aftercare.test_final_report import report_data as report_data  # noqa: F401  (fixture)
from tests.calloffs import documents_fixtures as fx
from tests.calloffs.documents_fixtures import document_bytes, pdf_reader

queued, run_queued = fx.queued, fx.run_queued

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SENTENCES = (
    "Die Wiederherstellung der Fachverfahren dauerte länger als geplant, weil die Sicherungen zwar vorhanden, "
    "aber nie vollständig zurückgespielt worden waren. Künftig wird jede Sicherung quartalsweise in einer "
    "isolierten Umgebung wiederhergestellt und das Ergebnis dokumentiert. "
)


def lessons(tag: str, paragraphs: int) -> str:
    """Paragraphs separated by blank lines, each opening with a marker such as [P1]."""
    return "\n\n".join(f"[{tag}{n}] " + SENTENCES * 4 for n in range(1, paragraphs + 1))


def page_of(pages: list[str], marker: str) -> int:
    found = [index for index, text in enumerate(pages) if marker in text]
    assert found, marker
    return found[0]


def test_long_lessons_flow_across_pages(report_data, p1, run_queued, django_capture_on_commit_callbacks, tmp_path):
    provider_text, body_text = lessons("P", 9), lessons("B", 3) + " https://example.org/" + "x" * 180
    assert len(provider_text) <= 10000  # the longest lessons the form takes
    ReportNotes.objects.filter(calloff=report_data).update(lessons_provider=provider_text, lessons_body=body_text)
    data = document_bytes(issue(report_data, p1, run_queued, django_capture_on_commit_callbacks))
    pages = [" ".join((page.extract_text() or "").split()) for page in pdf_reader(data).pages]
    if shutil.which("pdftoppm"):  # the pages as images, to look at
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        source = tmp_path / "report.pdf"
        source.write_bytes(data)
        for old in ARTIFACTS.glob("aftercare-report-long-text-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "60", source, ARTIFACTS / "aftercare-report-long-text"], check=True)  # noqa: S603, S607
        assert len(list(ARTIFACTS.glob("aftercare-report-long-text-*.png"))) == len(pages)

    heading = page_of(pages, "8. Lessons learned")
    # The provider's lessons start on the heading's page, right after the hours (no page holding only the
    # heading, no blank half page before it) ...
    assert page_of(pages, "[P1]") == heading == page_of(pages, "Gesamt")
    # ... run on over the next page, and the body's lessons follow where the provider's end (on the next
    # page only when that one is full).
    assert page_of(pages, "[P9]") > heading
    assert page_of(pages, "[B1]") in (page_of(pages, "[P9]"), page_of(pages, "[P9]") + 1)
    # Every page but the last is filled (the blank pages of the block layout were nearly empty).
    assert all(len(text) > 1500 for text in pages[:-1]), [len(text) for text in pages]
    assert len(pages) <= 5
