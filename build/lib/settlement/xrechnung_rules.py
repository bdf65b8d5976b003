"""The business rules of EN 16931 and of XRechnung (CIUS) beyond the CII schema: the official
Schematron rules, compiled to XSLT (vendored in ``settlement/schematron/``, see its README for the
versions and sources), run with Saxon-HE (``saxonche``) and read from their SVRL report.

A ``failed-assert`` (or ``successful-report``) flagged ``fatal`` or ``error`` is a violation: the
KoSIT validator rejects such an invoice. ``warning`` and ``information`` findings are returned too but do
not make an invoice invalid.

The stylesheets are compiled once per process (a few seconds) and then reused; Saxon's processor is not
documented as thread-safe, so one transformation runs at a time (a lock).

The input must already have passed ``invoice_check.parse`` (well-formed, no DOCTYPE, CII schema):
Saxon parses the bytes again, and only a document without DTD reaches it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

RULES_DIR = Path(__file__).parent / "schematron"
#: EN 16931 (CEN) first, then XRechnung's own (BR-DE-*) and the Peppol rules it adopts.
STYLESHEETS = ("EN16931-CII-validation.xslt", "XRechnung-CII-validation.xsl")
SVRL = "http://purl.oclc.org/dsdl/svrl"
#: Flags that make an invoice invalid.
ERROR_FLAGS = frozenset({"fatal", "error"})

_lock = threading.Lock()


@dataclass(frozen=True)
class Finding:
    rule: str  # e.g. "BR-DE-2", "BR-CO-25", "PEPPOL-EN16931-R010"
    flag: str  # fatal, error, warning, information
    text: str
    location: str

    @property
    def is_error(self) -> bool:
        return self.flag in ERROR_FLAGS


@cache
def _compiled():
    """(processor, [executables]) for the stylesheets, compiled once per process."""
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    xslt = processor.new_xslt30_processor()
    executables = [xslt.compile_stylesheet(stylesheet_file=str(RULES_DIR / name)) for name in STYLESHEETS]
    return processor, executables


def _findings(svrl: str) -> list[Finding]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(svrl.encode("utf-8"), parser)
    found = []
    for node in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(node.findtext(f"{{{SVRL}}}text") or "").split())
        found.append(
            Finding(
                rule=node.get("id") or "",
                flag=(node.get("flag") or "error").lower(),
                text=text,
                location=node.get("location") or "",
            )
        )
    return found


def validate(data: bytes) -> list[Finding]:
    """Every finding of the EN 16931 and XRechnung rules for this CII document (errors first)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    text = etree.tostring(etree.fromstring(data, parser), encoding="unicode")  # any declared encoding
    with _lock:
        processor, executables = _compiled()
        document = processor.parse_xml(xml_text=text)
        reports = [executable.transform_to_string(xdm_node=document) for executable in executables]
    found = [finding for report in reports for finding in _findings(report)]
    return sorted(found, key=lambda f: not f.is_error)


def errors(data: bytes) -> list[Finding]:
    """The findings that make the invoice invalid (fatal or error)."""
    return [finding for finding in validate(data) if finding.is_error]
