"""docs/PROVIDER_API.md names every value a provider reads or sends in the aftercare API: the document
kinds (the final report among them), the finding categories and severities, the indicator kinds and
the TLP levels. A value added to one of these sets without the guide fails here."""

import re
from pathlib import Path

import pytest

from aftercare.models import FindingCategory, IndicatorKind, Severity, Tlp
from calloffs.models import DocumentKind

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "PROVIDER_API.md"


def _section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


@pytest.mark.parametrize(
    ("heading", "choices"),
    [
        ("Documents", DocumentKind),
        ("After the incident", FindingCategory),
        ("After the incident", Severity),
        ("After the incident", IndicatorKind),
        ("After the incident", Tlp),
    ],
)
def test_the_guide_names_every_value(heading, choices):
    section = _section(GUIDE.read_text(encoding="utf-8"), heading)
    named = set(re.findall(r"`([a-z_0-9]+)`", section))
    missing = [value for value in choices.values if value not in named]
    assert not missing, f"{heading}: {missing}"
