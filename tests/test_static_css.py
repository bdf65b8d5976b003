"""The portal's own style sheets parse as written: every block is closed. An unclosed @media block
silently moved everything after it into that media query (found: the phone card layout of the lists
left its block open, so the hotline box, the map and the disclosure styles applied on phones only)."""

import re
from pathlib import Path

import pytest

CSS = sorted((Path(__file__).resolve().parent.parent / "static" / "css").glob("*.css"))


@pytest.mark.parametrize("path", CSS, ids=[p.name for p in CSS])
def test_every_block_is_closed(path):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"), flags=re.S)
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        # A rule that starts at the left margin is a top-level rule: no block may still be open around it.
        if line[:1] not in ("", " ", "}", "\t") and "{" in line:
            assert depth == 0, f"{path.name}:{number}: starts inside a block left open above: {line.strip()}"
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, f"{path.name}:{number}: closes a block that is not open"
    assert depth == 0, f"{path.name}: {depth} block(s) not closed"
